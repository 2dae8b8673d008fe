"""Show TensorBoard inside a notebook, bound to this machine only."""

from __future__ import annotations

import os
from pathlib import Path

NO_SERVERS_ENV = "BOOTCAMP_NO_SERVERS"


def show(logdir: str | os.PathLike, port: int = 6006) -> None:
    """Start TensorBoard on 127.0.0.1 and embed it below the cell.

    TensorBoard has no login of its own, so it is never bound beyond
    localhost. Automated runs (``make test`` sets ``BOOTCAMP_NO_SERVERS=1``)
    only list the runs found, because nobody is there to look and a server
    left behind would outlive the test.
    """
    logdir = Path(logdir)
    runs = sorted(p.parent.relative_to(logdir).as_posix() for p in logdir.rglob("events.out.tfevents.*"))
    print(f"TensorBoard logs in {logdir}/: {len(runs)} event file(s) from runs {sorted(set(runs))}")
    if os.environ.get(NO_SERVERS_ENV, "") not in ("", "0"):
        print(f"{NO_SERVERS_ENV} is set: not starting a server. To look yourself, run in a terminal:\n"
              f"  tensorboard --logdir {logdir} --host 127.0.0.1 --port {port}")
        return
    from IPython import get_ipython

    ipython = get_ipython()
    if ipython is None:
        raise RuntimeError("bootcamp.tensorboard.show() runs inside Jupyter; in a terminal use "
                           f"`tensorboard --logdir {logdir} --host 127.0.0.1`")
    ipython.run_line_magic("load_ext", "tensorboard")
    ipython.run_line_magic("tensorboard", f"--logdir {logdir} --host 127.0.0.1 --port {port}")
