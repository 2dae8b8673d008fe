"""Checking files: hashes of bytes, hashes of uncompressed content, structure.

A file obtained from anywhere is first *prepared* (gunzipped where the cache
keeps content uncompressed) and checked in a temporary path; only then does
the caller move it into the cache. A cached file is checked again each time
it is used.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from pathlib import Path

from bootcamp.data.errors import VerificationError
from bootcamp.data.registry import RemoteFile

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return digest_of(path, "sha256")


def digest_of(path: Path, algorithm: str) -> str:
    """The hex digest of a file's bytes by a ``hashlib`` algorithm ("sha256", "md5")."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def gunzip_hashing(source: Path, dest: Path) -> str:
    """Decompress ``source`` into ``dest`` and return the sha256 of the content."""
    digest = hashlib.sha256()
    try:
        with gzip.open(source, "rb") as src, open(dest, "wb") as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as err:       # truncated or corrupt gzip stream
        raise VerificationError(f"unreadable gzip data ({err})") from None
    return digest.hexdigest()


def _compare(spec: RemoteFile, what: str, actual: str, expected: str) -> None:
    if actual != expected:
        raise VerificationError(f"{spec.name}: {what} {actual[:16]}... does not match the expected "
                                f"{expected[:16]}... (corrupt, truncated or a different file)")


def _check_size(spec: RemoteFile, path: Path) -> None:
    actual = path.stat().st_size
    if spec.size is not None and actual != spec.size:
        raise VerificationError(f"{spec.name}: {actual:,} bytes, expected {spec.size:,} "
                                "(truncated or a different file)")


def _run_validator(spec: RemoteFile, path: Path) -> None:
    if spec.validate is None:
        return
    try:
        spec.validate(path)
    except VerificationError as err:
        raise VerificationError(f"{spec.name}: {err}") from None
    except (ValueError, OSError, UnicodeError) as err:
        raise VerificationError(f"{spec.name}: structure check failed ({err})") from None


def verify(spec: RemoteFile, path: Path) -> str:
    """Check a file *in its cached form*; raise VerificationError or return
    a short description of the checks passed."""
    if spec.content_sha256 and is_gzip(path):
        raise VerificationError(f"{spec.name}: the cache keeps this file uncompressed, found gzip data")
    if spec.digest:
        algorithm, expected = spec.digest
        _check_size(spec, path)
        _compare(spec, algorithm, digest_of(path, algorithm), expected)
    _run_validator(spec, path)
    return spec.describe_check()


def prepare(spec: RemoteFile, raw: Path, ready: Path) -> str:
    """Turn ``raw`` (as obtained from a source) into the cached form at
    ``ready`` and check it. ``raw`` may be consumed. Returns the check
    description; raises VerificationError (and leaves ``ready`` to the
    caller to clean up)."""
    if spec.content_sha256 and is_gzip(raw):
        actual = gunzip_hashing(raw, ready)
        _check_size(spec, ready)
        _compare(spec, "sha256 of the uncompressed content", actual, spec.content_sha256)
        _run_validator(spec, ready)
        return spec.describe_check()
    os.replace(raw, ready)
    return verify(spec, ready)
