"""HTTP transfers: timeouts, retries with backoff, resume, progress bar.

:data:`POLICY` holds the network settings; tests replace it (or pass
``policy=``) to make timeouts and backoff take milliseconds.
"""

from __future__ import annotations

import http.client
import io
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bootcamp.data.errors import DownloadError

USER_AGENT = "dl-bootcamp-data/0.1 (+https://github.com/ai-science-bootcamp/dl-bootcamp)"
CHUNK = 1 << 16
_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Policy:
    """How patient a transfer is."""

    timeout: float = 30.0              # seconds of silence (connect or read) before giving up an attempt
    retries: int = 4                   # further attempts after the first, on transient errors only
    backoff: float = 1.0               # seconds before the first retry, doubled each time ...
    max_backoff: float = 30.0          # ... up to this
    progress_min_bytes: int = 1_000_000  # show a progress bar for transfers at least this large


POLICY = Policy()


def _current(policy: Policy | None) -> Policy:
    return policy if policy is not None else POLICY


# ------------------------------------------------------------------ one attempt
def _open(url: str, start: int, policy: Policy) -> http.client.HTTPResponse:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if start:
        headers["Range"] = f"bytes={start}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        return urllib.request.urlopen(request, timeout=policy.timeout)
    except urllib.error.HTTPError as err:
        err.close()
        raise DownloadError(url, f"HTTP {err.code} {err.reason}", status=err.code,
                            retryable=err.code in _TRANSIENT_STATUS) from None
    except urllib.error.URLError as err:
        raise _connection_error(url, err.reason) from None
    except (OSError, http.client.HTTPException) as err:
        raise _connection_error(url, err) from None


def _connection_error(url: str, reason: object) -> DownloadError:
    """Refused connections and unknown hosts fail at once; the rest may pass on retry."""
    if isinstance(reason, ConnectionRefusedError):
        return DownloadError(url, f"connection refused ({reason})")
    if isinstance(reason, socket.gaierror):
        return DownloadError(url, f"host not found ({reason}); are you offline?")
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return DownloadError(url, "timed out waiting for the server", retryable=True)
    return DownloadError(url, f"connection failed ({reason})", retryable=True)


def _resume_offset(response: http.client.HTTPResponse, url: str, start: int) -> int:
    """Where the body starts: ``start`` for a matching 206 answer, else 0."""
    if not start or response.status != 206:
        return 0
    content_range = response.headers.get("Content-Range", "")
    try:
        first = int(content_range.split()[1].split("-")[0])
    except (IndexError, ValueError):
        first = -1
    if first != start:
        raise DownloadError(url, f"server resumed at the wrong place ({content_range!r}); starting over",
                            retryable=True)
    return start


def _in_notebook() -> bool:
    return "ipykernel" in sys.modules


@contextmanager
def _progress(total: int | None, initial: int, label: str, policy: Policy) -> Iterator[Any]:
    """A tqdm bar for large transfers of known size, or ``None``."""
    if total is None or total < policy.progress_min_bytes:
        yield None
        return
    from tqdm.auto import tqdm

    # disable=None hides the bar when output is not a terminal; Jupyter's
    # output is not a terminal but shows bars fine.
    bar = tqdm(total=total, initial=initial, unit="B", unit_scale=True, unit_divisor=1024,
               desc=label, leave=False, disable=False if _in_notebook() else None)
    try:
        yield bar
    finally:
        bar.close()


def _copy_body(response: http.client.HTTPResponse, out: IO[bytes], url: str, expected: int | None,
               bar: Any) -> int:
    received = 0
    while True:
        try:
            chunk = response.read(CHUNK)
        except (TimeoutError, socket.timeout):
            raise DownloadError(url, f"timed out: the server went silent after {received:,} bytes",
                                retryable=True) from None
        except (http.client.HTTPException, OSError) as err:
            raise DownloadError(url, f"connection dropped after {received:,} bytes ({type(err).__name__})",
                                retryable=True) from None
        if not chunk:
            break
        out.write(chunk)
        received += len(chunk)
        if bar is not None:
            bar.update(len(chunk))
    if expected is not None and received != expected:
        raise DownloadError(url, f"got {received:,} of {expected:,} bytes (the transfer was cut short)",
                            retryable=True)
    return received


def _attempt(url: str, part: Path, policy: Policy, label: str) -> None:
    """One request, appending to ``part`` when the server honours Range."""
    start = part.stat().st_size if part.exists() else 0
    response = _open(url, start, policy)
    with response:
        try:
            offset = _resume_offset(response, url, start)
        except DownloadError:
            part.unlink(missing_ok=True)
            raise
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        total = None if expected is None else offset + expected
        with _progress(total, offset, label, policy) as bar, open(part, "ab" if offset else "wb") as out:
            _copy_body(response, out, url, expected, bar)


# --------------------------------------------------------------------- public
def _with_retries(policy: Policy, attempt: Callable[[], None]) -> None:
    """Run ``attempt`` until it succeeds, a failure is not transient, or the
    retries are spent; sleep with exponential backoff in between."""
    delay = policy.backoff
    for number in range(1, policy.retries + 2):
        try:
            attempt()
            return
        except DownloadError as err:
            if err.retryable and number <= policy.retries:
                time.sleep(min(delay, policy.max_backoff))
                delay *= 2
                continue
            if number == 1:
                raise
            raise DownloadError(err.url, f"{err.reason} (gave up after {number} attempts)",
                                status=err.status) from None


def download(url: str, part: Path, *, policy: Policy | None = None, label: str = "") -> None:
    """Download ``url`` into ``part``.

    Transient failures (5xx, 429, timeouts, dropped connections) are retried
    with exponential backoff; after a dropped connection the next attempt
    asks for the rest with an HTTP Range request and appends it when the
    server agrees (206), or starts over when it does not. On final failure
    ``part`` is removed and :class:`DownloadError` raised.
    """
    policy = _current(policy)
    label = label or url.rsplit("/", 1)[-1]

    def attempt() -> None:
        try:
            _attempt(url, part, policy, label)
        except DownloadError as err:
            if err.status == 416:               # our Range lies past the end: start over
                part.unlink(missing_ok=True)
                err.retryable = True
            raise

    try:
        _with_retries(policy, attempt)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def get_bytes(url: str, *, policy: Policy | None = None, limit: int = 20_000_000) -> bytes:
    """A small resource (e.g. a folder listing) in memory, with the same retries."""
    policy = _current(policy)
    result: list[bytes] = []

    def attempt() -> None:
        with _open(url, 0, policy) as response:
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            if expected is not None and expected > limit:
                raise DownloadError(url, f"{expected:,} bytes is more than the {limit:,} expected here")
            buffer = io.BytesIO()
            _copy_body(response, buffer, url, expected, None)
            result.append(buffer.getvalue())

    _with_retries(policy, attempt)
    return result[-1]
