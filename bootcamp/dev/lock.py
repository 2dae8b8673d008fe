"""The lock: requirements.txt and requirements-dev.txt, resolved by uv.

``requirements-uv.in`` is the installer itself: every environment gets uv
first, from its own hash-checked lock, and installs the other locks with it.

``requirements.in`` names what the notebooks need (learners and both container
images install only that); ``requirements-dev.in`` adds what checking the course
needs. ``uv pip compile`` turns each into exact pins for Python 3.11 on every
platform (``--universal``), each with the reason it is there (``# via``) and the
hashes of its files, so pip refuses a file that is not the one locked. The
development set is resolved with the runtime lock as a constraint, so a package
in both has one version.

``requirements-gpu.in`` adds what only the GPU container images need: the
CUDA target of numba (``numba-cuda``) with the NVVM compiler and libdevice as
wheels, so the flow solver's GPU path runs there; it is locked for the images'
Linux only.

``--exclude-newer`` makes the resolution repeatable: the same inputs give the
same lock on any day, which ``--check`` (and a test) verifies. The cut-off is a
moment some days *before* the lock is made, not the day itself: package
indexes and their mirrors can lag behind PyPI, so a release uploaded shortly
before a same-day cut-off may be missing from one index's answer and present
in another's. (Seen here: platformdirs 4.14.9, uploaded 2026-11-27T20:53Z,
was not in the answer uv got when the lock was made with the cut-off
2026-11-29, a stale index or cache, and was in it the next day, when the
same check failed.) To change a pin, move the cut-off
to a few days before today, then run ``make lock``.

Usage::

    python -m bootcamp.dev.lock            # write requirements.txt and requirements-dev.txt
    python -m bootcamp.dev.lock --check    # exit 1 when a lock is not what uv resolves
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = "3.11"
EXCLUDE_NEWER = "2026-11-27T00:00:00Z"    # see above: days before the lock was made
UNIVERSAL = ("--universal",)                                   # every platform, with markers
GPU_IMAGE = ("--python-platform", "x86_64-manylinux_2_28")      # the Linux of the container images
# (input, lock, constraint, platform)
LOCKS = (("requirements-uv.in", "requirements-uv.txt", None, UNIVERSAL),
         ("requirements.in", "requirements.txt", None, UNIVERSAL),
         ("requirements-dev.in", "requirements-dev.txt", "requirements.txt", UNIVERSAL),
         ("requirements-gpu.in", "requirements-gpu.txt", "requirements.txt", GPU_IMAGE))


def uv() -> str:
    """The uv of this environment (every environment has it: requirements-uv.txt)."""
    here = Path(sys.executable).with_name("uv")
    found = str(here) if here.exists() else shutil.which("uv")
    if not found:
        raise SystemExit("uv is not installed: run `make venv` (it comes with requirements-uv.txt)")
    return found


def compile_command(source: str, output: Path, constraint: Path | None,
                    platform: tuple[str, ...] = UNIVERSAL) -> list[str]:
    command = [uv(), "pip", "compile", "--quiet", source, "--output-file", str(output),
               "--python-version", PYTHON, *platform, "--generate-hashes",
               "--exclude-newer", EXCLUDE_NEWER, "--custom-compile-command", "make lock"]
    if constraint is not None:
        command += ["--constraint", str(constraint)]
    return command


def resolve(into: Path) -> dict[str, Path]:
    """Resolve every lock into the folder ``into``; returns lock name -> file."""
    made: dict[str, Path] = {}
    for source, lock, constraint, platform in LOCKS:
        output = into / lock
        env = dict(os.environ, UV_NO_PROGRESS="1")
        if "PIP_INDEX_URL" in env and "UV_DEFAULT_INDEX" not in env:   # a site's package mirror, set for pip
            env["UV_DEFAULT_INDEX"] = env["PIP_INDEX_URL"]
        subprocess.run(compile_command(source, output, made.get(constraint), platform), cwd=ROOT,
                       env=env, check=True)
        made[lock] = output
    return made


def _normalised(text: str, folder: Path) -> list[str]:
    # uv names the constraint file by the path it was given: the temporary one.
    return text.replace(str(folder) + os.sep, "").splitlines(keepends=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        made = resolve(folder)
        stale = []
        for lock, fresh in made.items():
            new = _normalised(fresh.read_text(encoding="utf-8"), folder)
            target = ROOT / lock
            old = target.read_text(encoding="utf-8").splitlines(keepends=True) if target.exists() else []
            if new == old:
                continue
            if args.check:
                stale.append(lock)
                sys.stdout.writelines(difflib.unified_diff(old, new, lock, f"{lock} (uv)", n=1))
            else:
                (ROOT / lock).write_text("".join(new), encoding="utf-8")
                print(f"wrote {lock}")
    if stale:
        print(f"\n{', '.join(stale)} differ from what uv resolves from the .in files: run `make lock`.")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
