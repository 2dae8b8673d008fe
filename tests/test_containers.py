"""The GPU container and the Apptainer image: pinned, authenticated, non-root.

No container engine runs on the CI machines, so these tests lint and parse
the files and run the start script with stand-ins for `id` and `jupyter`.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "containers" / "Dockerfile"
APPTAINER = ROOT / "containers" / "bootcamp.def"
START = ROOT / "containers" / "start-lab.sh"
FORBIDDEN = ["--allow-root", "token=''", 'token=""', "--ServerApp.token=", "--NotebookApp.token=",
             "--ServerApp.password=''", "disable_check_xsrf"]


def pinned_tensorflow():
    text = (ROOT / "requirements.txt").read_text()
    return re.search(r"^tensorflow==([\d.]+)(?: |$)", text, re.M).group(1)


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path, base", [(DOCKERFILE, r"^FROM (\S+)"), (APPTAINER, r"^From: (\S+)")])
def test_base_image_is_the_pinned_tensorflow_gpu_release(path, base):
    image = re.search(base, path.read_text(), re.M).group(1)
    assert image == f"tensorflow/tensorflow:{pinned_tensorflow()}-gpu"


@pytest.mark.parametrize("path", [DOCKERFILE, APPTAINER])
def test_installs_exactly_the_pinned_requirements(path):
    installs = re.findall(r"pip install ([^\n\\&]+)", path.read_text())
    assert installs, "no pip install found"
    for args in installs:
        words = [w for w in args.split() if not w.startswith("--") or w == "--no-deps"]
        assert words in (["-r", "requirements.txt"], ["-r", "requirements-gpu.txt"],
                         ["--no-deps", "-e", "."], ["--no-deps", "."]), (
            f"{path.name}: `pip install {args.strip()}` installs something not pinned in requirements.txt")


@pytest.mark.parametrize("path", [DOCKERFILE, APPTAINER, START])
def test_never_starts_jupyter_without_authentication_or_as_root(path):
    text = path.read_text()
    for bad in FORBIDDEN:
        assert bad not in text, f"{path.name} contains {bad}"


def test_dockerfile_runs_as_a_normal_user():
    lines = [ln.strip() for ln in DOCKERFILE.read_text().splitlines()]
    users = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    entry = next(i for i, ln in enumerate(lines) if ln.startswith("ENTRYPOINT"))
    assert max(i for i, ln in enumerate(lines) if ln.startswith("USER ")) < entry
    assert '"containers/start-lab.sh"' in lines[entry]
    assert any(ln.startswith("HEALTHCHECK") for ln in lines)
    assert "ARG PREFETCH_DATA" in DOCKERFILE.read_text()


def test_apptainer_binds_the_lab_to_loopback():
    text = APPTAINER.read_text()
    assert "export JUPYTER_IP=127.0.0.1" in text
    assert "start-lab.sh" in text.split("%runscript", 1)[1]


@pytest.fixture
def fake_bin(tmp_path):
    def make(uid):
        (tmp_path / "id").write_text(f"#!/bin/sh\necho {uid}\n")
        (tmp_path / "jupyter").write_text('#!/bin/sh\necho "TOKEN=$JUPYTER_TOKEN"\necho "ARGS=$*"\n')
        for name in ("id", "jupyter"):
            (tmp_path / name).chmod(0o755)
        env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}")
        env.pop("JUPYTER_TOKEN", None)
        return env
    return make


def test_start_script_refuses_root(fake_bin):
    result = subprocess.run(["bash", str(START)], env=fake_bin(0), capture_output=True, text=True)
    assert result.returncode == 1 and "Refusing to start JupyterLab as root" in result.stderr
    assert "TOKEN=" not in result.stdout


def test_start_script_always_sets_a_token(fake_bin):
    result = subprocess.run(["bash", str(START)], env=fake_bin(1000), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    token = re.search(r"^TOKEN=(\w+)$", result.stdout, re.M).group(1)
    assert len(token) >= 32
    assert f"lab?token={token}" in result.stdout
    assert "--ip=0.0.0.0" in result.stdout and "--port=8888" in result.stdout

    env = dict(fake_bin(1000), JUPYTER_TOKEN="chosen-token", JUPYTER_IP="127.0.0.1")
    result = subprocess.run(["bash", str(START)], env=env, capture_output=True, text=True)
    assert "TOKEN=chosen-token" in result.stdout and "--ip=127.0.0.1" in result.stdout


def test_start_script_turns_off_news_and_update_checks(fake_bin):
    result = subprocess.run(["bash", str(START)], env=fake_bin(1000), capture_output=True, text=True)
    assert "--LabApp.news_url=None" in result.stdout
    assert "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate" in result.stdout


def _as_process_one(env):
    """Run the start script as process 1 of a new PID namespace, as in a container."""
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare, "--pid", "--fork", "--mount-proc", "true"], capture_output=True) \
        if unshare else None
    if probe is None or probe.returncode != 0:
        pytest.fail("this test needs `unshare --pid` (util-linux, run as root as CI does)")
    return subprocess.run([unshare, "--pid", "--fork", "--mount-proc", "bash", str(START)],
                          env=env, capture_output=True, text=True, timeout=60)


def test_start_script_as_process_one_reaps_orphans(fake_bin, tmp_path):
    env = fake_bin(1000)
    # A "JupyterLab" that leaves an orphan behind (as a killed kernel's TensorBoard
    # would), then counts the zombies in the container after the orphan has exited.
    # It is Python, which (like JupyterLab) reaps only its own children.
    (tmp_path / "jupyter").write_text(
        f"#!{sys.executable}\n"
        "import subprocess, sys, time\n"
        "subprocess.run(['bash', '-c', '(sleep 0.2 &)'])\n"
        "time.sleep(1.5)\n"
        "states = subprocess.run(['ps', '-eo', 'stat='], capture_output=True, text=True).stdout.split()\n"
        "print('ZOMBIES=%d' % sum(s.startswith('Z') for s in states))\n"
        "sys.exit(3)\n")
    result = _as_process_one(env)
    assert "ZOMBIES=0" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 3, "the lab's exit status is the container's"


def _section(text, name):
    """The body of an Apptainer definition section, up to the next one."""
    body = text.split(f"%{name}\n", 1)[1]
    return re.split(r"^%\w+", body, maxsplit=1, flags=re.M)[0]


def test_apptainer_copies_only_what_the_course_needs():
    files = [line.split() for line in _section(APPTAINER.read_text(), "files").splitlines()
             if line.strip() and not line.strip().startswith("#")]
    sources = [src for src, _ in files]
    assert "." not in sources, "Apptainer ignores .dockerignore: copying . takes .venv, .cache and .git"
    for src in sources:
        assert (ROOT / src).exists(), f"%files names {src}, which the repository does not have"
        assert not src.startswith((".venv", ".cache", ".git")), src
    assert {"bootcamp", "data_scripts", "notebooks", "solutions", "requirements.txt"} <= set(sources)


def test_apptainer_has_help_and_a_smoke_test():
    text = APPTAINER.read_text()
    assert "apptainer test" in _section(text, "help")
    smoke = _section(text, "test")
    assert "00_start_here.ipynb" in smoke and "--execute" in smoke and "BOOTCAMP_QUICK=1" in smoke
