"""HURDAT2, the National Hurricane Center's Atlantic best-track database.

The text layout: a header line per storm (``AL092011, IRENE, 39,`` gives the
storm id, its name and how many data lines follow), then one line per fix:
date, time, record identifier, status, latitude, longitude, maximum
sustained wind (kt), minimum pressure (mb), twelve wind radii (34/50/64 kt,
NE/SE/SW/NW, nautical miles) and, in files from 2022 on, the radius of
maximum wind. -999 means missing (a few early winds use -99).

NHC revises the file every year, so it is checked by its structure (header
counts match the data lines, dates valid, values in range), never by a
pinned hash. Which revision to fetch is configurable: the ``file`` argument
of :func:`load_hurdat2`, else ``$BOOTCAMP_HURDAT2_FILE``, else
:data:`DEFAULT_FILE`.
"""

from __future__ import annotations

import functools
import io
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bootcamp.data import core, settings
from bootcamp.data.errors import DatasetUnavailable, VerificationError
from bootcamp.data.notices import announce_fallback, announce_source
from bootcamp.data.registry import Form, RemoteFile

BASE_URL = "https://www.nhc.noaa.gov/data/hurdat/"
DEFAULT_FILE = "hurdat2-1851-2024-040425.txt"
FILE_ENV = settings.HURDAT2_FILE_ENV
ACCEPT_GLOB = "hurdat2*1851*.txt"          # any Atlantic revision (the NE Pacific file starts in 1949)
BUILTIN_FILE = Path(__file__).with_name("builtin") / "hurdat2-atlantic-2014-2018-excerpt.txt"
BUILTIN_SEASONS = "2014-2018"

# Intensity classes by 1-minute sustained wind (kt), weakest first: NC (not
# classified, Pradhan et al.'s bin below a depression), the NHC's TD and TS,
# and the Saffir-Simpson hurricane categories H1-H5.
CLASSES: tuple[str, ...] = ("NC", "TD", "TS", "H1", "H2", "H3", "H4", "H5")
CLASS_UPPER_KT = np.array([20, 33, 63, 82, 95, 112, 136])     # inclusive upper bound of all but H5
CLASS_NAMES: dict[str, str] = {
    "NC": "not classified (<= 20 kt)", "TD": "tropical depression (21-33 kt)",
    "TS": "tropical storm (34-63 kt)", "H1": "hurricane category 1 (64-82 kt)",
    "H2": "hurricane category 2 (83-95 kt)", "H3": "hurricane category 3 (96-112 kt)",
    "H4": "hurricane category 4 (113-136 kt)", "H5": "hurricane category 5 (>= 137 kt)",
}

RADII = tuple(f"r{kt}_{quadrant}" for kt in (34, 50, 64) for quadrant in ("ne", "se", "sw", "nw"))
COLUMNS = ("storm_id", "name", "time", "record_id", "status", "lat", "lon", "wind_kt", "pressure_mb",
           *RADII, "rmw_nm", "category")
MISSING = (-999, -99)
_DATA_FIELDS = 20                          # values on a data line before the optional radius of max wind
_MAX_FIELDS = _DATA_FIELDS + 2             # ... that one, and an empty field after the trailing comma
_STORM_ID = re.compile(r"[A-Z]{2}\d{6}")
_REVISION = re.compile(r"1851-(\d{4})(?:-(\d\d)(\d\d)(\d\d))?")


# ------------------------------------------------------------ classes
def saffir_simpson_class(wind_kt: Any) -> Any:
    """Index into :data:`CLASSES` of each wind speed (kt); vectorised.

    NC <= 20, TD 21-33, TS 34-63, H1 64-82, H2 83-95, H3 96-112, H4 113-136,
    H5 >= 137. A value between two integers belongs to the upper class
    (33.5 kt is TS). Returns an int for a scalar, an int array otherwise;
    missing (NaN) or negative winds raise ValueError.
    """
    wind = np.asarray(wind_kt, dtype=float)
    if np.isnan(wind).any():
        raise ValueError("some wind speeds are missing (NaN): drop or fill them before classifying")
    if (wind < 0).any():
        raise ValueError("wind speeds must be >= 0 kt")
    codes = np.searchsorted(CLASS_UPPER_KT, wind, side="left")
    return int(codes) if codes.ndim == 0 else codes.astype(np.int64)


