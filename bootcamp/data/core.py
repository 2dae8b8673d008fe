"""Getting verified files into the cache: the cache first, then mirrors, then
the canonical URLs.

A file reaches the cache only through temporary files in the dataset's cache
folder (``.<name>.<random>.part`` / ``.ready``) that are checked and then
renamed; whatever fails is deleted, so the cache never holds a partial or
unverified file under a real name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from bootcamp.data import integrity, settings, transfer
from bootcamp.data.errors import DatasetUnavailable, DownloadError, UsageError, VerificationError
from bootcamp.data.files import publish_mode, replacing, temp_file
from bootcamp.data.registry import Dataset, Form, RemoteFile, dataset

SOURCES_FILE = ".source.json"
STALE_TEMP_SECONDS = 3600


def dataset_dir(name: str) -> Path:
    """The cache folder of dataset ``name``."""
    return settings.cache_dir() / name


# ------------------------------------------------------------ where files lie
def _newest_first(spec: RemoteFile, paths: list[Path]) -> list[Path]:
    key = spec.revision_key or (lambda name: name)
    return sorted(paths, key=lambda p: key(p.name), reverse=True)


def _accepted(spec: RemoteFile, folder: Path, exclude: list[Path]) -> list[Path]:
    if not spec.accept or not folder.is_dir():
        return []
    return [p for p in folder.glob(spec.accept) if p.is_file() and not p.name.startswith(".") and p not in exclude]


def cached_path(ds: Dataset, spec: RemoteFile) -> Path | None:
    """The cached file for ``spec`` (not checked here), or None."""
    folder = dataset_dir(ds.name)
    exact = folder / spec.name
    if exact.is_file():
        return exact
    others = _newest_first(spec, _accepted(spec, folder, []))
    return others[0] if others else None


def directory_candidates(ds: Dataset, spec: RemoteFile, root: Path) -> list[Path]:
    """Files in a mirror folder that may be ``spec``: per-dataset subfolders
    first, then the folder itself; exact names first, then other revisions."""
    folders = [root / sub for sub in ds.folders] + [root]
    exact = [folder / wire for folder in folders for wire in spec.wire_names if (folder / wire).is_file()]
    others: list[Path] = []
    for folder in folders:
        others += _accepted(spec, folder, exact + others)
    return exact + _newest_first(spec, others)


def url_candidates(ds: Dataset, spec: RemoteFile, base: str) -> list[str]:
    """URLs under a mirror's base URL that may hold ``spec``."""
    base = base.rstrip("/")
    prefixes = [f"{sub}/" for sub in ds.folders] + [""]
    return [f"{base}/{prefix}{wire}" for prefix in prefixes for wire in spec.wire_names]


_HREF = re.compile(r'href\s*=\s*["\']([^"\'?#]+)["\']', re.IGNORECASE)


def listed_names(page: str) -> list[str]:
    """The file names a folder listing (an HTML index page, as ``python -m http.server`` or a web
    server's autoindex makes) links to, without folders and hidden files."""
    names = {urllib.parse.unquote(href).rstrip("/").rsplit("/", 1)[-1] for href in _HREF.findall(page)
             if not href.endswith("/")}
    return sorted(n for n in names if n and not n.startswith("."))


def listing_urls(ds: Dataset, base: str) -> list[str]:
    """The folder listings of a mirror's base URL that may hold ``ds``'s files."""
    base = base.rstrip("/")
    return [f"{base}/{sub}/" for sub in ds.folders] + [f"{base}/"]


def _cache_name(spec: RemoteFile, path_name: str) -> str:
    """Cached under the spec's name, except another revision keeps its own."""
    plain = path_name[:-3] if spec.content_sha256 and path_name.endswith(".gz") else path_name
    return spec.name if plain == spec.name else plain


def _url_cache_name(spec: RemoteFile, url: str) -> str:
    """Cached under the spec's name, except another revision found in a mirror's listing keeps its own."""
    name = urllib.parse.unquote(url.rsplit("/", 1)[-1])
    if name in spec.wire_names or not (spec.accept and fnmatch(name, spec.accept)):
        return spec.name
    return _cache_name(spec, name)


