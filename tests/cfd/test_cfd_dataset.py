"""The flow data set generator: determinism, shards, atomic files, manifest, command line."""

from __future__ import annotations

import json
import os
from dataclasses import fields

import numpy as np
import pytest

from bootcamp.cfd import dataset
from bootcamp.cfd.dataset import DatasetSpec, generate, load, merge, save, shard_indices

SMALL = dict(ny=16, nx=32, max_steps=300, check_every=100)
TIMINGS = {"solve_seconds"}  # wall time: the one field that differs between runs


def same_samples(a: dict, b: dict) -> None:
    assert set(a) == set(b)
    for key in a:
        if key in TIMINGS:
            assert a[key].shape == b[key].shape
            continue
        assert a[key].dtype == b[key].dtype, key
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_the_same_seed_gives_the_same_samples_and_another_seed_others():
    first = generate(3, seed=5, workers=1, progress=False, **SMALL)
    again = generate(3, seed=5, workers=1, progress=False, **SMALL)
    other = generate(3, seed=6, workers=1, progress=False, **SMALL)
    same_samples(first, again)
    assert not np.array_equal(first["mask"], other["mask"])
    assert first["mask"].shape == (3, 16, 32) and first["vx"].dtype == np.float32
    assert np.abs(first["vx"]).max() > 0.01  # it flows


def test_shards_merged_equal_a_single_run_bit_for_bit(tmp_path):
    whole = generate(5, seed=1, workers=2, progress=False, **SMALL)  # in two processes
    paths = []
    for k in range(3):
        part = generate(5, seed=1, shard=(k, 3), workers=1, progress=False, **SMALL)
        paths.append(save(part, tmp_path / f"part{k}.npz"))
    merged = merge(list(reversed(paths)))
    manifest = json.loads(str(merged["manifest"]))
    assert manifest["shard"] == [0, 1]
    same_samples({k: v for k, v in merged.items() if k != "manifest"},
                 {k: v for k, v in whole.items() if k != "manifest"})
    assert json.loads(str(whole["manifest"])) == manifest


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
    assert set(manifest) == {f.name for f in fields(DatasetSpec)} | {"shard"}
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
