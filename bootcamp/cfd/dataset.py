"""Make the flow data set: random obstacles, their SDF, and the steady flow round them.

Sample ``i`` of a data set with seed ``s`` draws its obstacle from
``np.random.default_rng([s, i])``, so any subset of samples (a shard) can be
made on its own and still match the samples of a single run bit for bit.

Command line::

    python -m bootcamp.cfd.dataset --n 64 --seed 0 --ny 64 --nx 128 --out flows.npz
    python -m bootcamp.cfd.dataset --n 64 --seed 0 --ny 64 --nx 128 --shard 0/4 --out part0.npz
    python -m bootcamp.cfd.dataset merge --out flows.npz part0.npz part1.npz part2.npz part3.npz

An interrupted run (Ctrl-C, a killed job) loses at most the flows being
solved at that moment: every solved sample is also written at once to a
checkpoint folder beside the output (``.flows.npz.partial/``), the same
command run again reads those back instead of solving them, and the folder
is removed once the output file is complete.

The ``.npz`` file holds plain arrays only (it loads with
``allow_pickle=False``): ``index``, ``mask``, ``sdf``, ``vx``, ``vy``,
``steps``, ``converged``, ``solve_seconds``, ``family``, ``params`` (one
JSON string per sample) and ``manifest`` (one JSON string with every
setting used to make the file). ``--wall interpolated`` solves each flow
with the interpolated bounce-back on the real shape's outline
(:func:`bootcamp.cfd.shapes.shape_signed_distance`) instead of the half-way
staircase of the mask; the ``sdf`` input stays the mask's either way.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
import zipfile
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
from tqdm import tqdm

from bootcamp.cfd.lbm import WALLS, solve
from bootcamp.cfd.shapes import ALL_FAMILIES, FAMILIES, random_obstacle, shape_signed_distance, signed_distance
from bootcamp.data.files import replacing

__all__ = [
    "Checkpoint",
    "DatasetSpec",
    "differences",
    "generate",
    "load",
    "make_sample",
    "merge",
    "save",
    "shard_indices",
    "solve_tasks",
    "main",
]

FORMAT_VERSION = 1
PER_SAMPLE_KEYS = ("index", "mask", "sdf", "vx", "vy", "steps", "converged", "solve_seconds", "family", "params")
# what reading a damaged or foreign .npz file can raise
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


@dataclass(frozen=True)
class DatasetSpec:
    """Everything that determines the samples (recorded in the manifest)."""

    n_samples: int
    seed: int = 0
    ny: int = 128
    nx: int = 256
    nu: float = 0.05
    u_max: float = 0.1
    tol: float = 1e-5
    check_every: int = 100
    max_steps: int = 30_000
    families: tuple[str, ...] = FAMILIES
    wall: str = "halfway"   # the obstacle's wall in the solver: "halfway" (the mask's staircase) or "interpolated"
    format_version: int = field(default=FORMAT_VERSION)

    def __post_init__(self) -> None:
        if self.n_samples < 1:
            raise ValueError(f"n_samples must be at least 1, got {self.n_samples}")
        if self.wall not in WALLS:
            raise ValueError(f"wall must be one of {list(WALLS)}, got {self.wall!r}")
        unknown = set(self.families) - set(ALL_FAMILIES)
        if unknown:
            raise ValueError(f"unknown shape families {sorted(unknown)}; choose from {list(ALL_FAMILIES)}")

    def record(self) -> dict[str, object]:
        """The settings as written in a file's manifest and hashed into cache names.

        The half-way wall, the only one before ``wall`` was a setting, is left
        out, so the files made before (hours of solving, in full mode) still
        match their spec and are not made again.
        """
        settings = asdict(self)
        if settings["wall"] == "halfway":
            del settings["wall"]
        return settings


def make_sample(spec: DatasetSpec, index: int) -> dict[str, object]:
    """Obstacle, SDF and steady flow of sample ``index``; deterministic."""
    rng = np.random.default_rng([spec.seed, index])
    obstacle = random_obstacle(rng, spec.ny, spec.nx, tuple(spec.families))
    flow = solve(
        obstacle.mask,
        nu=spec.nu,
        u_max=spec.u_max,
        tol=spec.tol,
        check_every=spec.check_every,
        max_steps=spec.max_steps,
        wall=spec.wall,
        sdf=shape_signed_distance(obstacle) if spec.wall == "interpolated" else None,
    )
    return {
        "index": index,
        "mask": obstacle.mask,
        "sdf": signed_distance(obstacle.mask),
        "vx": flow.vx,
        "vy": flow.vy,
        "steps": flow.steps,
        "converged": flow.converged,
        "solve_seconds": flow.seconds,
        "family": obstacle.family,
        "params": json.dumps(obstacle.params, sort_keys=True),
    }


def shard_indices(n_samples: int, shard: tuple[int, int] = (0, 1)) -> np.ndarray:
    """Sample indices of shard ``k`` of ``n`` (contiguous, sizes differing by at most one)."""
    k, n = shard
    if not (n >= 1 and 0 <= k < n):
        raise ValueError(f"shard must be k/n with 0 <= k < n, got {k}/{n}")
    return np.array_split(np.arange(n_samples), n)[k]


def generate(
    n_samples: int,
    seed: int = 0,
    ny: int = 128,
    nx: int = 256,
    *,
    shard: tuple[int, int] = (0, 1),
    workers: int | None = None,
    progress: bool = True,
    checkpoint: str | os.PathLike | None = None,
    **settings: object,
) -> dict[str, np.ndarray]:
    """Make samples ``shard_indices(n_samples, shard)`` of the data set.

    ``settings`` are further :class:`DatasetSpec` fields (``nu``, ``u_max``,
    ``tol``, ``check_every``, ``max_steps``, ``families``). Samples are
    solved in ``workers`` processes (default: one per CPU core), each solver
    single-threaded; ``workers=1`` solves in this process. With a
    ``checkpoint`` folder, solved samples are kept there as they finish and
    reused by the next call (see :class:`Checkpoint`). Returns the arrays
    described in the module docstring.
    """
    spec = DatasetSpec(n_samples=n_samples, seed=seed, ny=ny, nx=nx, **settings)  # type: ignore[arg-type]
    indices = [int(i) for i in shard_indices(n_samples, shard)]
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    store = None if checkpoint is None else Checkpoint(checkpoint)
    samples = list(_solve_all(spec, indices, min(workers, max(len(indices), 1)), progress, store))
    samples.sort(key=lambda s: s["index"])  # type: ignore[arg-type, return-value]
    manifest = {**spec.record(), "shard": list(shard)}
    return _stack(samples, manifest, (spec.ny, spec.nx))


def save(data: dict[str, np.ndarray], path: str | os.PathLike) -> Path:
    """Write ``data`` to ``path`` as a compressed ``.npz``, atomically.

    The file appears under its name only once complete (written to a
    temporary file in the same folder, then renamed).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp, open(tmp, "wb") as stream:
        np.savez_compressed(stream, **data)
        stream.flush()
        os.fsync(stream.fileno())
    return path


