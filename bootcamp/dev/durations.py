"""Per-file test costs, so that parallel runs start with the costliest files.

``make test`` hands whole files (a notebook, a test module) to the pytest-xdist
workers. By default xdist hands out the files with the most tests first, which
is not the same as the longest: a notebook of a few long cells can start last
and keep one worker busy while the others have finished. Handed out longest
first, the many short files fill the gaps at the end (the usual
longest-processing-time rule). The root ``conftest.py`` orders the files by
the seconds recorded in ``tests/durations.json``, which this module writes
from the log of a run made with ``--durations=0``::

    PYTEST_ADDOPTS=--durations=0 make test | tee test.log
    python -m bootcamp.dev.durations test.log          # rewrites tests/durations.json

A file missing from the table counts as cheap and runs at the end; a file the
table names that no longer exists fails ``tests/test_durations.py``, so the
table is refreshed when files move.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "tests" / "durations.json"
# Lessons whose trained models later lessons load from the model store (bootcamp.saved):
# 05_cyclone_3's baseline (05_cyclone_4-6) and 06_cfd_4's U-Net (06_cfd_5-6). They start
# first, so that in a fresh clone the later notebooks find the model instead of each
# training its own copy while the first is still being trained.
PRODUCERS = ("05_cyclone_3_cnn", "06_cfd_4_unet")
_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s+(?:setup|call|teardown)\s+(\S[^:]*?)::")


def per_file(lines) -> dict[str, float]:
    """Sum the setup, call and teardown seconds of ``--durations=0`` lines by file."""
    totals: dict[str, float] = defaultdict(float)
    for line in lines:
        match = _LINE.match(line)
        if match:
            totals[match.group(2)] += float(match.group(1))
    return {path: round(seconds, 1) for path, seconds in sorted(totals.items(), key=lambda kv: -kv[1])}


def load(table: Path = TABLE) -> dict[str, float]:
    try:
        return json.loads(table.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def order(items, costs: dict[str, float], nodeid=lambda item: item) -> list:
    """Test items (or node ids): the notebooks of PRODUCERS first, then the costliest file first.
    Stable: a file's tests keep their order, and files missing from ``costs`` come after the
    known ones, in their given order."""
    def key(item):
        path = nodeid(item).split("::", 1)[0]
        return (Path(path).stem not in PRODUCERS, -costs.get(path, 0.0))
    return sorted(items, key=key)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="output of a pytest run with --durations=0")
    parser.add_argument("--out", type=Path, default=TABLE)
    args = parser.parse_args(argv)
    costs = per_file(args.log.read_text(encoding="utf-8", errors="replace").splitlines())
    if not costs:
        parser.error(f"no '--durations' lines in {args.log}: run pytest with --durations=0")
    args.out.write_text(json.dumps(costs, indent=1) + "\n", encoding="utf-8")
    print(f"{len(costs)} files, {sum(costs.values()):.0f} s in all, written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
