"""Small file-system helpers shared by the cache and the archive code."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # native Windows has no flock: the locks below then guard nothing
    fcntl = None


def umask() -> int:
    """The process's current umask (read without changing it for long)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish_mode(path: Path, *, folder: bool = False) -> None:
    """Give a finished file or folder the usual permissions. Temporary files
    and folders are created private; a cache may be shared or copied to a
    mirror, so the user's umask decides, as for any new file."""
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


def temp_file(folder: Path, name: str, suffix: str) -> Path:
    """A new empty temporary file ``.<name>.<random><suffix>`` in ``folder``
    (hidden, so no glob for real files picks it up)."""
    fd, path = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
    os.close(fd)
    return Path(path)


@contextlib.contextmanager
def replacing(target: Path, suffix: str = ".part") -> Iterator[Path]:
    """Write ``target`` atomically: the block writes (and may check) a temporary
    file beside it; when the block ends without an error the file gets the
    usual permissions and is renamed onto ``target``. The temporary file is
    never left behind, whatever happens."""
    part = temp_file(target.parent, target.name, suffix)
    try:
        yield part
        publish_mode(part)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


@contextlib.contextmanager
def locked(path: Path, *, shared: bool = False, wait: bool = True, waiting: str | None = None) -> Iterator[bool]:
    """Hold an advisory lock (``flock``) on the file ``path``, created if missing,
    for the block; yields whether this process holds it.

    ``shared``: a reader's lock, which other readers may hold at once (a
    writer's is exclusive). ``wait=False``: do not wait for another holder but
    yield False at once, so that the caller can go on without the guarded
    work. ``waiting``: a line printed before waiting, when another process
    holds the lock (waiting for hours without a word looks like a hang).
    Where there is no ``flock`` (native Windows) it yields True and guards
    nothing.
    """
    if fcntl is None:
        yield True
        return
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            if waiting:
                print(waiting, flush=True)
            fcntl.flock(handle, mode)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