def load(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Arrays and manifest of a data set file (no pickled objects are read)."""
    with np.load(path, allow_pickle=False) as archive:
        data = {key: archive[key] for key in archive.files}
    missing = set(PER_SAMPLE_KEYS) - set(data) | ({"manifest"} - set(data))
    if missing:
        raise ValueError(f"{path} is not a flow data set file: it lacks {sorted(missing)}")
    return data, json.loads(str(data.pop("manifest")))


def merge(paths: Sequence[str | os.PathLike]) -> dict[str, np.ndarray]:
    """Join shard files of one data set into the arrays of the whole set.

    Refuses shards of different data sets (any setting other than the shard
    differs), overlapping shards, and incomplete sets.
    """
    if not paths:
        raise ValueError("merge needs at least one shard file")
    parts = [load(p) for p in paths]
    spec = {k: v for k, v in parts[0][1].items() if k != "shard"}
    for path, (_, manifest) in zip(paths, parts):
        other = {k: v for k, v in manifest.items() if k != "shard"}
        if other != spec:
            diff = sorted(k for k in spec.keys() | other.keys() if spec.get(k) != other.get(k))
            raise ValueError(f"{path} belongs to a different data set (differs in {diff})")
    merged = {key: np.concatenate([data[key] for data, _ in parts]) for key in PER_SAMPLE_KEYS}
    order = np.argsort(merged["index"], kind="stable")
    merged = {key: value[order] for key, value in merged.items()}
    expected = np.arange(int(spec["n_samples"]))  # type: ignore[call-overload]
    if not np.array_equal(merged["index"], expected):
        seen = merged["index"]
        duplicated = np.unique(seen[np.flatnonzero(np.diff(seen) == 0)])
        missing = np.setdiff1d(expected, seen)
        raise ValueError(
            f"the shards do not make up samples 0..{len(expected) - 1} exactly once: "
            f"missing {missing[:10].tolist()}, duplicated {duplicated[:10].tolist()} (first ten shown)"
        )
    merged["manifest"] = np.array(json.dumps({**spec, "shard": [0, 1]}, sort_keys=True))
    return merged


TIMING_KEYS = ("solve_seconds",)   # wall time: the one field two runs of one spec may differ in


def differences(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> list[str]:
    """The keys in which two data sets differ, solve times aside: ``[]`` when they
    hold the same samples bit for bit (a merged sharded run against one run, or two
    runs of one spec). Times need only have the same shape."""
    found = []
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            found.append(f"{key} (only in one)")
            continue
        x, y = np.asarray(a[key]), np.asarray(b[key])
        same = x.shape == y.shape and (key in TIMING_KEYS or (x.dtype == y.dtype and np.array_equal(x, y)))
        if not same:
            found.append(key)
    return found


# --------------------------------------------------------------------------- internals


def _solve_all(
    spec: DatasetSpec, indices: list[int], workers: int, progress: bool, checkpoint: Checkpoint | None
) -> Iterable[dict]:
    tasks = [(spec, i) for i in indices]
    for _, sample in solve_tasks(tasks, workers, progress, f"flows {spec.ny}x{spec.nx}", checkpoint):
        yield sample


def solve_tasks(
    tasks: Sequence[tuple[DatasetSpec, int]],
    workers: int,
    progress: bool = True,
    desc: str = "flows",
    checkpoint: Checkpoint | None = None,
) -> Iterable[tuple[int, dict]]:
    """Solve sample ``index`` of ``spec`` for every ``(spec, index)`` task.

    Yields ``(task number, sample)`` in the order the samples finish, with a
    progress bar; ``workers`` processes (one numba thread each), or this
    process when ``workers == 1``. With a ``checkpoint``, samples it already
    holds come first, without solving, and each newly solved one is written
    to it before it is yielded. Stopping early (Ctrl-C, an error, closing
    the generator) cancels the flows not yet started: only the ones being
    solved are waited for.
    """
    bar = tqdm(total=len(tasks), desc=desc, unit="flow", disable=not progress)
    with bar:
        todo = []
        for number, (spec, index) in enumerate(tasks):
            sample = None if checkpoint is None else checkpoint.get(spec, index)
            if sample is None:
                todo.append(number)
                continue
            yield number, sample
            bar.update()
        if checkpoint is not None and len(todo) < len(tasks):
            bar.write(f"resumed {len(tasks) - len(todo)} flows solved earlier, kept in {checkpoint.folder}")
        workers = max(1, min(workers, len(todo)))
        if workers == 1:
            for number in todo:
                sample = make_sample(*tasks[number])
                if checkpoint is not None:
                    checkpoint.put(tasks[number][0], sample)
                yield number, sample
                bar.update()
            return
        context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),))
        queue = iter(todo)
        running: dict[Future, int] = {}
        try:
            while True:
                # Ctrl-C only sets a flag while the pool's own locks are in use: an exception
                # raised in the middle of them could leave one held and the shutdown below
                # waiting forever. Two flows per worker are queued at a time, so stopping
                # cancels nothing but a few.
                with _interrupt_as_flag() as interrupted:
                    for number in itertools.islice(queue, 2 * workers - len(running)):
                        running[pool.submit(make_sample, *tasks[number])] = number
                    done: set[Future] = set()
                    while running and not done and not interrupted.is_set():
                        done = wait(running, timeout=0.2, return_when=FIRST_COMPLETED).done
                    finished = [(running.pop(future), future.result()) for future in done]
                if checkpoint is not None:
                    for number, sample in finished:
                        checkpoint.put(tasks[number][0], sample)
                if interrupted.is_set():
                    raise KeyboardInterrupt
                if not finished:
                    return
                for number, sample in finished:
                    yield number, sample
                    bar.update()
        finally:
            # `with pool:` would run every queued flow before an interrupt got through
            pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _interrupt_as_flag() -> Iterator[threading.Event]:
    """Within the block, SIGINT (Ctrl-C, Jupyter's interrupt) sets the event instead of raising.

    Only where Python's own handler is in place, in the main thread;
    elsewhere the event stays clear and an interrupt raises as usual.
    """
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield flag
        return
    signal.signal(signal.SIGINT, lambda number, frame: flag.set())
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


class Checkpoint:
    """Solved samples kept one file each in ``folder``, so an interrupted run can resume.

    A sample depends on every :class:`DatasetSpec` setting except
    ``n_samples`` (sample ``i`` draws from ``default_rng([seed, i])``), so
    the files are filed under a digest of the other settings: a run with
    other settings never picks them up. Files are written atomically and
    read without pickle; one that does not load, or holds another sample,
    is deleted and solved again.
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def path(self, spec: DatasetSpec, index: int) -> Path:
        return self._spec_folder(spec) / f"{index:07d}.npz"

    def _spec_folder(self, spec: DatasetSpec) -> Path:
        settings = {key: value for key, value in spec.record().items() if key != "n_samples"}
        settings["format"] = FORMAT_VERSION
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
        return self.folder / digest

    def get(self, spec: DatasetSpec, index: int) -> dict[str, object] | None:
        path = self.path(spec, index)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {key: archive[key] for key in PER_SAMPLE_KEYS}
            grids = [arrays[key].shape for key in ("mask", "sdf", "vx", "vy")]
            if int(arrays["index"]) != index or any(shape != (spec.ny, spec.nx) for shape in grids):
                raise ValueError("another sample")
        except UNREADABLE:
            path.unlink(missing_ok=True)
            return None
        scalars = {key: arrays[key].item() for key in PER_SAMPLE_KEYS if arrays[key].ndim == 0}
        return {**arrays, **scalars}

    def put(self, spec: DatasetSpec, sample: dict[str, object]) -> None:
        path = self.path(spec, int(sample["index"]))  # type: ignore[call-overload]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        try:
            with open(tmp, "wb") as stream:
                np.savez(stream, **{key: np.asarray(sample[key]) for key in PER_SAMPLE_KEYS})
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def discard(self, spec: DatasetSpec) -> None:
        """Delete the samples of ``spec``'s settings (once saved for good), and the folder if then empty."""
        shutil.rmtree(self._spec_folder(spec), ignore_errors=True)
        try:
            self.folder.rmdir()
        except OSError:  # other settings' samples remain, or it is gone
            pass


def _start_worker(parent: int) -> None:
    """Worker start-up: one numba thread per process (the processes already fill
    the cores), and a watch on the parent: if it dies without shutting the pool
    down (killed, not interrupted), the worker quits instead of solving its
    queued flows for nobody or waiting for work forever."""
    import numba

    numba.set_num_threads(1)
    threading.Thread(target=_quit_when_orphaned, args=(parent,), daemon=True, name="parent-watch").start()


def _quit_when_orphaned(parent: int, every: float = 1.0) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _stack(samples: list[dict], manifest: dict, shape: tuple[int, int]) -> dict[str, np.ndarray]:
    dtypes = {"mask": bool, "sdf": np.float32, "vx": np.float32, "vy": np.float32}
    data = {key: np.array([s[key] for s in samples], dtype=t).reshape(-1, *shape) for key, t in dtypes.items()}
    data["index"] = np.array([s["index"] for s in samples], dtype=np.int64)
    data["steps"] = np.array([s["steps"] for s in samples], dtype=np.int64)
    data["converged"] = np.array([s["converged"] for s in samples], dtype=bool)
    data["solve_seconds"] = np.array([s["solve_seconds"] for s in samples], dtype=np.float64)
    data["family"] = np.array([s["family"] for s in samples], dtype=str)
    data["params"] = np.array([s["params"] for s in samples], dtype=str)
    data["manifest"] = np.array(json.dumps(manifest, sort_keys=True))
    return data


# --------------------------------------------------------------------------- command line


def _parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard takes k/n such as 0/4, not {text!r}") from None
    if not (n >= 1 and 0 <= k < n):
        raise argparse.ArgumentTypeError(f"--shard k/n needs 0 <= k < n, got {text!r}")
    return k, n


def _generate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bootcamp.cfd.dataset",
        description="Make flow samples (obstacle mask, SDF, steady velocity). "
        "Use 'python -m bootcamp.cfd.dataset merge --help' to join shards.",
    )
    parser.add_argument("--n", type=int, required=True, help="number of samples in the whole data set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ny", type=int, default=128)
    parser.add_argument("--nx", type=int, default=256)
    parser.add_argument("--out", required=True, help="output .npz file")
    parser.add_argument("--shard", type=_parse_shard, default=(0, 1), help="make only shard k of n, e.g. 0/4")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: one per core)")
    parser.add_argument("--nu", type=float, default=DatasetSpec.nu)
    parser.add_argument("--u-max", type=float, default=DatasetSpec.u_max)
    parser.add_argument("--tol", type=float, default=DatasetSpec.tol)
    parser.add_argument("--max-steps", type=int, default=DatasetSpec.max_steps)
    parser.add_argument("--wall", choices=WALLS, default=DatasetSpec.wall,
                        help="the obstacle's wall in the solver: half-way bounce-back on the mask's staircase "
                             "(default, the course's data set) or interpolated bounce-back on the real shape")
    parser.add_argument(
        "--families", default=",".join(FAMILIES), help=f"comma-separated, from {','.join(ALL_FAMILIES)}"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _merge_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bootcamp.cfd.dataset merge", description="Join shard files.")
    parser.add_argument("--out", required=True, help="output .npz file")
    parser.add_argument("shards", nargs="+", help="shard .npz files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    checkpoint = None
    try:
        if argv[:1] == ["merge"]:
            args = _merge_parser().parse_args(argv[1:])
            path = save(merge(args.shards), args.out)
        else:
            args = _generate_parser().parse_args(argv)
            spec = DatasetSpec(
                n_samples=args.n,
                seed=args.seed,
                ny=args.ny,
                nx=args.nx,
                nu=args.nu,
                u_max=args.u_max,
                tol=args.tol,
                max_steps=args.max_steps,
                families=tuple(f.strip() for f in args.families.split(",") if f.strip()),
                wall=args.wall,
            )
            out = Path(args.out)
            checkpoint = Checkpoint(out.with_name(f".{out.name}.partial"))
            data = generate(**asdict(spec), shard=args.shard, workers=args.workers, progress=not args.quiet,
                            checkpoint=checkpoint.folder)
            path = save(data, out)
            checkpoint.discard(spec)
            unconverged = int((~data["converged"]).sum())
            if unconverged:
                print(f"warning: {unconverged} flows did not converge within {args.max_steps} steps", file=sys.stderr)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        kept = "" if checkpoint is None else f": the flows solved so far are kept in {checkpoint.folder}; " \
            "run the same command again to go on from there"
        print(f"\ninterrupted{kept}", file=sys.stderr)
        return 130
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
