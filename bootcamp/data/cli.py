"""``python -m data_scripts``: list, fetch, verify and import datasets.

Exit codes: 0 success; 1 an unexpected failure; 2 usage error or unknown
dataset; 3 a dataset could not be obtained (offline, no mirror); 4 a file
failed verification.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bootcamp.data import core, hursat, settings
from bootcamp.data.errors import DatasetUnavailable, UnknownDataset, VerificationError

OK, FAILED, USAGE, UNAVAILABLE, CORRUPT = 0, 1, 2, 3, 4


def _names(requested: list[str]) -> list[str]:
    core.dataset("mnist")                         # fills the registry
    if requested == ["all"]:
        return [n for n, ds in core.REGISTRY.items() if ds.forms]
    for name in requested:
        core.dataset(name)                        # raises UnknownDataset
    return requested


def _size(ds) -> str:
    return f"{ds.size / 1e6:8.1f} MB" if ds.size else "  varies  "


def cmd_list(_args) -> int:
    core.dataset("mnist")
    print(f"cache: {settings.cache_dir()}   mirrors: {' '.join(settings.mirrors()) or '(none)'}"
          f"{'   OFFLINE' if settings.offline() else ''}")
    for name, ds in core.REGISTRY.items():
        if ds.forms:
            state = "cached " if core.is_cached(name) else "missing"
            used = sorted({v["source"] for v in core.sources_used(name).values()})
            source = used[0] + (f" (+{len(used) - 1} more)" if len(used) > 1 else "") if used else "-"
        else:
            n = len(list((core.dataset_dir(name)).rglob("HURSAT_b1_v06_*.tar.gz")))
            state, source = f"{n} archive(s)", "per storm: fetch hursat_b1 --year Y --storm NAME"
        print(f"{name:15s} {_size(ds)}  {state:9s}  {ds.title}\n{'':15s} source: {source}")
    return OK


def cmd_fetch(args) -> int:
    if args.names == ["hursat_b1"]:
        if not (args.year and args.storm):
            print("hursat_b1 is one archive per storm: give --year and --storm (name or SID)", file=sys.stderr)
            return USAGE
        print(hursat.fetch_storm(args.year, args.storm))
        return OK
    for name in _names(args.names):
        paths = core.fetch(name)
        print(f"{name}: ok ({len(paths)} file(s) in {core.dataset_dir(name)})")
    return OK


def cmd_verify(args) -> int:
    bad = 0
    for name in _names(args.names or ["all"]):
        if not core.is_cached(name):
            print(f"{name}: not cached")
            continue
        problems = core.verify_cached(name)
        bad += len(problems)
        print(f"{name}: " + ("ok" if not problems else "; ".join(problems)))
    return CORRUPT if bad else OK


def cmd_import(args) -> int:
    if args.name == "hursat_b1":
        print(hursat.import_archive(args.source))
        return OK
    done = core.import_files(args.name, args.source)
    for spec, path in done.items():
        print(f"{args.name}: imported {spec} -> {path}")
    return OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m data_scripts", description="Datasets of the bootcamp.",
                                epilog=__doc__.split("\n\n", 1)[1])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="datasets, sizes, cached or not, source used").set_defaults(run=cmd_list)
    f = sub.add_parser("fetch", help="fetch and verify datasets (NAME... or all)")
    f.add_argument("names", nargs="+")
    f.add_argument("--year", type=int, help="hursat_b1 only")
    f.add_argument("--storm", help="hursat_b1 only: storm name or SID")
    f.set_defaults(run=cmd_fetch)
    v = sub.add_parser("verify", help="re-check cached files (removes bad ones)")
    v.add_argument("names", nargs="*")
    v.set_defaults(run=cmd_verify)
    i = sub.add_parser("import", help="bring in files downloaded by hand")
    i.add_argument("name")
    i.add_argument("--from", dest="source", type=Path, required=True)
    i.set_defaults(run=cmd_import)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return USAGE if exit_.code else OK
    try:
        return args.run(args)
    except UnknownDataset as err:
        print(err, file=sys.stderr)
        return USAGE
    except DatasetUnavailable as err:
        print(err, file=sys.stderr)
        return UNAVAILABLE
    except (VerificationError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return CORRUPT
