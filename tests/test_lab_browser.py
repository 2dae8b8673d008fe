"""End to end: `make lab`, then Start-here run through JupyterLab's own UI in
headless Chromium. Also checks that the server refuses requests without its
token. The screenshot lands in reports/screenshots/ (git-ignored)."""

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


@pytest.fixture
def lab(tmp_path):
    """Start JupyterLab the way `make lab` does, on a copy of Start-here."""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "00_start_here.ipynb", tmp_path / "notebooks")
    port = free_port()
    proc = subprocess.Popen(["make", "-s", "-C", str(ROOT), "lab", f"PORT={port}", f"LAB_ROOT={tmp_path}"],
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


def test_lab_listens_on_loopback_and_refuses_requests_without_the_token(lab):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{lab['base']}/api/contents", timeout=5)
    assert refused.value.code == 403
    with urllib.request.urlopen(f"{lab['base']}/api/contents?token={lab['token']}", timeout=5) as ok:
        assert ok.status == 200
    # bound to 127.0.0.1 only: the machine's other addresses get no answer
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))                 # TEST-NET address: no packet is sent
        own_ip = probe.getsockname()[0]
    if own_ip != "127.0.0.1":
        with pytest.raises(OSError):
            socket.create_connection((own_ip, lab["port"]), timeout=2).close()


def test_lab_shows_no_news_pop_up(lab):
    """JupyterLab asks every new user whether to fetch Jupyter news, a toast in
    the middle of a workshop: `make lab` turns the feed off, and the page's
    own configuration says so to the frontend."""
    with urllib.request.urlopen(f"{lab['base']}/lab?token={lab['token']}", timeout=10) as reply:
        html = reply.read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    assert config["news"] == {"disabled": True}


def wait_for_kernel(page, lab, timeout=180):
    """Until the notebook's kernel is running. JupyterLab sometimes asks which
    kernel to start: accept its proposal (Python 3) when it does."""
    select = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if select.count():
            select.click()
        with urllib.request.urlopen(f"{lab['base']}/api/sessions?token={lab['token']}", timeout=5) as reply:
            sessions = json.load(reply)
        if any(s.get("kernel", {}).get("execution_state") == "idle" for s in sessions):
            return
        page.wait_for_timeout(500)
    raise AssertionError("the notebook's kernel did not start")


def test_start_here_runs_in_the_browser_without_errors(lab):
    notebook = lab["root"] / "notebooks" / "00_start_here.ipynb"
    shots = ROOT / "reports" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=NO_NETWORK_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{lab['base']}/lab/tree/notebooks/00_start_here.ipynb?token={lab['token']}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            wait_for_kernel(page, lab)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
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
        finally:
            page.screenshot(path=str(shots / "00_start_here.png"), full_page=False)
        browser.close()
    saved = json.loads(notebook.read_text())
    errors = [o for c in saved["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
              if o["output_type"] == "error"]
    assert errors == [], f"cells raised: {[(e['ename'], e['evalue']) for e in errors]}"
    executed = [c["execution_count"] for c in saved["cells"] if c["cell_type"] == "code"]
    assert all(executed), f"not every cell ran: {executed}"
    text = "".join("".join(o.get("text", "")) for c in saved["cells"] for o in c.get("outputs", []))
    assert "smoke-test MSE" in text and "Run mode" in text
    assert "\N{CHECK MARK}" in text, "floor() and the self-checks print a check mark every font has"
