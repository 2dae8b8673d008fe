"""HURDAT2: the parser on small and broken inputs and on the full Atlantic
file, the Saffir-Simpson classes, revisions, and the built-in fallback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bootcamp.data import core, hurdat2, settings
from bootcamp.data.errors import DatasetUnavailable, FallbackDataWarning, VerificationError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
FULL_FILE = SHARED / "hurdat2" / "hurdat2-atlantic-1851-2018.txt"

SAMPLE = """\
AL092011,              IRENE,      3,
20110821, 0000,  , TS, 15.0N,  59.0W,  45, 1006,  105,    0,    0,   45,    0,    0,    0,    0,    0,    0,    0,    0,  -999,
20110821, 0600,  , TS, 16.0N,  60.6W,  50, 1006,  130,    0,    0,   80,   30,    0,    0,    0,    0,    0,    0,    0,  -999,
20110828, 0935, L, HU, 39.4N,  74.4W,  65,  959,  230,  260,  150,  160,  130,  120,   70,   80,   70,   40,    0,    0,    40,
SH012020,             AMANDA,      1,
20200531, 0000,  , TS, 13.9S,  90.1E,  35, 1004, -999, -999, -999, -999, -999, -999, -999, -999, -999, -999, -999, -999,
"""


def test_parse_gives_a_tidy_table():
    table = hurdat2.parse(SAMPLE)
    assert list(table.columns) == list(hurdat2.COLUMNS)
    assert len(table) == 4 and table["storm_id"].nunique() == 2
    irene = table[table["name"] == "IRENE"]
    assert irene["lon"].tolist() == [-59.0, -60.6, -74.4] and irene["lat"].tolist() == [15.0, 16.0, 39.4]
    assert irene["time"].iloc[2] == pd.Timestamp("2011-08-28 09:35")
    assert irene["record_id"].tolist() == ["", "", "L"] and irene["status"].iloc[2] == "HU"
    assert irene["rmw_nm"].iloc[2] == 40 and np.isnan(irene["rmw_nm"].iloc[0])      # -999 -> NaN
    assert irene["r34_ne"].iloc[2] == 230 and irene["r64_nw"].iloc[2] == 0
    assert irene["category"].tolist() == ["TS", "TS", "H1"]
    amanda = table[table["name"] == "AMANDA"].iloc[0]
    assert (amanda["lat"], amanda["lon"]) == (-13.9, 90.1)                            # S negative, E positive
    assert np.isnan(amanda["r34_ne"]) and np.isnan(amanda["rmw_nm"])
    assert np.issubdtype(table["time"].dtype, np.datetime64)


@pytest.mark.parametrize("wind, label", [
    (0, "NC"), (20, "NC"), (21, "TD"), (33, "TD"), (34, "TS"), (63, "TS"), (64, "H1"), (82, "H1"), (83, "H2"),
    (95, "H2"), (96, "H3"), (112, "H3"), (113, "H4"), (136, "H4"), (137, "H5"), (185, "H5"),
])
def test_saffir_simpson_class_boundaries(wind, label):
    assert hurdat2.CLASSES[hurdat2.saffir_simpson_class(wind)] == label
    assert hurdat2.saffir_simpson_label(wind) == label


def test_saffir_simpson_class_is_vectorised_and_refuses_missing_winds():
    winds = np.array([[15, 25, 50], [70, 90, 100]])
    assert hurdat2.saffir_simpson_class(winds).tolist() == [[0, 1, 2], [3, 4, 5]]
    assert hurdat2.saffir_simpson_label(pd.Series([120.0, 140.0])).tolist() == ["H4", "H5"]
    assert hurdat2.saffir_simpson_class(33.5) == 2
    assert hurdat2.CLASSES == ("NC", "TD", "TS", "H1", "H2", "H3", "H4", "H5")
    with pytest.raises(ValueError, match="missing"):
        hurdat2.saffir_simpson_class([50, np.nan])


def _replace(old: str, new: str) -> str:
    assert old in SAMPLE
    return SAMPLE.replace(old, new, 1)


@pytest.mark.parametrize("broken, message", [
    (_replace("IRENE,      3,", "IRENE,      4,"), r"line 5: expected data line 4 of 4 of storm AL092011"),
    (_replace("IRENE,      3,", "IRENE,      2,"), r"line 4: expected a storm header .*does the line count"),
    ("\n".join(SAMPLE.splitlines()[:3]), r"line 1: storm AL092011 announces 3 data lines but the file ends after 2"),
    (_replace("15.0N", "95.0N"), r"line 2: latitude out of range \(0-90\): '95.0N'"),
    (_replace("59.0W", "59.0Q"), r"line 2: bad longitude .*'59.0Q'"),
    (_replace("16.0N", "N"), r"line 3: bad latitude"),
    (_replace(" 50, 1006", "  X, 1006"), r"line 3: wind is not a number: 'X'"),
    (_replace(" 50, 1006", "300, 1006"), r"line 3: wind out of range \(0-250\)"),
    (_replace("959", "700"), r"line 4: pressure out of range"),
    (_replace("20110821, 0600", "20111321, 0600"), r"line 3: bad date/time '20111321, 0600'"),
    (_replace("L, HU", "L, hurricane"), r"line 4: bad status"),
    (_replace("   40,\n", "   40, 1, 2, 3,\n"), r"line 4: 25 fields, at most 22 expected"),
    ("just some text\n", r"line 1: expected a storm header"),
    ("", r"no storm found"),
])
def test_broken_files_are_refused_naming_the_line(broken, message):
    with pytest.raises(VerificationError, match=message):
        hurdat2.parse(broken)


def test_the_earliest_problem_is_reported():
    broken = _replace("20110828, 0935, L, HU, 39.4N", "20110828, 0935, L, HU, 99.4N")
    broken = broken.replace(" 45, 1006", "  Y, 1006", 1)                 # line 2, reported first
    with pytest.raises(VerificationError, match="line 2: wind"):
        hurdat2.parse(broken)


@pytest.mark.skipif(not FULL_FILE.is_file(), reason=f"the offline HURDAT2 copy is not at {FULL_FILE}")
def test_the_full_atlantic_file_through_a_mirror(monkeypatch, capsys, cache):
    monkeypatch.setenv(settings.MIRRORS_ENV, str(SHARED))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    table = hurdat2.load_hurdat2()
    assert table["storm_id"].nunique() == 1872 and len(table) == 51310
    assert table["time"].min().year == 1851 and table["time"].max().year == 2018
    assert table["lat"].between(0, 90).all() and (table["lon"] < 0).mean() > 0.99
    assert table["wind_kt"].notna().mean() > 0.99 and table["category"].isna().sum() == table["wind_kt"].isna().sum()
    assert (table["category"] == "H5").sum() > 100
    out = capsys.readouterr().out
    assert "hurdat2-atlantic-1851-2018.txt" in out and "1,872 storms, 51,310 fixes" in out
    assert cache.data_files() == ["hurdat2/hurdat2-atlantic-1851-2018.txt"]


def test_without_data_the_default_is_a_clear_error(monkeypatch, cache):
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    with pytest.raises(DatasetUnavailable, match=r"(?s)'hurdat2'.*BOOTCAMP_MIRRORS.*2014-2018 Atlantic seasons"):
        hurdat2.load_hurdat2()
    assert cache.data_files() == []


def test_the_fallback_is_real_best_track_and_announced_loudly(monkeypatch, capsys):
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    with pytest.warns(FallbackDataWarning, match="FALLBACK DATA") as record:
        table = hurdat2.load_hurdat2(allow_fallback=True)
    assert record[0].filename == __file__
    assert "FALLBACK DATA" in capsys.readouterr().out
    assert table["time"].dt.year.min() == 2014 and table["time"].dt.year.max() == 2018
    assert table["storm_id"].nunique() == 70 and (table["category"] == "H5").any()
    assert hurdat2.BUILTIN_FILE.stat().st_size < 400_000


def test_the_revision_is_chosen_by_argument_or_environment(server, monkeypatch, cache):
    body = hurdat2.BUILTIN_FILE.read_bytes()
    for name in ("hurdat2-1851-2030-010131.txt", "hurdat2-1851-2031-020232.txt"):
        server.good(f"/hurdat/{name}", body)
    monkeypatch.setattr(hurdat2, "BASE_URL", server.url("/hurdat/"))
    assert hurdat2.load_hurdat2("hurdat2-1851-2030-010131.txt").attrs["source"].endswith("2030-010131.txt")
    monkeypatch.setenv(hurdat2.FILE_ENV, "hurdat2-1851-2031-020232.txt")
    hurdat2.load_hurdat2()                  # an explicit revision: the cached 2030 file does not count
    assert server.count("/hurdat/hurdat2-1851-2031-020232.txt") == 1
    assert cache.data_files() == ["hurdat2/hurdat2-1851-2030-010131.txt", "hurdat2/hurdat2-1851-2031-020232.txt"]
    with pytest.raises(ValueError, match="give a HURDAT2 file name"):
        hurdat2.load_hurdat2("/tmp/some/path.txt")


def test_by_default_the_newest_atlantic_revision_in_a_mirror_is_used(monkeypatch, tmp_path, cache):
    mirror = tmp_path / "mirror" / "hurdat2"
    mirror.mkdir(parents=True)
    body = hurdat2.BUILTIN_FILE.read_text()
    for name in ("hurdat2-1851-2017-050118.txt", "hurdat2-1851-2018-051019.txt", "hurdat2-1851-2018-040519.txt"):
        (mirror / name).write_text(body)
    (mirror / "hurdat2-nepac-1949-2023-042624.txt").write_text(body)        # the Pacific file: never
    monkeypatch.setenv(settings.MIRRORS_ENV, str(mirror.parent))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    (path,) = core.fetch("hurdat2").values()
    assert path == cache.path / "hurdat2" / "hurdat2-1851-2018-051019.txt"
    keys = sorted(["hurdat2-1851-2018-051019.txt", "hurdat2-atlantic-1851-2018.txt", "hurdat2-1851-2024-040425.txt"],
                  key=hurdat2.revision_key)
    assert keys[-1] == "hurdat2-1851-2024-040425.txt"


def test_a_structurally_broken_mirror_copy_is_refused(monkeypatch, tmp_path, cache):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    lines = hurdat2.BUILTIN_FILE.read_text().splitlines()
    (mirror / hurdat2.DEFAULT_FILE).write_text("\n".join(lines[:-5]) + "\n")          # truncated
    monkeypatch.setenv(settings.MIRRORS_ENV, str(mirror))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    with pytest.raises(DatasetUnavailable, match=r"failed its check: .*line \d+: storm AL\d+ announces"):
        core.fetch("hurdat2")
    assert cache.data_files() == [] and cache.temporaries() == []
