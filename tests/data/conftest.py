"""Fixtures: a local HTTP server, an isolated cache, a throw-away dataset."""

from __future__ import annotations

import pytest
from fakeserver import PAYLOAD_SHA, Server

from bootcamp.data import core, transfer
from bootcamp.data.core import Dataset
from bootcamp.data.files import RemoteFile


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Every test gets its own cache, no mirrors, network allowed, fast retries."""
    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BOOTCAMP_MIRRORS", raising=False)
    monkeypatch.delenv("BOOTCAMP_OFFLINE", raising=False)
    monkeypatch.setattr(core.settings, "SYSTEM_MIRRORS", ())
    monkeypatch.setattr(transfer, "POLICY", transfer.Policy(timeout=0.5, retries=2, backoff=0.01))
    return tmp_path / "cache"


@pytest.fixture
def testdata(monkeypatch):
    """Register dataset 'testdata' with one file, ``payload.bin``, whose URL the test sets."""
    core.dataset("mnist")                                 # load the real catalogue first

    def make(url: str, **spec):
        spec.setdefault("sha256", PAYLOAD_SHA)
        ds = Dataset(name="testdata", title="a test payload", forms=((RemoteFile("payload.bin", urls=(url,), **spec),),),
                     citation="none", licence="none", fallback="the test's own fallback")
        monkeypatch.setitem(core.REGISTRY, "testdata", ds)
        return ds
    return make
