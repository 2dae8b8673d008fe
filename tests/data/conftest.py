"""Fixtures of the data-layer tests: an isolated cache, fast network settings,
a scriptable HTTP server on 127.0.0.1, and a throw-away registry entry."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bootcamp.data import registry, settings, transfer
from bootcamp.data.registry import Dataset, RemoteFile

PAYLOAD = bytes(range(256)) * 400                     # 102,400 bytes
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
Behaviour = Callable[[BaseHTTPRequestHandler, int], None]


class FakeServer:
    """A threaded HTTP/1.1 server on a free port of 127.0.0.1. Each path
    answers with a *behaviour* the test chooses; every request is counted
    with its Range header."""

    def __init__(self) -> None:
        self.routes: dict[str, Behaviour] = {}
        self.requests: dict[str, list[str | None]] = defaultdict(list)
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                server.requests[path].append(self.headers.get("Range"))
                behaviour = server.routes.get(path)
                if behaviour is None:
                    self.send_error(404)
                    return
                behaviour(self, len(server.requests[path]))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str) -> int:
        return len(self.requests.get(path, []))

    def total_requests(self) -> int:
        return sum(len(v) for v in self.requests.values())

    def close(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # ---------------------------------------------------------- behaviours
    @staticmethod
    def send(handler: BaseHTTPRequestHandler, body: bytes, *, status: int = 200, length: int | None = None,
             headers: tuple[tuple[str, str], ...] = ()) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        for key, value in headers:
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()

    def good(self, path: str, body: bytes = PAYLOAD) -> None:
        """A plain 200 answer."""
        self.routes[path] = lambda h, _n: self.send(h, body)

    def status(self, path: str, code: int) -> None:
        """Always this HTTP status."""
        self.routes[path] = lambda h, _n: self.send(h, b"error page", status=code)

    def truncated(self, path: str, body: bytes = PAYLOAD) -> None:
        """Content-Length says the whole body; half of it comes, then the connection closes."""
        def serve(h: BaseHTTPRequestHandler, _n: int) -> None:
            self.send(h, body[: len(body) // 2], length=len(body))
            h.close_connection = True
        self.routes[path] = serve

    def fail_then_good(self, path: str, code: int = 500, failures: int = 1, body: bytes = PAYLOAD) -> None:
        def serve(h: BaseHTTPRequestHandler, n: int) -> None:
            if n <= failures:
                self.send(h, b"busy", status=code)
            else:
                self.send(h, body)
        self.routes[path] = serve

    def drop_then_resume(self, path: str, body: bytes = PAYLOAD, *, cut: int = 40_000,
                         honour_range: bool = True) -> None:
        """First request: ``cut`` bytes, then the connection dies. Later
        requests honour Range with 206 (or ignore it and send everything)."""
        def serve(h: BaseHTTPRequestHandler, n: int) -> None:
            if n == 1:
                self.send(h, body[:cut], length=len(body))
                h.close_connection = True
                return
            wanted = h.headers.get("Range")
            if wanted and honour_range:
                start = int(wanted.split("=")[1].rstrip("-"))
                self.send(h, body[start:], status=206,
                          headers=(("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}"),))
            else:
                self.send(h, body)
        self.routes[path] = serve

    def stall(self, path: str, seconds: float, body: bytes = PAYLOAD) -> None:
        """Headers and a first kilobyte, then silence."""
        def serve(h: BaseHTTPRequestHandler, _n: int) -> None:
            h.send_response(200)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[:1000])
            h.wfile.flush()
            self.closing.wait(seconds)
            h.close_connection = True
        self.routes[path] = serve


@pytest.fixture
def server() -> Iterator[FakeServer]:
    srv = FakeServer()
    yield srv
    srv.close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/payload.bin"


FAST = transfer.Policy(timeout=0.5, retries=2, backoff=0.01, max_backoff=0.05)


class CacheView:
    """The test's cache folder, with the checks every test makes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def files(self) -> list[str]:
        """Every file in the cache, relative, sorted."""
        if not self.path.exists():
            return []
        return sorted(p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file())

    def temporaries(self) -> list[str]:
        """Temporary or partial files: anything hidden but the source record."""
        return [f for f in self.files() if Path(f).name.startswith(".") and Path(f).name != ".source.json"]

    def data_files(self) -> list[str]:
        """The real files (no temporaries, no source record)."""
        return [f for f in self.files() if not Path(f).name.startswith(".")]


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CacheView:
    """Every test: its own cache, no mirrors, no system mirrors, network
    allowed, fast timeouts and retries."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(settings.CACHE_ENV, str(folder))
    for name in (settings.MIRRORS_ENV, settings.OFFLINE_ENV, settings.HURDAT2_FILE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings, "SYSTEM_MIRRORS", ())
    monkeypatch.setattr(transfer, "POLICY", FAST)
    return CacheView(folder)


@pytest.fixture
def payload() -> bytes:
    """The bytes the fake server serves by default (sha256 PAYLOAD_SHA256)."""
    return PAYLOAD


@pytest.fixture
def testdata(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Dataset]:
    """Register a dataset 'testdata' holding ``payload.bin`` at the URLs
    given; other RemoteFile fields (sha256, size, ...) as keywords."""
    registry.names()                                    # the real catalogue first

    def make(*urls: str, name: str = "payload.bin", **spec: object) -> Dataset:
        if "content_sha256" not in spec and "validate" not in spec:
            spec.setdefault("sha256", PAYLOAD_SHA256)
        ds = Dataset(name="testdata", title="a test payload", citation="none", licence="none",
                     fallback="the test's own fallback", loader="builtins:print",
                     forms=((RemoteFile(name, urls=tuple(urls), **spec),),))   # type: ignore[arg-type]
        monkeypatch.setitem(registry.REGISTRY, "testdata", ds)
        return ds
    return make
