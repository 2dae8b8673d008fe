"""End to end: `make lab`, then Start-here run through JupyterLab's own UI in
headless Chromium, and a lesson's TensorBoard opened through the lab's own
port. Also checks that the server, its TensorBoard proxy included, refuses
requests without its token. One lab serves the whole module. Screenshots
land in reports/screenshots/ (git-ignored)."""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_NETWORK_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Chromium (Debian package `chromium`): see .ci/run")
    pytest.skip("Chromium is not installed (apt-get install chromium) - the browser test needs it",
                allow_module_level=True)
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Start JupyterLab the way `make lab` does, on a copy of Start-here."""
    tmp_path = tmp_path_factory.mktemp("lab")
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "00_start_here.ipynb", tmp_path / "notebooks")
    port = free_port()
    # a fresh learner's JupyterLab: no tabs restored from earlier runs, no settings of this machine's user
    env = dict(os.environ, JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"))
    proc = subprocess.Popen(["make", "-s", "-C", str(ROOT), "lab", f"PORT={port}", f"LAB_ROOT={tmp_path}"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url, seen = None, []
    deadline = time.time() + 300
    while time.time() < deadline and url is None:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        seen.append(line)
        match = re.search(rf"(http://127\.0\.0\.1:{port}/lab\?token=(\w+))", line)
        url = match and match.group(1)
    assert url, "make lab printed no URL with a token:\n" + "".join(seen[-30:])
    token = url.rsplit("=", 1)[1]
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    try:
        yield {"base": base, "token": token, "root": tmp_path, "port": port}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def assert_loopback_only(port):
    """Bound to 127.0.0.1 only: the machine's other addresses get no answer."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))                 # TEST-NET address: no packet is sent
        own_ip = probe.getsockname()[0]
    if own_ip != "127.0.0.1":
        with pytest.raises(OSError):
            socket.create_connection((own_ip, port), timeout=2).close()


def test_lab_listens_on_loopback_and_refuses_requests_without_the_token(lab):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{lab['base']}/api/contents", timeout=5)
    assert refused.value.code == 403
    with urllib.request.urlopen(f"{lab['base']}/api/contents?token={lab['token']}", timeout=5) as ok:
        assert ok.status == 200
    assert_loopback_only(lab["port"])


