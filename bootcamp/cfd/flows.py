"""The course's flow data set: one spec, made once, cached, shared by all six CFD notebooks.

:func:`course_spec` picks the sizes by run mode (``bootcamp.choose``); every
notebook calls :func:`load_flows` with it and gets the same four splits:

* ``train`` and ``val`` - ellipses, rectangles and polygons (one seeded set,
  cut in two),
* ``test`` - more shapes of the same families, from another seed,
* ``unseen`` - NACA aerofoils, a family no model is trained on.

The competition (notebook 6) is scored on a fifth set, the **locked** set:
shapes of all four families from seeds of their own, made only when
:func:`load_locked_set` is called. Only the competition notebook calls it
(``tests/test_honesty.py`` fails if another master does), so no lesson has
trained, tuned or scored anything on those flows before the competition.

Each split is one ``.npz`` file in ``<cache>/cfd-flows/`` named by a hash of
its :class:`~bootcamp.cfd.dataset.DatasetSpec`. A file found there is loaded;
else one found under ``cfd-flows/`` in a mirror of ``BOOTCAMP_MIRRORS`` (a
folder is read where it is, an ``http(s)://`` mirror is downloaded into the
cache); else the splits are solved - all of them in one pool of processes,
after a message that estimates how long that takes here - and saved
atomically (flows that a saved set with the same settings but another size
already holds are taken from it, not solved again). Every file is checked
before it is used (:func:`check_flow_file`: it reads completely, and the
manifest of settings inside it equals the spec's); a mirror's file that
fails is refused with a message and not used. A lock file makes a second
notebook that asks at the same time wait for the first, then load its files
instead of solving again. ``make mirror DIR=...`` (``python -m data_scripts
mirror``) builds a workshop mirror holding both modes' files.

Arrays given to the models are scaled to order one: velocities divided by the
inflow peak ``u_max`` and the signed distance by the channel height ``ny``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bootcamp.cfd.dataset import PER_SAMPLE_KEYS, UNREADABLE, Checkpoint, DatasetSpec, _stack, load, save, solve_tasks
from bootcamp.cfd.lbm import parabolic_profile
from bootcamp.cfd.shapes import FAMILIES
from bootcamp.data.files import locked

__all__ = [
    "FlowData",
    "FlowFileError",
    "FlowSplit",
    "FlowsSpec",
    "check_flow_file",
    "course_spec",
    "estimate_solve_seconds",
    "load_flows",
    "load_locked_set",
    "locked_specs",
    "mean_relative_l2",
    "relative_l2",
    "split_specs",
]

CACHE_FOLDER = "cfd-flows"
PARTIAL_FOLDER = ".partial"  # in the cache folder: flows solved by a run not yet finished
SPLITS = ("train", "val", "test", "unseen")
# Steps a course flow takes to converge from rest, as a multiple of nx: a rule of thumb from the
# course's flows, not a measurement of the flows at hand. With the interpolated wall, the 2,131 flows
# of the full set (128 x 256) took 12,799 steps on average (median 12,700, 8,800-17,200): 50 per
# column; 32 x 64 at tol 1e-4 takes 1,700-3,000 (27-47).
STEPS_PER_COLUMN = 50
# Above this estimate (seconds) the message before solving says how to avoid the wait.
LONG_SOLVE_SECONDS = 600
# What reading a damaged .npz can raise besides dataset.UNREADABLE (a corrupt deflate stream).
_DAMAGED = (*UNREADABLE, zlib.error)


@dataclass(frozen=True)
class FlowsSpec:
    """Sizes and physics of the course data set (lattice units)."""

    ny: int
    nx: int
    n_train: int
    n_val: int
    n_test: int
    n_unseen: int
    seed: int = 2016
    nu: float = 0.05
    u_max: float = 0.1
    tol: float = 1e-5
    max_steps: int = 30_000
    n_locked: int = 0  # the competition's locked set: shapes of the training families ...
    n_locked_unseen: int = 0  # ... and aerofoils (see load_locked_set)
    wall: str = "halfway"  # the solver's obstacle wall (see bootcamp.cfd.dataset.DatasetSpec)


def viscosity(ny: int) -> float:
    """The course's viscosity for a channel of ``ny`` rows: 0.05 up to 48 rows, then growing with ``ny``.

    Obstacles scale with the channel, so a fixed viscosity would raise the
    Reynolds number with the grid. Scaling it keeps the Reynolds number of
    the 48 x 96 grid, where the flows are steady; with 0.05 at 128 x 256 the
    Reynolds number is 2.7 times higher and most flows never settle
    (measured: 3 of 4 sample shapes still changing after 30,000 steps; with
    0.12 all 4 converged in 14,000-15,400 steps).
    """
    return 0.05 * max(1.0, ny / 48)


def course_spec() -> FlowsSpec:
    """The one data set every CFD notebook uses, sized by run mode.

    Full mode: 128 x 256 cells, the grid of Guo et al. (2016), 1,600
    training flows and a ninth as many (177) for validation, test and the
    unseen aerofoils each: the sizes of the run of
    ``benchmarks/full_mode_cfd.py`` that met both full-mode targets (2,131
    flows, hours on a CPU: make them once with the sharded command line, see
    ``docs/cfd.md``). Quick mode: 32 x 64 cells, 160 training flows and 240
    in all, made in 10-30 s on two cores. Both add a small locked set for the
    competition, and both solve with the interpolated wall (the obstacle's
    real outline, not the staircase of its cells; notebook 1 shows why).
    """
    import bootcamp

    return bootcamp.choose(
        full=FlowsSpec(ny=128, nx=256, n_train=1600, n_val=177, n_test=177, n_unseen=177, nu=viscosity(128),
                       n_locked=200, n_locked_unseen=100, wall="interpolated"),
        # tol 1e-4 instead of 1e-5 saves a third of the steps and changes the
        # fields by about 0.02% (measured), far below any network's error
        quick=FlowsSpec(ny=32, nx=64, n_train=160, n_val=32, n_test=32, n_unseen=16, tol=1e-4,
                        n_locked=16, n_locked_unseen=8, wall="interpolated"),
    )


def _common(spec: FlowsSpec) -> dict:
    return dict(ny=spec.ny, nx=spec.nx, nu=spec.nu, u_max=spec.u_max, tol=spec.tol, max_steps=spec.max_steps,
                wall=spec.wall)


def split_specs(spec: FlowsSpec) -> dict[str, tuple[DatasetSpec, slice]]:
    """The generator spec behind each split, and which of its samples the split takes."""
    common = _common(spec)
    seen = DatasetSpec(n_samples=spec.n_train + spec.n_val, seed=spec.seed, families=FAMILIES, **common)
    test = DatasetSpec(n_samples=spec.n_test, seed=spec.seed + 1, families=FAMILIES, **common)
    unseen = DatasetSpec(n_samples=spec.n_unseen, seed=spec.seed + 2, families=("naca",), **common)
    return {
        "train": (seen, slice(0, spec.n_train)),
        "val": (seen, slice(spec.n_train, spec.n_train + spec.n_val)),
        "test": (test, slice(None)),
        "unseen": (unseen, slice(None)),
    }


def locked_specs(spec: FlowsSpec) -> list[DatasetSpec]:
    """The generator specs of the competition's locked set: the training families and the aerofoils,
    each from a seed no other split uses (``seed + 3`` and ``seed + 4``)."""
    common = _common(spec)
    specs = []
    if spec.n_locked:
        specs.append(DatasetSpec(n_samples=spec.n_locked, seed=spec.seed + 3, families=FAMILIES, **common))
    if spec.n_locked_unseen:
        specs.append(DatasetSpec(n_samples=spec.n_locked_unseen, seed=spec.seed + 4, families=("naca",), **common))
    if not specs:
        raise ValueError("this spec has no locked set: give n_locked and/or n_locked_unseen")
    return specs


def file_name(spec: DatasetSpec) -> str:
    """Cache file name of a generator spec: its grid, families and a hash of every setting."""
    text = json.dumps(spec.record(), sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"flows-{spec.ny}x{spec.nx}-{'-'.join(spec.families)}-{spec.n_samples}-{digest}.npz"


@dataclass(frozen=True)
class FlowSplit:
    """Samples of one split: raw fields in lattice units plus model-ready arrays."""

    name: str
    mask: np.ndarray  # (n, ny, nx) bool, True in the obstacle
    sdf: np.ndarray  # (n, ny, nx) float32, cells, negative inside
    vx: np.ndarray  # (n, ny, nx) float32, lattice units
    vy: np.ndarray
    family: np.ndarray  # (n,) str
    steps: np.ndarray  # (n,) solver steps to converge
    solve_seconds: np.ndarray  # (n,) solver wall time, one thread
    converged: np.ndarray
    u_max: float

    def __len__(self) -> int:
        return len(self.mask)

    def inputs(self, kind: str = "sdf") -> np.ndarray:
        """``(n, ny, nx, 2)`` float32 model inputs.

        Channel 0 describes the obstacle: its signed distance divided by the
        channel height (``kind="sdf"``) or the mask as 0/1 (``kind="mask"``).
        Channel 1 is the same for every sample: the inflow parabola divided by
        ``u_max`` (0 at the walls, 1 on the centre line), copied to every
        column. It tells a convolutional network where the walls are, which a
        convolution, looking at a small window, cannot know by itself.
        """
        if kind == "sdf":
            shape = self.sdf / self.sdf.shape[1]
        elif kind == "mask":
            shape = self.mask.astype(np.float32)
        else:
            raise ValueError(f"kind must be 'sdf' or 'mask', not {kind!r}")
        n, ny, nx = self.mask.shape
        walls = np.broadcast_to((parabolic_profile(ny, 1.0))[None, :, None], (n, ny, nx))
        return np.stack([shape, walls], axis=-1).astype(np.float32)

    def targets(self) -> np.ndarray:
        """``(n, ny, nx, 2)`` float32: ``(vx, vy) / u_max``."""
        return (np.stack([self.vx, self.vy], axis=-1) / self.u_max).astype(np.float32)


@dataclass(frozen=True)
class FlowData:
    """The four splits of the course data set and where they came from."""

    spec: FlowsSpec
    train: FlowSplit
    val: FlowSplit
    test: FlowSplit
    unseen: FlowSplit
    files: dict[str, Path]
    generated_seconds: float  # 0 when every file came from the cache

    def summary(self) -> str:
        lines = [f"grid {self.spec.ny} x {self.spec.nx} (ny x nx), u_max {self.spec.u_max}, nu {self.spec.nu}"]
        for name in SPLITS:
            split: FlowSplit = getattr(self, name)
            families = ", ".join(f"{f} {n}" for f, n in zip(*np.unique(split.family, return_counts=True)))
            lines.append(f"  {name:<6} {len(split):>5} flows ({families})")
        how = f"solved in {self.generated_seconds:.0f} s" if self.generated_seconds else "loaded from the cache"
        lines.append(f"  {how}: {self.files['train'].parent}")
        return "\n".join(lines)


def load_flows(spec: FlowsSpec | None = None, *, workers: int | None = None, progress: bool = True) -> FlowData:
    """The course data set: from the cache or a mirror, else solved now and cached.

    ``spec`` defaults to :func:`course_spec`. Safe to call from several
    processes at once: one solves, the others wait and load. The locked set
    is not part of it (:func:`load_locked_set`).
    """
    spec = course_spec() if spec is None else spec
    parts = split_specs(spec)
    generators = list({id(g): g for g, _ in parts.values()}.values())  # train and val share one
    arrays, paths, seconds = _load_or_make(generators, workers, progress)
    files = {name: paths[id(g)] for name, (g, _) in parts.items()}
    splits = {name: _split(name, arrays[id(g)], cut, spec.u_max) for name, (g, cut) in parts.items()}
    return FlowData(spec=spec, files=files, generated_seconds=seconds, **splits)


def load_locked_set(spec: FlowsSpec | None = None, *, workers: int | None = None,
                    progress: bool = True) -> FlowSplit:
    """The competition's locked flows, one split: the training families first, then the aerofoils.

    Made from seeds of their own (:func:`locked_specs`), so none of them is
    a training, validation, test or unseen flow, and cached like the other
    splits; solved on first use only. Only the competition notebook calls
    this function: every other lesson chooses on validation and scores on
    ``test`` and ``unseen``.
    """
    spec = course_spec() if spec is None else spec
    generators = locked_specs(spec)
    arrays, paths, _ = _load_or_make(generators, workers, progress)
    parts = [_split("locked", arrays[id(g)], slice(None), spec.u_max) for g in generators]
    return FlowSplit(name="locked", u_max=spec.u_max,
                     **{key: np.concatenate([getattr(p, key) for p in parts]) for key in _SPLIT_ARRAYS})


def relative_l2(predicted: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Relative L2 error of each predicted velocity field, ``(n,)``.

    ``||u_pred - u_true|| / ||u_true||`` over every cell and both components
    of one sample; arrays are ``(n, ny, nx, 2)`` (or ``(n, ...)`` of any shape).
    """
    predicted = np.asarray(predicted, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    if predicted.shape != true.shape:
        raise ValueError(f"predicted fields have shape {predicted.shape}, the true ones {true.shape}")
    n = len(true)
    error = np.linalg.norm((predicted - true).reshape(n, -1), axis=1)
    size = np.linalg.norm(true.reshape(n, -1), axis=1)
    if np.any(size == 0):
        raise ValueError("a true field is zero everywhere: its relative error is undefined")
    return error / size


def mean_relative_l2(predicted: np.ndarray, true: np.ndarray) -> float:
    """The competition score: the mean over samples of :func:`relative_l2` (lower is better)."""
    return float(np.mean(relative_l2(predicted, true)))


class FlowFileError(ValueError):
    """A flow-set file that cannot be used: damaged (``kind="damaged"``), made with other settings
    (``"settings"``) or not holding the samples its manifest announces (``"samples"``)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def check_flow_file(path: str | os.PathLike, spec: DatasetSpec) -> dict[str, np.ndarray]:
    """The arrays of the flow-set file ``path`` for generator spec ``spec``, once checked.

    The file must read completely (every member of the ``.npz``, whose zip
    checksums catch damage), its manifest must equal ``spec``'s settings,
    and it must hold samples ``0 .. n_samples - 1`` on the spec's grid.
    Raises :class:`FlowFileError` saying which of these failed; a file of
    another data set names the settings that differ.
    """
    path = Path(path)
    try:
        data, manifest = load(path)
    except _DAMAGED as err:
        raise FlowFileError(f"{path}: damaged or not a flow-set file ({type(err).__name__}: {err})",
                            "damaged") from None
    wanted = _manifest(spec)
    if manifest != wanted:
        differ = sorted(k for k in wanted.keys() | manifest.keys() if wanted.get(k) != manifest.get(k))
        detail = "; ".join(f"{k} {manifest.get(k)!r} instead of {wanted.get(k)!r}" for k in differ)
        raise FlowFileError(f"{path} was made with other settings ({detail})", "settings")
    n, grid = spec.n_samples, (spec.ny, spec.nx)
    shapes_ok = all(data[k].shape == (n, *grid) for k in ("mask", "sdf", "vx", "vy")) and \
        all(data[k].shape == (n,) for k in PER_SAMPLE_KEYS if k not in ("mask", "sdf", "vx", "vy"))
    if not shapes_ok or not np.array_equal(data["index"], np.arange(n)):
        raise FlowFileError(f"{path}: its manifest announces samples 0..{n - 1} on {grid[0]} x {grid[1]} cells, "
                            f"but it holds {len(data['index'])} samples of shape {data['mask'].shape[1:]}",
                            "samples")
    return data


def estimate_solve_seconds(ny: int, nx: int, n_flows: int, processes: int,
                           max_steps: int | None = None) -> tuple[float, str]:
    """About how long solving ``n_flows`` flows of ``ny`` x ``nx`` cells takes here, and how that was worked out.

    The solver's time per step is measured on this machine (a fraction of a
    second, one thread, as each worker process uses); a flow is taken to
    need about ``STEPS_PER_COLUMN * nx`` steps, a rule of thumb from the
    course's flows, not a measurement. The flows are shared among
    ``processes`` processes. Returns ``(seconds, explanation)``.
    """
    from bootcamp.cfd.lbm import Simulation, warm_up

    import numba

    steps = STEPS_PER_COLUMN * nx if max_steps is None else min(STEPS_PER_COLUMN * nx, max_steps)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        warm_up()
        sim = Simulation(np.zeros((ny, nx), dtype=bool))
        sim.run(10)
        done, start = 0, time.perf_counter()
        while done < 20 or time.perf_counter() - start < 0.2:
            sim.run(10)
            done += 10
        per_step = (time.perf_counter() - start) / done
    finally:
        numba.set_num_threads(threads)
    per_flow = per_step * steps
    seconds = per_flow * n_flows / max(1, processes)
    how = (f"{per_flow:.2g} s per flow and process: the solver's speed measured just now on one core "
           f"({per_step * 1e3:.2g} ms per step) times about {steps:,} steps per flow (a rule of thumb)")
    return seconds, how


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


# --------------------------------------------------------------------------- internals

_SPLIT_ARRAYS = ("mask", "sdf", "vx", "vy", "family", "steps", "solve_seconds", "converged")


def _load_or_make(generators: list[DatasetSpec], workers: int | None, progress: bool):
    """Arrays and file of each generator spec (keyed by ``id``), from the cache or a mirror, else solved
    (all missing ones in one pool, under the lock) and cached; and the seconds spent solving."""
    folder = _cache_folder()
    seconds = 0.0
    found = {id(g): _locate(g, folder, download=False) for g in generators}
    if any(v is None for v in found.values()):
        _refuse_in_a_starting_worker()
        lock = folder / ".generate.lock"
        with locked(lock, waiting=f"waiting for another process that is solving this data set (lock: {lock}) ..."):
            for g in generators:  # another process may have made them meanwhile; URL mirrors are tried now
                if found[id(g)] is None:
                    found[id(g)] = _locate(g, folder, download=True)
            missing = [g for g in generators if found[id(g)] is None]
            if missing:
                seconds = _generate(missing, folder, workers, progress)
                for g in missing:
                    found[id(g)] = _locate(g, folder, download=False)
    arrays, paths = {}, {}
    for g in generators:
        hit = found[id(g)]
        assert hit is not None
        paths[id(g)], arrays[id(g)] = hit
    return arrays, paths, seconds


def _cache_folder() -> Path:
    from bootcamp.data import cache_dir

    folder = cache_dir() / CACHE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _manifest(spec: DatasetSpec) -> dict:
    """The manifest a complete file of ``spec`` carries (as read back from JSON)."""
    return {**json.loads(json.dumps(spec.record())), "shard": [0, 1]}


def _locate(spec: DatasetSpec, folder: Path, *, download: bool) -> tuple[Path, dict[str, np.ndarray]] | None:
    """The checked file of ``spec`` and its arrays: from the cache, else a directory mirror's ``cfd-flows/``
    (read in place), else, with ``download``, an ``http(s)://`` mirror's (downloaded into the cache).

    A damaged cache file is removed; one made with other settings is an error (it cannot come from
    this code). A mirror's file that fails its check is refused with a message, and the next source
    is tried.
    """
    from bootcamp.data import mirrors, offline
    from bootcamp.data.settings import OFFLINE_ENV, is_url

    name = file_name(spec)
    cached = folder / name
    if cached.is_file():
        try:
            return cached, check_flow_file(cached, spec)
        except FlowFileError as err:
            if err.kind == "settings":
                raise FlowFileError(f"{err}; delete it to make it again", err.kind) from None
            cached.unlink(missing_ok=True)
            print(f"cfd-flows: {err}; removed from the cache", flush=True)
    for mirror in mirrors():
        if not is_url(mirror):
            path = Path(mirror).expanduser() / CACHE_FOLDER / name
            if path.is_file():
                try:
                    return path, check_flow_file(path, spec)
                except FlowFileError as err:
                    print(f"cfd-flows: mirror file refused, not used: {err}", flush=True)
        elif download and offline():
            print(f"cfd-flows: mirror {mirror} skipped ({OFFLINE_ENV}=1 forbids network access)", flush=True)
        elif download:
            hit = _download(spec, f"{mirror.rstrip('/')}/{CACHE_FOLDER}/{name}", cached)
            if hit is not None:
                return hit
    return None


def _download(spec: DatasetSpec, url: str, target: Path) -> tuple[Path, dict[str, np.ndarray]] | None:
    """Download ``url`` into a temporary file beside ``target``, check it, then rename it to ``target``."""
    from bootcamp.data import transfer
    from bootcamp.data.errors import DownloadError
    from bootcamp.data.files import replacing

    try:
        with replacing(target) as part:
            transfer.download(url, part, label=f"cfd-flows: {target.name}")
            data = check_flow_file(part, spec)
    except DownloadError as err:
        if not err.not_found:
            print(f"cfd-flows: mirror download failed: {err}", flush=True)
        return None
    except FlowFileError as err:
        print(f"cfd-flows: mirror file refused, not used: {str(err).replace(str(part), url)}", flush=True)
        return None
    print(f"cfd-flows: {target.name} downloaded from {url} and checked (settings and samples)", flush=True)
    return target, data


def _search_folders(folder: Path) -> list[Path]:
    """The cache folder, then ``cfd-flows/`` in each directory mirror."""
    from bootcamp.data import mirrors
    from bootcamp.data.settings import is_url

    return [folder] + [Path(m).expanduser() / CACHE_FOLDER for m in mirrors() if not is_url(m)]


def _refuse_in_a_starting_worker() -> None:
    """Fail, instead of waiting forever, when a worker process runs the caller's script.

    The solver's workers are started with ``spawn``: each imports the main
    script again. A script that calls :func:`load_flows` at its top level,
    without ``if __name__ == "__main__":``, would call it again in every
    worker, which would then wait for the lock its own parent holds.
    """
    import multiprocessing

    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(
            "load_flows() was called while a solver worker process was starting: the script that calls it runs "
            "again in every worker. Put the script's top-level code under `if __name__ == \"__main__\":` "
            "(notebooks need nothing), or pass workers=1."
        )


def _generate(specs: list[DatasetSpec], folder: Path, workers: int | None, progress: bool) -> float:
    start = time.perf_counter()
    tasks = [(g, i) for g in specs for i in range(g.n_samples)]
    workers = (os.cpu_count() or 1) if workers is None else workers
    samples: list[dict | None] = [None] * len(tasks)
    ny, nx = specs[0].ny, specs[0].nx
    checkpoint = Checkpoint(folder / PARTIAL_FOLDER)
    for g in specs:
        _reuse_saved(g, folder, checkpoint)
    kept = sum(checkpoint.path(g, i).is_file() for g, i in tasks)
    todo = len(tasks) - kept
    where = _where_looked(folder)
    if todo:
        processes = min(workers, todo)
        earlier = f" ({kept} of {len(tasks)} kept from earlier runs are read back)" if kept else ""
        seconds, how = estimate_solve_seconds(ny, nx, todo, processes, max(g.max_steps for g in specs))
        print(f"No saved copy of these flows in {where}: solving {todo} flows of {ny} x {nx} cells{earlier} "
              f"in {processes} processes, about {_duration(seconds)} on this machine (estimate: {how}). "
              "Interrupting loses nothing solved: the next call goes on from there.", flush=True)
        if seconds > LONG_SOLVE_SECONDS:
            print(_long_solve_advice(seconds), flush=True)
    else:
        print(f"No saved copy of these flows in {where}, but all {kept} were solved earlier: "
              "nothing to solve, caching them.", flush=True)
    for number, sample in solve_tasks(tasks, workers, progress, f"solving {len(tasks)} flows", checkpoint):
        samples[number] = sample
    offset = 0
    for g in specs:
        own = samples[offset : offset + g.n_samples]
        offset += g.n_samples
        manifest = {**g.record(), "shard": [0, 1]}
        save(_stack(own, manifest, (g.ny, g.nx)), folder / file_name(g))  # type: ignore[arg-type]
        checkpoint.discard(g)
    return time.perf_counter() - start


def _reuse_saved(spec: DatasetSpec, folder: Path, checkpoint: Checkpoint) -> None:
    """Put the flows of ``spec`` that a saved set of another size already holds into ``checkpoint``.

    Sample ``i`` depends on every setting but ``n_samples``, so a data set
    made with the same settings and fewer (or more) flows - in the cache or a
    directory mirror - holds the first flows of this one: growing the set
    from 800 to 1,600 training flows solves only the new ones. Files that do
    not load, or were made with other settings, are passed over.
    """
    wanted = {k: v for k, v in json.loads(json.dumps(spec.record())).items() if k != "n_samples"}
    pattern = f"flows-{spec.ny}x{spec.nx}-{'-'.join(spec.families)}-*.npz"
    for path in sorted(p for base in _search_folders(folder) for p in base.glob(pattern)):
        try:
            with np.load(path, allow_pickle=False) as archive:
                manifest = json.loads(str(archive["manifest"]))
                if {k: v for k, v in manifest.items() if k not in ("n_samples", "shard")} != wanted:
                    continue
                index = archive["index"]
                keep = [j for j, i in enumerate(index)
                        if i < spec.n_samples and not checkpoint.path(spec, int(i)).exists()]
                if not keep:
                    continue
                arrays = {key: archive[key][keep] for key in PER_SAMPLE_KEYS}
        except UNREADABLE:
            continue
        for j in range(len(keep)):
            checkpoint.put(spec, {key: arrays[key][j] for key in PER_SAMPLE_KEYS})
        print(f"reusing {len(keep)} flows of {path.name}, a saved set made with the same settings", flush=True)


def _where_looked(folder: Path) -> str:
    from bootcamp.data import mirrors
    from bootcamp.data.settings import MIRRORS_ENV

    listed = " ".join(mirrors())
    return f"the cache ({folder}) or a mirror ({MIRRORS_ENV}: {listed or 'none set'})"


def _long_solve_advice(seconds: float) -> str:
    """What to do instead of waiting: said before a long solve starts, which it does all the same."""
    from bootcamp.config import QUICK_ENV, is_quick
    from bootcamp.data.settings import MIRRORS_ENV

    lines = [
        f"This is a long wait (about {_duration(seconds)}). It starts now: to wait, let it run. To stop it, "
        "use Kernel > Interrupt (or Ctrl-C); nothing solved is lost. Faster ways:",
        f"  * in a workshop, your instructor's mirror holds these flows: run `%env {MIRRORS_ENV}=ADDRESS` in a "
        "cell with the folder or http:// address they give, then this cell again (instructors: "
        "`make mirror DIR=...`, see docs/instructors.md);",
    ]
    if not is_quick():
        lines.append(f"  * quick mode uses a small set, solved in about a minute or less: run `%env {QUICK_ENV}=1` "
                     "in a cell, then Run > Run All Cells;")
    lines.append("  * on a cluster, make the flows in shards (cluster/submit-flows.sh, docs/cfd.md) and copy the "
                 "files into the cache's or a mirror's cfd-flows/ folder.")
    return "\n".join(lines)


def _split(name: str, data: dict[str, np.ndarray], cut: slice, u_max: float) -> FlowSplit:
    return FlowSplit(
        name=name,
        mask=data["mask"][cut],
        sdf=data["sdf"][cut],
        vx=data["vx"][cut],
        vy=data["vy"][cut],
        family=data["family"][cut],
        steps=data["steps"][cut],
        solve_seconds=data["solve_seconds"][cut],
        converged=data["converged"][cut],
        u_max=u_max,
    )
