"""Make the flow data set: random obstacles, their SDF, and the steady flow round them.

Sample ``i`` of a data set with seed ``s`` draws its obstacle from
``np.random.default_rng([s, i])``, so any subset of samples (a shard) can be
made on its own and still match the samples of a single run bit for bit.

Command line::

    python -m bootcamp.cfd.dataset --n 64 --seed 0 --ny 64 --nx 128 --out flows.npz
    python -m bootcamp.cfd.dataset --n 64 --seed 0 --ny 64 --nx 128 --shard 0/4 --out part0.npz
    python -m bootcamp.cfd.dataset merge --out flows.npz part0.npz part1.npz part2.npz part3.npz

The ``.npz`` file holds plain arrays only (it loads with
``allow_pickle=False``): ``index``, ``mask``, ``sdf``, ``vx``, ``vy``,
``steps``, ``converged``, ``solve_seconds``, ``family``, ``params`` (one
JSON string per sample) and ``manifest`` (one JSON string with every
setting used to make the file).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from tqdm import tqdm

from bootcamp.cfd.lbm import solve
from bootcamp.cfd.shapes import ALL_FAMILIES, FAMILIES, random_obstacle, signed_distance

__all__ = ["DatasetSpec", "generate", "load", "make_sample", "merge", "save", "shard_indices", "solve_tasks", "main"]

FORMAT_VERSION = 1
PER_SAMPLE_KEYS = ("index", "mask", "sdf", "vx", "vy", "steps", "converged", "solve_seconds", "family", "params")


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
    format_version: int = field(default=FORMAT_VERSION)

    def __post_init__(self) -> None:
        if self.n_samples < 1:
            raise ValueError(f"n_samples must be at least 1, got {self.n_samples}")
        unknown = set(self.families) - set(ALL_FAMILIES)
        if unknown:
            raise ValueError(f"unknown shape families {sorted(unknown)}; choose from {list(ALL_FAMILIES)}")


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
    **settings: object,
) -> dict[str, np.ndarray]:
    """Make samples ``shard_indices(n_samples, shard)`` of the data set.

    ``settings`` are further :class:`DatasetSpec` fields (``nu``, ``u_max``,
    ``tol``, ``check_every``, ``max_steps``, ``families``). Samples are
    solved in ``workers`` processes (default: one per CPU core), each solver
    single-threaded; ``workers=1`` solves in this process. Returns the arrays
    described in the module docstring.
    """
    spec = DatasetSpec(n_samples=n_samples, seed=seed, ny=ny, nx=nx, **settings)  # type: ignore[arg-type]
    indices = [int(i) for i in shard_indices(n_samples, shard)]
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    samples = list(_solve_all(spec, indices, min(workers, max(len(indices), 1)), progress))
    samples.sort(key=lambda s: s["index"])  # type: ignore[arg-type, return-value]
    manifest = {**asdict(spec), "shard": list(shard)}
    return _stack(samples, manifest, (spec.ny, spec.nx))


def save(data: dict[str, np.ndarray], path: str | os.PathLike) -> Path:
    """Write ``data`` to ``path`` as a compressed ``.npz``, atomically.

    The file appears under its name only once complete (written to a
    temporary file in the same folder, then renamed).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            np.savez_compressed(stream, **data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


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


# --------------------------------------------------------------------------- internals


def _solve_all(spec: DatasetSpec, indices: list[int], workers: int, progress: bool) -> Iterable[dict]:
    for _, sample in solve_tasks([(spec, i) for i in indices], workers, progress, f"flows {spec.ny}x{spec.nx}"):
        yield sample


def solve_tasks(
    tasks: Sequence[tuple[DatasetSpec, int]], workers: int, progress: bool = True, desc: str = "flows"
) -> Iterable[tuple[int, dict]]:
    """Solve sample ``index`` of ``spec`` for every ``(spec, index)`` task.

    Yields ``(task number, sample)`` in the order the samples finish, with a
    progress bar; ``workers`` processes (one numba thread each), or this
    process when ``workers == 1``.
    """
    workers = max(1, min(workers, len(tasks)))
    bar = tqdm(total=len(tasks), desc=desc, unit="flow", disable=not progress)
    with bar:
        if workers == 1:
            for number, (spec, index) in enumerate(tasks):
                yield number, make_sample(spec, index)
                bar.update()
            return
        context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_single_threaded) as pool:
            futures = {pool.submit(make_sample, spec, index): number for number, (spec, index) in enumerate(tasks)}
            for future in as_completed(futures):
                yield futures[future], future.result()
                bar.update()


def _single_threaded() -> None:
    """Worker start-up: one numba thread per process, as the processes already fill the cores."""
    import numba

    numba.set_num_threads(1)


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
    try:
        if argv[:1] == ["merge"]:
            args = _merge_parser().parse_args(argv[1:])
            path = save(merge(args.shards), args.out)
        else:
            args = _generate_parser().parse_args(argv)
            data = generate(
                args.n,
                args.seed,
                args.ny,
                args.nx,
                shard=args.shard,
                workers=args.workers,
                progress=not args.quiet,
                nu=args.nu,
                u_max=args.u_max,
                tol=args.tol,
                max_steps=args.max_steps,
                families=tuple(f.strip() for f in args.families.split(",") if f.strip()),
            )
            path = save(data, args.out)
            unconverged = int((~data["converged"]).sum())
            if unconverged:
                print(f"warning: {unconverged} flows did not converge within {args.max_steps} steps", file=sys.stderr)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