def _matches(spec: RemoteFile, file_name: str) -> bool:
    return file_name in spec.wire_names or bool(spec.accept and fnmatch(file_name, spec.accept))


@dataclass(frozen=True)
class Mirror:
    location: str
    label: str

    @property
    def is_url(self) -> bool:
        return settings.is_url(self.location)


def mirrors_for(ds: Dataset) -> list[Mirror]:
    """The user's mirrors in order, then system folders holding this dataset."""
    found = [Mirror(m, f"mirror {m}") for m in settings.mirrors()]
    for root in settings.SYSTEM_MIRRORS:
        if any((root / sub).is_dir() for sub in ds.folders):
            found.append(Mirror(str(root), f"system mirror {root}"))
    return found


# ------------------------------------------------------------ installing
def install(ds: Dataset, spec: RemoteFile, obtain: Callable[[Path], None], source: str,
            cache_name: str | None = None, *, folder: Path | None = None) -> Path:
    """Obtain a file into a temporary path, check it, then rename it into the
    cache (the dataset's folder, or ``folder`` inside it). Raises
    VerificationError / DownloadError; leaves nothing behind."""
    folder = folder or dataset_dir(ds.name)
    folder.mkdir(parents=True, exist_ok=True)
    name = cache_name or spec.name
    raw, ready = temp_file(folder, name, ".part"), temp_file(folder, name, ".ready")
    try:
        obtain(raw)
        check = integrity.prepare(spec, raw, ready)
        publish_mode(ready)
        target = folder / name
        os.replace(ready, target)
    finally:
        raw.unlink(missing_ok=True)
        ready.unlink(missing_ok=True)
    _record_source(folder, name, source, check)
    return target


def _record_source(folder: Path, name: str, source: str, check: str) -> None:
    record = _read_sources(folder)
    record[name] = {"source": source, "check": check, "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    with replacing(folder / SOURCES_FILE, ".tmp") as tmp:
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True))