def saffir_simpson_label(wind_kt: Any) -> Any:
    """Class name ('NC' ... 'H5') of each wind speed (kt); see :func:`saffir_simpson_class`."""
    codes = saffir_simpson_class(wind_kt)
    return CLASSES[codes] if isinstance(codes, int) else np.asarray(CLASSES)[codes]


# ------------------------------------------------------------ parsing
def _header(line: str, line_no: int) -> tuple[str, str, int]:
    parts = [p.strip() for p in line.split(",")]
    if len(parts) < 3 or not _STORM_ID.fullmatch(parts[0]):
        hint = (" (a data line where a header should be: does the line count in the previous header "
                "match its data lines?)" if line.count(",") >= _DATA_FIELDS - 1 else "")
        raise VerificationError(f"line {line_no}: expected a storm header like 'AL092011, IRENE, 39,', "
                                f"got {line[:48]!r}{hint}")
    try:
        count = int(parts[2])
    except ValueError:
        raise VerificationError(f"line {line_no}: storm {parts[0]}: the number of data lines {parts[2]!r} "
                                "is not a whole number") from None
    if count < 1:
        raise VerificationError(f"line {line_no}: storm {parts[0]} announces {count} data lines")
    return parts[0], parts[1], count


def _storm_blocks(lines: list[str]) -> tuple[list[tuple[str, str]], list[int], list[int]]:
    """Walk the headers: the storms, the index of every data line, and the
    storm each data line belongs to."""
    storms: list[tuple[str, str]] = []
    rows: list[int] = []
    owner: list[int] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        storm_id, name, count = _header(lines[i], i + 1)
        end = i + 1 + count
        for j in range(i + 1, end):
            if j >= len(lines):
                raise VerificationError(f"line {i + 1}: storm {storm_id} announces {count} data lines but the "
                                        f"file ends after {j - i - 1} (truncated file?)")
            commas = lines[j].count(",")
            if commas > _MAX_FIELDS - 1:
                raise VerificationError(f"line {j + 1}: {commas + 1} fields, at most {_MAX_FIELDS} expected")
            if commas < _DATA_FIELDS - 1:
                raise VerificationError(f"line {j + 1}: expected data line {j - i} of {count} of storm "
                                        f"{storm_id}, got {lines[j][:48]!r} (a wrong count in the header on "
                                        f"line {i + 1}, or a missing or broken line)")
        storms.append((storm_id, name))
        rows.extend(range(i + 1, end))
        owner.extend([len(storms) - 1] * count)
        i = end
    if not storms:
        raise VerificationError("no storm found: this is not a HURDAT2 file")
    return storms, rows, owner


class _Problems:
    """The first problem of each check; the earliest line wins."""

    def __init__(self, rows: list[int]) -> None:
        self.rows = rows
        self.found: list[tuple[int, str]] = []

    def check(self, bad: np.ndarray, values: Any, what: str) -> None:
        hits = np.flatnonzero(bad)
        if hits.size:
            k = int(hits[0])
            self.found.append((k, f"line {self.rows[k] + 1}: {what} {values[k]!r}"))

    def raise_first(self) -> None:
        if self.found:
            raise VerificationError(min(self.found)[1])


def _fields(lines: list[str], rows: list[int]) -> pd.DataFrame:
    """The data lines as columns 0..21, read by pandas' C parser: numeric
    columns come back as numbers, and as text only when something is off."""
    text = "\n".join(lines[j] for j in rows)
    return pd.read_csv(io.StringIO(text), header=None, names=range(_MAX_FIELDS), skipinitialspace=True,
                       keep_default_na=False, dtype={k: str for k in range(6)}, engine="c")


def _text(column: pd.Series) -> list[str]:
    return [value.strip() for value in column.tolist()]


