"""The flow data set generator: determinism, shards, atomic files, manifest, command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from bootcamp.cfd import dataset
from bootcamp.cfd.dataset import DatasetSpec, differences, generate, load, merge, save, shard_indices

SMALL = dict(ny=16, nx=32, max_steps=300, check_every=100)
def same_samples(a: dict, b: dict) -> None:
    assert not differences(a, b), f"the data sets differ in {differences(a, b)}"


def test_the_same_seed_gives_the_same_samples_and_another_seed_others():
    first = generate(3, seed=5, workers=1, progress=False, **SMALL)
    again = generate(3, seed=5, workers=1, progress=False, **SMALL)
    other = generate(3, seed=6, workers=1, progress=False, **SMALL)
    same_samples(first, again)
    assert not np.array_equal(first["mask"], other["mask"])
    assert first["mask"].shape == (3, 16, 32) and first["vx"].dtype == np.float32
    assert np.abs(first["vx"]).max() > 0.01  # it flows


def test_shards_merged_equal_a_single_run_bit_for_bit(tmp_path):
    # Every run in a fresh process, after one that compiled the solver: numba's
    # freshly compiled kernels and the ones it loads from its cache can differ in
    # float32 rounding (docs/cfd.md), so nothing here compiles in this process.
    def command_line(out, *extra):
        result = subprocess.run(
            [sys.executable, "-m", "bootcamp.cfd.dataset", "--n", "5", "--seed", "1", "--ny", "16", "--nx", "32",
             "--max-steps", "300", "--quiet", "--out", str(out), *extra],
            capture_output=True, text=True, timeout=300, env={**os.environ, "NUMBA_NUM_THREADS": "1"})
        assert result.returncode == 0, result.stdout + result.stderr
        return out

    whole, whole_manifest = load(command_line(tmp_path / "whole.npz", "--workers", "2"))  # two processes
    paths = [command_line(tmp_path / f"part{k}.npz", "--shard", f"{k}/3", "--workers", "1") for k in range(3)]
    merged = merge(list(reversed(paths)))
    manifest = json.loads(str(merged["manifest"]))
    assert manifest["shard"] == [0, 1]
    same_samples({k: v for k, v in merged.items() if k != "manifest"},
                 {k: v for k, v in whole.items() if k != "manifest"})
    assert whole_manifest == manifest


def test_merge_refuses_incomplete_overlapping_and_foreign_shards(tmp_path):
    a = save(generate(4, seed=1, shard=(0, 2), workers=1, progress=False, **SMALL), tmp_path / "a.npz")
    b = save(generate(4, seed=1, shard=(1, 2), workers=1, progress=False, **SMALL), tmp_path / "b.npz")
    foreign = save(generate(4, seed=2, shard=(1, 2), workers=1, progress=False, **SMALL), tmp_path / "c.npz")
    with pytest.raises(ValueError, match="missing"):
        merge([a])
    with pytest.raises(ValueError, match="duplicated"):
        merge([a, a, b])
    with pytest.raises(ValueError, match="different data set"):
        merge([a, foreign])


def test_shards_cover_every_index_once():
    parts = [shard_indices(10, (k, 4)) for k in range(4)]
    np.testing.assert_array_equal(np.concatenate(parts), np.arange(10))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    with pytest.raises(ValueError):
        shard_indices(10, (4, 4))


def test_the_file_loads_without_pickle_and_its_manifest_holds_every_setting(tmp_path):
    data = generate(2, seed=3, workers=1, progress=False, families=("naca",), **SMALL)
    path = save(data, tmp_path / "flows.npz")
    with np.load(path, allow_pickle=False) as archive:  # raises if any array needs pickle
        arrays = {key: archive[key] for key in archive.files}
    assert all(a.dtype != object for a in arrays.values())
    assert set(arrays) == set(dataset.PER_SAMPLE_KEYS) | {"manifest"}
    _, manifest = load(path)
    # every setting; the half-way wall (the default) is left out, as in files made before it was a setting
    assert set(manifest) == {f.name for f in fields(DatasetSpec)} - {"wall"} | {"shard"}
    assert manifest["families"] == ["naca"] and manifest["ny"] == 16 and manifest["max_steps"] == 300
    assert manifest["seed"] == 3 and manifest["n_samples"] == 2 and manifest["shard"] == [0, 1]
    assert set(arrays["family"]) == {"naca"}
    params = [json.loads(p) for p in arrays["params"]]
    assert all(p["family"] == "naca" and len(p["code"]) == 4 for p in params)


def test_a_failed_write_leaves_no_file_behind(tmp_path):
    class Exploding:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("disk full, say")

    good = {"a": np.arange(1000)}
    with pytest.raises(RuntimeError, match="disk full"):
        save({**good, "b": Exploding()}, tmp_path / "flows.npz")
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary part
    save(good, tmp_path / "flows.npz")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "flows.npz").stat().st_mode & 0o777 == 0o666 & ~umask  # not the temporary file's 0600
    with pytest.raises(RuntimeError):
        save({**good, "b": Exploding()}, tmp_path / "flows.npz")
    with np.load(tmp_path / "flows.npz") as kept:  # the earlier complete file survives
        np.testing.assert_array_equal(kept["a"], good["a"])
    assert [p.name for p in tmp_path.iterdir()] == ["flows.npz"]


def test_command_line_shards_and_merge(tmp_path, capsys):
    common = ["--n", "3", "--seed", "4", "--ny", "16", "--nx", "32", "--max-steps", "200", "--workers", "1", "--quiet"]
    for k in range(2):
        assert dataset.main(common + ["--shard", f"{k}/2", "--out", str(tmp_path / f"p{k}.npz")]) == 0
    out = tmp_path / "all.npz"
    assert dataset.main(["merge", "--out", str(out), str(tmp_path / "p0.npz"), str(tmp_path / "p1.npz")]) == 0
    data, manifest = load(out)
    np.testing.assert_array_equal(data["index"], [0, 1, 2])
    assert manifest["max_steps"] == 200
    with pytest.raises(SystemExit):
        dataset.main(common + ["--shard", "2/2", "--out", str(tmp_path / "bad.npz")])
    assert "0 <= k < n" in capsys.readouterr().err
    assert dataset.main(["merge", "--out", str(tmp_path / "bad.npz"), str(tmp_path / "p0.npz")]) == 2
    assert "missing [2]" in capsys.readouterr().err and not (tmp_path / "bad.npz").exists()


def test_an_interrupted_run_goes_on_from_its_checkpoint_and_matches_a_single_run(tmp_path):
    spec = DatasetSpec(n_samples=6, seed=3, **SMALL)
    checkpoint = dataset.Checkpoint(tmp_path / "partial")
    run = dataset.solve_tasks([(spec, i) for i in range(6)], workers=1, progress=False, checkpoint=checkpoint)
    solved = dict(next(run) for _ in range(3))
    run.close()  # as Ctrl-C would stop it
    kept = sorted(checkpoint.folder.rglob("*.npz"))
    assert [p.name for p in kept] == ["0000000.npz", "0000001.npz", "0000002.npz"]
    kept[1].write_bytes(kept[1].read_bytes()[:100])  # a damaged file is solved again, not used
    kept[2].write_bytes(kept[0].read_bytes())  # and so is a file that holds another sample

    resumed = generate(6, seed=3, workers=1, progress=False, checkpoint=checkpoint.folder, **SMALL)
    same_samples(resumed, generate(6, seed=3, workers=1, progress=False, **SMALL))
    # sample 0 was read back (its timing is the first run's), the damaged two solved again
    assert resumed["solve_seconds"][0] == solved[0]["solve_seconds"]
    assert checkpoint.get(spec, 1) is not None and checkpoint.get(spec, 2)["index"] == 2
    assert len(list(checkpoint.folder.rglob("*.npz"))) == 6

    other = DatasetSpec(n_samples=6, seed=4, **SMALL)  # other settings: the kept flows are not theirs
    assert checkpoint.get(other, 0) is None
    checkpoint.discard(spec)
    assert not checkpoint.folder.exists()


@pytest.fixture
def ctrl_c_raises():
    """Python's own Ctrl-C handler in this process, and so in the commands it starts.

    A test process may have inherited SIGINT ignored (seen in CI after notebook runs
    on the same pytest worker); a child started from it would ignore Ctrl-C too.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_stops_the_workers_at_once_and_the_command_says_how_to_go_on(tmp_path, ctrl_c_raises):
    out = tmp_path / "flows.npz"
    partial = tmp_path / ".flows.npz.partial"
    # half an hour or more of flows for two processes: without cancelling the
    # queued ones, the interrupted command would run them all before it returned
    # (the generous waits below are for a machine busy with other work)
    command = [sys.executable, "-m", "bootcamp.cfd.dataset", "--n", "40000", "--ny", "32", "--nx", "64",
               "--tol", "1e-4", "--workers", "2", "--quiet", "--out", str(out)]
    # PYTHONFAULTHANDLER: should it hang, SIGABRT makes every process print where its threads are
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for _ in range(3600):
            if process.poll() is not None or any(partial.rglob("*.npz")):
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)  # to the command only, as Jupyter's interrupt does
        try:
            _, stderr = process.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            for pid in [*children(process.pid), process.pid]:
                os.kill(pid, signal.SIGABRT)
            pytest.fail(f"still running 240 s after Ctrl-C; its threads:\n{process.communicate(timeout=60)[1]}")
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "run the same command again" in stderr and str(partial) in stderr
    assert not out.exists()
    kept = len(list(partial.rglob("*.npz")))
    assert 1 <= kept < 40000

    # the same settings with fewer samples reuse every kept one below the new count
    # and solve the rest; finishing removes the checkpoint. A pool finishes flows out
    # of order, so the kept ones are any indices (named in their files): the new
    # count reaches one past the last of them
    n_small = max(int(path.stem) for path in partial.rglob("*.npz")) + 2
    small = [*command[:4], str(n_small), *command[5:]]
    rerun = subprocess.run(small, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"resumed {kept} flows" in rerun.stdout
    assert out.exists() and not partial.exists()


def test_an_interrupt_inside_the_pool_loop_only_sets_a_flag(ctrl_c_raises):
    try:
        with dataset._interrupt_as_flag() as interrupted:
            signal.raise_signal(signal.SIGINT)
            assert interrupted.is_set()
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C raised inside the block instead of setting the flag")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)

    seen = []  # outside the main thread no handler can be set: the flag stays clear, interrupts raise as usual

    def in_a_thread():
        with dataset._interrupt_as_flag() as flag:
            seen.append((flag.is_set(), signal.getsignal(signal.SIGINT) is signal.default_int_handler))

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [(False, True)]


def process_state(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) of a process from Linux's /proc, or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, parent = stat.rsplit(")", 1)[1].split()[:2]  # after "pid (name)"
    return state, int(parent)


def running(pid: int) -> bool:
    found = process_state(pid)
    return found is not None and found[0] != "Z"  # a zombie has exited


def children(pid: int) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and running(int(p.name)) and (process_state(int(p.name)) or ("", 0))[1] == pid]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from Linux's /proc")
def test_the_workers_quit_when_the_command_is_killed(tmp_path):
    out = tmp_path / "flows.npz"
    command = [sys.executable, "-m", "bootcamp.cfd.dataset", "--n", "4000", "--ny", "32", "--nx", "64",
               "--tol", "1e-4", "--workers", "2", "--quiet", "--out", str(out)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        for _ in range(3600):
            if any(tmp_path.rglob("*.npz")):
                break
            time.sleep(0.05)
        workers = children(process.pid)
        assert len(workers) >= 2  # two solvers (and multiprocessing's resource tracker)
    finally:
        process.kill()  # SIGKILL: no chance to shut the pool down
        process.wait()
    for _ in range(600):
        alive = [pid for pid in workers if running(pid)]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, "solver workers outlived the killed command"


def test_differences_names_what_differs_and_ignores_only_solve_times():
    a = {"vx": np.zeros((2, 3), np.float32), "solve_seconds": np.array([1.0, 2.0]), "index": np.arange(2)}
    same = {**a, "solve_seconds": np.array([9.0, 9.0])}
    assert differences(a, same) == []
    assert differences(a, {**a, "vx": np.ones((2, 3), np.float32)}) == ["vx"]
    assert differences(a, {**a, "vx": np.zeros((2, 3), np.float64)}) == ["vx"]
    assert differences(a, {**a, "solve_seconds": np.array([1.0])}) == ["solve_seconds"]
    assert differences(a, {k: v for k, v in a.items() if k != "index"}) == ["index (only in one)"]
