"""The registry: what each dataset is, where it comes from, and how it is checked.

A :class:`Dataset` has one or more *forms*, alternative complete sets of
files (MNIST is either Keras' single ``mnist.npz`` or the four IDX files);
any one complete, verified form is enough. Each file is a
:class:`RemoteFile` that names its canonical URLs and its integrity check.

The registry is a plain dict, so tests (and instructors) can override an
entry with ``monkeypatch.setitem(REGISTRY, name, dataset)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bootcamp.data.errors import UnknownDataset

Check = Callable[[Path], None]
Form = tuple["RemoteFile", ...]


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset and the check it must pass before it is used.

    ``sha256`` is the hash of the file's bytes. ``content_sha256`` is the hash
    of its *uncompressed* content, for files that mirrors re-gzip: a source
    may then hold ``name`` or ``name.gz``, and the cache keeps it
    uncompressed. ``validate`` is a structural check that raises
    :class:`~bootcamp.data.errors.VerificationError`; it is the only check of
    files revised every year, and an extra one after a hash otherwise.
    ``size`` is in bytes as cached (uncompressed for ``content_sha256``).

    ``md5`` is for files whose publisher gives only an MD5 (Keras' pretrained
    weights: the hash Keras itself checks them against); it guards against
    truncation and corruption in transit, not against a forger.

    ``accept`` is a glob of other names a cache or mirror may offer for the
    same role (other revisions of a yearly file), ranked newest first by
    ``revision_key``.
    """

    name: str
    urls: tuple[str, ...] = ()
    size: int | None = None
    sha256: str | None = None
    content_sha256: str | None = None
    md5: str | None = None
    validate: Check | None = field(default=None, compare=False)
    accept: str | None = None
    revision_key: Callable[[str], Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if sum(bool(h) for h in (self.sha256, self.content_sha256, self.md5)) > 1:
            raise ValueError(f"{self.name}: give one of sha256, content_sha256 or md5, not several")
        if not (self.sha256 or self.content_sha256 or self.md5 or self.validate):
            raise ValueError(f"{self.name}: every file needs a check (sha256, content_sha256, md5 or validate)")

    @property
    def wire_names(self) -> tuple[str, ...]:
        """The names under which a source may hold this file."""
        return (self.name, self.name + ".gz") if self.content_sha256 else (self.name,)

    @property
    def digest(self) -> tuple[str, str] | None:
        """``(algorithm, expected hex digest)`` of the file as cached, or None for a structure check only."""
        if self.md5:
            return "md5", self.md5
        if self.sha256 or self.content_sha256:
            return "sha256", self.sha256 or self.content_sha256
        return None

    def describe_check(self) -> str:
        if self.sha256:
            kind = f"sha256 {self.sha256[:12]}..."
        elif self.content_sha256:
            kind = f"sha256 of the uncompressed content {self.content_sha256[:12]}..."
        elif self.md5:
            kind = f"md5 {self.md5[:12]}... (the publisher's)"
        else:
            kind = "structure check"
        return kind + (" + structure check" if self.validate and kind != "structure check" else "")


@dataclass(frozen=True)
class Dataset:
    """A dataset of the bootcamp.

    ``forms`` lists the alternative complete sets of files, preferred first.
    A dataset whose files depend on a choice (the HURDAT2 revision) gives
    ``make_forms(variant)`` instead. A dataset with neither (HURSAT-B1, one
    archive per storm) is fetched piece by piece through its own module.
    ``loader`` is the dotted path (``module:function``) of the function that
    turns the files into arrays or tables.
    """

    name: str
    title: str
    citation: str
    licence: str
    fallback: str
    loader: str
    forms: tuple[Form, ...] = ()
    make_forms: Callable[[str | None], tuple[Form, ...]] | None = field(default=None, compare=False)
    subdirs: tuple[str, ...] = ()     # other folder names a mirror may use for it
    hints: tuple[str, ...] = ()       # extra advice when it cannot be had
    approx_size: str = ""             # shown when the size is not known exactly

    def resolve(self, variant: str | None = None) -> tuple[Form, ...]:
        """The forms to look for; ``variant`` picks e.g. a HURDAT2 revision."""
        if self.make_forms is not None:
            return self.make_forms(variant)
        if variant is not None:
            raise ValueError(f"dataset {self.name!r} has no variants (got {variant!r})")
        return self.forms

    @property
    def whole(self) -> bool:
        """False for datasets fetched piece by piece (HURSAT-B1)."""
        return bool(self.forms) or self.make_forms is not None

    @property
    def folders(self) -> tuple[str, ...]:
        """Folder names under which a mirror may keep this dataset's files."""
        return (self.name, *self.subdirs)

    def size_text(self) -> str:
        """The download size of the preferred form, for people."""
        forms = self.resolve() if self.whole else ()
        sizes = [f.size for f in forms[0]] if forms else [None]
        if None in sizes:
            return self.approx_size or "varies"
        return f"{sum(sizes) / 1e6:.1f} MB"

    def load(self, **options: Any) -> Any:
        """Call this dataset's loader (e.g. ``load_mnist``) with ``options``."""
        module, function = self.loader.split(":")
        return getattr(importlib.import_module(module), function)(**options)


REGISTRY: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    """Add (or replace) a dataset in the registry."""
    REGISTRY[dataset.name] = dataset
    return dataset


def _ensure_catalogue() -> None:
    importlib.import_module("bootcamp.data.catalogue")     # registers the bootcamp's datasets


def dataset(name: str) -> Dataset:
    """The registered dataset ``name``; :class:`UnknownDataset` lists the valid names."""
    _ensure_catalogue()
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownDataset(name, REGISTRY) from None


def names() -> list[str]:
    """Every registered dataset name, in registration order."""
    _ensure_catalogue()
    return list(REGISTRY)


def load(name: str, **options: Any) -> Any:
    """Load dataset ``name`` through its registered loader."""
    return dataset(name).load(**options)