def test_lab_shows_no_news_pop_up(lab):
    """JupyterLab asks every new user whether to fetch Jupyter news, a toast in
    the middle of a workshop: `make lab` turns the feed off, and the page's
    own configuration says so to the frontend."""
    with urllib.request.urlopen(f"{lab['base']}/lab?token={lab['token']}", timeout=10) as reply:
        html = reply.read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    assert config["news"] == {"disabled": True}
    # and the question "Would you like to get notified about official Jupyter news?" is
    # answered for every user by the environment's overrides (bootcamp.dev.labsettings)
    url = f"{lab['base']}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={lab['token']}"
    with urllib.request.urlopen(url, timeout=10) as reply:
        defaults = {name: spec.get("default") for name, spec in json.load(reply)["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False


def sessions(lab, notebook):
    with urllib.request.urlopen(f"{lab['base']}/api/sessions?token={lab['token']}", timeout=5) as reply:
        return [s for s in json.load(reply) if s.get("path", "").endswith(notebook)]


def wait_for_kernel(page, lab, notebook, timeout=180):
    """Until the notebook's kernel is running. JupyterLab sometimes asks which
    kernel to start: accept its proposal (Python 3) when it does."""
    select = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if select.count():
            select.click()
        if any(s.get("kernel", {}).get("execution_state") == "idle" for s in sessions(lab, notebook)):
            return
        page.wait_for_timeout(500)
    raise AssertionError("the notebook's kernel did not start")


def run_all(page):
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


@contextlib.contextmanager
def notebook_running(lab, name, screenshot):
    """Chromium opens notebooks/<name> through the lab URL with the token, waits for
    its kernel and runs all cells; the page is screenshot into reports/ at the end."""
    shots = ROOT / "reports" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=NO_NETWORK_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{lab['base']}/lab/tree/notebooks/{name}?token={lab['token']}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            wait_for_kernel(page, lab, name)
            run_all(page)
            yield page
        finally:
            page.screenshot(path=str(shots / screenshot), full_page=False)
            browser.close()


def test_start_here_runs_in_the_browser_without_errors(lab):
    notebook = lab["root"] / "notebooks" / "00_start_here.ipynb"
    with notebook_running(lab, notebook.name, "00_start_here.png") as page:
        # Run All queues every cell as [*]; done when none is left queued and the
        # kernel is idle (after an error the rest stay unnumbered: checked below)
        page.wait_for_function(
            """() => {
                 const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                   .map(p => p.textContent.trim());
                 const idle = document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
                 return idle && prompts.some(t => /^\\[\\d+\\]:$/.test(t)) && !prompts.includes('[*]:');
               }""", timeout=int(os.environ.get("LAB_TEST_TIMEOUT_MS", 240_000)))
        page.keyboard.press("Control+s")
        page.wait_for_timeout(2000)
    saved = json.loads(notebook.read_text())
    errors = [o for c in saved["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
              if o["output_type"] == "error"]
    assert errors == [], f"cells raised: {[(e['ename'], e['evalue']) for e in errors]}"
    executed = [c["execution_count"] for c in saved["cells"] if c["cell_type"] == "code"]
    assert all(executed), f"not every cell ran: {executed}"
    text = "".join("".join(o.get("text", "")) for c in saved["cells"] for o in c.get("outputs", []))
    assert "smoke-test MSE" in text and "Run mode" in text
    assert "\N{CHECK MARK}" in text, "floor() and the self-checks print a check mark every font has"


TENSORBOARD_CELL = """\
import os
os.environ.pop("BOOTCAMP_NO_SERVERS", None)    # `make test` sets it; this check wants the server
from bootcamp import tensorboard
tensorboard.show("logs/tb_check")"""


def write_scalars(run_dir):
    """An event file with the scalar `loss` at steps 0 to 2, written without TensorFlow."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter

    run_dir.mkdir(parents=True)
    with open(run_dir / "events.out.tfevents.1.bootcamp-test", "wb") as out:
        writer = RecordWriter(out)
        writer.write(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2").SerializeToString())
        for step in range(3):
            value = summary_pb2.Summary.Value(tag="loss", simple_value=1.0 / (step + 1))
            event = event_pb2.Event(wall_time=time.time(), step=step, summary=summary_pb2.Summary(value=[value]))
            writer.write(event.SerializeToString())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None                     # a redirect then arrives as an HTTPError


def test_tensorboard_comes_through_the_lab_behind_its_token(lab):
    """A lesson's show() serves TensorBoard on a free loopback port, the notebook
    frames it through the lab's own port (jupyter-server-proxy), the browser's
    login cookie opens it, no token no TensorBoard, and it ends with its kernel."""
    notebooks = lab["root"] / "notebooks"
    write_scalars(notebooks / "logs" / "tb_check" / "run_a")
    metadata = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())["metadata"]
    (notebooks / "tb_check.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "tensorboard", "metadata": {},
                   "outputs": [], "source": TENSORBOARD_CELL}],
        "metadata": {"kernelspec": metadata["kernelspec"], "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    with notebook_running(lab, "tb_check.ipynb", "tensorboard_in_lab.png") as page:
        frame = page.locator(".jp-OutputArea-output iframe")
        frame.wait_for(timeout=int(os.environ.get("LAB_TEST_TIMEOUT_MS", 240_000)))
        src = frame.get_attribute("src")
        assert re.fullmatch(r"/proxy/\d+/", src), f"not the lab's proxy address: {src}"
        # the browser's requests, with the login cookie the token gave it
        deadline = time.time() + 120
        while True:
            runs = page.request.get(f"{lab['base']}{src}data/runs")
            tags = page.request.get(f"{lab['base']}{src}data/plugin/scalars/tags")
            if runs.ok and tags.ok and "run_a" in runs.json() and "loss" in tags.json().get("run_a", {}):
                break
            assert time.time() < deadline, (f"TensorBoard lists no run through the lab: {runs.status} "
                                            f"{runs.text()[:300]} / {tags.status} {tags.text()[:300]}")
            page.wait_for_timeout(1000)
        # and the frame below the cell is TensorBoard's own page, showing the run's scalar
        inside = page.frame_locator(".jp-OutputArea-output iframe")
        inside.locator("tb-webapp").wait_for(state="attached", timeout=60_000)
        inside.get_by_text("loss", exact=True).first.wait_for(timeout=120_000)
        output = page.locator(".jp-OutputArea-output", has_text="Started TensorBoard").first.inner_text()

    port, pid = int(src.split("/")[2]), int(re.search(r"\(pid (\d+);", output).group(1))
    for path in (src, f"{src}data/runs"):          # no token, no cookie: refused or sent to the login page
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.build_opener(NoRedirect).open(f"{lab['base']}{path}", timeout=10)
        assert refused.value.code == 403 or (
            refused.value.code == 302 and "/login" in refused.value.headers.get("Location", "")), refused.value
    assert_loopback_only(port)

    # shutting the notebook's kernel down ends its TensorBoard, leaving no zombie
    session = sessions(lab, "tb_check.ipynb")[0]
    urllib.request.urlopen(urllib.request.Request(f"{lab['base']}/api/sessions/{session['id']}", method="DELETE",
                                                  headers={"Authorization": f"token {lab['token']}"}), timeout=60)
    deadline = time.time() + 60
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        assert time.time() < deadline, f"TensorBoard (pid {pid}) outlived its kernel"
        time.sleep(0.5)
