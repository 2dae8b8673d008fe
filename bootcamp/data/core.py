"""Datasets, the registry, and getting verified files: cache, mirrors, canonical URLs."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bootcamp.data import settings, transfer
from bootcamp.data.errors import DatasetUnavailable, DownloadError, UnknownDataset, VerificationError
from bootcamp.data.files import RemoteFile, materialise, verify

SOURCE_FILE = ".source.json"


@dataclass(frozen=True)
class Dataset:
    """A dataset: one or more alternative *forms* (complete sets of files,
    e.g. Keras' single ``mnist.npz`` or the four IDX files), the credit it is
    owed, what lessons do without it, and the loader that reads it."""

    name: str
    title: str
    forms: tuple[tuple[RemoteFile, ...], ...]
    citation: str
    licence: str
    fallback: str
    subdirs: tuple[str, ...] = ()     # folder names a mirror may use for it
    hint: str = ""

    @property
    def size(self) -> int | None:
        sizes = [f.size for f in self.forms[0]] if self.forms else [None]
        return None if None in sizes else sum(sizes)


REGISTRY: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    REGISTRY[dataset.name] = dataset
    return dataset


def dataset(name: str) -> Dataset:
    from bootcamp.data import catalogue  # noqa: F401  (fills the registry)

    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownDataset(name, REGISTRY) from None


def dataset_dir(name: str) -> Path:
    return settings.cache_dir() / name


# ------------------------------------------------------------------- sources
def _cached(ds: Dataset, spec: RemoteFile) -> Path | None:
    folder = dataset_dir(ds.name)
    exact = folder / spec.name
    if exact.is_file():
        return exact
    if spec.glob:
        found = sorted(folder.glob(spec.glob))
        return found[-1] if found else None
    return None


def _directory_candidates(ds: Dataset, spec: RemoteFile, root: Path) -> list[Path]:
    folders = [root] + [root / sub for sub in (ds.name, *ds.subdirs)]
    found = [folder / wire for folder in folders for wire in spec.wire_names if (folder / wire).is_file()]
    if not found and spec.glob:
        for folder in folders:
            found += sorted(folder.glob(spec.glob), reverse=True)
    return found


def _cache_name(spec: RemoteFile, path: Path) -> str:
    """A file found through ``glob`` keeps its own name (e.g. its revision)."""
    return path.name if spec.glob and path.name not in spec.wire_names else spec.name


def _url_candidates(ds: Dataset, spec: RemoteFile, base: str) -> list[str]:
    base = base.rstrip("/")
    return [f"{base}/{sub}{wire}" for sub in ("", *(s + "/" for s in (ds.name, *ds.subdirs)))
            for wire in spec.wire_names]


def _system_mirrors(ds: Dataset) -> list[Path]:
    return [root for root in settings.SYSTEM_MIRRORS if any((root / s).is_dir() for s in (ds.name, *ds.subdirs))]


# --------------------------------------------------------------- the engine
def _install(ds: Dataset, spec: RemoteFile, produce: Callable[[Path], None], source: str,
             name: str | None = None) -> Path:
    """Make a file in a temporary path, verify it, then move it into the cache
    (under ``name``, by default the spec's own name)."""
    folder = dataset_dir(ds.name)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".part", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    final_name = name or spec.name
    try:
        produce(tmp)
        how = verify(spec, tmp)
        if spec.content_sha256:
            plain = tmp.with_suffix(".plain")
            materialise(spec, tmp, plain)
            tmp.unlink()
            plain.replace(tmp)
        target = folder / final_name
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_suffix(".plain").unlink(missing_ok=True)
    _note_source(ds, final_name, source, how)
    return target


def _note_source(ds: Dataset, name: str, source: str, check: str) -> None:
    record_path = dataset_dir(ds.name) / SOURCE_FILE
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError):
        record = {}
    record[name] = {"source": source, "check": check, "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    tmp = record_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True))
    os.replace(tmp, record_path)


def sources_used(name: str) -> dict:
    try:
        return json.loads((dataset_dir(name) / SOURCE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _get_file(ds: Dataset, spec: RemoteFile, tried: list[str]) -> Path | None:
    """Return a verified cached path for ``spec``, fetching it if needed."""
    cached = _cached(ds, spec)
    if cached is not None:
        try:
            verify(spec, cached)
            return cached
        except VerificationError as err:
            tried.append(f"cache {cached}: {err} (removed)")
            cached.unlink()
    else:
        tried.append(f"cache {dataset_dir(ds.name)}: no {spec.name}")

    locations = settings.mirrors() + [str(p) for p in _system_mirrors(ds)]
    if not settings.mirrors():
        tried.append(f"mirrors: none configured ({settings.MIRRORS_ENV} is not set)")
    for location in locations:
        if settings.is_url(location):
            if settings.offline():
                tried.append(f"mirror {location}: skipped ({settings.OFFLINE_ENV}=1)")
                continue
            urls = _url_candidates(ds, spec, location)
        else:
            candidates = _directory_candidates(ds, spec, Path(location).expanduser())
            if not candidates:
                tried.append(f"mirror {location}: no {spec.name}")
            for path in candidates:
                try:
                    return _install(ds, spec, lambda tmp, p=path: shutil.copyfile(p, tmp), str(path),
                                    _cache_name(spec, path))
                except VerificationError as err:
                    tried.append(f"mirror {path}: {err}")
            continue
        got = _try_urls(ds, spec, urls, tried, quiet_404=True, label=f"mirror {location}")
        if got:
            return got

    if settings.offline():
        tried.append(f"canonical {', '.join(spec.urls) or '(none)'}: skipped ({settings.OFFLINE_ENV}=1)")
        return None
    return _try_urls(ds, spec, list(spec.urls), tried, quiet_404=False, label="canonical")


def _try_urls(ds, spec, urls, tried, *, quiet_404: bool, label: str) -> Path | None:
    missing = 0
    for url in urls:
        try:
            return _install(ds, spec, lambda tmp, u=url: transfer.download(u, tmp, label=spec.name), url)
        except DownloadError as err:
            if quiet_404 and "HTTP 404" in str(err):
                missing += 1
                continue
            tried.append(f"{label} {err}")
        except VerificationError as err:
            tried.append(f"{label} {url}: {err} (discarded)")
    if missing and missing == len(urls):
        tried.append(f"{label}: no {spec.name} (HTTP 404)")
    return None


def fetch(name: str) -> dict[str, Path]:
    """Make sure a complete, verified form of dataset ``name`` is in the
    cache; return its files by name. Raises DatasetUnavailable."""
    ds = dataset(name)
    tried: list[str] = []
    # a form that is already complete in the cache wins without any request
    for form in ds.forms:
        paths = {spec.name: _cached(ds, spec) for spec in form}
        if all(paths.values()):
            try:
                for spec in form:
                    verify(spec, paths[spec.name])
                return paths
            except VerificationError:
                pass
    for form in ds.forms:
        paths = {}
        for spec in form:
            path = _get_file(ds, spec, tried)
            if path is None:
                break
            paths[spec.name] = path
        else:
            return paths
    raise DatasetUnavailable(ds.name, ds.title, tried, ds.fallback, ds.hint)


def is_cached(name: str) -> bool:
    ds = dataset(name)
    return any(all(_cached(ds, spec) for spec in form) for form in ds.forms)


def verify_cached(name: str) -> list[str]:
    """Re-check every cached file of ``name``; return problems (bad files are removed)."""
    ds = dataset(name)
    problems = []
    for form in ds.forms:
        for spec in form:
            path = _cached(ds, spec)
            if path is None:
                continue
            try:
                verify(spec, path)
            except VerificationError as err:
                path.unlink()
                problems.append(f"{path}: {err} (removed)")
    return problems


def import_files(name: str, source: Path) -> dict[str, Path]:
    """Bring in files a user downloaded by hand (a file or a folder of them);
    each is verified like a download."""
    ds = dataset(name)
    source = Path(source).expanduser()
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist")
    done = {}
    for form in ds.forms:
        for spec in form:
            if source.is_dir():
                candidates = _directory_candidates(ds, spec, source)
            else:
                matches = source.name in spec.wire_names or (spec.glob and source.match(spec.glob))
                candidates = [source] if matches else []
            for path in candidates:
                done[spec.name] = _install(ds, spec, lambda tmp, p=path: shutil.copyfile(p, tmp),
                                           f"imported from {path}", _cache_name(spec, path))
                break
    if not done:
        names = sorted({w for form in ds.forms for spec in form for w in spec.wire_names})
        raise VerificationError(f"nothing in {source} belongs to {name!r}: expected files named {', '.join(names)}")
    return done
