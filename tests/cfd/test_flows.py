"""The course data set (one spec, cached, shared by the notebooks) and the competition score."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from bootcamp.cfd import flows
from bootcamp.cfd.dataset import Checkpoint, load, make_sample, save
from bootcamp.cfd.flows import FlowsSpec, load_flows, load_locked_set, mean_relative_l2, relative_l2

TINY = FlowsSpec(ny=16, nx=32, n_train=3, n_val=1, n_test=2, n_unseen=1, max_steps=200)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BOOTCAMP_MIRRORS", raising=False)
    return tmp_path / "cache" / flows.CACHE_FOLDER


def test_a_second_solver_waits_for_the_first_and_then_loads_its_files(cache, capsys):
    fcntl = pytest.importorskip("fcntl")
    cache.mkdir(parents=True)
    first = open(cache / ".generate.lock", "a")     # another process solving this set now
    fcntl.flock(first, fcntl.LOCK_EX)
    result = {}
    second = threading.Thread(target=lambda: result.update(data=load_flows(TINY, workers=1, progress=False)))
    second.start()
    second.join(timeout=1.0)
    assert second.is_alive() and "waiting for another process that is solving this data set" in capsys.readouterr().out
    first.close()
    second.join(timeout=120)
    assert not second.is_alive() and len(result["data"].train) == 3


def test_relative_l2_error_per_sample_and_its_mean():
    rng = np.random.default_rng(0)
    true = rng.normal(size=(3, 4, 5, 2))
    predicted = true * np.array([1.1, 1.0, 0.5])[:, None, None, None]
    np.testing.assert_allclose(relative_l2(predicted, true), [0.1, 0.0, 0.5])
    assert mean_relative_l2(predicted, true) == pytest.approx(0.2)
    assert mean_relative_l2(np.zeros_like(true), true) == pytest.approx(1.0)  # predicting "no flow" scores 1
    with pytest.raises(ValueError, match="shape"):
        relative_l2(predicted[:, :3], true)
    with pytest.raises(ValueError, match="zero everywhere"):
        relative_l2(true, np.zeros_like(true))


def test_the_splits_are_made_once_then_loaded_from_the_cache(cache):
    first = load_flows(TINY, workers=1, progress=False)
    assert first.generated_seconds > 0
    assert [len(getattr(first, s)) for s in flows.SPLITS] == [3, 1, 2, 1]
    assert set(first.unseen.family) == {"naca"} and "naca" not in set(first.train.family)
    assert not np.array_equal(first.test.mask[0], first.train.mask[0])  # another seed
    x, y = first.train.inputs("sdf"), first.train.targets()
    assert x.shape == (3, 16, 32, 2) and y.shape == (3, 16, 32, 2) and y.dtype == np.float32
    np.testing.assert_allclose(x[..., 0], first.train.sdf / 16, rtol=1e-6)
    assert x[0, 0, 5, 1] < 0.2 and x[0, 8, 5, 1] > 0.95  # channel 1: the wall profile, 1 mid-channel
    np.testing.assert_allclose(y[..., 0], first.train.vx / TINY.u_max, rtol=1e-6)
    np.testing.assert_array_equal(first.train.inputs("mask")[..., 0] > 0, first.train.mask)
    assert sorted(p.name for p in cache.glob("*.npz")) == sorted({p.name for p in first.files.values()})

    again = load_flows(TINY, workers=1, progress=False)
    assert again.generated_seconds == 0
    for name in flows.SPLITS:
        np.testing.assert_array_equal(getattr(again, name).vx, getattr(first, name).vx)


def test_the_locked_set_has_seeds_of_its_own_an_unseen_family_and_is_cached(cache):
    spec = FlowsSpec(**{**TINY.__dict__, "n_locked": 2, "n_locked_unseen": 1})
    data = load_flows(spec, workers=1, progress=False)
    locked_files = {flows.file_name(g) for g in flows.locked_specs(spec)}
    assert not locked_files & {p.name for p in cache.glob("*.npz")}    # load_flows never makes it
    locked = load_locked_set(spec, workers=1, progress=False)
    assert locked.name == "locked" and len(locked) == 3
    assert "naca" not in set(locked.family[:2]) and list(locked.family[2:]) == ["naca"]
    assert locked.inputs("sdf").shape == (3, 16, 32, 2) and locked.targets().shape == (3, 16, 32, 2)
    assert not {g.seed for g, _ in flows.split_specs(spec).values()} & {g.seed for g in flows.locked_specs(spec)}
    others = np.concatenate([data.train.mask, data.val.mask, data.test.mask, data.unseen.mask])
    assert not any(np.array_equal(m, o) for m in locked.mask for o in others)
    assert locked_files <= {p.name for p in cache.glob("*.npz")}
    again = load_locked_set(spec, workers=1, progress=False)           # from the cache: the very same flows
    np.testing.assert_array_equal(again.solve_seconds, locked.solve_seconds)
    with pytest.raises(ValueError, match="no locked set"):
        load_locked_set(TINY, workers=1, progress=False)


def test_two_callers_at_once_solve_the_flows_only_once(cache, monkeypatch):
    calls = []
    real = flows._generate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(flows, "_generate", counting)
    results = []
    threads = [threading.Thread(target=lambda: results.append(load_flows(TINY, workers=1, progress=False)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(results) == 2
    np.testing.assert_array_equal(results[0].val.vy, results[1].val.vy)


def test_flows_solved_before_an_interruption_are_reused_and_then_cleared(cache):
    seen = flows.split_specs(TINY)["train"][0]
    checkpoint = Checkpoint(cache / flows.PARTIAL_FOLDER)
    kept = {**make_sample(seen, 1), "solve_seconds": -1.0}  # marked: a solved flow would never take -1 s
    checkpoint.put(seen, kept)
    data = load_flows(TINY, workers=1, progress=False)
    assert list(data.train.solve_seconds).count(-1.0) == 1 and data.train.solve_seconds[1] == -1.0
    np.testing.assert_array_equal(data.train.vx[1], kept["vx"])
    assert not (cache / flows.PARTIAL_FOLDER).exists()  # removed once the data set is cached


def test_a_larger_set_solves_only_the_flows_a_smaller_saved_set_lacks(cache, tmp_path, capsys, monkeypatch):
    small = load_flows(TINY, workers=1, progress=False)
    larger = FlowsSpec(**{**TINY.__dict__, "n_train": 5, "n_test": 3})
    grown = load_flows(larger, workers=1, progress=False)
    out = capsys.readouterr().out
    assert "reusing 4 flows" in out  # train + val of the small set; its test flows too
    assert "solving 3 flows of 16 x 32 cells (6 of 9 kept from earlier runs are read back)" in out
    # the solve times are kept, so equal times prove the flows were read back, not solved again
    np.testing.assert_array_equal(grown.train.solve_seconds[:3], small.train.solve_seconds)
    np.testing.assert_array_equal(grown.test.solve_seconds[:2], small.test.solve_seconds)
    assert grown.train.solve_seconds[3] == small.val.solve_seconds[0]  # sample 3 was val, is now train: the same flow
    np.testing.assert_array_equal(grown.train.vx[3], small.val.vx[0])
    np.testing.assert_array_equal(grown.unseen.vx, small.unseen.vx)  # an unchanged split is loaded as it was
    assert not (cache / flows.PARTIAL_FOLDER).exists()

    # the grown set equals one made from scratch, and a smaller set is cut from the larger without solving
    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path / "fresh"))
    fresh = load_flows(larger, workers=1, progress=False)
    for name in flows.SPLITS:
        np.testing.assert_array_equal(getattr(fresh, name).vy, getattr(grown, name).vy)
    capsys.readouterr()
    cut = load_flows(TINY, workers=1, progress=False)  # its seen and test files are missing here
    out = capsys.readouterr().out
    assert "reusing 4 flows" in out and "reusing 2 flows" in out and "resumed 6 flows" in out
    assert "all 6 were solved earlier: nothing to solve" in out
    np.testing.assert_array_equal(cut.train.solve_seconds, fresh.train.solve_seconds[:3])
    np.testing.assert_array_equal(cut.val.solve_seconds, fresh.train.solve_seconds[3:4])
    np.testing.assert_array_equal(cut.test.solve_seconds, fresh.test.solve_seconds[:2])


def test_saved_sets_with_other_settings_or_damage_are_not_reused(cache, capsys):
    load_flows(TINY, workers=1, progress=False)
    for path in cache.glob("flows-*-naca-*.npz"):
        path.write_bytes(path.read_bytes()[:200])  # truncated
    other = FlowsSpec(**{**TINY.__dict__, "n_train": 4, "max_steps": 300})  # other physics: nothing to reuse
    load_flows(other, workers=1, progress=False)
    assert "reusing" not in capsys.readouterr().out
    larger = FlowsSpec(**{**TINY.__dict__, "n_unseen": 2})  # only the unseen split is new, and its old file is damaged
    data = load_flows(larger, workers=1, progress=False)
    out = capsys.readouterr().out
    assert "solving 2 flows" in out and "reusing" not in out
    assert len(data.unseen) == 2 and set(data.unseen.family) == {"naca"}


def test_a_script_without_a_main_guard_fails_with_advice_instead_of_hanging(cache, tmp_path):
    # spawned workers import the script again; without the guard each would call load_flows and wait on the lock
    script = tmp_path / "unguarded.py"
    script.write_text("from bootcamp.cfd.flows import FlowsSpec, load_flows\n"
                      f"load_flows(FlowsSpec(**{TINY.__dict__!r}), workers=2, progress=False)\n")
    run = subprocess.run([sys.executable, str(script)], env=os.environ, capture_output=True, text=True, timeout=180)
    assert run.returncode != 0
    assert 'if __name__ == "__main__":' in run.stderr and "workers=1" in run.stderr
    assert not list(cache.glob("*.npz"))  # nothing half-made is cached


def test_a_file_made_with_other_settings_is_refused(cache):
    load_flows(TINY, workers=1, progress=False)
    other = FlowsSpec(**{**TINY.__dict__, "nu": 0.04})
    source = flows.file_name(flows.split_specs(TINY)["unseen"][0])
    target = flows.file_name(flows.split_specs(other)["unseen"][0])
    assert source != target  # the name hashes every setting
    data, manifest = load(cache / source)
    save({**data, "manifest": np.array(json.dumps(manifest))}, cache / target)
    with pytest.raises(ValueError, match="other settings"):
        load_flows(other, workers=1, progress=False)


def test_course_spec_follows_the_run_mode(monkeypatch):
    monkeypatch.setenv("BOOTCAMP_QUICK", "1")
    quick = flows.course_spec()
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    full = flows.course_spec()
    # full mode: the sizes of the benchmark run that met both targets (1,600 training flows, a ninth as many
    # for validation, test and unseen each), so the course's full data set is the one that was measured
    assert (full.ny, full.nx, full.n_train, full.n_val, full.n_test, full.n_unseen) == (128, 256, 1600, 177, 177, 177)
    assert quick.ny * quick.nx <= 48 * 96 and 100 <= quick.n_train <= 200
    for spec in (quick, full):                      # both have a locked set for the competition, aerofoils included
        assert spec.n_locked > 0 and spec.n_locked_unseen > 0
    assert quick.n_locked + quick.n_locked_unseen <= 32                   # a few small flows: seconds to solve


def test_viscosity_keeps_the_reynolds_number_on_larger_grids(monkeypatch):
    assert flows.viscosity(32) == flows.viscosity(48) == 0.05  # the public version's setting on small grids
    assert flows.viscosity(128) == pytest.approx(0.05 * 128 / 48)  # obstacles 8/3 larger: nu 8/3 larger
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    full = flows.course_spec()
    assert (full.ny, full.nu) == (128, flows.viscosity(128))
