"""Benchmark: the main study end to end, from a fresh interpreter to the written report.

Run:  python bench/bench_main_study.py [--repeat 3]
Times `eventstudy run configs/deepseek_2025.yaml` as a subprocess (import, data, fit, tables,
PDF), and the in-process stages separately. Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _cli_timing import runs, time_cli_run  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "deepseek_2025.yaml"


def main() -> None:
    """Print the end-to-end and per-stage times of the main study."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    walls, _ = time_cli_run(CONFIG, args.repeat)
    print(f"end to end (subprocess, import to report): {runs(walls)}")

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
