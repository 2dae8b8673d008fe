"""HURSAT-B1 v06: storm-centred infrared satellite frames (NOAA NCEI).

One ``.tar.gz`` per storm and year, named like
``HURSAT_b1_v06_2005236N23285_KATRINA_c20170721.tar.gz``, holding one netCDF
file per satellite and time (``2005236N23285.KATRINA.2005.08.24.0000.30.GOE-12.026.hursat-b1.v06.nc``)
with the 301 x 301 infrared window brightness temperature ``IRWIN``.
Archives are large and the host sometimes refuses automated clients, so an
archive downloaded by hand can be imported instead; both are checked the same.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bootcamp.data import settings, transfer
from bootcamp.data.archive import check_members, safe_extract
from bootcamp.data.core import Dataset, dataset_dir, register
from bootcamp.data.errors import DatasetUnavailable, DownloadError, VerificationError

BASE_URL = "https://www.ncei.noaa.gov/data/hurricane-satellite-hursat-b1/archive/v06/"
ARCHIVE_RE = re.compile(r"HURSAT_b1_v06_(?P<sid>(?P<year>\d{4})\d{3}[NS]\d{5})_(?P<name>[A-Z0-9-]+)_c\d{8}\.tar\.gz")
FRAME_RE = re.compile(r"(?P<sid>\d{7}[NS]\d{5})\.(?P<name>[^.]+)\.(?P<y>\d{4})\.(?P<m>\d\d)\.(?P<d>\d\d)\."
                      r"(?P<hm>\d{4})\.(?P<angle>\d+)\.(?P<sat>[^.]+)\.")

DATASET = register(Dataset(
    name="hursat_b1",
    title="HURSAT-B1 v06 storm-centred IR imagery (NOAA NCEI), one archive per storm",
    forms=(),
    citation="K. R. Knapp, J. P. Kossin: New global tropical cyclone data set from ISCCP B1 geostationary "
             "satellite observations. J. Appl. Remote Sens. 1, 013505 (2007).",
    licence="US Government work (NOAA), public domain",
    fallback="the cyclone lessons generate storm-centred IR-like images from real best-track intensities "
             "(bootcamp.cyclone.synth) and say so.",
    subdirs=("hursat", "HURSAT-B1"),
))


@dataclass(frozen=True)
class IRFrame:
    time: np.datetime64
    satellite: str
    centre_lat: float
    centre_lon: float
    irwin: np.ndarray            # brightness temperature, kelvin, float32, NaN where missing
    path: Path


def parse_archive_name(name: str) -> dict:
    match = ARCHIVE_RE.fullmatch(Path(name).name)
    if not match:
        raise VerificationError(f"{Path(name).name!r} is not a HURSAT-B1 v06 archive name "
                                "(HURSAT_b1_v06_<SID>_<NAME>_c<YYYYMMDD>.tar.gz)")
    return match.groupdict()


def _check_archive(path: Path) -> None:
    import tarfile

    try:
        with tarfile.open(path, "r:*") as tar:
            members = check_members(tar, max_member=512 * 2**20, max_total=8 * 2**30, max_members=20_000)
    except (tarfile.TarError, OSError, EOFError) as err:
        raise VerificationError(f"{path.name}: not a complete tar.gz archive ({err})") from None
    if not any(m.name.endswith(".nc") for m in members):
        raise VerificationError(f"{path.name}: holds no netCDF (.nc) frames")


def _store(src_produce, name: str, source: str) -> Path:
    info = parse_archive_name(name)
    folder = dataset_dir("hursat_b1") / info["year"]
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    os.close(fd)
    tmp = Path(tmp)
    tmp.unlink()
    try:
        src_produce(tmp)
        _check_archive(tmp)
        os.replace(tmp, folder / name)
    finally:
        tmp.unlink(missing_ok=True)
    return folder / name


def import_archive(path: Path) -> Path:
    """Verify an archive downloaded by hand and put it in the cache."""
    path = Path(path).expanduser()
    return _store(lambda tmp: shutil.copyfile(path, tmp), path.name, f"imported from {path}")


def year_url(year: int) -> str:
    return f"{BASE_URL}{year}/"


def list_archives(year: int) -> list[str]:
    """Archive names of one year, from the NCEI folder listing."""
    try:
        with urllib.request.urlopen(urllib.request.Request(year_url(year), headers={"User-Agent": transfer.USER_AGENT}),
                                    timeout=transfer.POLICY.timeout) as response:
            page = response.read().decode("utf-8", "replace")
    except OSError as err:
        raise DownloadError(f"{year_url(year)}: {err}") from None
    return sorted(set(m.group(0) for m in ARCHIVE_RE.finditer(page)))


def find_local(year: int, storm: str) -> Path | None:
    """An archive of ``storm`` (name or SID) in the cache or a directory mirror."""
    storm = storm.upper()
    roots = [dataset_dir("hursat_b1") / str(year)]
    for m in settings.mirrors():
        if not settings.is_url(m):
            base = Path(m).expanduser()
            roots += [base, base / str(year)] + [base / s / str(year) for s in ("hursat_b1", *DATASET.subdirs)]
    for root in roots:
        for path in sorted(root.glob("HURSAT_b1_v06_*.tar.gz")) if root.is_dir() else []:
            info = ARCHIVE_RE.fullmatch(path.name)
            if info and info["year"] == str(year) and storm in (info["name"], info["sid"]):
                return path
    return None


def fetch_storm(year: int, storm: str) -> Path:
    """The verified archive of one storm (by name or SID) in the cache:
    cache, then directory mirrors, then the NCEI archive."""
    tried = []
    local = find_local(year, storm)
    cache = dataset_dir("hursat_b1") / str(year)
    if local is not None:
        if local.parent == cache:
            return local
        try:
            return _store(lambda tmp: shutil.copyfile(local, tmp), local.name, str(local))
        except VerificationError as err:
            tried.append(f"mirror {local}: {err}")
    else:
        tried.append(f"cache {cache} and directory mirrors: no archive for {storm} {year}")
    if settings.offline():
        tried.append(f"{year_url(year)}: skipped ({settings.OFFLINE_ENV}=1)")
    else:
        try:
            names = [n for n in list_archives(year) if storm.upper() in (parse_archive_name(n)["name"],
                                                                         parse_archive_name(n)["sid"])]
            if not names:
                tried.append(f"{year_url(year)}: no archive for {storm}")
            for name in names:
                return _store(lambda tmp, n=name: transfer.download(year_url(year) + n, tmp), name, year_url(year) + name)
        except (DownloadError, VerificationError) as err:
            tried.append(str(err))
    raise DatasetUnavailable("hursat_b1", DATASET.title, tried, DATASET.fallback,
                             hint=f"download the storm's archive by hand from {year_url(year)} in a browser, then "
                                  "`python -m data_scripts import hursat_b1 --from FILE`.")


def read_frames(archive: Path) -> list[IRFrame]:
    """Safely unpack ``archive`` (once) and read every frame's IRWIN."""
    import netCDF4

    archive = Path(archive)
    target = archive.with_name(archive.name.removesuffix(".tar.gz"))
    files = sorted(target.rglob("*.nc")) if target.is_dir() else []
    if not files:
        files = [p for p in safe_extract(archive, target) if p.suffix == ".nc"]
    frames = []
    for path in files:
        meta = FRAME_RE.match(path.name)
        if not meta:
            raise VerificationError(f"{path.name}: not a HURSAT-B1 frame file name")
        with netCDF4.Dataset(path) as nc:
            if "IRWIN" not in nc.variables:
                raise VerificationError(f"{path.name}: no IRWIN variable")
            nc.set_auto_maskandscale(True)
            irwin = np.ma.filled(np.ma.asarray(nc.variables["IRWIN"][:], dtype=np.float32), np.nan)
            irwin = np.squeeze(irwin).astype(np.float32)
            lat = float(np.squeeze(nc.variables["CentLat"][:])) if "CentLat" in nc.variables else np.nan
            lon = float(np.squeeze(nc.variables["CentLon"][:])) if "CentLon" in nc.variables else np.nan
        when = np.datetime64(f"{meta['y']}-{meta['m']}-{meta['d']}T{meta['hm'][:2]}:{meta['hm'][2:]}")
        frames.append(IRFrame(when, meta["sat"], lat, lon, irwin, path))
    return frames
