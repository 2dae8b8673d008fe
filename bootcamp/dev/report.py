"""Run every notebook on a fresh kernel and tabulate run time and metrics.

Each notebook runs alone (one at a time, so times are not inflated by a
neighbour), from its own folder, with the kernel start included in its time.
Headline metrics are what the notebook passed to ``bootcamp.checks.floor`` or
``record``. The table is written to ``--out`` and, with ``--readme``, between
the report markers in README.md.

    BOOTCAMP_QUICK=1 python -m bootcamp.dev.report --out reports/quick-mode.md --readme README.md

In full mode (``make full-report``) the solution notebooks' run times also go
to ``bootcamp/full_mode_times.json``, from which ``bootcamp.course`` derives
the agenda's minutes; README's timing table is rewritten from it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat

from bootcamp import course
from bootcamp.config import METRICS_ENV, is_quick, mode_name

ROOT = Path(__file__).resolve().parents[2]
MARKERS = {"quick": ("<!-- report:start -->", "<!-- report:end -->"),
           "full": ("<!-- full-report:start -->", "<!-- full-report:end -->"),
           "agenda": ("<!-- agenda:start -->", "<!-- agenda:end -->")}


def run_notebook(path: Path, timeout: int = 1800) -> tuple[float, list[dict], str]:
    """Execute one notebook; return (seconds, metrics, error or '')."""
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        metrics_file = Path(tmp, "metrics.jsonl")
        os.environ[METRICS_ENV] = str(metrics_file)
        client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                         resources={"metadata": {"path": str(path.parent)}})
        error = ""
        start = time.perf_counter()
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as err:
            error = str(err).strip().splitlines()[-1][:200]
        finally:
            seconds = time.perf_counter() - start
            os.environ.pop(METRICS_ENV, None)
        metrics = [json.loads(line) for line in metrics_file.read_text().splitlines()] if metrics_file.exists() else []
    return seconds, metrics, error


def cpu_name() -> str:
    """The processor's model name and widest vector instructions (from /proc/cpuinfo on Linux), else
    what platform knows. The vector width matters: one "AMD EPYC" with AVX-512 ran the quick suite
    2.3 times as fast as one with AVX2 only (measured 2026-11-30)."""
    cpu = platform.processor() or platform.machine()
    flags: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    width = vector_width(flags)
    return f"{cpu} ({width})" if width else cpu


def vector_width(flags: set[str]) -> str:
    """'AVX-512 with VNNI', 'AVX-512', 'AVX2' or '' from the CPU's flags."""
    if "avx512f" in flags:
        return "AVX-512 with VNNI" if "avx512_vnni" in flags else "AVX-512"
    return "AVX2" if "avx2" in flags else ""


def machine() -> str:
    cpu = cpu_name()
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    device = f"{len(gpus)} GPU" if gpus else "no GPU"
    return (f"{cpu}, {os.cpu_count()} cores, {device}; Python {platform.python_version()}, "
            f"TensorFlow {tf.__version__}")


def fmt_metric(m: dict) -> str:
    return f"{m['name']} {m['value']:.4g}{(' ' + m['unit']) if m.get('unit') else ''}"


def shown(metrics: list[dict], error: str) -> str:
    return f"**FAILED**: {error}" if error else "; ".join(fmt_metric(m) for m in metrics) or "-"


def table(rows: list[tuple[str, float, str]]) -> str:
    lines = ["| notebook | run time (s) | headline metrics |", "| --- | ---: | --- |"]
    for name, seconds, text in rows:
        lines.append(f"| `{name}` | {seconds:.1f} | {text} |")
    return "\n".join(lines)


def previous_rows(report: Path) -> dict[str, tuple[str, float, str]]:
    """The rows of an earlier report, by notebook name (for ``--update``)."""
    rows = {}
    if report.exists():
        for line in report.read_text(encoding="utf-8").splitlines():
            if line.startswith("| `"):
                name, seconds, text = (cell.strip() for cell in line.strip().strip("|").split("|", 2))
                rows[name.strip("`")] = (name.strip("`"), float(seconds), text)
    return rows


def previous_machine(report: Path) -> str | None:
    """The machine line of an earlier report (for ``--update``), or None."""
    if report.exists():
        for line in report.read_text(encoding="utf-8").splitlines():
            if line.startswith("Machine: "):
                return line[len("Machine: "):].rstrip().rstrip(".")
    return None


def order(name: str) -> tuple[int, str]:
    """Learner notebooks first, then solutions, each alphabetically."""
    return (0 if name.startswith("notebooks/") else 1, name)


def update_readme(readme: Path, block: str, which: str = "quick") -> None:
    START, END = MARKERS[which]
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{readme}: report markers {START} / {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{block}\n{END}{tail}", encoding="utf-8")


def times_path() -> Path:
    """The agenda's source of full-mode times, in the tree being reported on."""
    return ROOT / "bootcamp" / course.TIMES.name


def record_full_mode_times(rows: dict, stamp: str, path: Path | None = None, measured=(),
                           here: str | None = None) -> None:
    """Merge the solution notebooks' full-mode times into the agenda's source.

    The file names one machine, the one most times were measured on; times of
    ``measured`` notebooks taken on another machine (``here``) are listed
    under ``other_machines``, so the agenda never gives them the wrong one.
    """
    path = path or times_path()
    here = here or machine()
    times = course.measured_times(path)
    seconds = times.get("seconds", {})
    seconds.update({name: round(sec, 1) for name, sec, text in rows.values()
                    if name.startswith("solutions/") and not text.startswith("**FAILED**")})
    base = times.get("machine") or here
    others = dict(times.get("other_machines", {}))
    for name in measured:
        if name in seconds:
            others.pop(name, None)
            if here != base:
                others[name] = here
    times = {"machine": base, "date": stamp, "seconds": dict(sorted(seconds.items()))}
    if others:
        times["other_machines"] = dict(sorted(others.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(times, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: notebooks/*.ipynb and solutions/*.ipynb)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / f"{mode_name()}-mode.md")
    parser.add_argument("--readme", type=Path, help="also put the table into this README")
    parser.add_argument("--update", action="store_true",
                        help="re-measure only the notebooks given; keep the other rows of --out")
    args = parser.parse_args(argv)
    if args.update and not args.notebooks:
        parser.error("--update needs the notebooks to re-measure")

    paths = args.notebooks or sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("solutions/*.ipynb"))
    rows = previous_rows(args.out) if args.update else {}
    here = machine()
    base = (previous_machine(args.out) if args.update else None) or here
    measured = []
    failed = False
    for path in paths:
        path = path.resolve()
        seconds, metrics, error = run_notebook(path)
        name = str(path.relative_to(ROOT))
        print(f"{name}: {seconds:.1f} s {'FAILED ' + error if error else ''}", flush=True)
        text = shown(metrics, error)
        if here != base:                     # the other rows were measured on the machine the header names
            text += f" (run on {here}, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d})"
        rows[name] = (name, seconds, text)
        measured.append(name)
        failed = failed or bool(error)

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    ordered = [rows[name] for name in sorted(rows, key=order)]
    total = sum(r[1] for r in ordered)
    block = (f"Measured by `make report` (last run {stamp}) in **{mode_name()} mode**, one notebook at a "
             f"time, kernel start included (total {total:.0f} s).  \nMachine: {base}.\n\n"
             + table(ordered))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(block + "\n", encoding="utf-8")
    if not is_quick():
        record_full_mode_times(rows, stamp, measured=measured, here=here)
    if args.readme:
        update_readme(args.readme, block, mode_name())
        update_readme(args.readme, course.timing_markdown(course.measured_times(times_path())), "agenda")
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
