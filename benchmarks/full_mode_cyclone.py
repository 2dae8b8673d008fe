"""Run the cyclone lessons in full mode and print top-1, top-2 and RMSE of each approach.

    python benchmarks/full_mode_cyclone.py [--lessons 3 4 5 6]

Executes the solution notebooks' own code cells (the same code a workshop
runs) with ``BOOTCAMP_QUICK=0``: seasons 1999-2018 (1999-2014 is Pradhan et
al.'s period; with no HURDAT2 copy available the shipped 2014-2018 excerpt is
used, with a notice), less the seasons locked for the competition
(``dataset.LOCKED_SEASONS``), the wider compact CNN, 15 epochs. Lessons 3-5
report validation scores and, for 3 and 4, the one test score of the chosen
model; lesson 6 reports the locked seasons' leaderboard. Lesson 3 saves its
compact CNN in the course's model store (``bootcamp.saved``, in the data
cache) and lessons 4-6 load it instead of training it again (run lesson 3
first, as the default order does). The learning floors
of each notebook are checked as the notebook checks them; a missed floor is
reported and the run goes on. On a 2-core CPU each lesson takes roughly
5-15 minutes; lesson 3 on a CPU also trains the 43M-parameter Pradhan
network briefly (1,000 frames, 2 epochs), on a GPU fully.

The images are the generated ones unless ``--source hursat`` is given, which
reads HURSAT-B1 archives from the cache (see docs/cyclone.md); it sets
``BOOTCAMP_CYCLONE_SOURCE``, which every lesson's data cell follows. The
real-data run fetches its storms first, through the data layer (cache,
``BOOTCAMP_MIRRORS``, then NCEI):

    python benchmarks/full_mode_cyclone.py --source hursat --storms hurricanes
    python benchmarks/full_mode_cyclone.py --source hursat --storms 2005:KATRINA 2004:IVAN --fetch-only

``--storms`` takes ``YEAR:NAME`` (or ``YEAR:SID``) tokens, or ``hurricanes``:
every Atlantic storm of the lessons' full-mode seasons that HURSAT-B1 covers
(1999-2015, the locked seasons included, so the competition has storms) that
reached hurricane strength in HURDAT2, a fixed list for a given HURDAT2 file
(about a hundred archives, tens to hundreds of MB each). A storm that cannot
be fetched stops the run before any lesson, with the data layer's message
(what was tried, how to download it by hand and import it). Lessons 3 and 6
print Pradhan et al.'s published scores beside ours.
"""

from __future__ import annotations

import argparse
import linecache
import os
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
STEMS = {3: "05_cyclone_3_cnn", 4: "05_cyclone_4_imbalance", 5: "05_cyclone_5_gradcam",
         6: "05_cyclone_6_competition"}


def run_notebook(stem: str) -> dict:
    """Execute a solution notebook's code cells; a failed floor is printed, not raised."""
    nb = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
    namespace: dict = {"__name__": "__bench__"}
    cwd = os.getcwd()
    os.chdir(ROOT / "solutions")
    try:
        for number, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or "colab" in cell.metadata.get("tags", []):
                continue
            source = cell.source.replace("%matplotlib inline", "")
            # Register the cell's text as IPython does, so that inspect (and
            # AutoGraph, which reads the source of tf.data map functions) finds it.
            filename = f"<{stem}.ipynb cell {number}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
            try:
                exec(compile(source, filename, "exec"), namespace)
            except AssertionError as err:
                if "floor" not in str(err):
                    raise
                print(f"FLOOR MISSED in {stem}: {err}", flush=True)
    finally:
        os.chdir(cwd)
    return namespace


PUBLISHED = "Pradhan et al. (2018), real images, published: top-1 0.8066, top-2 0.9547, RMSE 10.18 kt"


def storm_list(tokens: list[str]) -> list[tuple[int, str]]:
    """``(year, name or SID)`` for ``YEAR:NAME`` tokens; ``hurricanes`` expands to the fixed list (module doc)."""
    storms: list[tuple[int, str]] = []
    for token in tokens:
        if token == "hurricanes":
            from bootcamp.cyclone import dataset
            from bootcamp.data import hursat
            from bootcamp.data.hurdat2 import load_hurdat2

            table = load_hurdat2()
            table = table.assign(season=table["storm_id"].str[-4:].astype(int))
            first, last = dataset.FULL_SEASONS
            seasons = [y for y in range(first, last + 1) if hursat.FIRST_YEAR <= y <= hursat.LAST_YEAR]
            strong = table[table["season"].isin(seasons) & (table["name"] != "UNNAMED")]
            peaks = strong.groupby(["season", "name", "storm_id"])["wind_kt"].max()
            storms += [(int(season), name) for (season, name, _), peak in peaks.items() if peak >= 64]
            continue
        year, sep, name = token.partition(":")
        if not sep or not year.isdigit() or not name:
            raise SystemExit(f"--storms: {token!r} is not YEAR:NAME (e.g. 2005:KATRINA) or 'hurricanes'")
        storms.append((int(year), name.upper()))
    return list(dict.fromkeys(storms))


