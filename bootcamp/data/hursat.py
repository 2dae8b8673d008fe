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

Reading (:func:`read_file`, :func:`iter_frames`, :func:`iter_slots`) returns
:class:`IRFrame` objects, **north-up**: the files store the rows south
first (``lat`` increases with the row index), the reader flips them so that
``irwin[0]`` is the northernmost row and ``plt.imshow(frame.irwin,
extent=frame.extent)`` draws a map. Each frame carries the best track HURSAT
put in the file (``WindSpd``, ``CentLat``, ``CentLon``, the IBTrACS ``sid``)
and the viewing angle (``VZA``) used to pick one satellite per time slot.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bootcamp.data import archive, core, settings, transfer
from bootcamp.data.errors import DatasetUnavailable, DownloadError, UsageError, VerificationError
from bootcamp.data.registry import Dataset, RemoteFile, dataset

NAME = "hursat_b1"
BASE_URL = "https://www.ncei.noaa.gov/data/hurricane-satellite-hursat-b1/archive/v06/"
# a few names hold an underscore (IBTrACS's NOT_NAMED; HUD_HUD): the archive name ends at _c<date>
ARCHIVE_RE = re.compile(r"HURSAT_b1_v06_(?P<sid>(?P<year>\d{4})\d{3}[NS]\d{5})_(?P<name>[A-Za-z0-9_-]+)"
                        r"_c(?P<created>\d{8})\.tar\.gz")
FRAME_RE = re.compile(r"(?P<sid>\d{7}[NS]\d{5})\.(?P<name>[^.]+)\.(?P<y>\d{4})\.(?P<m>\d\d)\.(?P<d>\d\d)\."
                      r"(?P<hhmm>\d{4})\.(?P<angle>\d+)\.(?P<sat>[^.]+)\.(?P<seq>\d+)\.hursat-b1\.v06\.nc")
