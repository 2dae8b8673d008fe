"""Show TensorBoard inside a notebook, served through Jupyter itself.

TensorBoard has no login, so it only ever listens on 127.0.0.1, on a free
port chosen when it starts. The browser never talks to that port directly:

* in Jupyter (``make lab``, the Docker and Apptainer images, JupyterHub),
  jupyter-server-proxy forwards ``{base_url}proxy/<port>/`` to it, behind the
  lab's own token. One published port, or one SSH tunnel to the lab's port,
  reaches TensorBoard too;
* on Colab, Colab's own port proxy (``google.colab.kernel.proxyPort``) shows
  it, as the ``%tensorboard`` magic does there.

Each TensorBoard belongs to the kernel that started it. ``show()`` for a log
directory it already serves reuses that server; another log directory (or
another kernel: a second lesson) gets its own server on another free port.
The servers end with the kernel: on its normal exit (shutdown, restart) they
are stopped and waited for; if it is killed, the kernel's process group
signal or Linux's parent-death signal ends them. A kernel interrupt (the
stop button signals the whole process group) does not stop them.
"""

from __future__ import annotations

import atexit
import dataclasses
import html
import importlib.util
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

NO_SERVERS_ENV = "BOOTCAMP_NO_SERVERS"
HOST = "127.0.0.1"
START_TIMEOUT_S = 180.0

# Runs as the server process itself (`python -c LAUNCHER <kernel pid> <module> <args...>`),
# before the server's module: nothing here runs between fork and exec.
LAUNCHER = """\
import os, runpy, signal, sys
kernel = int(sys.argv[1])
# The kernel's interrupt goes to its whole process group: it is not meant for this server.
signal.signal(signal.SIGINT, signal.SIG_IGN)
if kernel and sys.platform.startswith("linux"):
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
if kernel and os.getppid() != kernel:
    sys.exit("the kernel that started this server has already exited")
sys.argv = sys.argv[2:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


@dataclasses.dataclass
class Server:
    """A TensorBoard started by this kernel."""

    logdir: Path
    port: int
    process: subprocess.Popen
    log: Path                      # its stdout and stderr

    def running(self) -> bool:
        if self.process.poll() is not None:
            return False
        # poll() also answers None ("don't know") while the reaper thread is inside waitpid: a server
        # that has just died and been reaped, before that thread records its exit. Its pid is gone then.
        try:
            os.kill(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "<no log>"


_servers: dict[Path, Server] = {}
_lock = threading.Lock()


def show(logdir: str | os.PathLike, port: int | None = None, height: int = 800) -> None:
    """Start (or reuse) TensorBoard for ``logdir`` and show it below the cell.

    ``port`` picks TensorBoard's port on 127.0.0.1; by default a free one is
    found. Automated runs (``make test`` sets ``BOOTCAMP_NO_SERVERS=1``)
    only list the runs found, because nobody is there to look.
    """
    logdir = Path(logdir)
    runs = sorted(p.parent.relative_to(logdir).as_posix() for p in logdir.rglob("events.out.tfevents.*"))
    print(f"TensorBoard logs in {logdir}/: {len(runs)} event file(s) from runs {sorted(set(runs))}")
    if os.environ.get(NO_SERVERS_ENV, "") not in ("", "0"):
        print(f"{NO_SERVERS_ENV} is set: not starting a server. To look yourself, run in a terminal:\n"
              f"  tensorboard --logdir {shlex.quote(str(logdir))} --host {HOST}")
        return
    from IPython import get_ipython

    if get_ipython() is None:
        raise RuntimeError("bootcamp.tensorboard.show() runs inside Jupyter; in a terminal use "
                           f"`tensorboard --logdir {shlex.quote(str(logdir))} --host {HOST}`")
    server, reused = serve(logdir, port)
    if not server.running():
        print(f"TensorBoard did not start (exit code {server.process.returncode}); its log:\n{server.log_tail()}")
        return
    print(f"{'Reusing' if reused else 'Started'} TensorBoard for {logdir}/ on {HOST}:{server.port} "
          f"(pid {server.process.pid}; it stops with this kernel, or with bootcamp.tensorboard.stop())")
    if "google.colab" in sys.modules:
        from tensorboard import notebook

        notebook.display(port=server.port, height=height)
    else:
        _display_jupyter(server, height)


def serve(logdir: str | os.PathLike, port: int | None = None) -> tuple[Server, bool]:
    """The running TensorBoard of this process for ``logdir``, started if need be.

    Returns the server and whether it was already running. Waits until it
    answers HTTP (or exits, or ``START_TIMEOUT_S`` passes).
    """
    key = Path(logdir).resolve()
    with _lock:
        server = _servers.get(key)
        if server is not None and server.running() and port in (None, server.port):
            return server, True
        if server is not None:
            _stop(server)
        server = _start(key, port)
        _servers[key] = server
        return server, False


def stop(logdir: str | os.PathLike | None = None) -> None:
    """Stop this kernel's TensorBoard for ``logdir`` (all of them by default)."""
    with _lock:
        keys = list(_servers) if logdir is None else [Path(logdir).resolve()]
        for key in keys:
            server = _servers.pop(key, None)
            if server is not None:
                _stop(server)


