"""The Slurm scripts in cluster/: lint, the flow-set job array run by hand, submission, training.

No scheduler or container runs here. The job array's own scripts are run
with ``bash`` and the task id set as Slurm would set it, on the host's
Python (``IMAGE=`` empty); ``sbatch``, ``srun`` and ``apptainer`` are
stand-ins that record how they were called. Nothing here imports or starts
the training worker.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bootcamp.cfd.dataset import PER_SAMPLE_KEYS, DatasetSpec, differences
from bootcamp.cfd.flows import course_spec, file_name, split_specs

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "cluster"
ARRAY = CLUSTER / "flows-array.sbatch"
MERGE = CLUSTER / "flows-merge.sbatch"
SUBMIT = CLUSTER / "submit-flows.sh"
TRAIN = CLUSTER / "train.sbatch"
SCRIPTS = sorted(p for p in CLUSTER.iterdir() if p.suffix in (".sh", ".sbatch"))

# A tiny flow set, every setting away from the scripts' defaults, so that a
# setting the scripts failed to pass on would show as a difference.
TINY = dict(N="3", SEED="4", NY="16", NX="32", NU="0.06", TOL="0.0001", MAX_STEPS="200", FAMILIES="ellipse,naca")


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without Slurm's or TensorFlow's cluster variables (the tests may run inside a job)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_") and k != "TF_CONFIG"}
    return {**env, "NUMBA_NUM_THREADS": "1", **extra}


def run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def defaults(path: Path) -> dict[str, str]:
    """The ``NAME="${NAME:-default}"`` settings of a script (``-`` too: empty is then a value)."""
    found = re.findall(r'^(?:export )?([A-Z_]+)="\$\{\1:?-(.*)\}"', path.read_text(), re.M)
    return dict(found)


def stand_in(folder: Path, name: str, log: Path, prints: str = "", runs_rest: bool = False) -> None:
    """An executable ``name`` that appends its argv and part of its environment to ``log`` as JSON lines.

    ``prints`` is what it writes to stdout (``{n}``: its call number, from 1).
    With ``runs_rest``, it then runs its arguments after its own ``--options``, as ``srun`` does.
    """
    script = f"""#!{sys.executable}
import json, os, sys
log = {str(log)!r}
keep = ("BOOTCAMP_DATA_DIR", "SHARDS", "OUT_DIR", "SEED", "FLOWS_FILE")
with open(log, "a") as stream:
    stream.write(json.dumps({{"prog": {name!r}, "argv": sys.argv[1:],
                              "env": {{k: os.environ.get(k) for k in keep}}}}) + "\\n")
with open(log) as stream:
    calls = sum(json.loads(line)["prog"] == {name!r} for line in stream)
sys.stdout.write({prints!r}.format(n=calls))
if {runs_rest!r}:
    rest = sys.argv[1:]
    while rest and rest[0].startswith("--"):
        rest = rest[1:]
    os.execvp(rest[0], rest)
