"""Loaders that return tables."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from bootcamp.data import core, hurdat2
from bootcamp.data.errors import DatasetUnavailable

BUILTIN_HURDAT2 = Path(__file__).with_name("builtin") / "hurdat2-atlantic-2004-2018-excerpt.txt"


def load_hurdat2(*, allow_fallback: bool = False) -> pd.DataFrame:
    """The Atlantic best track as a tidy table, one row per 6-hourly fix, with
    each record's Saffir-Simpson ``category``."""
    try:
        paths = core.fetch("hurdat2")
    except DatasetUnavailable as err:
        if not allow_fallback:
            raise
        message = ("HURDAT2 is unavailable, so this notebook uses the OFFLINE FALLBACK shipped with the "
                   "package: the real Atlantic best track of the 2004-2018 seasons only.")
        warnings.warn(f"{message}\nWhy: {err}", stacklevel=2)
        print("!" * 78 + f"\n{message}\n" + "!" * 78)
        return hurdat2.read(BUILTIN_HURDAT2)
    (path,) = paths.values()
    table = hurdat2.read(path)
    print(f"hurdat2: {path.name}, {table['storm_id'].nunique():,} storms, {len(table):,} fixes "
          f"({table['time'].dt.year.min()}-{table['time'].dt.year.max()}), structure verified")
    return table
