"""HTTP downloads: timeouts, retries with backoff, resume, progress."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bootcamp.data.errors import DownloadError

USER_AGENT = "dl-bootcamp-data/0.1 (+https://github.com/ai-science-bootcamp/dl-bootcamp)"


@dataclass
class Policy:
    """Network settings; tests shrink them to keep fault tests fast."""

    timeout: float = 30.0          # seconds without data before giving up on a request
    retries: int = 4               # further attempts after the first, on transient errors
    backoff: float = 1.0           # seconds before the first retry, doubled each time
    progress_min_bytes: int = 2_000_000


POLICY = Policy()


def _open(url: str, start: int, timeout: float):
    headers = {"User-Agent": USER_AGENT}
    if start:
        headers["Range"] = f"bytes={start}-"
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)


def _attempt(url: str, part: Path, policy: Policy, label: str) -> None:
    """One request, appending to ``part`` when the server honours Range."""
    start = part.stat().st_size if part.exists() else 0
    try:
        response = _open(url, start, policy.timeout)
    except urllib.error.HTTPError as err:
        if err.code == 416 and start:          # range past the end: start over
            part.unlink()
            raise DownloadError(f"{url}: HTTP 416, restarting", retryable=True) from None
        transient = err.code >= 500 or err.code in (408, 429)
        raise DownloadError(f"{url}: HTTP {err.code} {err.reason}", retryable=transient) from None
    except (urllib.error.URLError, socket.timeout, ConnectionError, TimeoutError) as err:
        reason = getattr(err, "reason", err)
        refused = isinstance(reason, ConnectionRefusedError) or "refused" in str(reason).lower()
        unknown_host = isinstance(reason, socket.gaierror)
        raise DownloadError(f"{url}: {reason}", retryable=not (refused or unknown_host)) from None

    with response:
        resumed = start and response.status == 206
        length = response.headers.get("Content-Length")
        expected = int(length) if length is not None else None
        mode = "ab" if resumed else "wb"
        received = 0
        bar = None
        total = (expected or 0) + (start if resumed else 0)
        if total >= policy.progress_min_bytes:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, initial=start if resumed else 0, unit="B", unit_scale=True,
                       desc=label, leave=False, disable=None)
        try:
            with open(part, mode) as out:
                while True:
                    try:
                        chunk = response.read(1 << 16)
                    except (http.client.IncompleteRead, ConnectionError, socket.timeout, TimeoutError) as err:
                        raise DownloadError(f"{url}: connection dropped after {received:,} bytes ({err!r})",
                                            retryable=True) from None
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    if bar:
                        bar.update(len(chunk))
        finally:
            if bar:
                bar.close()
    if expected is not None and received != expected:
        raise DownloadError(f"{url}: got {received:,} of {expected:,} bytes", retryable=True)


def download(url: str, part: Path, *, policy: Policy | None = None, label: str = "") -> None:
    """Download ``url`` into ``part``, retrying transient failures with
    exponential backoff and resuming where the server supports it.

    On final failure ``part`` is removed and DownloadError raised.
    """
    policy = policy or POLICY
    delay = policy.backoff
    for attempt in range(policy.retries + 1):
        try:
            _attempt(url, part, policy, label or Path(url).name)
            return
        except DownloadError as err:
            if not err.retryable or attempt == policy.retries:
                part.unlink(missing_ok=True)
                raise
            time.sleep(delay)
            delay *= 2
