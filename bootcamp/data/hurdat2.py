"""HURDAT2, the National Hurricane Center's best-track database.

The text layout: a header line per storm (``AL092011, IRENE, 39,`` gives the
id, the name and how many data lines follow), then one line per fix: date,
time, record identifier, status, latitude, longitude, maximum sustained wind
(kt), minimum pressure (mb), twelve wind radii (34/50/64 kt by quadrant, nm)
and, in files from 2022 on, the radius of maximum wind. -999 (and, for a
few early winds, -99) means missing.
The file is revised every year, so it is checked by structure, not by hash.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from bootcamp.data.errors import VerificationError

CLASSES = ("NC", "TD", "TS", "H1", "H2", "H3", "H4", "H5")
CLASS_NAMES = {
    "NC": "no category (<= 20 kt)", "TD": "tropical depression (21-33 kt)",
    "TS": "tropical storm (34-63 kt)", "H1": "hurricane category 1 (64-82 kt)",
    "H2": "category 2 (83-95 kt)", "H3": "category 3 (96-112 kt)",
    "H4": "category 4 (113-136 kt)", "H5": "category 5 (>= 137 kt)",
}
# upper bound (kt, inclusive) of each class but the last
_UPPER = np.array([20, 33, 63, 82, 95, 112, 136])

RADII = [f"r{kt}_{q}" for kt in (34, 50, 64) for q in ("ne", "se", "sw", "nw")]
COLUMNS = ["storm_id", "name", "time", "record_id", "status", "lat", "lon", "wind_kt", "pressure_mb",
           *RADII, "rmw_nm"]
# status codes seen: TD TS HU EX SD SS LO WV DB (and ET in some revisions)

DEFAULT_FILE = "hurdat2-1851-2024-040425.txt"
FILE_ENV = "BOOTCAMP_HURDAT2_FILE"
BASE_URL = "https://www.nhc.noaa.gov/data/hurdat/"


def current_file() -> str:
    """The HURDAT2 revision to fetch: ``$BOOTCAMP_HURDAT2_FILE`` or the default."""
    return os.environ.get(FILE_ENV, "").strip() or DEFAULT_FILE


def saffir_simpson_class(wind_kt):
    """Class index (0..7 into :data:`CLASSES`) of each wind speed in knots:
    NC <=20, TD 21-33, TS 34-63, H1 64-82, H2 83-95, H3 96-112, H4 113-136, H5 >=137."""
    wind = np.asarray(wind_kt, dtype=float)
    if np.isnan(wind).any():
        raise ValueError("wind speed is missing (NaN) for some records: drop them before classifying")
    return np.searchsorted(_UPPER, wind, side="left").astype(np.int64)


def _coord(text: str, line_no: int, kind: str) -> float:
    text = text.strip()
    hemis = {"lat": "NS", "lon": "EW"}[kind]
    limit = 90 if kind == "lat" else 180
    if not text or text[-1] not in hemis:
        raise VerificationError(f"line {line_no}: bad {kind} {text!r} (expected e.g. 15.0{hemis[0]})")
    try:
        value = float(text[:-1])
    except ValueError:
        raise VerificationError(f"line {line_no}: bad {kind} {text!r}") from None
    if not 0 <= value <= limit:
        raise VerificationError(f"line {line_no}: {kind} {text!r} out of range")
    return -value if text[-1] in "SW" else value


def _int(text: str, line_no: int, what: str, lo: int, hi: int) -> float:
    try:
        value = int(text)
    except ValueError:
        raise VerificationError(f"line {line_no}: {what} {text.strip()!r} is not a number") from None
    if value in (-999, -99):                     # both appear for 'missing' in real files
        return np.nan
    if not lo <= value <= hi:
        raise VerificationError(f"line {line_no}: {what} {value} out of range {lo}..{hi}")
    return float(value)


def parse(text: str) -> pd.DataFrame:
    """Parse HURDAT2 text into a tidy table, one row per fix; raise
    VerificationError naming the line of the first structural problem."""
    lines = text.splitlines()
    rows, line_numbers = [], []
    i = 0
    while i < len(lines):
        header = lines[i]
        if not header.strip():
            i += 1
            continue
        parts = [p.strip() for p in header.split(",")]
        if len(parts) < 3 or len(parts[0]) != 8 or not parts[0][:2].isalpha():
            raise VerificationError(f"line {i + 1}: expected a storm header like 'AL092011, IRENE, 39,', "
                                    f"got {header[:40]!r}")
        storm_id, name = parts[0], parts[1]
        try:
            count = int(parts[2])
        except ValueError:
            raise VerificationError(f"line {i + 1}: storm {storm_id} has no line count") from None
        body = lines[i + 1:i + 1 + count]
        if len(body) < count or any(len(b.split(",")) < 20 for b in body):
            raise VerificationError(f"line {i + 1}: storm {storm_id} announces {count} lines but "
                                    f"{sum(len(b.split(',')) >= 20 for b in body)} data lines follow "
                                    "(truncated file or wrong count)")
        for k, line in enumerate(body):
            n = i + 2 + k
            f = [p.strip() for p in line.split(",")]
            time = f[0] + f[1].zfill(4)
            line_numbers.append(n)
            if not (len(f[3]) == 2 and f[3].isalpha() and f[3].isupper()):
                raise VerificationError(f"line {n}: bad status {f[3]!r} (two capital letters, e.g. HU)")
            rows.append((storm_id, name, time, f[2], f[3], _coord(f[4], n, "lat"), _coord(f[5], n, "lon"),
                         _int(f[6], n, "wind", 0, 250), _int(f[7], n, "pressure", 800, 1100),
                         *(_int(v, n, "wind radius", 0, 1500) for v in f[8:20]),
                         _int(f[20], n, "radius of max wind", 0, 500) if len(f) > 20 and f[20] else np.nan))
        i += 1 + count
    if not rows:
        raise VerificationError("no storms found: this is not a HURDAT2 file")
    table = pd.DataFrame(rows, columns=COLUMNS)
    times = pd.to_datetime(table["time"], format="%Y%m%d%H%M", errors="coerce")
    if times.isna().any():
        bad = int(np.flatnonzero(times.isna().to_numpy())[0])
        raise VerificationError(f"line {line_numbers[bad]}: bad date/time {table['time'].iloc[bad]!r}")
    table["time"] = times
    known = table["wind_kt"].notna()
    table["category"] = pd.Categorical.from_codes(
        np.where(known, saffir_simpson_class(table["wind_kt"].fillna(0)), -1), categories=list(CLASSES))
    return table


def validate(path: Path) -> None:
    parse(Path(path).read_text(encoding="ascii", errors="replace"))


def read(path: Path) -> pd.DataFrame:
    return parse(Path(path).read_text(encoding="ascii", errors="replace"))
