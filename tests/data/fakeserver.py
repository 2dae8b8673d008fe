"""A local HTTP server on 127.0.0.1 whose paths misbehave on purpose."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


PAYLOAD = bytes(range(256)) * 400                      # 102,400 bytes
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


class Server:
    def __init__(self):
        self.routes = {}
        self.requests = defaultdict(list)         # path -> list of Range headers (None if absent)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
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
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------- behaviours
def send(handler, body: bytes, status: int = 200, length: int | None = None, headers=()):
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    for key, value in headers:
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()


def good(body=PAYLOAD):
    def serve(handler, _count):
        send(handler, body)
    return serve


def truncated(handler, _count):
    send(handler, PAYLOAD[: len(PAYLOAD) // 2], length=len(PAYLOAD))
    handler.close_connection = True


def status(code):
    def serve(handler, _count):
        send(handler, b"error page", status=code)
    return serve


def fail_then_good(code=500, failures=1):
    def serve(handler, count):
        send(handler, b"busy", status=code) if count <= failures else send(handler, PAYLOAD)
    return serve


def drop_then_resume(handler, count):
    """First request: half the body, then the connection dies. Later
    requests honour Range with 206 Partial Content."""
    rng = handler.headers.get("Range")
    if count == 1:
        send(handler, PAYLOAD[:40_000], length=len(PAYLOAD))
        handler.close_connection = True
        return
    if rng:
        start = int(rng.split("=")[1].rstrip("-"))
        send(handler, PAYLOAD[start:], status=206,
             headers=[("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")])
    else:
        send(handler, PAYLOAD)


def stall(seconds):
    def serve(handler, _count):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(PAYLOAD)))
        handler.end_headers()
        handler.wfile.write(PAYLOAD[:1000])
        handler.wfile.flush()
        time.sleep(seconds)
        handler.close_connection = True
    return serve


def cache_listing(cache) -> list[str]:
    return sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*") if p.is_file())