def server_args(logdir: Path, port: int) -> list[str]:
    """The module that serves and its arguments (the tests put a stand-in here)."""
    return ["tensorboard.main", "--logdir", str(logdir), "--host", HOST, "--port", str(port)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    """Whether an HTTP server answers on the port (TensorBoard's smallest page)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # this machine: no proxy
    try:
        with opener.open(f"http://{HOST}:{port}/data/environment", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:       # refused: not listening yet
        return False


def _start(logdir: Path, port: int | None) -> Server:
    # The parent-death signal fires when the forking *thread* ends: ask for it
    # only from the main thread, where notebook cells run.
    kernel = os.getpid() if threading.current_thread() is threading.main_thread() else 0
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1")     # TensorBoard needs no GPU: leave its memory to the lessons
    attempts = 0
    while True:
        attempts += 1
        chosen = port or _free_port()
        fd, log = tempfile.mkstemp(prefix=f"bootcamp-tensorboard-{chosen}-", suffix=".log")
        with os.fdopen(fd, "wb") as out:
            process = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(kernel), *server_args(logdir, chosen)],
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
        server = Server(logdir, chosen, process, Path(log))
        # reap it as soon as it exits, so it never lingers as a zombie of a live kernel
        threading.Thread(target=process.wait, name=f"tensorboard-{chosen}-reaper", daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while server.running() and not _answers(chosen) and time.monotonic() < deadline:
            time.sleep(0.3)
        if server.running() or port is not None or attempts == 3 or "in use" not in server.log_tail():
            return server
        _stop(server)     # another program took the free port in the meantime: take another


def _stop(server: Server, grace_s: float = 10.0) -> None:
    if server.running():
        server.process.terminate()
        try:
            server.process.wait(grace_s)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    try:
        server.log.unlink()
    except OSError:
        pass


@atexit.register
def _stop_all() -> None:
    stop()


def jupyter_base_url() -> str | None:
    """The URL path of the Jupyter server that runs this kernel ("/", or
    "/user/<name>/" on JupyterHub); None when no Jupyter server is found.

    The kernel's launcher puts the server's process id in ``JPY_PARENT_PID``;
    the server describes itself in ``<runtime dir>/jpserver-<pid>.json``.
    """
    from jupyter_core.paths import jupyter_runtime_dir

    parents = [os.getppid()]
    if os.environ.get("JPY_PARENT_PID", "").isdigit():
        parents.insert(0, int(os.environ["JPY_PARENT_PID"]))
    runtime = Path(jupyter_runtime_dir())
    for pid in parents:
        for name in (f"jpserver-{pid}.json", f"nbserver-{pid}.json"):
            try:
                info = json.loads((runtime / name).read_text())
            except (OSError, ValueError):
                continue
            return _slashed(info.get("base_url") or "/")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    return _slashed(prefix) if prefix else None


def _slashed(path: str) -> str:
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def proxy_url(port: int, base_url: str = "/") -> str:
    """jupyter-server-proxy's address of a local port. Not the ``absolute``
    form: TensorBoard's pages use relative links, so it wants the prefix
    removed (and the trailing slash kept)."""
    return f"{_slashed(base_url)}proxy/{port}/"


def _display_jupyter(server: Server, height: int) -> None:
    from IPython.display import display

    base = jupyter_base_url()
    proxy = importlib.util.find_spec("jupyter_server_proxy") is not None
    if base is not None and proxy:
        url = proxy_url(server.port, base)
        where = "through this Jupyter server, behind its token"
    else:
        url = f"http://{HOST}:{server.port}/"
        why = ("jupyter-server-proxy is not installed (pip install -r requirements.txt, then restart the lab)"
               if base is not None else "no Jupyter server was found for this kernel")
        where = f"directly, so only a browser on this machine opens it ({why})"
    link = html.escape(url, quote=True)
    display({"text/html": f'<iframe src="{link}" width="100%" height="{int(height)}" frameborder="0" '
                          f'title="TensorBoard {html.escape(str(server.logdir))}"></iframe>\n'
                          f'<p>TensorBoard, {html.escape(where)}: <a href="{link}" target="_blank" '
                          f'rel="noopener">{link}</a> (opens in a new tab)</p>',
             "text/plain": f"TensorBoard, {where}: {url}"}, raw=True)
