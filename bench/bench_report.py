"""Benchmark: the full DeepSeek report (issue 5) and the import time of the package.

Run:  python bench/bench_report.py [--repeat 3]
Times (1) ``import eventstudy`` in a fresh interpreter (target < 0.5 s, neither matplotlib nor yfinance
imported), (2) ``eventstudy run configs/deepseek_2025.yaml`` as a subprocess, from a fresh interpreter
to the written report (target < 15 s), and (3) the report stages in process, from manifest.json.
Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _cli_timing import runs, time_cli_run  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "deepseek_2025.yaml"
IMPORT = ("import sys, time; t = time.perf_counter(); import eventstudy; "
          "print(time.perf_counter() - t, 'matplotlib' in sys.modules, 'yfinance' in sys.modules)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    imports = []
    for _ in range(max(args.repeat, 5)):
        out = subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, text=True,
                             check=True).stdout.split()
        imports.append(float(out[0]))
        assert out[1:] == ["False", "False"], f"import eventstudy imported matplotlib/yfinance: {out}"
    print(f"import eventstudy: best {min(imports):.3f} s, runs "
          f"{', '.join(f'{t:.3f}' for t in imports)}; matplotlib and yfinance not imported")

    walls, stages = time_cli_run(CONFIG, args.repeat)
    print(f"eventstudy run (subprocess, import to full report): {runs(walls)}")
    print("report stages of the last run (s): " + ", ".join(
        f"{k} {v:.2f}" for k, v in stages["timings_s"].items()))


if __name__ == "__main__":
    main()
