"""bootcamp.tensorboard without a browser: which address the notebook shows,
one server per log directory on a free loopback port, and servers that end
with the kernel that started them.

A stand-in serves here (Python's http.server, started by the same launcher,
in well under a second); the real TensorBoard, reached through JupyterLab's
proxy, is checked by tests/test_lab_browser.py."""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bootcamp import tensorboard

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def stand_in_args(logdir, port):
    return ["http.server", "--bind", "127.0.0.1", "--directory", str(logdir), str(port)]


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr(tensorboard, "server_args", stand_in_args)
    yield
    tensorboard.stop()


def gone(pid, timeout=15.0):
    """True once ``pid`` has exited and been reaped (not even a zombie left)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def exited(pid, timeout=15.0):
    """True once ``pid`` has exited (reaping it is then the job of whoever adopted it)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X") or time.monotonic() >= deadline:
            return state in ("Z", "X")
        time.sleep(0.1)


def own_address():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))                 # TEST-NET address: no packet is sent
        return probe.getsockname()[0]


def test_tensorboard_is_asked_for_loopback_and_the_given_port(tmp_path):
    args = tensorboard.server_args(tmp_path, 41234)
    assert args[0] == "tensorboard.main"
    assert args[args.index("--host") + 1] == "127.0.0.1" and args[args.index("--port") + 1] == "41234"
    assert "--bind_all" not in args and args[args.index("--logdir") + 1] == str(tmp_path)


def test_with_no_servers_it_only_lists_the_runs(tmp_path, monkeypatch, capsys):
    (tmp_path / "run_a").mkdir()
    (tmp_path / "run_a" / "events.out.tfevents.1.host").write_bytes(b"")
    monkeypatch.setenv(tensorboard.NO_SERVERS_ENV, "1")
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("a server was started"))
    tensorboard.show(tmp_path)
    out = capsys.readouterr().out
    assert "1 event file(s) from runs ['run_a']" in out
    assert "not starting a server" in out and "--host 127.0.0.1" in out


def test_the_proxy_address_keeps_the_base_url_and_the_trailing_slash():
    assert tensorboard.proxy_url(6123) == "/proxy/6123/"
    assert tensorboard.proxy_url(6123, "/user/ada") == "/user/ada/proxy/6123/"
    assert tensorboard.proxy_url(6123, "/user/ada/") == "/user/ada/proxy/6123/"


def test_the_base_url_is_that_of_the_server_that_started_the_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    monkeypatch.setenv("JPY_PARENT_PID", "4242")
    assert tensorboard.jupyter_base_url() is None               # no server: not in Jupyter
    (tmp_path / "jpserver-999.json").write_text(json.dumps({"pid": 999, "base_url": "/other/"}))
    (tmp_path / "jpserver-4242.json").write_text(json.dumps({"pid": 4242, "base_url": "/user/ada/"}))
    assert tensorboard.jupyter_base_url() == "/user/ada/"
    (tmp_path / "jpserver-4242.json").write_text(json.dumps({"pid": 4242, "base_url": "/"}))
    assert tensorboard.jupyter_base_url() == "/"
    (tmp_path / "jpserver-4242.json").unlink()
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/bob")
    assert tensorboard.jupyter_base_url() == "/user/bob/"


def test_one_server_per_log_directory_on_free_loopback_ports(tmp_path, stand_in):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    a, reused = tensorboard.serve(first)
    assert not reused and a.running()
    again, reused = tensorboard.serve(first)
    assert reused and again is a
    b, reused = tensorboard.serve(second)
    assert not reused and b.port != a.port and b.process.pid != a.process.pid
    for server in (a, b):
        with NO_PROXY.open(f"http://127.0.0.1:{server.port}/", timeout=5) as reply:
            assert reply.status == 200
    address = own_address()
    if address != "127.0.0.1":
        with pytest.raises(OSError):
            socket.create_connection((address, a.port), timeout=2).close()


def test_an_interrupt_leaves_the_server_running_and_stop_reaps_it(tmp_path, stand_in):
    server, _ = tensorboard.serve(tmp_path)
    os.kill(server.process.pid, signal.SIGINT)       # what the kernel's stop button sends its group
    time.sleep(1)
    assert server.running()
    tensorboard.stop(tmp_path)
    assert gone(server.process.pid) and not server.log.exists()


def test_a_server_that_died_is_reaped_and_replaced(tmp_path, stand_in):
    server, _ = tensorboard.serve(tmp_path)
    os.kill(server.process.pid, signal.SIGKILL)
    assert gone(server.process.pid), "the dead server stays a zombie of this process"
    fresh, reused = tensorboard.serve(tmp_path)
    assert not reused and fresh.running()


def test_a_server_reaped_a_moment_ago_is_not_running(tmp_path):
    """The reaper thread sits in waitpid; once it has reaped a killed server, Popen.poll() still says
    "don't know" (None) until that thread records the exit. running() must not read that as alive
    (it did: a fresh serve() then 'reused' the dead server)."""
    for _ in range(20):
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        threading.Thread(target=process.wait, daemon=True).start()
        server = tensorboard.Server(tmp_path, 0, process, tmp_path / "log")
        os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:         # ask as soon as the pid is gone, not 0.1 s later
            try:
                os.kill(process.pid, 0)
            except ProcessLookupError:
                break
        assert not server.running()


