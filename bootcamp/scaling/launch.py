"""Start n workers of :mod:`bootcamp.scaling.worker` on this machine, as a cluster would.

Each worker is a process of its own with a ``TF_CONFIG`` naming every
worker's address (127.0.0.1 and a free port, found, never hard-coded) and
its own index. ``run_local_workers`` waits for all of them and returns what
each wrote. A worker that fails fails the job: the others are stopped (in a
collective all-reduce they would wait for it forever), the error names the
worker and shows the end of its log, and no worker outlives the call.

``kill_after_epoch=k`` kills one worker (SIGKILL, as a node failure does)
once the chief has saved epoch ``k``, then starts the whole job again with
the same checkpoint folder, which is what Slurm's ``--requeue`` does: the
restarted workers resume from epoch ``k``.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np


class WorkersFailed(RuntimeError):
    """A worker exited with an error, or the job ran past its time."""


def free_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports that are free on 127.0.0.1 now."""
    with ExitStack() as stack:
        ports = []
        for _ in range(n):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def tf_config(ports: list[int], index: int) -> str:
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


def _stop(processes) -> None:
    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for process in processes:
        process.wait()


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _attempt(n, out_dir, args, env, timeout, kill, echo, attempt):
    ports = free_ports(n) if n > 1 else []
    lines: queue.Queue = queue.Queue()
    processes, logs = [], []
    try:
        for index in range(n):
            worker_env = dict(env)
            if n > 1:
                worker_env["TF_CONFIG"] = tf_config(ports, index)
            else:
                worker_env.pop("TF_CONFIG", None)
            log = out_dir / f"worker-{index}.log"
            logs.append(log)
            with open(log, "a") as err:
                process = subprocess.Popen([sys.executable, "-m", "bootcamp.scaling.worker", "--out", str(out_dir),
                                            *args], stdout=subprocess.PIPE, stderr=err, text=True, env=worker_env,
                                           start_new_session=True)
            processes.append(process)
            threading.Thread(target=lambda p=process: [lines.put(line) for line in p.stdout] and None,
                             daemon=True).start()
        deadline, killed = time.monotonic() + timeout, None
        while any(p.poll() is None for p in processes) or not lines.empty():
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                line = None
            if line:
                try:
                    progress = json.loads(line)
                except ValueError:
                    progress = None
                if echo and progress:
                    echo(f"attempt {attempt}, worker {progress['worker']}: epoch {progress['epoch']} done, "
                         f"loss {progress['loss']:.4f}{', checkpoint saved' if progress.get('checkpoint') else ''}")
                if (kill and killed is None and progress and progress["worker"] == 0
                        and progress["epoch"] == kill[1] and progress.get("checkpoint")):
                    os.killpg(processes[kill[0]].pid, signal.SIGKILL)
                    killed = kill[0]
                    _stop(processes)
                    if echo:
                        echo(f"attempt {attempt}: worker {kill[0]} killed after epoch {kill[1]}; "
                             "the job fails, and the other workers are stopped")
                    return None
            failed = [i for i, p in enumerate(processes) if p.poll() not in (None, 0)]
            if failed:
                i = failed[0]
                raise WorkersFailed(f"worker {i} exited with code {processes[i].returncode}; "
                                    f"the end of its log ({logs[i]}):\n{_tail(logs[i])}")
            if time.monotonic() > deadline:
                raise WorkersFailed(f"the workers ran past {timeout} s; the end of worker 0's log:\n{_tail(logs[0])}")
        return [json.loads((out_dir / f"worker-{i}.json").read_text()) for i in range(n)]
    finally:
        _stop(processes)


def run_local_workers(n: int, *, out_dir, args=(), timeout: float = 600, threads: int | None = None,
                      kill_after_epoch: int | None = None, kill_worker: int = 1, echo=print) -> list[dict]:
    """Run ``python -m bootcamp.scaling.worker --out out_dir *args`` as ``n``
    workers on 127.0.0.1; return each worker's summary (``worker-<i>.json``)
    with its final ``weights`` (read back from ``worker-<i>.npz``).

    ``threads``: TensorFlow threads per worker (default: this machine's cores
    shared out, at least one). ``kill_after_epoch``: see the module's doc;
    needs ``--checkpoint-dir`` in ``args``. ``echo``: where progress lines go
    (None for silence).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    args = [str(a) for a in args]
    if kill_after_epoch is not None:
        if "--checkpoint-dir" not in args:
            raise ValueError("kill_after_epoch needs --checkpoint-dir in args, or the restart has nothing to resume")
        if not 0 <= kill_worker < n:
            raise ValueError(f"kill_worker must name one of the {n} workers")
    threads = threads or max(1, (os.cpu_count() or 1) // n)
    env = {**os.environ, "TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": str(threads),
           "OMP_NUM_THREADS": str(threads), "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    kill = (kill_worker, kill_after_epoch) if kill_after_epoch is not None else None
    results = _attempt(n, out_dir, args, env, timeout, kill, echo, attempt=1)
    if results is None:
        results = _attempt(n, out_dir, args, env, timeout, None, echo, attempt=2)
    for result in results:
        with np.load(out_dir / f"worker-{result['worker']}.npz", allow_pickle=False) as stored:
            result["weights"] = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    return results
