"""Benchmark: the main study end to end, from a fresh interpreter to the written report.

Run:  python bench/bench_main_study.py [--repeat 3]
Times `eventstudy run configs/deepseek_2025.yaml` as a subprocess (import, data, fit, tables, PDF), and
the in-process stages separately. Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "deepseek_2025.yaml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    walls = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "eventstudy", "run", str(CONFIG), "-o", out],
                           check=True, capture_output=True)
            walls.append(time.perf_counter() - t0)
    print(f"end to end (subprocess, import to report): best {min(walls):.2f} s, "
          f"runs {', '.join(f'{w:.2f}' for w in walls)}")

    t0 = time.perf_counter()
    from eventstudy import EventStudy
    t1 = time.perf_counter()
    study = EventStudy.from_yaml(CONFIG)
    t2 = time.perf_counter()
    res = study.fit()
    t3 = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        res.to_report(Path(out) / "r")
    t4 = time.perf_counter()
    print(f"import {t1 - t0:.2f} s | load data + returns {t2 - t1:.2f} s | fit {t3 - t2:.3f} s "
          f"({len(res.events)} security-events) | report {t4 - t3:.2f} s")


if __name__ == "__main__":
    main()
