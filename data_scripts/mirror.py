"""``python -m data_scripts mirror --out DIR``: one folder holding every dataset of the course, for a room
without internet.

What goes in, each file checked as the data layer checks it before it is renamed to its real name:

* ``mnist/``, ``fashion_mnist/``: the IDX files, gzipped (or Keras' ``mnist.npz`` when that is the
  form at hand); checked by the sha256 of their content and their IDX header;
* ``hurdat2/``: the Atlantic best-track revision the data layer picks; checked by its structure;
* ``hursat_b1/<year>/``: the HURSAT-B1 archives of the named Atlantic storms of the lessons' seasons
  (those HURSAT-B1 covers, 1978-2015), when they can be had from the cache, a mirror or NCEI;
  the others are listed as skipped, with the reason;
* ``cfd-flows/``: the CFD lessons' flow sets of quick mode and (without ``--quick-only``) full mode,
  train/val/test/unseen and the competition's locked sets, under the names ``load_flows`` looks
  for; copied from the cache or a mirror when there, else solved here in ``-j`` processes
  (resumable: solved flows wait in ``cfd-flows/.partial/``); checked by the manifest of settings
  inside each file and its samples;
* ``mobilenet_v3_small_imagenet/``: Keras' ImageNet weights for 08_transfer's comparison, checked by
  the MD5 Keras publishes; optional: when they cannot be had they are listed as skipped, and the
  lesson runs without them;
* ``MANIFEST.json``: every file with its size, sha256, what it is and how it was made, and the
  storms skipped.

The layout is the one the data layer and ``bootcamp.cfd.flows`` read from a mirror:
``export BOOTCAMP_MIRRORS=DIR``, or serve it (``python -m http.server --bind ADDRESS --directory
DIR``) and give the URL. Before finishing, the command loads every dataset from ``DIR`` alone
with an empty scratch cache and downloads forbidden, as an attendee's machine would.

Running it again checks what is there, replaces what fails its check, adds what is missing and
rewrites nothing else. Sources: the cache (``BOOTCAMP_DATA_DIR``; fetched datasets stay there),
the mirrors in ``BOOTCAMP_MIRRORS``, then the canonical URLs unless ``BOOTCAMP_OFFLINE=1``.

Full mode's flow sets take hours on a few cores. On a Slurm cluster, ``--cluster-commands`` prints
one ``cluster/submit-flows.sh`` command per set that writes the merged file straight into
``DIR/cfd-flows/``; the next run of this command checks those files and keeps them.

Tests shrink the flow sets by passing ``flow_specs`` to :func:`build` (or replacing
:func:`course_flow_specs`); the command line always mirrors the course's own sets.

Exit codes as for the other data commands: 0 all there and checked (skipped HURSAT-B1 storms
do not count as failures), 2 usage error, 3 a dataset could not be had, 4 a check failed,
1 anything else (disk full, another build holding the folder, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gzip
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bootcamp.data import core, hursat, integrity, registry, settings, weights
from bootcamp.data.cli import FAILED, OK, UNAVAILABLE, USAGE, VERIFICATION
from bootcamp.data.errors import DataError, DatasetUnavailable, DownloadError, UsageError, VerificationError
from bootcamp.data.files import replacing, temp_file

WHOLE = ("mnist", "fashion_mnist", "hurdat2")
OPTIONAL = (weights.MOBILENET_V3_SMALL,)    # mirrored when they can be had; a lesson runs without them
MANIFEST = "MANIFEST.json"
LOCK = ".mirror.lock"
FLOWS = "cfd-flows"
PARTIAL = ".partial"
MODES = ("quick", "full")
NO_NAME = {"UNNAMED", "NOT_NAMED", "NONAME"}
HURSAT_YEARS = (hursat.FIRST_YEAR, hursat.LAST_YEAR)
HEADER = re.compile(r"AL\d{6}")                                       # a HURDAT2 storm header's Atlantic id


# ------------------------------------------------------------ bookkeeping
@dataclass
class Entry:
    """One file of the mirror, as MANIFEST.json lists it."""

    file: str
    dataset: str
    what: str
    how: str
    check: str
    size: int = 0
    sha256: str = ""
    made: str = ""


@dataclass
class Build:
    """What one run did: files kept and added, storms skipped, failures."""

    out: Path
    old: dict[str, dict]
    old_check: str = ""
    entries: dict[str, Entry] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    code: int = OK

    def keep(self, path: Path, dataset: str, what: str, how: str, check: str) -> None:
        """A file that was already in the mirror and passed its check."""
        rel = self.rel(path)
        old = self.old.get(rel, {})
        self.entries[rel] = Entry(rel, dataset, old.get("what") or what, old.get("how") or how,
                                  old.get("check") or check)
        self.kept.append(rel)

    def add(self, path: Path, dataset: str, what: str, how: str, check: str) -> None:
        rel = self.rel(path)
        self.entries[rel] = Entry(rel, dataset, what, how, check)
        self.added.append(rel)
        print(f"  + {rel} ({_mb(path.stat().st_size)}): {how}", flush=True)

    def fail(self, code: int, message: str) -> None:
        self.code = max(self.code, code)
        print(f"  FAILED: {message}", file=sys.stderr, flush=True)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()


def _mb(size: float) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 1e5 else f"{size / 1e3:,.1f} kB"


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def _sha256(path: Path) -> str:
    return integrity.sha256_of(path)


def _publish(folder: Path, name: str, make: Callable[[Path], None], check: Callable[[Path], object]) -> Path:
    """Make ``folder/name`` through a temporary file: ``make`` writes it, ``check`` raises if it is bad;
    only then is it renamed. Nothing is left behind on failure."""
    folder.mkdir(parents=True, exist_ok=True)
    with replacing(folder / name) as part:
        make(part)
        check(part)
    return folder / name


def _remove_stale_parts(out: Path) -> None:
    """Temporary files a killed run left (never inside the solver's resumable checkpoint)."""
    for path in out.rglob(".*.part"):
        if PARTIAL not in path.relative_to(out).parts and path.is_file():
            path.unlink(missing_ok=True)


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    with open(out / LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataError(f"another `mirror` run is building {out} (lock {out / LOCK}); wait for it") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ------------------------------------------------------------ MNIST, Fashion-MNIST, HURDAT2
def _check_file(spec: registry.RemoteFile, path: Path) -> str:
    """Check a mirror file as the data layer checks what it gets from a mirror (gzip allowed where the
    content is hashed); returns the check's description, raises VerificationError."""
    if spec.content_sha256 and integrity.is_gzip(path):
        raw, ready = temp_file(path.parent, path.name, ".part"), temp_file(path.parent, path.name, ".part")
        try:
            shutil.copyfile(path, raw)
            return integrity.prepare(spec, raw, ready)
        finally:
            raw.unlink(missing_ok=True)
            ready.unlink(missing_ok=True)
    return integrity.verify(spec, path)


def _mirror_form(ds: registry.Dataset, out: Path,
                 checked: dict[Path, str]) -> list[tuple[registry.RemoteFile, Path, str]] | None:
    """A complete form of ``ds`` already in ``out/<name>/`` that passes its checks. Files that fail
    are removed; those that pass are noted in ``checked`` (path: check) even when their form is
    incomplete, so that they are not written again."""
    folder = out / ds.name
    for form in ds.resolve():
        found = []
        for spec in form:
            for path in (p for p in core.directory_candidates(ds, spec, out) if p.parent == folder):
                try:
                    checked[path] = checked.get(path) or _check_file(spec, path)
                    found.append((spec, path, checked[path]))
                    break
                except VerificationError as err:
                    path.unlink(missing_ok=True)
                    print(f"  - {path.relative_to(out)} failed its check and was removed: {err}", flush=True)
        if len(found) == len(form):
            return found
    return None


def _source_gzip(source: str, content_name: str) -> Path | None:
    """The local .gz file a cached copy came from, when there is one (copying it keeps the bytes a
    mirror or Debian published, and is faster than compressing again)."""
    where = source.removeprefix("imported from ")
    path = Path(where)
    if settings.is_url(where) or not path.is_absolute() or path.name != content_name + ".gz":
        return None
    return path if path.is_file() else None


def _gzip_into(source: Path) -> Callable[[Path], None]:
    def make(part: Path) -> None:
        with open(source, "rb") as src, open(part, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
            shutil.copyfileobj(src, out, integrity.CHUNK)
    return make


def _copy_into(source: Path) -> Callable[[Path], None]:
    return lambda part: shutil.copyfile(source, part)


def _same_bytes(checked: Path) -> Callable[[Path], None]:
    expected = _sha256(checked)

    def check(part: Path) -> None:
        if _sha256(part) != expected:
            raise VerificationError(f"the copy of {checked} differs from it (disk or copy error)")
    return check


def mirror_whole(build: Build, name: str, *, optional: bool = False) -> None:
    """MNIST, Fashion-MNIST or HURDAT2: kept when a complete form in the mirror passes its checks,
    else fetched through the data layer (cache, mirrors, canonical) and written into the mirror.
    An ``optional`` one (pretrained weights) that cannot be had is listed as skipped, not a failure."""
    ds = registry.dataset(name)
    print(f"{name}: {ds.title}", flush=True)
    checked: dict[Path, str] = {}
    present = _mirror_form(ds, build.out, checked)
    if present is not None:
        for spec, path, check in present:
            build.keep(path, name, f"{ds.title}: {spec.name}", "already in the mirror", check)
        print(f"  kept {len(present)} file(s), checked ({present[0][2]})", flush=True)
        return
    try:
        paths = core.fetch(name)
    except DatasetUnavailable as err:
        if optional:
            tried = [line.strip(" -") for line in str(err).splitlines() if line.startswith("  - ")]
            reason = "not found: " + "; ".join(tried)
            build.skipped.append({"dataset": name, "reason": reason})
            print(f"  skipped (optional; its lesson runs without it): {reason}", flush=True)
            return
        build.fail(UNAVAILABLE, f"{name} could not be had, so it is not in the mirror:\n{err}")
        return
    specs = {spec.name: spec for form in ds.resolve() for spec in form}
    sources = core.sources_used(name)
    for spec_name, cached in paths.items():
        spec = specs[spec_name]
        source = sources.get(cached.name, {}).get("source", "?")
        target = cached.name + (".gz" if spec.content_sha256 else "")
        if build.out / name / target in checked:
            build.keep(build.out / name / target, name, f"{ds.title}: {spec_name}", "already in the mirror",
                       checked[build.out / name / target])
            continue
        original = _source_gzip(source, cached.name) if spec.content_sha256 else None
        full_check: Callable[[Path], object] = lambda p, s=spec: _check_file(s, p)       # noqa: E731
        attempts: list[tuple[Callable[[Path], None], Callable[[Path], object], str]] = []
        if original is not None:
            attempts.append((_copy_into(original), full_check, f"copied from {original}"))
        if spec.content_sha256:
            attempts.append((_gzip_into(cached), full_check,
                             f"gzipped from the cache's checked copy (obtained from {source})"))
        else:           # the very bytes core.fetch has just checked: the same hash is the same check
            attempts.append((_copy_into(cached), _same_bytes(cached),
                             f"copied from the cache's checked copy (obtained from {source})"))
        for make, check, how in attempts:
            try:
                path = _publish(build.out / name, target, make, check)
            except VerificationError as err:
                print(f"  {how}: failed its check ({err}); trying the next way", flush=True)
                continue
            build.add(path, name, f"{ds.title}: {spec_name}", how, spec.describe_check())
            break
        else:
            build.fail(VERIFICATION, f"{name}: no copy of {spec_name} passed its check")


# ------------------------------------------------------------ HURSAT-B1
def lesson_storms(track: Path, seasons: tuple[int, int]) -> list[tuple[int, str, str]]:
    """``(year, name, HURDAT2 id)`` of the Atlantic storms of ``seasons`` (a storm's season is the year
    in its HURDAT2 id, as in the lessons) that HURSAT-B1 covers, in order."""
    first, last = max(seasons[0], HURSAT_YEARS[0]), min(seasons[1], HURSAT_YEARS[1])
    chosen = []
    with open(track, encoding="ascii", errors="replace") as lines:     # checked already: the headers suffice
        for line in lines:
            if not line.startswith("AL"):                               # data lines start with a date
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) >= 3 and HEADER.fullmatch(parts[0]) and first <= int(parts[0][-4:]) <= last:
                chosen.append((int(parts[0][-4:]), parts[1].upper(), parts[0]))
    return sorted(chosen)


class _Ncei:
    """Whether NCEI answers: one folder listing per year; after a failure that is not a missing
    folder, it is not asked again in this run."""

    def __init__(self) -> None:
        self.dead: str | None = None
        self.years: dict[int, str | None] = {}

    def reachable(self, year: int) -> str | None:
        """None when the year's listing came; else why not."""
        if settings.offline():
            return f"downloads are off ({settings.OFFLINE_ENV}=1)"
        if self.dead is not None:
            return self.dead
        if year not in self.years:
            try:
                hursat.list_archives(hursat.year_url(year))
                self.years[year] = None
            except DownloadError as err:
                self.years[year] = f"NCEI answered {err.reason}" if err.status else f"NCEI unreachable: {err.reason}"
                if not err.not_found:
                    self.dead = self.years[year]
        return self.years[year]


def _mirrored_archive(out: Path, year: int, storm: str) -> Path | None:
    folder = out / hursat.NAME / str(year)
    for path in sorted(folder.glob("HURSAT_b1_v06_*.tar.gz")) if folder.is_dir() else ():
        try:
            name = hursat.ArchiveName.parse(path.name)
        except UsageError:
            continue
        if name.year == year and name.matches(storm):
            try:
                hursat.check_archive(path)
                return path
            except VerificationError as err:
                path.unlink(missing_ok=True)
                print(f"  - {path.relative_to(out)} failed its check and was removed: {err}", flush=True)
    return None


def _obtain_storm(year: int, storm: str, ncei: _Ncei) -> tuple[Path | None, str]:
    """The storm's checked archive in the cache, or None and why not."""
    why_not = ncei.reachable(year)
    try:
        if why_not is None:
            return hursat.fetch_storm(year, storm), ""
        # NCEI is out of reach: the cache and the mirrors only, without asking NCEI once per storm
        search = hursat._StormFetch(year, storm)                    # noqa: SLF001 (same project)
        found = search.from_cache() or search.from_mirrors()
        return found, "" if found else f"not in the cache or a mirror; {why_not}"
    except DatasetUnavailable as err:
        return None, (err.tried[-1] if err.tried else "no source had it")
    except UsageError as err:                                       # a name shared by several storms that year
        return None, str(err)


def mirror_hursat(build: Build, seasons: tuple[int, int] | None) -> None:
    print(f"{hursat.NAME}: HURSAT-B1 v06 archives of the lessons' storms", flush=True)
    if seasons is None:
        print("  not asked for (--hursat-seasons none)", flush=True)
        return
    tracks = [e for e in build.entries.values() if e.dataset == "hurdat2"]
    if not tracks:
        build.fail(UNAVAILABLE, "no HURDAT2 file in the mirror, so the storms to mirror are not known")
        return
    storms = lesson_storms(build.out / tracks[0].file, seasons)
    ncei = _Ncei()
    got = 0
    for year, storm, storm_id in storms:
        label = f"{year} {storm} ({storm_id})"
        if storm in NO_NAME:
            build.skipped.append({"dataset": hursat.NAME, "storm": label,
                                  "reason": "no name in HURDAT2; fetch it by its SID and import it by hand"})
            continue
        present = _mirrored_archive(build.out, year, storm)
        if present is not None:
            build.keep(present, hursat.NAME, f"HURSAT-B1 v06 infrared frames of {label}", "already in the mirror",
                       "the archive opens, its members pass the extraction rules, it holds netCDF frames")
            got += 1
            continue
        cached, why_not = _obtain_storm(year, storm, ncei)
        if cached is None:
            build.skipped.append({"dataset": hursat.NAME, "storm": label, "reason": why_not})
            continue
        origin = _archive_origin(cached)
        path = _publish(build.out / hursat.NAME / str(year), cached.name, _copy_into(cached), hursat.check_archive)
        build.add(path, hursat.NAME, f"HURSAT-B1 v06 infrared frames of {label}", f"copied from the cache's checked "
                  f"copy (obtained from {origin})",
                  "the archive opens, its members pass the extraction rules, it holds netCDF frames")
        got += 1
    skipped = [s for s in build.skipped if s["dataset"] == hursat.NAME]
    print(f"  {got} of {len(storms)} storms of {seasons[0]}-{seasons[1]} (within HURSAT-B1's "
          f"{HURSAT_YEARS[0]}-{HURSAT_YEARS[1]}) in the mirror; {len(skipped)} skipped:", flush=True)
    for item in skipped:
        print(f"    skipped {item['storm']}: {item['reason']}", flush=True)


def _archive_origin(cached: Path) -> str:
    """Where a cached archive came from (the data layer records it in its year folder)."""
    try:
        record = json.loads((cached.parent / core.SOURCES_FILE).read_text())
        return record.get(cached.name, {}).get("source", "?")
    except (OSError, ValueError):
        return "?"


# ------------------------------------------------------------ CFD flow sets
def course_flow_specs(modes: tuple[str, ...]) -> dict[str, object]:
    """The course's :class:`~bootcamp.cfd.flows.FlowsSpec` of each mode (``course_spec()`` with
    ``BOOTCAMP_QUICK`` set accordingly)."""
    from bootcamp.cfd import flows
    from bootcamp.config import QUICK_ENV

    specs = {}
    before = os.environ.get(QUICK_ENV)
    try:
        for mode in modes:
            os.environ[QUICK_ENV] = "1" if mode == "quick" else "0"
            specs[mode] = flows.course_spec()
    finally:
        if before is None:
            os.environ.pop(QUICK_ENV, None)
        else:
            os.environ[QUICK_ENV] = before
    return specs


def flow_sets(spec: object) -> list[tuple[str, object]]:
    """``(role, DatasetSpec)`` of every file a mode needs: the splits' generators and the locked set's."""
    from bootcamp.cfd import flows

    sets: list[tuple[str, object]] = []
    for split, (generator, _) in flows.split_specs(spec).items():       # type: ignore[arg-type]
        roles = [r for r, g in sets if g == generator]
        if roles:
            sets[[g for _, g in sets].index(generator)] = (f"{roles[0]}+{split}", generator)
        else:
            sets.append((split, generator))
    if spec.n_locked or spec.n_locked_unseen:                          # type: ignore[attr-defined]
        for generator in flows.locked_specs(spec):                    # type: ignore[arg-type]
            sets.append(("locked" + ("-aerofoils" if generator.families == ("naca",) else ""), generator))
    return sets


def _flow_what(mode: str, role: str, g: object) -> str:
    return (f"CFD flow set, {mode} mode, {role}: {g.n_samples} flows on {g.ny} x {g.nx} cells, "   # type: ignore[attr-defined]
            f"families {','.join(g.families)}, seed {g.seed}")                                 # type: ignore[attr-defined]


FLOW_CHECK = "reads completely (zip checksums), manifest of settings equals the course's, samples 0..n-1 on the grid"


def mirror_flows(build: Build, specs: dict[str, object], workers: int, progress: bool) -> None:
    from bootcamp.cfd import flows
    from bootcamp.cfd.dataset import Checkpoint, generate, save, solve_tasks

    folder = build.out / FLOWS
    for mode, spec in specs.items():
        sets = flow_sets(spec)
        print(f"{FLOWS}: {mode} mode, {len(sets)} files", flush=True)
        todo = []
        for role, g in sets:
            name = flows.file_name(g)                                 # type: ignore[arg-type]
            what = _flow_what(mode, role, g)
            target = folder / name
            if target.is_file():
                try:
                    flows.check_flow_file(target, g)                  # type: ignore[arg-type]
                    build.keep(target, FLOWS, what, "found in the mirror (made elsewhere, e.g. merged from the "
                               "Slurm array's shards); checked", FLOW_CHECK)
                    continue
                except flows.FlowFileError as err:
                    target.unlink(missing_ok=True)
                    print(f"  - {build.rel(target)} failed its check and was removed: {err}", flush=True)
            hit = _existing_flows(g, folder)
            if hit is not None:
                path = _publish(folder, name, _copy_into(hit), lambda p, g=g: flows.check_flow_file(p, g))
                build.add(path, FLOWS, what, f"copied from {hit} (checked)", FLOW_CHECK)
                continue
            todo.append((role, g, what))
        if len(todo) < len(sets):
            print(f"  kept {len(sets) - len(todo)} file(s), checked", flush=True)
        if not todo:
            continue
        checkpoint = Checkpoint(folder / PARTIAL)
        tasks = [(g, i) for _, g, _ in todo for i in range(g.n_samples)]       # type: ignore[attr-defined]
        kept = sum(checkpoint.path(g, i).is_file() for g, i in tasks)
        processes = max(1, min(workers, len(tasks) - kept))
        g0 = todo[0][1]
        seconds, how = flows.estimate_solve_seconds(g0.ny, g0.nx, len(tasks) - kept, processes,  # type: ignore
                                                    max(g.max_steps for _, g, _ in todo))       # type: ignore
        print(f"  solving {len(tasks) - kept} flows ({kept} kept from an interrupted run) in {processes} processes: "
              f"about {flows._duration(seconds)} here (estimate: {how}). Interrupting keeps what is solved "
              f"(in {build.rel(checkpoint.folder)}/): run the same command again to go on.", flush=True)
        if mode == "full":
            print("  On a Slurm cluster, make them in shards instead: `python -m data_scripts mirror --out "
                  f"{build.out} --cluster-commands` prints a cluster/submit-flows.sh command per set "
                  "(cluster/flows-array.sbatch, then the merge into this folder).", flush=True)
        start = time.perf_counter()
        for _ in solve_tasks(tasks, workers, progress, f"{mode} flows", checkpoint):
            pass
        spent = time.perf_counter() - start
        for role, g, what in todo:
            # every flow is in the checkpoint now: generate() only reads them back and stacks them
            # (its "resumed ... flows" line would only confuse here)
            with contextlib.redirect_stdout(io.StringIO()):
                data = generate(**asdict(g), workers=1, progress=False,           # type: ignore[call-overload]
                                checkpoint=checkpoint.folder)

            def make(part: Path, data: dict = data) -> None:
                save(data, part)

            path = _publish(folder, flows.file_name(g), make, lambda p, g=g: flows.check_flow_file(p, g))
            checkpoint.discard(g)                                      # type: ignore[arg-type]
            build.add(path, FLOWS, what, f"solved here by the course's generator (bootcamp.cfd.dataset), "
                      f"{processes} processes ({len(tasks) - kept} flows of this mode in {spent:.0f} s)", FLOW_CHECK)


def _existing_flows(g: object, mirror_folder: Path) -> Path | None:
    """A checked copy of the set in the cache or a mirror (``bootcamp.cfd.flows``' own search), never
    the mirror being built."""
    from bootcamp.cfd import flows
    from bootcamp.data import cache_dir

    cache = cache_dir() / flows.CACHE_FOLDER
    cache.mkdir(parents=True, exist_ok=True)
    hit = flows._locate(g, cache, download=True)                         # noqa: SLF001 (same project)
    if hit is None or hit[0].resolve().parent == mirror_folder.resolve():
        return None
    return hit[0]


def cluster_commands(out: Path, spec: object) -> list[str]:
    """One ``cluster/submit-flows.sh`` command per full-mode flow set, merging into ``out/cfd-flows/``."""
    from bootcamp.cfd import flows
    from bootcamp.cfd.dataset import DatasetSpec

    lines = []
    for role, g in flow_sets(spec):
        if (g.u_max, g.check_every) != (DatasetSpec.u_max, DatasetSpec.check_every):     # type: ignore
            raise UsageError(f"the {role} set's u_max or check_every differ from the generator's defaults, "
                             "which cluster/flows-array.sbatch cannot change")
        target = (out / FLOWS / flows.file_name(g)).resolve()                               # type: ignore
        lines.append(f"# {role}: {g.n_samples} flows\n"                                     # type: ignore
                     f"N={g.n_samples} SEED={g.seed} NY={g.ny} NX={g.nx} NU={g.nu!r} TOL={g.tol!r} "  # type: ignore
                     f"MAX_STEPS={g.max_steps} FAMILIES={','.join(g.families)} "           # type: ignore
                     f"FLOWS_FILE={target} cluster/submit-flows.sh")
    return lines


# ------------------------------------------------------------ the attendee's view
@contextlib.contextmanager
def _attendee(out: Path) -> Iterator[Path]:
    """The environment of an attendee's machine: an empty cache, this mirror alone, no downloads."""
    names = (settings.CACHE_ENV, settings.MIRRORS_ENV, settings.OFFLINE_ENV, settings.HURDAT2_FILE_ENV)
    before = {n: os.environ.get(n) for n in names}
    system = settings.SYSTEM_MIRRORS
    with tempfile.TemporaryDirectory(prefix="mirror-check-") as scratch:
        os.environ.update({settings.CACHE_ENV: scratch, settings.MIRRORS_ENV: str(out), settings.OFFLINE_ENV: "1"})
        os.environ.pop(settings.HURDAT2_FILE_ENV, None)
        settings.SYSTEM_MIRRORS = ()
        try:
            yield Path(scratch)
        finally:
            settings.SYSTEM_MIRRORS = system
            for n, v in before.items():
                if v is None:
                    os.environ.pop(n, None)
                else:
                    os.environ[n] = v


def self_check(build: Build, specs: dict[str, object], only: set[str] | None = None) -> None:
    """Load every dataset (or those in ``only``) from the mirror alone, as the lessons will."""
    from bootcamp.cfd import flows

    which = "every dataset" if only is None else "the datasets with new files"
    print(f"self-check: {which} from this folder alone (empty cache, downloads off)", flush=True)
    out = str(build.out)
    wanted = (lambda name: True) if only is None else (lambda name: name in only)
    with _attendee(build.out):
        for name in WHOLE + OPTIONAL:
            if not wanted(name) or not any(e.dataset == name for e in build.entries.values()):
                continue
            try:
                paths = core.fetch(name)
                sources = [core.sources_used(name)[p.name]["source"] for p in paths.values()]
                if not all(s.startswith(out + os.sep) for s in sources):
                    raise VerificationError(f"loaded from {sources}, not from the mirror")
                print(f"  {name}: ok", flush=True)
            except (DataError, KeyError) as err:
                build.fail(VERIFICATION, f"{name} does not load from the mirror: {err}")
        for entry in [e for e in build.entries.values() if e.dataset == hursat.NAME and wanted(hursat.NAME)]:
            # where fetch_storm looks in a mirror folder, without copying archives of many GB once more
            archive = hursat.ArchiveName.parse(Path(entry.file).name)
            folders = hursat._mirror_folders(build.out, archive.year)            # noqa: SLF001 (same project)
            listed = [n for folder in folders[:1] for n, _ in hursat._archives_in(folder)]   # noqa: SLF001
            if hursat._pick(listed, archive.sid, archive.year, out) != archive:      # noqa: SLF001
                build.fail(VERIFICATION, f"{entry.file} is not where fetch_storm looks in a mirror")
        storms = sum(e.dataset == hursat.NAME for e in build.entries.values())
        if storms and wanted(hursat.NAME):
            print(f"  {hursat.NAME}: {storms} storm(s) ok", flush=True)
        cache = Path(os.environ[settings.CACHE_ENV]) / flows.CACHE_FOLDER
        cache.mkdir(parents=True, exist_ok=True)
        for mode, spec in specs.items() if wanted(FLOWS) else ():
            bad = 0
            for role, g in flow_sets(spec):
                hit = flows._locate(g, cache, download=False)                  # noqa: SLF001 (same project)
                if hit is None or not hit[0].is_relative_to(build.out):
                    bad += 1
                    build.fail(VERIFICATION, f"{FLOWS}: the {mode}-mode {role} set does not load from the mirror")
            if not bad:
                print(f"  {FLOWS}, {mode} mode: ok", flush=True)


# ------------------------------------------------------------ the manifest
def _read_manifest(out: Path) -> tuple[dict[str, dict], str]:
    """The files an earlier run listed (by path) and the outcome of its self-check."""
    try:
        record = json.loads((out / MANIFEST).read_text())
        files = {f["file"]: f for f in record.get("files", []) if isinstance(f, dict) and "file" in f}
        return files, str(record.get("self_check", ""))
    except (OSError, ValueError, AttributeError):
        return {}, ""


def write_manifest(build: Build, modes: tuple[str, ...]) -> bool:
    """Write MANIFEST.json (atomically) when its content changed; True if it was written."""
    files = []
    for rel in sorted(build.entries):
        entry = build.entries[rel]
        path = build.out / rel
        entry.size = path.stat().st_size
        entry.sha256 = _sha256(path)
        old = build.old.get(rel, {})
        entry.made = old.get("made", "") if old.get("sha256") == entry.sha256 else _now()
        if old.get("sha256") == entry.sha256 and rel in build.added:
            entry.how = old.get("how", entry.how)           # the same bytes made again: keep the first account
        files.append(asdict(entry))
    record = {
        "what": "Offline mirror of the deep-learning bootcamp's datasets, made by `python -m data_scripts mirror`",
        "use": "export BOOTCAMP_MIRRORS=<this folder>, or serve it (python -m http.server --bind ADDRESS "
               "--directory <this folder>) and export BOOTCAMP_MIRRORS=http://ADDRESS:8000",
        "modes": list(modes),
        "total_bytes": sum(f["size"] for f in files),
        "self_check": "passed" if build.code == OK else "failed",
        "files": files,
        "skipped": sorted(build.skipped, key=lambda s: (s["dataset"], s.get("storm", ""))),
    }
    text = json.dumps(record, indent=1) + "\n"
    target = build.out / MANIFEST
    if target.is_file() and target.read_text() == text:
        return False
    _publish(build.out, MANIFEST, lambda part: part.write_text(text), lambda part: json.loads(part.read_text()))
    return True


# ------------------------------------------------------------ the command
def build(out: Path | str, *, quick_only: bool = False, workers: int | None = None,
          hursat_seasons: tuple[int, int] | None | str = "lessons", flow_specs: dict[str, object] | None = None,
          progress: bool = True) -> int:
    """Build or complete the mirror in ``out``; returns the exit code (see the module docstring).

    ``hursat_seasons``: ``"lessons"`` (the seasons of the modes mirrored), ``None`` (no HURSAT-B1), or
    ``(first, last)``. ``flow_specs`` replaces the course's flow sets (tests: tiny ones).
    """
    started = time.perf_counter()
    out = Path(out).expanduser().resolve()
    modes = ("quick",) if quick_only else MODES
    workers = workers or os.cpu_count() or 1
    specs = flow_specs if flow_specs is not None else course_flow_specs(modes)
    if hursat_seasons == "lessons":
        from bootcamp.cyclone.dataset import FULL_SEASONS, QUICK_SEASONS

        hursat_seasons = QUICK_SEASONS if quick_only else FULL_SEASONS
    out.mkdir(parents=True, exist_ok=True)
    with _exclusive(out):
        _remove_stale_parts(out)
        run = Build(out, *_read_manifest(out))
        print(f"mirror: {out} ({' and '.join(modes)} mode; {workers} solver processes)", flush=True)
        for name in WHOLE:
            mirror_whole(run, name)
        for name in OPTIONAL:
            mirror_whole(run, name, optional=True)
        mirror_hursat(run, hursat_seasons)                               # type: ignore[arg-type]
        mirror_flows(run, specs, workers, progress)
        # An earlier run's self-check found every file it listed where it lies, and each was checked
        # in place above: only the datasets with new files need loading again.
        again = None if run.old_check != "passed" or run.code != OK else {run.entries[r].dataset for r in run.added}
        if again == set():
            print("self-check: passed before, and nothing was added since", flush=True)
        else:
            self_check(run, specs, again)
        changed = write_manifest(run, modes)
        total = sum(e.size for e in run.entries.values())
    storms_skipped = sum(item["dataset"] == hursat.NAME for item in run.skipped)
    others_skipped = "".join(f", {item['dataset']} skipped" for item in run.skipped if item["dataset"] != hursat.NAME)
    print(f"mirror: {len(run.entries)} files, {_mb(total)}: {len(run.added)} added, {len(run.kept)} kept (checked); "
          f"{storms_skipped} HURSAT-B1 storm(s) skipped{others_skipped}; "
          f"MANIFEST.json {'written' if changed else 'unchanged'}; "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    if not run.added and not changed:
        print("mirror: nothing new: every file was there and passed its check", flush=True)
    print(f"use it: export {settings.MIRRORS_ENV}={out}   or serve it: "
          f"python -m http.server 8000 --bind ADDRESS --directory {out}", flush=True)
    return run.code


def _seasons(text: str) -> tuple[int, int] | None | str:
    if text in ("lessons", "none"):
        return None if text == "none" else text
    try:
        first, _, last = text.partition("-")
        seasons = int(first), int(last or first)
        if seasons[0] > seasons[1]:
            raise ValueError
        return seasons
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hursat-seasons takes FIRST-LAST, 'lessons' or 'none', not {text!r}") \
            from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m data_scripts mirror",
        description="Build or complete an offline mirror of every dataset of the course in one folder.",
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="the mirror folder (made if missing)")
    p.add_argument("--quick-only", action="store_true", help="quick mode's flow sets only (minutes, not hours)")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="solver processes for the flow sets (default: one per CPU core)")
    p.add_argument("--hursat-seasons", type=_seasons, default="lessons", metavar="FIRST-LAST",
                   help="HURSAT-B1 storms of these seasons; 'lessons' (default: the seasons of the modes "
                        "mirrored) or 'none'")
    p.add_argument("--cluster-commands", action="store_true",
                   help="print the Slurm commands that make full mode's flow sets into DIR, build nothing")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return OK if exit_.code in (0, None) else USAGE
    if args.jobs is not None and args.jobs < 1:
        print("error: -j needs at least 1", file=sys.stderr)
        return USAGE
    try:
        if args.cluster_commands:
            print("\n".join(cluster_commands(args.out.expanduser(), course_flow_specs(("full",))["full"])))
            print(f"# then: make mirror DIR={args.out} (checks the merged files and records them)")
            return OK
        return build(args.out, quick_only=args.quick_only, workers=args.jobs, hursat_seasons=args.hursat_seasons,
                     progress=not args.quiet)
    except (UsageError, ValueError) as err:          # ValueError: e.g. a malformed BOOTCAMP_HURDAT2_FILE
        print(f"error: {err}", file=sys.stderr)
        return USAGE
    except (DataError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return FAILED
    except KeyboardInterrupt:
        print("\ninterrupted: run the same command again to go on (solved flows are kept)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
