"""The small file helpers: atomic replacement, and the one advisory lock that the
model store, the flow-set solver and the training backups share."""

from __future__ import annotations

import threading
import time

import pytest

from bootcamp.data import files

fcntl = pytest.importorskip("fcntl")


def hold(path, mode):
    """Another holder: an open file description of its own holds the lock (flock
    locks belong to open files, so this conflicts within one process too)."""
    handle = open(path, "a")
    fcntl.flock(handle, mode | fcntl.LOCK_NB)
    return handle


def test_replacing_publishes_on_success_and_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "data.bin"
    with files.replacing(target) as part:
        part.write_bytes(b"new")
        assert not target.exists()
    assert target.read_bytes() == b"new"
    with pytest.raises(RuntimeError), files.replacing(target) as part:
        part.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin"]


def test_a_held_lock_is_refused_without_waiting_and_taken_once_free(tmp_path):
    lock = tmp_path / ".lock"
    other = hold(lock, fcntl.LOCK_EX)
    with files.locked(lock, wait=False) as mine:
        assert mine is False
    other.close()
    with files.locked(lock, wait=False) as mine:
        assert mine is True
        with pytest.raises(BlockingIOError):  # held for the block
            hold(lock, fcntl.LOCK_SH)
    hold(lock, fcntl.LOCK_EX).close()  # and released after it


def test_readers_share_and_a_writer_excludes_them(tmp_path):
    lock = tmp_path / ".lock"
    reader = hold(lock, fcntl.LOCK_SH)
    with files.locked(lock, shared=True, wait=False) as mine:
        assert mine is True
    with files.locked(lock, wait=False) as mine:
        assert mine is False
    reader.close()


def test_a_waiter_says_why_it_waits_and_goes_on_when_the_holder_lets_go(tmp_path, capsys):
    lock = tmp_path / ".lock"
    other = hold(lock, fcntl.LOCK_EX)
    entered = threading.Event()

    def wait_for_it():
        with files.locked(lock, waiting="waiting for the other solver ...") as mine:
            assert mine is True
            entered.set()

    thread = threading.Thread(target=wait_for_it)
    thread.start()
    time.sleep(0.3)
    assert not entered.is_set()
    other.close()
    thread.join(timeout=30)
    assert entered.is_set()
    assert "waiting for the other solver ..." in capsys.readouterr().out


def test_an_uncontended_lock_says_nothing_and_an_error_releases_it(tmp_path, capsys):
    lock = tmp_path / "sub.lock"
    with pytest.raises(ValueError), files.locked(lock, waiting="should not be printed"):
        raise ValueError("inside")
    assert capsys.readouterr().out == ""
    hold(lock, fcntl.LOCK_EX).close()
