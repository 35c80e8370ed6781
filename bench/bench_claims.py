"""Benchmark: the cost of the claims of configs/deepseek_2025.yaml (issue 6).

Run:  python bench/bench_claims.py [--repeat 5]
Times, in process and on the bundled data: loading the inputs with and without the claims (the extra
cost is the market's two-year history), and evaluating the two claims on a fitted study, first with
the test battery (``res.tests``, which breadth reads) cold and then warm. Figures go to
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "deepseek_2025.yaml"


def main() -> None:
    """Print the load and evaluation times of the study's claims."""
    from eventstudy import EventStudy, load_config
    from eventstudy.claims import evaluate_claims
    from eventstudy.data import BundledSource
    from eventstudy.inputs import load_study_inputs

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # the study's data warnings are not what is timed
    cfg = load_config(CONFIG)
    bare = cfg.model_copy(update={"claims": []})
    src = BundledSource()
    load_with, load_without, cold, warm = [], [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        load_study_inputs(bare, source=src)
        t1 = time.perf_counter()
        load_study_inputs(cfg, source=src)
        t2 = time.perf_counter()
        load_without.append(t1 - t0)
        load_with.append(t2 - t1)
        res = EventStudy.from_config(cfg, source=src).fit()
        t3 = time.perf_counter()
        evaluate_claims(res)
        t4 = time.perf_counter()
        evaluate_claims(res)
        t5 = time.perf_counter()
        cold.append(t4 - t3)
        warm.append(t5 - t4)
    print(f"load inputs without claims {min(load_without):.3f} s | with claims "
          f"{min(load_with):.3f} s "
          f"| claims, res.tests cold {min(cold):.3f} s | warm {min(warm):.3f} s "
          f"(best of {args.repeat})")


if __name__ == "__main__":
    main()
