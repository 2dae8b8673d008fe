"""HURSAT-B1 v06: storm-centred infrared satellite frames from NOAA NCEI.

One ``.tar.gz`` per storm, in a folder per year, named
``HURSAT_b1_v06_<SID>_<NAME>_c<YYYYMMDD>.tar.gz`` (e.g.
``HURSAT_b1_v06_2005236N23285_KATRINA_c20170721.tar.gz``; the SID is the
year, the day of year, and the position of the first fix). It holds one
netCDF file per satellite and time,
``<SID>.<NAME>.<YYYY>.<MM>.<DD>.<HHMM>.<angle>.<SATELLITE>.<nnn>.hursat-b1.v06.nc``,
with the 301 x 301 infrared window brightness temperature ``IRWIN`` on a
grid centred on the storm.

The archives are large and the host sometimes refuses automated clients, so
an archive downloaded in a browser can be imported instead; both are checked
the same way (a readable archive, safe members, netCDF frames inside).
"""

from __future__ import annotations

import fnmatch
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bootcamp.data import archive, core, settings, transfer
from bootcamp.data.errors import DatasetUnavailable, DownloadError, UsageError, VerificationError
from bootcamp.data.registry import Dataset, RemoteFile, dataset

NAME = "hursat_b1"
BASE_URL = "https://www.ncei.noaa.gov/data/hurricane-satellite-hursat-b1/archive/v06/"
ARCHIVE_RE = re.compile(r"HURSAT_b1_v06_(?P<sid>(?P<year>\d{4})\d{3}[NS]\d{5})_(?P<name>[A-Za-z0-9-]+)"
                        r"_c(?P<created>\d{8})\.tar\.gz")
FRAME_RE = re.compile(r"(?P<sid>\d{7}[NS]\d{5})\.(?P<name>[^.]+)\.(?P<y>\d{4})\.(?P<m>\d\d)\.(?P<d>\d\d)\."
                      r"(?P<hhmm>\d{4})\.(?P<angle>\d+)\.(?P<sat>[^.]+)\.(?P<seq>\d+)\.hursat-b1\.v06\.nc")
LIMITS = archive.Limits(max_member_bytes=64 << 20, max_total_bytes=4 << 30, max_members=20_000)
FIRST_YEAR, LAST_YEAR = 1978, 2015
MIN_KELVIN = 1.0      # brightness temperatures below this are not physical: treated as missing


@dataclass(frozen=True)
class ArchiveName:
    """What a HURSAT-B1 archive's file name says."""

    file_name: str
    sid: str
    year: int
    storm: str
    created: str

    @classmethod
    def parse(cls, file_name: str) -> ArchiveName:
        match = ARCHIVE_RE.fullmatch(Path(file_name).name)
        if not match:
            raise UsageError(f"{Path(file_name).name!r} is not a HURSAT-B1 v06 archive name "
                             "(HURSAT_b1_v06_<SID>_<NAME>_c<YYYYMMDD>.tar.gz)")
        return cls(match[0], match["sid"], int(match["year"]), match["name"].upper(), match["created"])

    def matches(self, storm: str) -> bool:
        """``storm`` is a name (KATRINA), an SID, or a glob on the file name."""
        wanted = storm.strip().upper()
        if any(ch in wanted for ch in "*?["):
            return fnmatch.fnmatch(self.file_name.upper(), wanted)
        return wanted in (self.storm, self.sid)


@dataclass(frozen=True)
class IRFrame:
    """One infrared image: when, which satellite, where the storm centre was."""

    time: np.datetime64
    satellite: str
    lat: float                   # storm centre, degrees north
    lon: float                   # storm centre, degrees east (west negative)
    irwin: np.ndarray            # brightness temperature (K), float32, NaN where missing
    path: Path


def year_url(year: int) -> str:
    return f"{BASE_URL}{year}/"


def _dataset() -> Dataset:
    return dataset(NAME)


def _year_dir(year: int) -> Path:
    return core.dataset_dir(NAME) / str(year)


