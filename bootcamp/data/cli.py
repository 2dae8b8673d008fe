"""``python -m data_scripts``: list, fetch, verify and import the bootcamp's datasets.

Exit codes:
  0  success
  1  failure of another kind (disk full, permission denied, ...)
  2  usage error: unknown dataset (the valid names are listed), bad
     arguments, a --from path that does not exist or holds no file of the
     dataset, a storm name that matches several storms
  3  unavailable: no source could provide the dataset (offline, no mirror,
     host refused); the message lists what was tried and what to do
  4  verification failed: a file failed its checksum or structure check
     (a bad cached file is removed)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bootcamp.data import core, hursat, registry, settings
from bootcamp.data.errors import DataError, DatasetUnavailable, UnknownDataset, UsageError, VerificationError

OK, FAILED, USAGE, UNAVAILABLE, VERIFICATION = 0, 1, 2, 3, 4
DEFAULT_SET = ("mnist", "fashion_mnist", "hurdat2")    # what `make data` fetches


def _whole_names() -> list[str]:
    return [name for name in registry.names() if registry.dataset(name).whole]


def _expand(requested: list[str]) -> list[str]:
    """Dataset names in order, ``all`` expanded; raises UnknownDataset."""
    chosen: list[str] = []
    for name in requested:
        for item in _whole_names() if name == "all" else [name]:
            registry.dataset(item)
            if item not in chosen:
                chosen.append(item)
    return chosen


def _state(name: str) -> tuple[str, str]:
    """(cached or not, source used) for the listing."""
    if name == hursat.NAME:
        archives = hursat.cached_archives()
        return f"{len(archives)} archive(s)", "per storm: fetch hursat_b1 --year Y --storm NAME"
    ds = registry.dataset(name)
    present = {path.name for form in ds.resolve() for spec in form if (path := core.cached_path(ds, spec))}
    state = "yes" if core.is_cached(name) else ("partial" if present else "no")
    record = core.sources_used(name)
    return state, core.summarise_sources([record[n].get("source", "?") for n in present if n in record])


# ------------------------------------------------------------ commands
def cmd_list(_args: argparse.Namespace) -> int:
    print(f"cache:   {settings.cache_dir()}  ({settings.CACHE_ENV})")
    print(f"mirrors: {' '.join(settings.mirrors()) or '(none)'}  ({settings.MIRRORS_ENV})"
          f"{'   offline: downloads are off (' + settings.OFFLINE_ENV + '=1)' if settings.offline() else ''}")
    print(f"{'NAME':15} {'SIZE':20} {'CACHED':12} SOURCE USED")
    for name in registry.names():
        state, source = _state(name)
        print(f"{name:15} {registry.dataset(name).size_text():20} {state:12} {source}")
    return OK


def cmd_info(args: argparse.Namespace) -> int:
    ds = registry.dataset(args.name)
    print(f"{ds.name}: {ds.title}\n  size: {ds.size_text()}\n  citation: {ds.citation}\n  licence: {ds.licence}")
    print(f"  loader: {ds.loader}\n  offline fallback: {ds.fallback}")
    for k, form in enumerate(ds.resolve() if ds.whole else (), start=1):
        print(f"  form {k}:")
        for spec in form:
            print(f"    {spec.name}: {spec.describe_check()}; {' '.join(spec.urls) or 'from mirrors only'}")
    if not ds.whole:
        print(f"  archives: {hursat.BASE_URL}<YEAR>/")
    return OK


def _fetch_storm(args: argparse.Namespace) -> int:
    if not (args.year and args.storm):
        print("hursat_b1 is one archive per storm: give --year and --storm (name, SID or pattern), e.g.\n"
              "  python -m data_scripts fetch hursat_b1 --year 2005 --storm KATRINA", file=sys.stderr)
        return USAGE
    path = hursat.fetch_storm(args.year, args.storm)
    print(f"hursat_b1: ok, {path}")
    return OK


def _fetch_one(name: str, args: argparse.Namespace) -> int:
    try:
        if name == hursat.NAME:
            return _fetch_storm(args)
        paths = core.fetch(name, variant=args.file if name == "hurdat2" else None)
    except DatasetUnavailable as err:
        print(f"{name}: UNAVAILABLE\n{err}\n", file=sys.stderr)
        return UNAVAILABLE
    origin = core.summarise_sources([core.sources_used(name).get(p.name, {}).get("source", "?")
                                     for p in paths.values()])
    print(f"{name}: ok, {len(paths)} file(s) in {core.dataset_dir(name)} (from {origin})")
    return OK


def cmd_fetch(args: argparse.Namespace) -> int:
    names = _expand(args.names)
    if args.file and "hurdat2" not in names:
        raise UsageError("--file chooses the HURDAT2 revision: use it with `fetch hurdat2`")
    if (args.year or args.storm) and hursat.NAME not in names:
        raise UsageError("--year and --storm are for `fetch hursat_b1`")
    return max(_fetch_one(name, args) for name in names)


def _verify_archives() -> list[str]:
    problems = []
    for path in hursat.cached_archives():
        try:
            hursat.check_archive(path)
        except VerificationError as err:
            path.unlink(missing_ok=True)
            problems.append(f"{path}: {err} (removed)")
    return problems


def cmd_verify(args: argparse.Namespace) -> int:
    names = _expand(args.names) if args.names else registry.names()
    bad = 0
    for name in names:
        for path in core.remove_stale_temporaries(name):
            print(f"{name}: removed a temporary file left by an interrupted transfer: {path.name}")
        if name == hursat.NAME:
            problems, present = _verify_archives(), bool(hursat.cached_archives())
        else:
            problems, present = core.verify_cached(name), _state(name)[0] != "no"
        bad += len(problems)
        for line in problems:
            print(f"{name}: FAILED {line}", file=sys.stderr)
        if not problems:
            print(f"{name}: {'ok' if present else 'not cached'}")
    return VERIFICATION if bad else OK


def cmd_import(args: argparse.Namespace) -> int:
    if args.name == hursat.NAME:
        print(f"hursat_b1: imported {hursat.import_archive(args.source)}")
        return OK
    done = core.import_files(args.name, args.source)
    for file_name, path in done.items():
        print(f"{args.name}: imported {file_name} -> {path}")
    if core.is_cached(args.name):
        print(f"{args.name}: complete, ready to use")
    else:
        print(f"{args.name}: still incomplete; import the other files too (see `python -m data_scripts info "
              f"{args.name}`)")
    return OK


# ------------------------------------------------------------ entry point
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data_scripts", description="Fetch, check and list the bootcamp's datasets.",
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="datasets, size, cached or not, source used").set_defaults(run=cmd_list)
    info = sub.add_parser("info", help="sources, checks, citation and licence of one dataset")
    info.add_argument("name")
    info.set_defaults(run=cmd_info)
    fetch = sub.add_parser("fetch", help="fetch and verify datasets: NAME... or all")
    fetch.add_argument("names", nargs="+", metavar="NAME")
    fetch.add_argument("--file", help="hurdat2: the revision, e.g. hurdat2-1851-2023-051124.txt")
    fetch.add_argument("--year", type=int, help="hursat_b1: the storm's year")
    fetch.add_argument("--storm", help="hursat_b1: storm name, SID or file-name pattern")
    fetch.set_defaults(run=cmd_fetch)
    verify = sub.add_parser("verify", help="check cached files again (bad ones are removed)")
    verify.add_argument("names", nargs="*", metavar="NAME")
    verify.set_defaults(run=cmd_verify)
    imp = sub.add_parser("import", help="bring in files you downloaded by hand")
    imp.add_argument("name")
    imp.add_argument("--from", dest="source", type=Path, required=True, metavar="PATH",
                     help="the downloaded file, or the folder holding the files")
    imp.set_defaults(run=cmd_import)
    return parser


_EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (UnknownDataset, USAGE), (UsageError, USAGE), (ValueError, USAGE), (DatasetUnavailable, UNAVAILABLE),
    (VerificationError, VERIFICATION), (DataError, FAILED), (OSError, FAILED),
)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:              # argparse: --help (0) or a usage error (2)
        return OK if exit_.code in (0, None) else USAGE
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except tuple(cls for cls, _ in _EXIT_CODES) as err:
        code = next(code for cls, code in _EXIT_CODES if isinstance(err, cls))
        print(f"error: {err}", file=sys.stderr)
        return code
