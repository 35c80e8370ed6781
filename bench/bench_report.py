"""Benchmark: the full DeepSeek report (issues 5 and 12) and the import time of the package.

Run:  python bench/bench_report.py [--repeat 5] [--args "--no-figures --formats pdf,csv"]

Times (1) ``import eventstudy`` in a fresh interpreter (target < 0.5 s; neither matplotlib nor
yfinance imported), (2) ``eventstudy run configs/deepseek_2025.yaml`` as a subprocess, from a
fresh interpreter to the written report (target: median < 4 s), with the CPU time of the run and
of its chart workers (user + sys, which other work on the machine inflates less than the wall
time) and the load average before each run, (3) the report stages of the last run, from
manifest.json, and (4) beside them the bound: a fresh interpreter that only imports numpy,
pandas and matplotlib's PDF backend, as every run must before it reads a price. Figures go to
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "deepseek_2025.yaml"
BOUND = ("import numpy, pandas, matplotlib; matplotlib.use('pdf'); import matplotlib.pyplot; "
         "from matplotlib.backends import backend_pdf")
IMPORT = ("import sys, time; t = time.perf_counter(); import eventstudy; "
          "print(time.perf_counter() - t, 'matplotlib' in sys.modules, 'yfinance' in sys.modules)")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    """Print the import time and the run's wall and CPU times."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--args", default="", help="extra arguments of eventstudy run")
    args = parser.parse_args()

    imports = []
    for _ in range(max(args.repeat, 5)):
        out = subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, text=True,
                             check=True).stdout.split()
        imports.append(float(out[0]))
        assert out[1:] == ["False", "False"], f"import eventstudy imported matplotlib: {out}"
    print(f"import eventstudy: median {statistics.median(imports):.3f} s, runs "
          f"{', '.join(f'{t:.3f}' for t in imports)}")

    walls, cpus, loads = [], [], []
    manifest: dict = {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as out:
            loads.append(os.getloadavg()[0])
            c0, t0 = _cpu(), time.perf_counter()
            subprocess.run([sys.executable, "-m", "eventstudy", "run", str(CONFIG), "-o", out,
                            "--offline", *shlex.split(args.args)], check=True,
                           capture_output=True)
            walls.append(time.perf_counter() - t0)
            cpus.append(_cpu() - c0)
            found = list(Path(out).glob("*/manifest.json"))
            manifest = json.loads(found[0].read_text()) if found else {}
    print(f"eventstudy run {args.args} (import to full report): median wall "
          f"{statistics.median(walls):.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}); "
          f"median CPU {statistics.median(cpus):.2f} s; load average before the runs "
          f"{', '.join(f'{v:.1f}' for v in loads)}")
    if manifest:
        print("report stages of the last run (s): " + ", ".join(
            f"{k} {v:.2f}" for k, v in manifest.get("timings_s", {}).items()))
    # The bound: a fresh interpreter that only imports what any such report needs (numpy,
    # pandas, matplotlib with its PDF backend), measured in the same session as the runs.
    bound = []
    for _ in range(max(args.repeat, 5)):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", BOUND], check=True)
        bound.append(time.perf_counter() - t0)
    print(f"bound, interpreter + import numpy, pandas, matplotlib (pdf): median "
          f"{statistics.median(bound):.2f} s (runs {', '.join(f'{b:.2f}' for b in bound)})")


if __name__ == "__main__":
    main()
