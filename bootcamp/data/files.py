"""What a file must be: its names, sources and integrity check."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bootcamp.data.errors import VerificationError

CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset.

    Exactly one integrity check applies, in this order of preference:
    ``sha256`` of the bytes; ``content_sha256`` of the *uncompressed*
    content (for files that mirrors re-gzip: the cache keeps them
    uncompressed, under ``name``); or ``validate``, a structural check for
    sources revised every year. ``glob`` lets a directory mirror or the cache
    offer a file under another name (e.g. another HURDAT2 revision).
    """

    name: str
    urls: tuple[str, ...] = ()
    size: int | None = None
    sha256: str | None = None
    content_sha256: str | None = None
    validate: Callable[[Path], None] | None = field(default=None, compare=False)
    glob: str | None = None

    def __post_init__(self):
        checks = [self.sha256, self.content_sha256, self.validate]
        if sum(c is not None for c in checks) != 1:
            raise ValueError(f"{self.name}: give exactly one of sha256, content_sha256, validate")

    @property
    def wire_names(self) -> tuple[str, ...]:
        """Names under which a source may hold this file."""
        return (self.name, self.name + ".gz") if self.content_sha256 else (self.name,)


def sha256_of(path: Path, *, gunzip: bool = False) -> str:
    digest = hashlib.sha256()
    opener = gzip.open if gunzip else open
    with opener(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def verify(spec: RemoteFile, path: Path) -> str:
    """Raise VerificationError unless ``path`` is a good copy of ``spec``.

    Returns a short description of the check that passed.
    """
    if spec.sha256:
        if spec.size is not None and path.stat().st_size != spec.size:
            raise VerificationError(f"{spec.name}: {path.stat().st_size:,} bytes, expected {spec.size:,} "
                                    "(truncated or wrong file)")
        actual = sha256_of(path)
        if actual != spec.sha256:
            raise VerificationError(f"{spec.name}: sha256 {actual[:16]}... does not match {spec.sha256[:16]}...")
        return f"sha256 {spec.sha256[:12]}"
    if spec.content_sha256:
        try:
            actual = sha256_of(path, gunzip=is_gzip(path))
        except (OSError, EOFError) as err:                # truncated or corrupt gzip stream
            raise VerificationError(f"{spec.name}: unreadable compressed data ({err})") from None
        if actual != spec.content_sha256:
            raise VerificationError(f"{spec.name}: content sha256 {actual[:16]}... does not match "
                                    f"{spec.content_sha256[:16]}...")
        return f"content sha256 {spec.content_sha256[:12]}"
    try:
        spec.validate(path)
    except VerificationError:
        raise
    except Exception as err:                              # a validator's own error becomes ours
        raise VerificationError(f"{spec.name}: structure check failed: {err}") from err
    return "structure check"


def materialise(spec: RemoteFile, source: Path, dest: Path) -> None:
    """Write the cache form of ``source`` to ``dest`` (gunzip content-hashed files)."""
    if spec.content_sha256 and is_gzip(source):
        with gzip.open(source, "rb") as src, open(dest, "wb") as out:
            while chunk := src.read(CHUNK):
                out.write(chunk)
    else:
        with open(source, "rb") as src, open(dest, "wb") as out:
            while chunk := src.read(CHUNK):
                out.write(chunk)
