"""Lesson 07's workers: two processes on 127.0.0.1 train exactly what one does,
and a job whose worker is killed resumes from its last epoch and ends the same.

Each worker is a real process with a real TF_CONFIG and gRPC collectives; the
data are the synthetic ones (no download), so the whole file takes about a
minute on two cores.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bootcamp.scaling import launch, loop

ARGS = ["--epochs", "3", "--n-train", "1024", "--global-batch", "64", "--lr", "0.1", "--seed", "3"]


@pytest.fixture(scope="module")
def reference():
    """The same training in this process, on one device."""
    import tensorflow as tf

    x, y = loop.load_data("synthetic", 1024, seed=3)
    return loop.train(tf.distribute.OneDeviceStrategy("/cpu:0"), x, y, epochs=3, global_batch=64,
                      learning_rate=0.1, seed=3)


def workers_alive(marker: str) -> list[str]:
    """Command lines of running processes that mention ``marker``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "bootcamp.scaling.worker" in text and marker in text:
            found.append(text)
    return found


def assert_same_weights(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_two_workers_end_with_the_weights_of_one_process(tmp_path, reference):
    lines = []
    results = launch.run_local_workers(2, out_dir=tmp_path, args=ARGS, timeout=300, echo=lines.append)
    assert [r["worker"] for r in results] == [0, 1] and all(r["workers"] == 2 for r in results)
    for result in results:
        assert_same_weights(result["weights"], reference["weights"])
        np.testing.assert_allclose(result["losses"], reference["losses"], rtol=1e-5)
    assert reference["losses"][-1] < 0.8 * reference["losses"][0]           # it learned something
    assert sum("epoch 3 done" in line for line in lines) == 2
    assert not workers_alive(str(tmp_path))


def test_a_killed_worker_loses_no_finished_epoch(tmp_path, reference):
    lines = []
    checkpoints = tmp_path / "checkpoints"
    results = launch.run_local_workers(2, out_dir=tmp_path / "out", args=[*ARGS, "--checkpoint-dir", checkpoints],
                                       timeout=300, kill_after_epoch=1, echo=lines.append)
    assert any("worker 1 killed after epoch 1" in line for line in lines)
    for result in results:
        assert result["resumed_from"] == 1                                  # epoch 1 was kept, not redone
        assert len(result["losses"]) == 2                                   # epochs 2 and 3 ran after the restart
        assert_same_weights(result["weights"], reference["weights"])
    assert sorted(p.name for p in checkpoints.glob("epoch-*.index")) == ["epoch-2.index", "epoch-3.index"]
    assert not list(checkpoints.glob(".worker-*"))                          # the scratch saves are gone
    assert not workers_alive(str(tmp_path))


def test_a_failing_worker_fails_the_job_with_its_log_and_stops_the_others(tmp_path):
    with pytest.raises(launch.WorkersFailed, match=r"(?s)worker \d exited with code 2.*invalid choice: 'nonsense'"):
        launch.run_local_workers(2, out_dir=tmp_path, args=["--data", "nonsense"], timeout=300, echo=None)
    assert not workers_alive(str(tmp_path))


def test_free_ports_are_distinct_and_bindable():
    import socket

    ports = launch.free_ports(4)
    assert len(set(ports)) == 4
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_tf_config_names_every_worker_and_this_one():
    config = json.loads(launch.tf_config([1001, 1002], 1))
    assert config == {"cluster": {"worker": ["127.0.0.1:1001", "127.0.0.1:1002"]},
                      "task": {"type": "worker", "index": 1}}


def test_the_kill_needs_a_checkpoint_folder(tmp_path):
    with pytest.raises(ValueError, match="--checkpoint-dir"):
        launch.run_local_workers(2, out_dir=tmp_path, args=ARGS, kill_after_epoch=1)


def test_epoch_batches_are_a_fixed_function_of_seed_and_epoch():
    a = loop.epoch_batches(100, 32, seed=1, epoch=2)
    assert a.shape == (3, 32) and len(set(a.ravel())) == 96
    np.testing.assert_array_equal(a, loop.epoch_batches(100, 32, seed=1, epoch=2))
    assert not np.array_equal(a, loop.epoch_batches(100, 32, seed=1, epoch=3))
    with pytest.raises(ValueError, match="no global batch"):
        loop.epoch_batches(10, 32, seed=1, epoch=0)