@pytest.fixture
def notebook(tmp_path, monkeypatch, stand_in):
    """show() as in a kernel that a Jupyter server at /user/ada/ started."""
    import IPython
    import IPython.display

    shown = []
    monkeypatch.delenv(tensorboard.NO_SERVERS_ENV, raising=False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "jpserver-4242.json").write_text(json.dumps({"pid": 4242, "base_url": "/user/ada/"}))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("JPY_PARENT_PID", "4242")
    (tmp_path / "logs").mkdir()
    return tmp_path / "logs", shown


def test_show_frames_the_proxy_address_of_the_lab(notebook, capsys):
    logdir, shown = notebook
    tensorboard.show(logdir)
    tensorboard.show(logdir)
    first, second = shown
    port = tensorboard.serve(logdir)[0].port
    assert f'<iframe src="/user/ada/proxy/{port}/"' in first["text/html"]
    assert first["text/plain"].endswith(f"/user/ada/proxy/{port}/") and second == first
    out = capsys.readouterr().out
    assert f"Started TensorBoard for {logdir}/ on 127.0.0.1:{port}" in out
    assert f"Reusing TensorBoard for {logdir}/ on 127.0.0.1:{port}" in out


def test_without_a_jupyter_server_show_links_the_port_itself(notebook, monkeypatch):
    logdir, shown = notebook
    monkeypatch.setenv("JPY_PARENT_PID", "4243")        # a kernel no Jupyter server started (an IDE's, say)
    tensorboard.show(logdir)
    port = tensorboard.serve(logdir)[0].port
    assert f'<iframe src="http://127.0.0.1:{port}/"' in shown[0]["text/html"]
    assert "no Jupyter server was found" in shown[0]["text/plain"]


def test_on_colab_show_uses_colabs_own_frame(notebook, monkeypatch):
    import importlib
    import types

    logdir, shown = notebook
    colab_frames = []
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(importlib.import_module("tensorboard.notebook"), "display",
                        lambda port, height: colab_frames.append(port))
    tensorboard.show(logdir)
    assert colab_frames == [tensorboard.serve(logdir)[0].port] and shown == []


KERNEL = textwrap.dedent("""\
    import sys, threading
    from bootcamp import tensorboard
    tensorboard.server_args = lambda logdir, port: [
        "http.server", "--bind", "127.0.0.1", "--directory", str(logdir), str(port)]
    if sys.argv[2] == "thread":           # started from a thread that has ended since: no parent-death signal
        started = []
        worker = threading.Thread(target=lambda: started.append(tensorboard.serve(sys.argv[1])[0]))
        worker.start(), worker.join()
        server = started[0]
    else:
        server, _ = tensorboard.serve(sys.argv[1])
    print(server.process.pid, server.running(), flush=True)
    sys.stdin.read()                      # until the test closes stdin, or kills this process
    """)


@pytest.mark.parametrize("end, caller", [("exit", "thread"), ("kill", "main")])
def test_servers_end_with_the_kernel_that_started_them(tmp_path, end, caller):
    """On a normal exit the kernel stops and reaps its servers itself (atexit);
    killed, it leaves them Linux's parent-death signal (the servers then exit,
    and whoever adopted them reaps them)."""
    if end == "kill" and not sys.platform.startswith("linux"):
        pytest.skip("the parent-death signal is Linux's")
    kernel = subprocess.Popen([sys.executable, "-c", KERNEL, str(tmp_path), caller],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    pid = None
    try:
        pid, running = kernel.stdout.readline().split()
        pid = int(pid)
        time.sleep(0.5)
        assert running == "True" and not exited(pid, timeout=0)
        if end == "exit":
            kernel.stdin.close()
            kernel.wait(30)
            assert gone(pid, timeout=0), "the kernel exited and left its server running or unreaped"
        else:
            kernel.kill()
            kernel.wait(30)
            assert exited(pid), "the kernel was killed and its server lives on"
    finally:
        kernel.kill()
        kernel.wait()
        if pid and not exited(pid, timeout=0):
            os.kill(pid, signal.SIGKILL)          # a failed check leaves no server behind


def test_the_container_lab_sends_the_tensorboard_magic_through_its_proxy(tmp_path):
    """`%tensorboard`, typed by hand, frames TENSORBOARD_PROXY_URL (with %PORT%
    filled in): the container's start script points it at the lab's proxy."""
    for name, body in (("id", "echo 1000"), ("jupyter", 'echo "PROXY=$TENSORBOARD_PROXY_URL"')):
        (tmp_path / name).write_text(f"#!/bin/sh\n{body}\n")
        (tmp_path / name).chmod(0o755)
    env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}", JUPYTER_TOKEN="t")
    env.pop("TENSORBOARD_PROXY_URL", None)
    start = Path(tensorboard.__file__).resolve().parents[1] / "containers" / "start-lab.sh"
    result = subprocess.run(["bash", str(start)], env=env, capture_output=True, text=True)
    assert "PROXY=/proxy/%PORT%/" in result.stdout, result.stdout + result.stderr
    assert "through this same port" in result.stdout