# ------------------------------------------------------------ checking, storing
def check_archive(path: Path) -> None:
    """A readable archive whose members pass the extraction rules and that
    holds netCDF frames; raises VerificationError."""
    members = archive.inspect(path, LIMITS)
    if not any(m.isfile() and m.name.endswith(".nc") for m in members):
        raise VerificationError(f"{Path(path).name}: holds no netCDF (.nc) frames")


def _spec(name: ArchiveName) -> RemoteFile:
    return RemoteFile(name.file_name, urls=(year_url(name.year) + name.file_name,), validate=check_archive)


def _store(name: ArchiveName, obtain: Callable[[Path], None], source: str) -> Path:
    """Obtain the archive into a temporary file, check it, move it into the cache."""
    return core.install(_dataset(), _spec(name), obtain, source, folder=_year_dir(name.year))


def import_archive(path: Path | str) -> Path:
    """Check an archive downloaded by hand and put it in the cache; return its cached path."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UsageError(f"{path} is not a file: give the .tar.gz you downloaded")
    name = ArchiveName.parse(path.name)
    return _store(name, lambda raw: shutil.copyfile(path, raw), f"imported from {path}")


# ------------------------------------------------------------ finding archives
def _pick(names: list[ArchiveName], storm: str, year: int, where: str) -> ArchiveName | None:
    """The archive of ``storm``; the newest processing date when a storm has several;
    UsageError when the pattern matches different storms."""
    found = [n for n in names if n.year == year and n.matches(storm)]
    if not found:
        return None
    sids = sorted({n.sid for n in found})
    if len(sids) > 1:
        listed = ", ".join(sorted({f"{n.storm} ({n.sid})" for n in found}))
        raise UsageError(f"{storm!r} matches several storms of {year} in {where}: {listed}. "
                         "Give the storm's SID instead.")
    return max(found, key=lambda n: n.created)


def _archives_in(folder: Path) -> list[tuple[ArchiveName, Path]]:
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("HURSAT_b1_v06_*.tar.gz"):
        match = ARCHIVE_RE.fullmatch(path.name)
        if match and path.is_file():
            found.append((ArchiveName.parse(path.name), path))
    return found


def cached_archives(year: int | None = None) -> list[Path]:
    """The archives in the cache (of one year, or all)."""
    root = core.dataset_dir(NAME)
    folders = [root / str(year)] if year is not None else sorted(p for p in root.glob("[0-9]" * 4))
    return sorted(path for folder in folders for _, path in _archives_in(folder))


def _mirror_folders(root: Path, year: int) -> list[Path]:
    subs = [root / sub for sub in _dataset().folders]
    return [*(s / str(year) for s in subs), *subs, root / str(year), root]


def _mirror_urls(base: str, year: int) -> list[str]:
    base = base.rstrip("/")
    return [f"{base}/{sub}/{year}/" for sub in _dataset().folders] + [f"{base}/{year}/"]


def list_archives(url: str) -> list[ArchiveName]:
    """The archive names a folder listing (an HTML index page) links to."""
    page = transfer.get_bytes(url).decode("utf-8", "replace")
    return sorted({ArchiveName.parse(m[0]) for m in ARCHIVE_RE.finditer(page)}, key=lambda n: n.file_name)


class _StormFetch:
    """Looking for one storm's archive: cache, mirror folders, mirror URLs, NCEI."""

    def __init__(self, year: int, storm: str) -> None:
        self.year, self.storm = year, storm
        self.tried: list[str] = []

    def from_cache(self) -> Path | None:
        folder = _year_dir(self.year)
        local = dict(_archives_in(folder))
        chosen = _pick(list(local), self.storm, self.year, str(folder))
        if chosen is None:
            self.tried.append(f"cache {folder}: no archive of {self.storm}")
            return None
        try:
            check_archive(local[chosen])
            return local[chosen]
        except VerificationError as err:
            local[chosen].unlink(missing_ok=True)
            self.tried.append(f"cache {local[chosen]}: {err} (removed)")
            return None

    def from_folder(self, root: Path, label: str) -> Path | None:
        for folder in _mirror_folders(root, self.year):
            local = dict(_archives_in(folder))
            chosen = _pick(list(local), self.storm, self.year, str(folder))
            if chosen is None:
                continue
            try:
                return _store(chosen, lambda raw, p=local[chosen]: shutil.copyfile(p, raw), str(local[chosen]))
            except VerificationError as err:
                self.tried.append(f"{label}: {local[chosen]} failed its check: {err}")
                return None
        self.tried.append(f"{label}: no archive of {self.storm} {self.year}")
        return None

    def from_listings(self, listings: list[str], label: str, *, quiet_404: bool) -> Path | None:
        """Read folder listings in turn; download the storm's archive from the
        first that links to it. A listing that is not there (404) is skipped
        quietly for mirrors; any other failure ends this source."""
        for listing in listings:
            try:
                chosen = _pick(list_archives(listing), self.storm, self.year, listing)
            except DownloadError as err:
                if quiet_404 and err.not_found:
                    continue
                self.tried.append(f"{label}: {err}")
                return None
            if chosen is not None:
                return self._download(listing + chosen.file_name, chosen, label)
        self.tried.append(f"{label}: no archive of {self.storm} {self.year} listed at {' or '.join(listings)}")
        return None

    def _download(self, url: str, chosen: ArchiveName, label: str) -> Path | None:
        try:
            return _store(chosen, lambda raw: transfer.download(url, raw, label=chosen.file_name), url)
        except (DownloadError, VerificationError) as err:
            self.tried.append(f"{label}: {err}")
            return None

    def from_mirrors(self) -> Path | None:
        if not settings.mirrors():
            self.tried.append(f"mirrors: none set ({settings.MIRRORS_ENV} is empty)")
        for mirror in settings.mirrors():
            if not settings.is_url(mirror):
                found = self.from_folder(Path(mirror).expanduser(), f"mirror {mirror}")
            elif settings.offline():
                self.tried.append(f"mirror {mirror}: skipped ({settings.OFFLINE_ENV}=1)")
                continue
            else:
                found = self.from_listings(_mirror_urls(mirror, self.year), f"mirror {mirror}", quiet_404=True)
            if found is not None:
                return found
        return None

    def from_canonical(self) -> Path | None:
        if settings.offline():
            self.tried.append(f"canonical {year_url(self.year)}: skipped ({settings.OFFLINE_ENV}=1)")
            return None
        return self.from_listings([year_url(self.year)], "canonical", quiet_404=False)

    def run(self) -> Path:
        found = self.from_cache() or self.from_mirrors() or self.from_canonical()
        if found is None:
            raise self.unavailable()
        return found

    def unavailable(self) -> DatasetUnavailable:
        ds = _dataset()
        manual = (f"download by hand: open {year_url(self.year)} in a web browser and save the archive of "
                  f"{self.storm} (named HURSAT_b1_v06_<SID>_<NAME>_c<date>.tar.gz), then run "
                  "`python -m data_scripts import hursat_b1 --from ~/Downloads/<that file>` "
                  "(or, in Python, bootcamp.data.hursat.import_archive(path)). The NCEI server sometimes "
                  "refuses scripts but serves browsers.")
        return DatasetUnavailable(NAME, f"{ds.title}; storm {self.storm} of {self.year}", self.tried,
                                  ds.fallback, hints=(manual,))