def _read_sources(folder: Path) -> dict[str, dict[str, str]]:
    try:
        record = json.loads((folder / SOURCES_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def sources_used(name: str) -> dict[str, dict[str, str]]:
    """For each cached file of ``name``: where it came from, the check it passed, when."""
    return _read_sources(dataset_dir(name))


def summarise_sources(sources: list[str]) -> str:
    """Several sources in a few words: the one source, their common folder, or the first and a count."""
    unique = sorted(set(sources))
    if not unique:
        return "-"
    if len(unique) == 1:
        return unique[0]
    parents = {s.rsplit("/", 1)[0] + "/" for s in unique}
    if len(parents) == 1:
        return f"{parents.pop()} ({len(unique)} files)"
    return f"{unique[0]} and {len(unique) - 1} other source(s)"


def describe_origin(name: str, paths: dict[str, Path]) -> str:
    """'cache FOLDER (obtained from WHERE)': one phrase for the loaders' notice."""
    record = sources_used(name)
    where = summarise_sources([record.get(p.name, {}).get("source", "?") for p in paths.values()])
    return f"cache {dataset_dir(name)} (obtained from {where})"


# ------------------------------------------------------------ fetching
class _Log:
    """What was tried, in order, each line once."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)


class _Fetcher:
    """One fetch of one dataset: remembers what was tried, what was checked,
    and which URL mirrors are unreachable."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.log = _Log()
        self.checked: set[Path] = set()
        self.dead_mirrors: set[str] = set()
        self.mirrors_tried: set[str] = set()
        self.mirrors = mirrors_for(ds)

    # -- sources
    def from_cache(self, spec: RemoteFile) -> Path | None:
        path = cached_path(self.ds, spec)
        if path is None:
            self.log.add(f"cache {dataset_dir(self.ds.name)}: no {spec.name}")
            return None
        if path in self.checked:
            return path
        try:
            integrity.verify(spec, path)
        except VerificationError as err:
            self.log.add(f"cache {path}: {err} (removed)")
            path.unlink(missing_ok=True)
            return None
        self.checked.add(path)
        return path

    def from_mirrors(self, spec: RemoteFile) -> Path | None:
        if spec.name in self.mirrors_tried:           # once per fetch, whichever pass asks
            return None
        self.mirrors_tried.add(spec.name)
        if not settings.mirrors():
            self.log.add(f"mirrors: none set ({settings.MIRRORS_ENV} is empty)")
        for mirror in self.mirrors:
            if not mirror.is_url:
                got = self._copy_from_folder(spec, mirror)
            elif settings.offline():
                self.log.add(f"{mirror.label}: skipped ({settings.OFFLINE_ENV}=1)")
                continue
            elif mirror.location in self.dead_mirrors:
                continue
            else:
                got = self._download(spec, url_candidates(self.ds, spec, mirror.location), mirror)
                if got is None and spec.accept and mirror.location not in self.dead_mirrors:
                    got = self._download_listed(spec, mirror)
            if got is not None:
                return got
        return None

    def from_canonical(self, spec: RemoteFile) -> Path | None:
        if not spec.urls:
            self.log.add(f"canonical: {spec.name} has no download URL of its own (mirrors only)")
            return None
        if settings.offline():
            self.log.add(f"canonical {' '.join(spec.urls)}: skipped ({settings.OFFLINE_ENV}=1)")
            return None
        return self._download(spec, list(spec.urls), None)

    # -- helpers
    def _copy_from_folder(self, spec: RemoteFile, mirror: Mirror) -> Path | None:
        root = Path(mirror.location).expanduser()
        if not root.is_dir():
            self.log.add(f"{mirror.label}: not an existing folder")
            return None
        candidates = directory_candidates(self.ds, spec, root)
        if not candidates:
            self.log.add(f"{mirror.label}: no {' or '.join(spec.wire_names)} there")
        for path in candidates:
            try:
                return self._install(spec, lambda raw, p=path: shutil.copyfile(p, raw), str(path),
                                     _cache_name(spec, path.name))
            except VerificationError as err:
                self.log.add(f"{mirror.label}: {path} failed its check: {err}")
            except OSError as err:
                self.log.add(f"{mirror.label}: {path} could not be read ({err})")
        return None

    def _download(self, spec: RemoteFile, urls: list[str], mirror: Mirror | None) -> Path | None:
        label = mirror.label if mirror else "canonical"
        missing = []
        for url in urls:
            try:
                return self._install(spec, lambda raw, u=url: transfer.download(
                    u, raw, label=f"{self.ds.name}: {spec.name}"), url, _url_cache_name(spec, url))
            except DownloadError as err:
                if mirror is not None and err.not_found:
                    missing.append(url)
                    continue
                self.log.add(f"{label}: {err}")
                if mirror is not None:
                    self.dead_mirrors.add(mirror.location)
                    return None
            except VerificationError as err:
                self.log.add(f"{label}: {url} was downloaded but failed its check: {err} (discarded)")
        if missing and len(missing) == len(urls):
            self.log.add(f"{label}: no {spec.name} there (HTTP 404 at {len(missing)} likely URL(s))")
        return None

    def _download_listed(self, spec: RemoteFile, mirror: Mirror) -> Path | None:
        """Other revisions a URL mirror offers (``spec.accept``), found in its folder listings, newest first.
        A folder listing is the only way to learn their names over HTTP; a folder mirror is globbed."""
        found: list[str] = []
        listings = listing_urls(self.ds, mirror.location)
        for listing in listings:
            try:
                page = transfer.get_bytes(listing).decode("utf-8", "replace")
            except DownloadError as err:
                if not err.not_found:
                    self.log.add(f"{mirror.label}: {err}")
                continue
            key = spec.revision_key or (lambda name: name)
            names = sorted((n for n in listed_names(page) if fnmatch(n, spec.accept or "")), key=key, reverse=True)
            found += [listing + urllib.parse.quote(n) for n in names]
        if not found:
            self.log.add(f"{mirror.label}: no file matching {spec.accept} listed at {' or '.join(listings)}")
            return None
        return self._download(spec, found, mirror)

    def _install(self, spec: RemoteFile, obtain: Callable[[Path], None], source: str, name: str) -> Path:
        path = install(self.ds, spec, obtain, source, name)
        self.checked.add(path)
        return path

    # -- forms
    def complete(self, form: Form, *, mirrors: bool, canonical: bool) -> dict[str, Path] | None:
        """All files of ``form`` from the allowed sources, or None."""
        paths: dict[str, Path] = {}
        for spec in form:
            path = self.from_cache(spec)
            if path is None and mirrors:
                path = self.from_mirrors(spec)
            if path is None and canonical:
                path = self.from_canonical(spec)
            if path is None:
                return None
            paths[spec.name] = path
        return paths


def fetch(name: str, *, variant: str | None = None) -> dict[str, Path]:
    """Make sure one complete, verified form of dataset ``name`` is in the
    cache and return its files (cache paths by file name).

    Order: a form already complete in the cache (no network request at all);
    then the mirrors, for each form; then the canonical URLs, for each form.
    Raises :class:`DatasetUnavailable` listing everything tried.
    """
    ds = dataset(name)
    if not ds.whole:
        raise UsageError(f"{name!r} is fetched one piece at a time, not as a whole: {' '.join(ds.hints)}")
    forms = ds.resolve(variant)
    fetcher = _Fetcher(ds)
    for mirrors, canonical in ((False, False), (True, False), (True, True)):
        for form in forms:
            paths = fetcher.complete(form, mirrors=mirrors, canonical=canonical)
            if paths is not None:
                return paths
    raise DatasetUnavailable(ds.name, ds.title, fetcher.log.lines, ds.fallback, hints=ds.hints)


def is_cached(name: str, *, variant: str | None = None) -> bool:
    """True when a complete form of ``name`` is in the cache (not re-checked here)."""
    ds = dataset(name)
    return ds.whole and any(all(cached_path(ds, spec) for spec in form) for form in ds.resolve(variant))


def _cached_files(ds: Dataset, spec: RemoteFile) -> list[Path]:
    folder = dataset_dir(ds.name)
    exact = [folder / spec.name] if (folder / spec.name).is_file() else []
    return exact + _accepted(spec, folder, exact)


def verify_cached(name: str) -> list[str]:
    """Check every cached file of ``name`` again; remove the bad ones and
    return one line per problem (empty: all good)."""
    ds = dataset(name)
    problems = []
    for form in ds.resolve() if ds.whole else ():
        for spec in form:
            for path in _cached_files(ds, spec):
                try:
                    integrity.verify(spec, path)
                except VerificationError as err:
                    path.unlink(missing_ok=True)
                    problems.append(f"{path}: {err} (removed)")
    return problems


def remove_stale_temporaries(name: str, *, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete temporary files that a killed process left in the cache folder."""
    folder = dataset_dir(name)
    removed = []
    now = time.time()
    for path in folder.glob(".*.*") if folder.is_dir() else ():
        if path.suffix in (".part", ".ready", ".tmp") and now - path.stat().st_mtime > older_than:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def import_files(name: str, source: Path | str, *, variant: str | None = None) -> dict[str, Path]:
    """Bring files a user downloaded by hand into the cache, each checked
    like a download. ``source`` is a file or a folder (flat or with a
    subfolder per dataset). Returns the cached files by name."""
    ds = dataset(name)
    if not ds.whole:
        raise UsageError(f"{name!r} has its own import: {' '.join(ds.hints)}")
    source = Path(source).expanduser()
    if not source.exists():
        raise UsageError(f"{source} does not exist: give the downloaded file, or the folder holding it")
    done: dict[str, Path] = {}
    failures: list[str] = []
    for form in ds.resolve(variant):
        for spec in form:
            if source.is_dir():
                candidates = directory_candidates(ds, spec, source)
            else:
                candidates = [source] if _matches(spec, source.name) else []
            for path in candidates:
                try:
                    done[spec.name] = install(ds, spec, lambda raw, p=path: shutil.copyfile(p, raw),
                                              f"imported from {path}", _cache_name(spec, path.name))
                    break
                except VerificationError as err:
                    failures.append(f"{path}: {err}")
    if failures:
        kept = f" (imported all the same: {', '.join(done)})" if done else ""
        raise VerificationError("not imported, failed the check:\n  " + "\n  ".join(failures) + kept)
    if not done:
        expected = sorted({w for form in ds.resolve(variant) for spec in form for w in spec.wire_names})
        raise UsageError(f"nothing in {source} belongs to {name!r}: expected files named {', '.join(expected)}")
    return done