LIMITS = archive.Limits(max_member_bytes=64 << 20, max_total_bytes=4 << 30, max_members=20_000)
FIRST_YEAR, LAST_YEAR = 1978, 2015
# The physical floor of infrared-window brightness temperature. The coldest cloud tops on Earth, the
# overshooting tops of deep convection at the tropical tropopause, are about 160-180 K (the coldest ever
# measured, about 162 K), and no surface reads colder in this window. HURSAT-B1 frames nevertheless hold
# isolated bad pixels, down to 0.58 K: read as temperatures they would be the "coldest cloud" of the
# storm, exactly what intensity is read from. Below 150 K (a margin of 10 K under the coldest real
# tops) a pixel is treated as missing.
MIN_KELVIN = 150.0
CHANNELS = ("IRWIN", "IRSPL", "IRWVP", "IRNIR", "VSCHN")    # the image variables a file may hold; only IRWIN is read


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
    """One infrared image of a storm, **north-up**, with what its file says about it.

    ``irwin[i, j]`` is the brightness temperature at latitude ``lats[i]`` and
    longitude ``lons[j]``. Row 0 is the NORTHERNMOST row (``lats`` decreases
    down the rows) and column 0 the westernmost (``lons`` increases), so
    ``plt.imshow(frame.irwin, extent=frame.extent)`` draws the frame as a map,
    north at the top, east to the right. (The files store the rows south
    first; the reader flips them.)

    ``lat``/``lon`` are the storm centre, ``wind_kt`` the best-track maximum
    sustained wind, all three as HURSAT put them in the file for this time
    (``CentLat``, ``CentLon``, ``WindSpd``, from IBTrACS; NaN where missing).
    ``time`` is the nominal 3-hourly slot (``htime``, to the nearest second;
    the scan itself may start earlier: 11:25 for the 12Z slot of ADELINE's
    frame, says its ``time_coverage_start``). ``vza`` is the
    view zenith angle at the storm centre in degrees (``VZA``; 0 = the
    satellite straight overhead), the file name's rounded angle when the
    variable is absent. ``channels`` lists the image variables the file holds
    (the set varies between files; only ``IRWIN`` is read).
    """

    time: np.datetime64          # nominal slot, datetime64[s]
    satellite: str               # e.g. "GOES-9"
    lat: float                   # storm centre, degrees north
    lon: float                   # storm centre, degrees east in [-180, 180) (west negative)
    irwin: np.ndarray            # (H, W) brightness temperature (K), float32, north-up; NaN where missing
    path: Path                   # the file it was read from
    lats: np.ndarray | None = None    # (H,) float32, latitude of each row, DECREASING (lats[0] = northernmost)
    lons: np.ndarray | None = None    # (W,) float32, longitude of each column, increasing (as in the file)
    wind_kt: float = np.nan      # best-track wind at this time (kt), WindSpd
    sid: str = ""                # IBTrACS storm serial id, e.g. "2005092S11102"
    storm: str = ""              # storm name, e.g. "ADELINE"
    vza: float = np.nan          # view zenith angle at the storm centre (degrees)
    channels: tuple[str, ...] = ()

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(west, east, south, north) edges of the outer pixels, for
        ``imshow(frame.irwin, extent=frame.extent)`` (whose default origin puts row 0 at the top)."""
        if self.lats is None or self.lons is None or len(self.lats) < 2 or len(self.lons) < 2:
            raise ValueError(f"{self.path.name}: the frame has no lat/lon grid")
        dlat = abs(float(self.lats[0] - self.lats[-1])) / (len(self.lats) - 1) / 2
        dlon = abs(float(self.lons[-1] - self.lons[0])) / (len(self.lons) - 1) / 2
        return (float(self.lons[0]) - dlon, float(self.lons[-1]) + dlon,
                float(self.lats[-1]) - dlat, float(self.lats[0]) + dlat)


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


def _values(nc: Any, name: str) -> np.ndarray | None:
    """A numeric variable as float64, NaN where masked (fill value, outside valid_range); None if absent."""
    var = nc.variables.get(name)
    if var is None:
        return None
    return np.ravel(np.ma.filled(np.ma.asarray(var[:], dtype=float), np.nan))


def _at(values: np.ndarray | None, k: int) -> float:
    if values is None or values.size == 0:
        return np.nan
    return float(values[min(k, values.size - 1)])


def _strings(nc: Any, name: str) -> list[str]:
    """A character variable (htime, nchar) as one string per frame; [] if absent."""
    import netCDF4

    var = nc.variables.get(name)
    if var is None:
        return []
    raw = var[:]
    if raw.dtype.kind == "S":
        raw = netCDF4.chartostring(np.ma.filled(raw, b""))
    return [str(v).strip() for v in np.ravel(raw)]


def _east(lon: float) -> float:
    """Longitude in [-180, 180): HURSAT allows CentLon up to 360."""
    return float((lon + 180.0) % 360.0 - 180.0) if np.isfinite(lon) else np.nan


def _nearest_second(stamp: Any) -> np.datetime64:
    """A decoded time rounded to the nearest second: htime 12874.5 (12Z) decodes, with the float
    error of days-since-1970, to 11:59:59.99996, which truncation would make 11:59:59."""
    micro = np.datetime64(stamp.replace(tzinfo=None), "us").astype(np.int64)
    return np.datetime64((int(micro) + 500_000) // 1_000_000, "s")


def _frame_times(nc: Any, fallback: np.datetime64 | None, count: int) -> list[np.datetime64] | None:
    """Each frame's time from ``htime``, else the file name's slot; None if neither is known."""
    import netCDF4

    var = nc.variables.get("htime")
    if var is not None and getattr(var, "units", None):
        try:
            stamps = netCDF4.num2date(np.ravel(var[:]), var.units, getattr(var, "calendar", "standard"),
                                      only_use_cftime_datetimes=False, only_use_python_datetimes=True)
            times = [_nearest_second(t) for t in stamps]
            if len(times) == count:
                return times
        except (ValueError, TypeError, AttributeError):
            pass
    return None if fallback is None else [fallback] * count


def _grid(nc: Any, shape: tuple[int, int], name: str) -> tuple[np.ndarray | None, np.ndarray | None, bool, bool]:
    """The row latitudes and column longitudes, north-up and west to east, and whether the rows and
    the columns had to be flipped for that. HURSAT-B1 stores rows south first (``lat`` increasing
    with the row index); a file without ``lat`` is taken to follow that layout."""
    lats, lons = _values(nc, "lat"), _values(nc, "lon")
    for axis, values, size in (("lat", lats, shape[0]), ("lon", lons, shape[1])):
        if values is not None and values.size != size:
            raise VerificationError(f"{name}: {axis} has {values.size} values for {size} {axis} pixels")
    flip_rows = True if lats is None or lats.size < 2 else bool(lats[0] < lats[-1])
    flip_cols = False if lons is None or lons.size < 2 else bool(lons[0] > lons[-1])
    if lats is not None:
        lats = (lats[::-1] if flip_rows else lats).astype(np.float32)
    if lons is not None:
        lons = (lons[::-1] if flip_cols else lons).astype(np.float32)
    return lats, lons, flip_rows, flip_cols


def _kelvin(var: Any) -> np.ndarray:
    """An image variable as (T, H, W) float32 kelvin: scale and offset applied, NaN where the fill
    value stands or the value is below the physical floor :data:`MIN_KELVIN`."""
    var.set_auto_maskandscale(True)
    data = np.ma.asarray(var[:], dtype=np.float32)
    kelvin = np.ma.filled(data, np.nan).astype(np.float32).reshape((-1, *data.shape[-2:]))
    kelvin[~(kelvin >= MIN_KELVIN)] = np.nan
    return kelvin


def read_file(path: Path | str) -> list[IRFrame]:
    """The frame(s) of one HURSAT-B1 netCDF file, north-up (see :class:`IRFrame`).

    ``IRWIN`` in kelvin (scale and offset applied), NaN where the fill value
    stands or below :data:`MIN_KELVIN` (bad pixels). The time comes from
    ``htime`` (rounded to the nearest second), else from the file name; the
    satellite, storm and SID from the file's attributes, else from its name
    (``<SID>.<NAME>.<YYYY>.<MM>.<DD>.<HHMM>.<VZA>.<SAT>.<NNN>.hursat-b1.v06.nc``).
    Files holding only ``IRWIN``, or other channels besides, are read alike.
    Raises :class:`VerificationError` for a file that is not netCDF, has no
    ``IRWIN``, or whose time is known neither from ``htime`` nor its name.
    """
    import netCDF4

    path = Path(path)
    meta = FRAME_RE.fullmatch(path.name)
    named_time = (np.datetime64(f"{meta['y']}-{meta['m']}-{meta['d']}T{meta['hhmm'][:2]}:{meta['hhmm'][2:]}", "s")
                  if meta else None)
    try:
        with netCDF4.Dataset(path) as nc:
            if "IRWIN" not in nc.variables:
                raise VerificationError(f"{path.name}: no IRWIN variable")
            irwin = _kelvin(nc.variables["IRWIN"])
            lats, lons, flip_rows, flip_cols = _grid(nc, irwin.shape[-2:], path.name)
            if flip_rows:
                irwin = irwin[:, ::-1]
            if flip_cols:
                irwin = irwin[:, :, ::-1]
            irwin = np.ascontiguousarray(irwin)
            times = _frame_times(nc, named_time, len(irwin))
            if times is None:
                raise VerificationError(f"{path.name}: no htime and not a HURSAT-B1 v06 frame file name, "
                                        "so the frame's time is unknown")
            satellite = str(getattr(nc, "Satellite_Name", "") or (meta["sat"] if meta else "")).strip()
            storm = str(getattr(nc, "TC_name", "") or (meta["name"] if meta else "")).strip()
            sids = _strings(nc, "sid")
            fallback_sid = str(getattr(nc, "TC_serial_number", "") or (meta["sid"] if meta else ""))
            named_vza = float(meta["angle"]) if meta else np.nan
            vza, wind = _values(nc, "VZA"), _values(nc, "WindSpd")
            cent_lat, cent_lon = _values(nc, "CentLat"), _values(nc, "CentLon")
            channels = tuple(c for c in CHANNELS if c in nc.variables)
            frames = []
            for k in range(len(irwin)):
                centre = (_at(cent_lat, k), _east(_at(cent_lon, k)))
                if not np.isfinite(centre[0]) and lats is not None and lons is not None:
                    centre = (float(lats[lats.size // 2]), _east(float(lons[lons.size // 2])))  # the grid's middle
                angle = _at(vza, k)
                frames.append(IRFrame(
                    time=times[k], satellite=satellite, lat=centre[0], lon=centre[1], irwin=irwin[k], path=path,
                    lats=lats, lons=lons, wind_kt=_at(wind, k),
                    sid=(sids[min(k, len(sids) - 1)] if sids else "") or fallback_sid, storm=storm,
                    vza=angle if np.isfinite(angle) else named_vza, channels=channels))
            return frames
    except OSError as err:
        raise VerificationError(f"{path.name}: not a readable netCDF file ({err})") from None


def _view_order(frame: IRFrame) -> float:
    return frame.vza if np.isfinite(frame.vza) else np.inf


def rank_by_view(frames: Iterable[IRFrame]) -> list[list[IRFrame]]:
    """Frames grouped by time slot (in time order), each group sorted from
    the LOWEST view zenith angle (``vza``) up; frames without an angle come
    last, ties keep their order. About four slots in five hold frames from
    two satellites; the first of each group is the best view."""
    slots: dict[np.datetime64, list[IRFrame]] = {}
    for frame in frames:
        slots.setdefault(frame.time, []).append(frame)
    return [sorted(slots[t], key=_view_order) for t in sorted(slots)]


def one_per_slot(frames: Iterable[IRFrame]) -> list[IRFrame]:
    """One frame per time slot: the one with the lowest view zenith angle
    (``VZA``, the angle between the local vertical at the storm centre and
    the line of sight to the satellite). The satellite most nearly overhead
    sees the storm with the least parallax (cold, high cloud tops displaced
    from where they stand), the least limb cooling (a slant path through more
    atmosphere reads colder) and the smallest pixels."""
    return [group[0] for group in rank_by_view(frames)]


def iter_frames(archive_path: Path | str) -> Iterator[IRFrame]:
    """Every frame of a storm archive, in file-name order (time, then
    satellite), north-up, read lazily: a long storm does not have to fit in memory."""
    for path in unpack(archive_path):
        yield from read_file(path)


def iter_slots(archive_path: Path | str) -> Iterator[list[IRFrame]]:
    """The frames of a storm archive one time slot at a time, each slot's
    frames lowest view zenith angle first (see :func:`rank_by_view`); only one
    slot is held in memory at a time. ``slot[0]`` is the frame to use."""
    for _, group in itertools.groupby(iter_frames(archive_path), key=lambda frame: frame.time):
        yield from rank_by_view(group)


def read_frames(archive_path: Path | str, *, per_slot: bool = False) -> list[IRFrame]:
    """All frames of a storm archive (see :func:`iter_frames`), or with
    ``per_slot=True`` one per time slot, the one with the lowest view zenith
    angle (see :func:`one_per_slot`)."""
    if per_slot:
        return [slot[0] for slot in iter_slots(archive_path)]
    return list(iter_frames(archive_path))