def fetch_storm(year: int, storm: str) -> Path:
    """The verified archive of one storm in the cache, fetching it if needed.

    ``storm`` is the storm's name (``"KATRINA"``), its SID
    (``"2005236N23285"``) or a glob on the archive name (``"*KATRINA*"``),
    case-insensitive. Sources: the cache, mirror folders, mirror URLs, then
    NCEI. Raises :class:`DatasetUnavailable` (saying how to download by hand
    and import) or :class:`UsageError` (a name matching several storms).
    """
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise UsageError(f"year {year}: HURSAT-B1 v06 covers {FIRST_YEAR}-{LAST_YEAR}")
    return _StormFetch(int(year), storm).run()


# ------------------------------------------------------------ reading frames
def unpack(archive_path: Path | str) -> list[Path]:
    """The archive's netCDF frames, unpacked (once, safely) beside it."""
    archive_path = Path(archive_path)
    target = archive_path.with_name(archive_path.name.removesuffix(".tar.gz"))
    if not target.is_dir():
        archive.safe_extract(archive_path, target, limits=LIMITS)
    return sorted(target.rglob("*.nc"))


def _centre(nc: Any, k: int) -> tuple[float, float]:
    def value(name: str) -> float:
        data = np.ravel(np.ma.filled(np.ma.asarray(nc.variables[name][:], dtype=float), np.nan))
        return float(data[min(k, data.size - 1)]) if data.size else np.nan

    if "CentLat" in nc.variables and "CentLon" in nc.variables:
        return value("CentLat"), value("CentLon")
    if "lat" in nc.variables and "lon" in nc.variables:            # the grid's middle
        lat = np.ravel(nc.variables["lat"][:])
        lon = np.ravel(nc.variables["lon"][:])
        return float(lat[lat.size // 2]), float(lon[lon.size // 2])
    return np.nan, np.nan


def _frame_times(nc: Any, fallback: np.datetime64, count: int) -> list[np.datetime64]:
    import netCDF4

    var = nc.variables.get("htime")
    if var is not None and getattr(var, "units", None):
        try:
            stamps = netCDF4.num2date(np.ravel(var[:]), var.units, getattr(var, "calendar", "standard"),
                                      only_use_cftime_datetimes=False, only_use_python_datetimes=True)
            times = [np.datetime64(t.replace(tzinfo=None), "s") for t in stamps]
            if len(times) == count:
                return times
        except (ValueError, TypeError, AttributeError):
            pass
    return [fallback] * count


def read_file(path: Path) -> list[IRFrame]:
    """The frame(s) of one HURSAT-B1 netCDF file; IRWIN in kelvin (scale and
    offset applied), NaN where the fill value or impossible values stand."""
    import netCDF4

    path = Path(path)
    meta = FRAME_RE.fullmatch(path.name)
    if not meta:
        raise VerificationError(f"{path.name}: not a HURSAT-B1 v06 frame file name")
    named_time = np.datetime64(f"{meta['y']}-{meta['m']}-{meta['d']}T{meta['hhmm'][:2]}:{meta['hhmm'][2:]}", "s")
    try:
        with netCDF4.Dataset(path) as nc:
            if "IRWIN" not in nc.variables:
                raise VerificationError(f"{path.name}: no IRWIN variable")
            var = nc.variables["IRWIN"]
            var.set_auto_maskandscale(True)
            data = np.ma.asarray(var[:], dtype=np.float32)
            irwin = np.ma.filled(data, np.nan).astype(np.float32).reshape((-1, *data.shape[-2:]))
            irwin[~(irwin >= MIN_KELVIN)] = np.nan
            times = _frame_times(nc, named_time, len(irwin))
            satellite = str(getattr(nc, "Satellite_Name", "") or meta["sat"]).strip()
            return [IRFrame(times[k], satellite, *_centre(nc, k), irwin[k], path)
                    for k in range(len(irwin))]
    except OSError as err:
        raise VerificationError(f"{path.name}: not a readable netCDF file ({err})") from None


def iter_frames(archive_path: Path | str) -> Iterator[IRFrame]:
    """Every frame of a storm archive, in file-name order (time, then
    satellite), read lazily: a long storm does not have to fit in memory."""
    for path in unpack(archive_path):
        yield from read_file(path)


def read_frames(archive_path: Path | str) -> list[IRFrame]:
    """All frames of a storm archive (see :func:`iter_frames`)."""
    return list(iter_frames(archive_path))