def _times(date: list[str], clock: list[str], problems: _Problems) -> pd.DatetimeIndex:
    stamps = [d + c.zfill(4) for d, c in zip(date, clock)]
    times = pd.to_datetime(stamps, format="%Y%m%d%H%M", errors="coerce")
    bad = np.asarray(times.isna()) | np.array([not (len(s) == 12 and s.isdigit()) for s in stamps])
    problems.check(bad, [f"{d}, {c}" for d, c in zip(date, clock)], "bad date/time")
    return times


def _coordinate(texts: list[str], hemispheres: str, limit: float, what: str, problems: _Problems) -> np.ndarray:
    def number(text: str) -> float:
        if text[-1:] not in hemispheres or not text[:-1].replace(".", "", 1).isdigit():
            return np.nan
        return float(text[:-1]) * (-1.0 if text[-1] == hemispheres[1] else 1.0)    # S and W negative

    values = np.array([number(t) for t in texts])
    problems.check(np.isnan(values), texts, f"bad {what} (expected e.g. 15.0{hemispheres[0]}):")
    problems.check(np.abs(values) > limit, texts, f"{what} out of range (0-{limit:g}):")
    return values


def _number(column: pd.Series, lo: float, hi: float, what: str, problems: _Problems,
            optional: bool = False) -> np.ndarray:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, copy=True)
    if np.isnan(values).any():                       # only for text columns: blanks or typos
        text = column.astype(str).str.strip().to_numpy()
        blank = (text == "") | (text == "nan")
        problems.check(np.isnan(values) & ~(blank & optional), text, f"{what} is not a number:")
    values[np.isin(values, MISSING)] = np.nan
    problems.check(~np.isnan(values) & ((values < lo) | (values > hi)), column.to_numpy(),
                   f"{what} out of range ({lo:g}-{hi:g}):")
    return values


def parse(text: str) -> pd.DataFrame:
    """Parse HURDAT2 text into a tidy table, one row per fix (see :data:`COLUMNS`).

    ``lat``/``lon`` are signed degrees (N and E positive, S and W negative),
    missing values are NaN, ``category`` is the intensity class (:data:`CLASSES`). Raises
    :class:`VerificationError` naming the line of the first problem.
    """
    lines = text.splitlines()
    storms, rows, owner = _storm_blocks(lines)
    fields = _fields(lines, rows)
    problems = _Problems(rows)

    time = _times(_text(fields[0]), _text(fields[1]), problems)
    record_id, status = _text(fields[2]), _text(fields[3])
    problems.check(np.array([len(r) > 1 or (r != "" and not r.isupper()) for r in record_id]), record_id,
                   "bad record identifier")
    problems.check(np.array([not (len(s) == 2 and s.isalpha() and s.isupper()) for s in status]), status,
                   "bad status (two capital letters, e.g. HU):")
    lat = _coordinate(_text(fields[4]), "NS", 90, "latitude", problems)
    lon = _coordinate(_text(fields[5]), "EW", 180, "longitude", problems)
    numbers = {"wind_kt": _number(fields[6], 0, 250, "wind", problems),
               "pressure_mb": _number(fields[7], 800, 1100, "pressure", problems)}
    for k, column in enumerate(RADII):
        numbers[column] = _number(fields[8 + k], 0, 1500, f"wind radius {column}", problems)
    numbers["rmw_nm"] = _number(fields[_DATA_FIELDS], 0, 500, "radius of maximum wind", problems, optional=True)
    problems.raise_first()

    ids = np.array([s[0] for s in storms], dtype=object)[owner]
    names = np.array([s[1] for s in storms], dtype=object)[owner]
    table = pd.DataFrame({"storm_id": ids, "name": names, "time": time, "record_id": record_id,
                          "status": status, "lat": lat, "lon": lon, **numbers})
    wind = table["wind_kt"].to_numpy()
    codes = np.full(len(table), -1)
    known = ~np.isnan(wind)
    codes[known] = saffir_simpson_class(wind[known])
    table["category"] = pd.Categorical.from_codes(codes, categories=list(CLASSES), ordered=True)
    return table