def fetch_storms(storms: list[tuple[int, str]]) -> list[str]:
    """Fetch each storm's archive through the data layer; returns the failures' messages (empty: all there)."""
    from bootcamp.data import hursat
    from bootcamp.data.errors import DataError

    failures = []
    for number, (year, name) in enumerate(storms, 1):
        try:
            path = hursat.fetch_storm(year, name)
        except DataError as err:
            failures.append(f"{year} {name}: {err}")
            print(f"[{number}/{len(storms)}] {year} {name}: NOT AVAILABLE", flush=True)
        else:
            print(f"[{number}/{len(storms)}] {year} {name}: {path}", flush=True)
    return failures


def line(name: str, scores: dict) -> str:
    return (f"  {name:<34} top-1 {scores['top1']:.3f}  top-2 {scores['top2']:.3f}  "
            f"RMSE {scores['rmse_kt']:5.1f} kt  balanced {scores.get('balanced', float('nan')):.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lessons", nargs="+", type=int, default=list(STEMS), choices=list(STEMS))
    parser.add_argument("--source", default="synthetic", choices=["synthetic", "hursat"])
    parser.add_argument("--storms", nargs="+", default=[], metavar="YEAR:NAME",
                        help="--source hursat: fetch these storms first (or 'hurricanes', the fixed list)")
    parser.add_argument("--fetch-only", action="store_true", help="fetch the --storms, run no lesson")
    parser.add_argument("--quick", action="store_true", help="quick mode instead: a fast check of this script")
    args = parser.parse_args(argv)
    if args.storms and args.source != "hursat":
        parser.error("--storms fetches HURSAT-B1 archives: give --source hursat too")
    if args.storms:
        storms = storm_list(args.storms)
        print(f"fetching {len(storms)} HURSAT-B1 storm archives", flush=True)
        failures = fetch_storms(storms)
        if failures:
            print(f"\n{len(failures)} of {len(storms)} storms could not be fetched; no lesson was run:", flush=True)
            for message in failures:
                print(f"- {message}", flush=True)
            return 1
        if args.fetch_only:
            return 0
    os.environ["BOOTCAMP_QUICK"] = "1" if args.quick else "0"
    import matplotlib

    matplotlib.use("Agg")
    os.environ["BOOTCAMP_CYCLONE_SOURCE"] = args.source
    for lesson in args.lessons:
        stem = STEMS[lesson]
        start = time.perf_counter()
        ns = run_notebook(stem)
        minutes = (time.perf_counter() - start) / 60
        print(f"{'QUICK' if args.quick else 'FULL'} MODE {stem} ({args.source} images, {minutes:.1f} min):", flush=True)
        if lesson == 3:
            print("  validation storms:")
            print(line("majority class", ns["majority_val_scores"]))
            print(line("compact CNN, storm-wise split", ns["cnn_val_scores"]))
            print(line("compact CNN, frame-level split", ns["leaky_scores"]))
            print(f"  1-NN top-1: storm-wise {ns['knn_honest']:.3f}, frame-level {ns['knn_leaky']:.3f}")
            if "pradhan_scores" in ns:
                print(line("Pradhan et al. network", ns["pradhan_scores"]))
            print("  test storms, once:")
            print(line("majority class", ns["majority_scores"]))
            print(line("compact CNN", ns["cnn_scores"]))
            print(f"  for comparison: {PUBLISHED}")
        elif lesson == 4:
            print("  validation storms:")
            print(line("majority class", ns["majority"]))
            for name, scores in ns["results"].items():
                print(line(name, scores))
            print(f"  test storms, once, for the variant chosen on validation ({ns['chosen']}):")
            print(line("majority class", ns["test_majority"]))
            print(line(ns["chosen"], ns["test_scores"]))
        elif lesson == 5:
            print(line("compact CNN (validation)", ns["scores"]))
            print(f"  HiResCAM heat within 200 km: H2-H5 {ns['heat_share_strong']:.2f}, NC-H1 "
                  f"{ns['heat_share_weak']:.2f} (area share {ns['area_share']:.2f}); all-zero maps: "
                  + ", ".join(f"{count} {name}" for name, count in ns["zero_maps"].items()))
        else:
            if "candidate_scores" in ns:
                print("  validation storms (the entry is chosen here):")
                for name, scores in ns["candidate_scores"].items():
                    print(line(name, scores))
            print(f"  locked seasons {', '.join(map(str, ns['dataset'].locked_seasons()))}, once:")
            for name, scores in sorted(ns["leaderboard"].items(), key=lambda item: ns["scoring"].rank_key(item[1])):
                print(line(name, scores))
            print(f"  for comparison: {PUBLISHED}")
        print(flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