"""
    path = folder / name
    path.write_text(script)
    path.chmod(0o755)


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


# --------------------------------------------------------------------------- the flow set's job array


@pytest.mark.slow  # five Python start-ups, one of which may compile the solver
def test_the_job_array_run_by_hand_merges_into_the_unsharded_set_bit_for_bit(tmp_path):
    shards = tmp_path / "shards"
    env = clean_env(IMAGE="", PYTHON=sys.executable, SHARDS="2", OUT_DIR=str(shards), WORKERS="1", **TINY)
    for task in ("0", "1"):
        result = run(["bash", str(ARRAY)], {**env, "SLURM_ARRAY_TASK_ID": task})
        assert result.returncode == 0, result.stdout + result.stderr
        assert (shards / f"part{task}.npz").is_file()
    result = run(["bash", str(MERGE)], env)
    assert result.returncode == 0, result.stdout + result.stderr
    merged_file = shards / "flows.npz"

    reference_file = tmp_path / "whole.npz"
    whole = run([sys.executable, "-m", "bootcamp.cfd.dataset", "--n", "3", "--seed", "4", "--ny", "16", "--nx", "32",
                 "--nu", "0.06", "--tol", "0.0001", "--max-steps", "200", "--families", "ellipse,naca",
                 "--wall", "interpolated",       # the array's default, as the course's flows are solved
                 "--workers", "1", "--quiet", "--out", str(reference_file)], clean_env())
    assert whole.returncode == 0, whole.stdout + whole.stderr

    with np.load(merged_file, allow_pickle=False) as a, np.load(reference_file, allow_pickle=False) as b:
        merged, reference = dict(a), dict(b)
    assert set(merged) == set(reference) == set(PER_SAMPLE_KEYS) | {"manifest"}
    assert not differences(merged, reference), f"merged shards differ from one run in {differences(merged, reference)}"
    manifest = json.loads(str(merged["manifest"]))
    assert manifest == json.loads(str(reference["manifest"]))
    assert manifest["nu"] == 0.06 and manifest["families"] == ["ellipse", "naca"] and manifest["n_samples"] == 3
    assert manifest["wall"] == "interpolated"

    spec = DatasetSpec(n_samples=3, seed=4, ny=16, nx=32, nu=0.06, tol=1e-4, max_steps=200,
                       families=("ellipse", "naca"), wall="interpolated")
    assert f"course cache name: cfd-flows/{file_name(spec)}" in result.stdout
    assert not list(shards.glob(".*.partial"))  # each shard's checkpoint folder went once it was saved


def test_the_merge_refuses_a_missing_shard(tmp_path):
    env = clean_env(IMAGE="", PYTHON=sys.executable, SHARDS="2", OUT_DIR=str(tmp_path), **TINY)
    result = run(["bash", str(MERGE)], env)
    assert result.returncode != 0 and not (tmp_path / "flows.npz").exists()


def test_the_array_script_says_what_is_missing_outside_slurm(tmp_path):
    env = clean_env(IMAGE="", PYTHON=sys.executable, OUT_DIR=str(tmp_path))
    result = run(["bash", str(ARRAY)], env)
    assert result.returncode != 0 and "SLURM_ARRAY_TASK_ID" in result.stderr
    env = clean_env(IMAGE=str(tmp_path / "no.sif"), OUT_DIR=str(tmp_path), SLURM_ARRAY_TASK_ID="0")
    result = run(["bash", str(ARRAY)], env)
    assert result.returncode != 0 and "apptainer build" in result.stderr


def test_the_array_defaults_are_the_course_full_mode_training_set(monkeypatch):
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    wanted, _ = split_specs(course_spec())["train"]
    d = defaults(ARRAY)
    made = DatasetSpec(n_samples=int(d["N"]), seed=int(d["SEED"]), ny=int(d["NY"]), nx=int(d["NX"]), nu=float(d["NU"]),
                       tol=float(d["TOL"]), max_steps=int(d["MAX_STEPS"]), families=tuple(d["FAMILIES"].split(",")),
                       wall=d["WALL"])
    assert made == wanted


def test_the_scripts_agree_on_their_shared_defaults():
    # a job starts in the folder it was submitted from: there $SLURM_SUBMIT_DIR is the submitter's $PWD
    settings = {path.name: {k: v.replace("${SLURM_SUBMIT_DIR:-$PWD}", "$PWD") for k, v in defaults(path).items()}
                for path in SCRIPTS}
    for name in {key for found in settings.values() for key in found}:
        values = {script: found[name] for script, found in settings.items() if name in found}
        assert len(set(values.values())) == 1, f"{name} has different defaults: {values}"
    first, last = re.search(r"^#SBATCH --array=(\d+)-(\d+)$", ARRAY.read_text(), re.M).groups()
    assert (int(first), int(last) + 1) == (0, int(settings[ARRAY.name]["SHARDS"]))


# --------------------------------------------------------------------------- lint


def test_every_cluster_script_passes_shellcheck():
    assert {p.name for p in SCRIPTS} >= {ARRAY.name, MERGE.name, SUBMIT.name, TRAIN.name}
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        message = "shellcheck is not installed (apt-get install shellcheck)"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
            pytest.fail(f"{message}; CI must run this check")
        pytest.skip(message)
    result = run([shellcheck, "-s", "bash", *map(str, SCRIPTS)], clean_env())
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_cluster_script_stops_at_the_first_error(path):
    lines = path.read_text().splitlines()
    assert lines[0] in ("#!/bin/bash", "#!/usr/bin/env bash")
    assert "set -euo pipefail" in lines


# --------------------------------------------------------------------------- submission


def test_submit_dry_run_prints_the_array_then_a_merge_after_it(tmp_path):
    env = clean_env(SHARDS="3", OUT_DIR=str(tmp_path / "out"), PATH=f"{tmp_path}:{os.environ['PATH']}")
    log = tmp_path / "sbatch.log"
    stand_in(tmp_path, "sbatch", log, prints="{n}00\n")
    for args, extra in ((["--dry-run"], {}), ([], {"DRY_RUN": "1"})):
        result = run(["bash", str(SUBMIT), *args, "--account=a b"], {**env, **extra})
        assert result.returncode == 0, result.stderr
        assert not calls(log)  # nothing submitted
        commands = [line for line in result.stdout.splitlines() if "sbatch " in line]
        assert len(commands) == 2
        assert re.match(r"^ARRAY_JOB_ID=\$\(sbatch --parsable --array=0-2 .*flows-array\.sbatch\)$", commands[0])
        assert "--dependency=afterok:\"${ARRAY_JOB_ID%%;*}\"" in commands[1]
        assert commands[1].startswith("sbatch --parsable ") and commands[1].endswith("flows-merge.sbatch")
        assert all(r"--account=a\ b" in c for c in commands)

    # the printed lines are a script: run with the stand-in, the merge depends on the array's id
    script = tmp_path / "printed.sh"
    script.write_text(result.stdout)
    assert run(["bash", str(script)], env).returncode == 0
    array, merge = calls(log)
    assert "--dependency=afterok:100" in merge["argv"]
    assert merge["env"]["SHARDS"] == array["env"]["SHARDS"] == "3"


def test_submit_passes_the_array_job_id_to_the_merge_dependency(tmp_path):
    out = tmp_path / "out"
    env = clean_env(SHARDS="4", OUT_DIR=str(out), PATH=f"{tmp_path}:{os.environ['PATH']}")
    log = tmp_path / "sbatch.log"
    stand_in(tmp_path, "sbatch", log, prints="424{n};cluster-a\n")  # --parsable may add ";cluster"
    result = run(["bash", str(SUBMIT), "--partition=cpu"], env)
    assert result.returncode == 0, result.stderr
    array, merge = calls(log)
    assert array["argv"] == ["--parsable", "--array=0-3", "--partition=cpu", str(ARRAY)]
    assert merge["argv"] == ["--parsable", "--dependency=afterok:4241", "--kill-on-invalid-dep=yes",
                             "--partition=cpu", str(MERGE)]
    for call in (array, merge):  # both jobs get the same settings through sbatch's environment
        assert call["env"]["SHARDS"] == "4" and call["env"]["OUT_DIR"] == str(out)
        assert call["env"]["FLOWS_FILE"] == str(out / "flows.npz")
    assert "4241" in result.stdout and "4242" in result.stdout


# --------------------------------------------------------------------------- training


def test_train_script_runs_the_worker_under_srun_in_the_image_with_slurm_and_checkpoints():
    text = TRAIN.read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    (launch,) = [line for line in joined.splitlines() if line.startswith("srun ")]
    assert 'apptainer exec --nv "$IMAGE"' in launch
    assert re.search(r"-m bootcamp\.scaling\.worker --slurm .*--checkpoint-dir \"\$CHECKPOINT_DIR\"", launch)
    for line in ("#SBATCH --requeue", "#SBATCH --ntasks-per-node=1"):
        assert line in text.splitlines()
    assert re.search(r"^#SBATCH --gres=gpu:\d+$", text, re.M) and re.search(r"^#SBATCH --nodes=\d+$", text, re.M)
    assert re.search(r"^#.*requeue.*\n(#.*\n)*#.*checkpoint", text, re.M | re.I)  # the comment on resuming
    assert {"IMAGE", "BOOTCAMP_DATA_DIR", "CHECKPOINT_DIR"} <= set(defaults(TRAIN))


def test_train_script_launch_with_stand_ins(tmp_path):
    image = tmp_path / "dl-bootcamp.sif"
    image.write_text("not an image")
    log = tmp_path / "calls.log"
    stand_in(tmp_path, "srun", log, runs_rest=True)
    stand_in(tmp_path, "apptainer", log)
    env = clean_env(IMAGE=str(image), SLURM_JOB_ID="42", SLURM_SUBMIT_DIR=str(tmp_path), SLURM_CPUS_PER_TASK="16",
                    EPOCHS="3", BOOTCAMP_DATA_DIR=str(tmp_path / "data"), PATH=f"{tmp_path}:{os.environ['PATH']}")
    result = run(["bash", str(TRAIN), "--lr", "0.1"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    srun, apptainer = calls(log)
    assert srun["argv"][:2] == ["--kill-on-bad-exit=1", "--cpus-per-task=16"]
    run_dir = tmp_path / "runs" / "train-42"  # named after the job id, which a requeued job keeps
    assert apptainer["argv"] == ["exec", "--nv", str(image), "python3", "-m", "bootcamp.scaling.worker", "--slurm",
                                 "--out", str(run_dir), "--checkpoint-dir", str(run_dir / "checkpoints"),
                                 "--epochs", "3", "--lr", "0.1"]
    assert apptainer["env"]["BOOTCAMP_DATA_DIR"] == str(tmp_path / "data")
    assert (run_dir / "checkpoints").is_dir()

    image.unlink()
    result = run(["bash", str(TRAIN)], env, cwd=tmp_path)
    assert result.returncode != 0 and "apptainer build" in result.stderr