@functools.lru_cache(maxsize=2)
def _parse_file(path: str, size: int, mtime_ns: int) -> pd.DataFrame:
    # keyed on size and mtime: checking a file and then loading it parses it once
    return parse(Path(path).read_text(encoding="ascii", errors="replace"))


def read(path: Path | str) -> pd.DataFrame:
    """Parse a HURDAT2 file (see :func:`parse`)."""
    path = Path(path).resolve()
    stat = path.stat()
    return _parse_file(str(path), stat.st_size, stat.st_mtime_ns).copy()


def validate(path: Path) -> None:
    """The registry's structural check of a HURDAT2 file."""
    read(path)


# ------------------------------------------------------------ the registry's view
def revision_key(file_name: str) -> tuple[int, int, int, int, str]:
    """Sort key, newest last: final season, then the revision date (MMDDYY)."""
    match = _REVISION.search(file_name)
    if not match:
        return (0, 0, 0, 0, file_name)
    season = int(match[1])
    if match[2] is None:
        return (season, 0, 0, 0, file_name)
    month, day, year = int(match[2]), int(match[3]), 2000 + int(match[4])
    return (season, year, month, day, file_name)


def chosen_file(file: str | None = None) -> tuple[str, bool]:
    """The revision to use and whether it was asked for explicitly."""
    chosen = (file or os.environ.get(FILE_ENV, "")).strip()
    if not chosen:
        return DEFAULT_FILE, False
    if "/" in chosen or "\\" in chosen or not chosen.endswith(".txt"):
        raise ValueError(f"{chosen!r}: give a HURDAT2 file name like {DEFAULT_FILE!r} (the name on "
                         f"{BASE_URL}); to use a file you downloaded, run "
                         "`python -m data_scripts import hurdat2 --from PATH` first")
    return chosen, True


def make_forms(file: str | None) -> tuple[Form, ...]:
    """The registry entry's file: an explicit revision must be exactly that
    file; by default any Atlantic revision found in the cache or a mirror
    will do (newest first), else the default one is downloaded."""
    name, explicit = chosen_file(file)
    spec = RemoteFile(name, urls=(BASE_URL + name,), validate=validate,
                      accept=None if explicit else ACCEPT_GLOB, revision_key=revision_key)
    return ((spec,),)


# ------------------------------------------------------------ the loader
def _summary(table: pd.DataFrame) -> str:
    years = table["time"].dt.year
    return (f"{table['storm_id'].nunique():,} storms, {len(table):,} fixes, "
            f"seasons {years.min()}-{years.max()}")


def load_builtin() -> pd.DataFrame:
    """The excerpt shipped with the package: the real Atlantic best track of
    the 2014-2018 seasons (public-domain NOAA data)."""
    table = read(BUILTIN_FILE)
    table.attrs["source"] = f"built-in excerpt {BUILTIN_FILE.name}"
    return table


def load_hurdat2(file: str | None = None, *, allow_fallback: bool = False) -> pd.DataFrame:
    """The Atlantic best track as a tidy table, one row per fix (see :func:`parse`).

    ``file`` picks the revision (e.g. ``"hurdat2-1851-2023-051124.txt"``;
    default: ``$BOOTCAMP_HURDAT2_FILE``, else any revision already cached or
    mirrored, else :data:`DEFAULT_FILE`). With ``allow_fallback=True``, when
    no copy can be had, the 2014-2018 excerpt shipped with the package is
    used instead, with a loud notice; otherwise :class:`DatasetUnavailable`.
    """
    try:
        paths = core.fetch("hurdat2", variant=file)
    except DatasetUnavailable as err:
        if not allow_fallback:
            raise
        table = load_builtin()
        announce_fallback("HURDAT2", f"the excerpt shipped with the package: the real Atlantic best track "
                          f"of the {BUILTIN_SEASONS} seasons only ({_summary(table)}).", err)
        return table
    (path,) = paths.values()
    table = read(path)
    table.attrs["source"] = str(path)
    announce_source(f"hurdat2: {path.name} from {core.describe_origin('hurdat2', paths)}; "
                    f"{_summary(table)}; structure verified")
    return table
