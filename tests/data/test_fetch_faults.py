"""Fetching against a misbehaving local server: every failure is detected,
retried where that can help, and never leaves a bad or partial file."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import time
from pathlib import Path

import pytest

from bootcamp.data import core, registry, settings
from bootcamp.data.errors import DatasetUnavailable, UnknownDataset, UsageError, VerificationError

pytestmark = [pytest.mark.network, pytest.mark.timeout(60)]


def test_good_file_is_verified_cached_and_a_cache_hit_makes_no_request(server, testdata, cache, payload):
    server.good("/payload.bin")
    testdata(server.url("/payload.bin"))
    path = core.fetch("testdata")["payload.bin"]
    assert path.read_bytes() == payload
    assert cache.files() == ["testdata/.source.json", "testdata/payload.bin"]
    assert core.sources_used("testdata")["payload.bin"]["source"] == server.url("/payload.bin")
    core.fetch("testdata")
    core.fetch("testdata")
    assert server.total_requests() == 1


def test_a_large_transfer_shows_a_progress_bar(server, testdata, cache, payload, monkeypatch, capsys):
    from bootcamp.data import transfer

    monkeypatch.setattr(transfer, "POLICY", dataclasses.replace(transfer.POLICY, progress_min_bytes=1))
    monkeypatch.setattr(transfer, "_in_notebook", lambda: True)        # bars show even without a terminal
    server.good("/payload.bin")
    testdata(server.url("/payload.bin"))
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload
    assert "testdata: payload.bin" in capsys.readouterr().err
    assert cache.temporaries() == []


def test_truncated_body_is_retried_then_refused_leaving_nothing(server, testdata, cache):
    server.truncated("/payload.bin")
    testdata(server.url("/payload.bin"))
    with pytest.raises(DatasetUnavailable, match=r"got 51,200 of 102,400 bytes .*gave up after 3 attempts"):
        core.fetch("testdata")
    assert server.count("/payload.bin") == 3                    # the first try and 2 retries
    assert cache.data_files() == [] and cache.temporaries() == []


def test_wrong_hash_is_refused_and_discarded(server, testdata, cache, payload):
    server.good("/payload.bin", b"x" * len(payload))
    testdata(server.url("/payload.bin"))
    with pytest.raises(DatasetUnavailable, match=r"failed its check: payload.bin: sha256 .* does not match"):
        core.fetch("testdata")
    assert cache.data_files() == [] and cache.temporaries() == []


def test_wrong_size_is_refused_before_hashing(server, testdata, cache, payload):
    server.good("/payload.bin", payload[:-1])
    testdata(server.url("/payload.bin"), size=len(payload))
    with pytest.raises(DatasetUnavailable, match="102,399 bytes, expected 102,400"):
        core.fetch("testdata")
    assert cache.data_files() == [] and cache.temporaries() == []


def test_404_is_reported_and_not_retried(server, testdata, cache):
    testdata(server.url("/missing.bin"))
    with pytest.raises(DatasetUnavailable, match="HTTP 404"):
        core.fetch("testdata")
    assert server.count("/missing.bin") == 1
    assert cache.data_files() == [] and cache.temporaries() == []


def test_500_then_success_is_retried(server, testdata, cache, payload):
    server.fail_then_good("/payload.bin", code=500)
    testdata(server.url("/payload.bin"))
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload
    assert server.count("/payload.bin") == 2
    assert cache.data_files() == ["testdata/payload.bin"] and cache.temporaries() == []


def test_persistent_503_gives_up_after_the_retries(server, testdata, cache):
    server.status("/payload.bin", 503)
    testdata(server.url("/payload.bin"))
    with pytest.raises(DatasetUnavailable, match=r"HTTP 503 .*gave up after 3 attempts"):
        core.fetch("testdata")
    assert server.count("/payload.bin") == 3
    assert cache.data_files() == [] and cache.temporaries() == []


def test_dropped_connection_resumes_with_a_range_request(server, testdata, cache, payload):
    server.drop_then_resume("/payload.bin", cut=40_000)
    testdata(server.url("/payload.bin"))
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload
    assert server.requests["/payload.bin"] == [None, "bytes=40000-"]
    assert cache.data_files() == ["testdata/payload.bin"] and cache.temporaries() == []


def test_dropped_connection_restarts_cleanly_when_range_is_ignored(server, testdata, cache, payload):
    server.drop_then_resume("/payload.bin", cut=40_000, honour_range=False)
    testdata(server.url("/payload.bin"))
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload      # not 40,000 + 102,400 bytes
    assert server.requests["/payload.bin"] == [None, "bytes=40000-"]
    assert cache.data_files() == ["testdata/payload.bin"] and cache.temporaries() == []


def test_a_resume_at_the_wrong_offset_starts_over(server, testdata, cache, payload):
    def serve(handler, n):
        if n == 1:
            server.send(handler, payload[:30_000], length=len(payload))
            handler.close_connection = True
        elif handler.headers.get("Range"):                 # a 206 that starts elsewhere
            server.send(handler, payload[10:], status=206,
                        headers=(("Content-Range", f"bytes 10-{len(payload) - 1}/{len(payload)}"),))
        else:
            server.send(handler, payload)
    server.routes["/payload.bin"] = serve
    testdata(server.url("/payload.bin"))
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload
    assert server.requests["/payload.bin"] == [None, "bytes=30000-", None]
    assert cache.data_files() == ["testdata/payload.bin"] and cache.temporaries() == []


def test_a_stalled_server_times_out_quickly(server, testdata, cache):
    server.stall("/payload.bin", seconds=5)
    testdata(server.url("/payload.bin"))
    start = time.monotonic()
    with pytest.raises(DatasetUnavailable, match="dropped|timed out"):
        core.fetch("testdata")
    assert time.monotonic() - start < 3.5           # 3 attempts x 0.5 s timeout, not minutes
    assert cache.data_files() == [] and cache.temporaries() == []


def test_no_server_gives_a_message_written_for_a_learner(testdata, cache, closed_port_url):
    testdata(closed_port_url)
    start = time.monotonic()
    with pytest.raises(DatasetUnavailable) as info:
        core.fetch("testdata")
    assert time.monotonic() - start < 1                  # a refused connection is not retried
    text = str(info.value)
    assert "'testdata'" in text and "refused" in text
    assert settings.MIRRORS_ENV in text and "Offline fallback: the test's own fallback" in text
    assert "python -m data_scripts import testdata --from PATH" in text
    assert info.value.name == "testdata" and len(info.value.tried) >= 3   # cache, mirrors, canonical
    assert cache.data_files() == [] and cache.temporaries() == []


def test_offline_switch_makes_no_request(server, testdata, cache, monkeypatch):
    server.good("/payload.bin")
    testdata(server.url("/payload.bin"))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    monkeypatch.setenv(settings.MIRRORS_ENV, server.url("/mirror"))
    with pytest.raises(DatasetUnavailable, match=r"skipped \(BOOTCAMP_OFFLINE=1\)"):
        core.fetch("testdata")
    assert server.total_requests() == 0
    assert cache.data_files() == [] and cache.temporaries() == []


@pytest.mark.parametrize("layout", ["/mirror/testdata/payload.bin", "/mirror/payload.bin"])
def test_a_url_mirror_is_used_before_the_canonical_url(server, testdata, cache, monkeypatch, payload, layout):
    server.good(layout)
    testdata(server.url("/canonical/payload.bin"))
    monkeypatch.setenv(settings.MIRRORS_ENV, f"/nonexistent/folder, {server.url('/mirror/')}")
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload
    assert server.count("/canonical/payload.bin") == 0
    assert core.sources_used("testdata")["payload.bin"]["source"] == server.url(layout)
    assert cache.data_files() == ["testdata/payload.bin"] and cache.temporaries() == []


def test_an_unreachable_url_mirror_is_skipped_for_the_canonical_url(server, testdata, cache, monkeypatch,
                                                                      payload, closed_port_url):
    server.good("/payload.bin")
    testdata(server.url("/payload.bin"))
    dead_mirror = closed_port_url.rsplit("/", 1)[0]
    monkeypatch.setenv(settings.MIRRORS_ENV, dead_mirror)
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload
    assert cache.temporaries() == []


@pytest.mark.parametrize("subfolder", ["", "testdata"])
def test_a_folder_mirror_works_flat_or_per_dataset_even_offline(server, testdata, cache, monkeypatch, tmp_path,
                                                                 payload, subfolder):
    mirror = tmp_path / "mirror"
    (mirror / subfolder).mkdir(parents=True)
    (mirror / subfolder / "payload.bin").write_bytes(payload)
    testdata(server.url("/never"))
    monkeypatch.setenv(settings.MIRRORS_ENV, str(mirror))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload
    assert server.total_requests() == 0 and cache.temporaries() == []


def test_a_corrupt_mirror_copy_falls_through_to_the_next_mirror(server, testdata, cache, monkeypatch, tmp_path,
                                                                payload):
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir()
    good.mkdir()
    (bad / "payload.bin").write_bytes(b"corrupt")
    (good / "payload.bin").write_bytes(payload)
    testdata(server.url("/never"))
    monkeypatch.setenv(settings.MIRRORS_ENV, f"{bad},{good}")
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload
    assert (bad / "payload.bin").read_bytes() == b"corrupt"            # mirrors are never modified
    assert server.total_requests() == 0 and cache.temporaries() == []


def test_a_regzipped_mirror_file_is_checked_by_its_uncompressed_content(server, testdata, cache, monkeypatch,
                                                                        tmp_path, payload):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "payload.bin.gz").write_bytes(gzip.compress(payload, mtime=0))
    testdata(content_sha256=hashlib.sha256(payload).hexdigest(), size=len(payload))
    monkeypatch.setenv(settings.MIRRORS_ENV, str(mirror))
    path = core.fetch("testdata")["payload.bin"]
    assert path.read_bytes() == payload                                  # the cache keeps it uncompressed
    server.good("/payload.bin.gz", gzip.compress(payload)[:-20])       # a truncated gzip stream
    (mirror / "payload.bin.gz").unlink()
    path.unlink()
    testdata(server.url("/payload.bin.gz"), content_sha256=hashlib.sha256(payload).hexdigest())
    with pytest.raises(DatasetUnavailable, match="unreadable gzip data"):
        core.fetch("testdata")
    assert cache.data_files() == [] and cache.temporaries() == []


def test_a_corrupted_cache_file_is_caught_and_replaced(server, testdata, cache, payload):
    server.good("/payload.bin")
    testdata(server.url("/payload.bin"))
    path = core.fetch("testdata")["payload.bin"]
    path.write_bytes(b"bit rot")
    assert core.fetch("testdata")["payload.bin"].read_bytes() == payload
    assert server.count("/payload.bin") == 2
    path.write_bytes(b"bit rot")
    assert core.verify_cached("testdata") and not path.exists()
    assert cache.data_files() == [] and cache.temporaries() == []


def test_unknown_dataset_lists_the_valid_names():
    with pytest.raises(UnknownDataset) as info:
        core.fetch("mnits")
    assert str(info.value) == "Unknown dataset 'mnits'. Valid names: fashion_mnist, hurdat2, hursat_b1, mnist, mobilenet_v3_small_imagenet."


def test_import_checks_files_fetched_by_hand(testdata, cache, tmp_path, payload):
    testdata("http://127.0.0.1:9/unused")
    good, bad = tmp_path / "in" / "payload.bin", tmp_path / "bad" / "payload.bin"
    good.parent.mkdir()
    bad.parent.mkdir()
    good.write_bytes(payload)
    bad.write_bytes(b"nope")
    with pytest.raises(VerificationError, match="does not match"):
        core.import_files("testdata", bad)
    assert not core.is_cached("testdata") and cache.temporaries() == []
    with pytest.raises(UsageError, match="expected files named payload.bin"):
        core.import_files("testdata", tmp_path / "in" / "..")
    core.import_files("testdata", good.parent)
    assert core.is_cached("testdata")
    assert core.sources_used("testdata")["payload.bin"]["source"] == f"imported from {good}"


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.MIRRORS_ENV, " /a/b,http://host/x  file:///srv/data,,")
    assert settings.mirrors() == ["/a/b", "http://host/x", "/srv/data"]
    monkeypatch.delenv(settings.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert settings.cache_dir() == tmp_path / "dl-bootcamp"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert settings.cache_dir() == Path.home() / ".cache" / "dl-bootcamp"
    monkeypatch.setenv(settings.OFFLINE_ENV, "maybe")
    with pytest.raises(ValueError, match="BOOTCAMP_OFFLINE='maybe' is not understood"):
        settings.offline()


def test_the_registry_describes_every_dataset():
    for name in registry.names():
        ds = registry.dataset(name)
        assert ds.title and ds.citation and ds.licence and ds.fallback and ":" in ds.loader
        for form in ds.resolve() if ds.whole else ():
            for spec in form:
                assert spec.sha256 or spec.content_sha256 or spec.validate
    assert registry.dataset("mnist").size_text() == "11.5 MB"
