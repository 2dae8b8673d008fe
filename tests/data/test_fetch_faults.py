"""Downloads against a misbehaving local server: every failure is detected,
retried where that can help, and never leaves a bad or partial file."""

import hashlib
import time

import pytest

from bootcamp.data import core
from bootcamp.data.errors import DatasetUnavailable, UnknownDataset

from fakeserver import PAYLOAD, cache_listing, drop_then_resume, fail_then_good, good, stall, truncated


def test_good_file_is_verified_cached_and_a_cache_hit_makes_no_request(server, testdata, isolated):
    server.routes["/f"] = good()
    testdata(server.url("/f"))
    paths = core.fetch("testdata")
    assert paths["payload.bin"].read_bytes() == PAYLOAD
    assert cache_listing(isolated) == ["testdata/.source.json", "testdata/payload.bin"]
    assert core.sources_used("testdata")["payload.bin"]["source"] == server.url("/f")
    core.fetch("testdata")
    assert len(server.requests["/f"]) == 1


def test_truncated_download_is_retried_then_refused_leaving_nothing(server, testdata, isolated):
    server.routes["/f"] = truncated
    testdata(server.url("/f"))
    with pytest.raises(DatasetUnavailable, match="got 51,200 of 102,400 bytes"):
        core.fetch("testdata")
    assert len(server.requests["/f"]) == 3                      # first try + 2 retries
    assert [p for p in cache_listing(isolated) if "payload" in p] == []


def test_wrong_hash_is_discarded(server, testdata, isolated):
    server.routes["/f"] = good(b"x" * len(PAYLOAD))
    testdata(server.url("/f"))
    with pytest.raises(DatasetUnavailable, match="sha256 .* does not match"):
        core.fetch("testdata")
    assert cache_listing(isolated) == []


def test_wrong_size_is_discarded_before_hashing(server, testdata, isolated):
    server.routes["/f"] = good(PAYLOAD[:-1])
    testdata(server.url("/f"), size=len(PAYLOAD))
    with pytest.raises(DatasetUnavailable, match="102,399 bytes, expected 102,400"):
        core.fetch("testdata")
    assert cache_listing(isolated) == []


def test_404_is_not_retried(server, testdata, isolated):
    testdata(server.url("/missing"))
    with pytest.raises(DatasetUnavailable, match="HTTP 404"):
        core.fetch("testdata")
    assert len(server.requests["/missing"]) == 1
    assert cache_listing(isolated) == []


def test_500_then_success(server, testdata):
    server.routes["/f"] = fail_then_good(500)
    testdata(server.url("/f"))
    assert core.fetch("testdata")["payload.bin"].read_bytes() == PAYLOAD
    assert len(server.requests["/f"]) == 2


def test_dropped_connection_resumes_with_a_range_request(server, testdata, isolated):
    server.routes["/f"] = drop_then_resume
    testdata(server.url("/f"))
    assert core.fetch("testdata")["payload.bin"].read_bytes() == PAYLOAD
    assert server.requests["/f"] == [None, "bytes=40000-"]
    assert cache_listing(isolated) == ["testdata/.source.json", "testdata/payload.bin"]


def test_stalled_server_times_out_quickly(server, testdata, isolated):
    server.routes["/f"] = stall(3)
    testdata(server.url("/f"))
    start = time.monotonic()
    with pytest.raises(DatasetUnavailable, match="connection dropped|timed out"):
        core.fetch("testdata")
    assert time.monotonic() - start < 6
    assert cache_listing(isolated) == []


def test_offline_error_names_dataset_mirror_variable_and_fallback(testdata, isolated):
    import socket

    with socket.socket() as sock:                        # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    testdata(f"http://127.0.0.1:{closed}/f")
    with pytest.raises(DatasetUnavailable) as info:
        core.fetch("testdata")
    text = str(info.value)
    assert "'testdata'" in text and "BOOTCAMP_MIRRORS" in text and "refused" in text.lower()
    assert "Offline fallback: the test's own fallback" in text
    assert "python -m data_scripts import testdata --from PATH" in text
    assert cache_listing(isolated) == []


def test_offline_switch_makes_no_request(server, testdata, monkeypatch):
    server.routes["/f"] = good()
    testdata(server.url("/f"))
    monkeypatch.setenv("BOOTCAMP_OFFLINE", "1")
    with pytest.raises(DatasetUnavailable, match="skipped \\(BOOTCAMP_OFFLINE=1\\)"):
        core.fetch("testdata")
    assert server.requests == {}


def test_url_mirror_is_tried_before_the_canonical_url(server, testdata, monkeypatch):
    server.routes["/mirror/testdata/payload.bin"] = good()
    testdata(server.url("/canonical"))
    monkeypatch.setenv("BOOTCAMP_MIRRORS", server.url("/mirror") + ", /nonexistent/dir")
    assert core.fetch("testdata")["payload.bin"].read_bytes() == PAYLOAD
    assert "/canonical" not in server.requests


def test_directory_mirror_with_a_corrupt_copy_falls_through_to_the_next(server, testdata, tmp_path, monkeypatch):
    bad, good_dir = tmp_path / "bad", tmp_path / "good"
    bad.mkdir()
    good_dir.mkdir()
    (bad / "payload.bin").write_bytes(b"corrupt")
    (good_dir / "payload.bin").write_bytes(PAYLOAD)
    testdata(server.url("/never"))
    monkeypatch.setenv("BOOTCAMP_MIRRORS", f"{bad} {good_dir}")
    assert core.fetch("testdata")["payload.bin"].read_bytes() == PAYLOAD
    assert server.requests == {}


def test_corrupted_cache_file_is_replaced(server, testdata, isolated):
    server.routes["/f"] = good()
    testdata(server.url("/f"))
    path = core.fetch("testdata")["payload.bin"]
    path.write_bytes(b"bit rot")
    assert core.verify_cached("testdata") and not path.exists()
    assert core.fetch("testdata")["payload.bin"].read_bytes() == PAYLOAD
    assert len(server.requests["/f"]) == 2


def test_unknown_dataset_lists_the_valid_names():
    with pytest.raises(UnknownDataset, match="Unknown dataset 'mnits'. Valid names: .*fashion_mnist.*mnist"):
        core.fetch("mnits")


def test_import_verifies_files_fetched_by_hand(testdata, tmp_path):
    testdata("http://127.0.0.1:9/unused")
    good_file, bad_file = tmp_path / "in" / "payload.bin", tmp_path / "bad" / "payload.bin"
    good_file.parent.mkdir()
    bad_file.parent.mkdir()
    good_file.write_bytes(PAYLOAD)
    bad_file.write_bytes(b"nope")
    from bootcamp.data.errors import VerificationError

    with pytest.raises(VerificationError):
        core.import_files("testdata", bad_file)
    assert not core.is_cached("testdata")
    core.import_files("testdata", good_file.parent)
    assert core.is_cached("testdata")
    assert hashlib.sha256(core.fetch("testdata")["payload.bin"].read_bytes()).hexdigest() == hashlib.sha256(PAYLOAD).hexdigest()
