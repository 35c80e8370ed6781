"""Benchmark: a local price file of 2,000 tickers x 10 years of closes, loaded and run as a study.

Run:  python bench/bench_large_file.py [--tickers 2000] [--years 10] [--layout long|wide]
      [--report]

Generates the file in a temporary folder (geometric random walks on the XNYS sessions, a market
index ^GSPC, a market-model beta per ticker), writes a study config next to it
(``data: {source: file}``, one event date per 40 tickers spread over the last 8 years,
estimation window [-250, -11], event windows [0,0], [-1,1], [0,5], [0,20]), then runs the
study in a fresh interpreter and reports wall time per stage and the child's peak resident
memory (``ru_maxrss``). The target is under 4 GB.
Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time, warnings
t0 = time.perf_counter()
from eventstudy.config import load_config
from eventstudy.reporting.export import report_tables, write_report
from eventstudy.study import EventStudy
t1 = time.perf_counter()
cfg = load_config(sys.argv[1])
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    study = EventStudy.from_config(cfg)
    t2 = time.perf_counter()
    res = study.fit()
    t3 = time.perf_counter()
    out = sys.argv[2]
    if sys.argv[3] == "report":
        write_report(res, out)
    else:
        from pathlib import Path
        Path(out).mkdir(parents=True, exist_ok=True)
        for name, frame in report_tables(res).items():
            frame.to_csv(Path(out) / f"{name}.csv", index=False)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "fit": t3 - t2, "output": t4 - t3,
                  "security_events": len(res.events), "skipped": len(res.dropped),
                  "sessions": len(study.returns), "peak_rss_mb": resource.getrusage(
                      resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_data(folder: Path, n_tickers: int, years: int, layout: str) -> tuple[Path, list[str]]:
    """Write the price file and return its path and the tickers."""
    import numpy as np
    import pandas as pd

    from eventstudy.data.calendar import sessions

    end = pd.Timestamp("2025-12-31")
    days = sessions("XNYS", end - pd.DateOffset(years=years) + pd.Timedelta(days=1), end)
    rng = np.random.default_rng(20261129)
    n = len(days)
    market = rng.normal(0.0003, 0.011, n)
    beta = rng.uniform(0.3, 1.8, n_tickers)
    rets = market[:, None] * beta + rng.normal(0.0001, 0.02, (n, n_tickers))
    close = 50.0 * np.exp(np.cumsum(np.log1p(rets), axis=0))
    tickers = [f"T{i:04d}" for i in range(n_tickers)]
    frame = pd.DataFrame(close, index=days.rename("date"), columns=tickers)
    frame["^GSPC"] = 4000.0 * np.exp(np.cumsum(np.log1p(market)))
    if layout == "wide":
        path = folder / "closes_wide.csv"
        frame.round(4).to_csv(path)
    else:
        path = folder / "closes_long.csv"
        long = frame.round(4).stack().rename("close").reset_index()
        long.columns = ["date", "ticker", "close"]
        long.to_csv(path, index=False)
    return path, tickers


def write_config(folder: Path, price_file: Path, tickers: list[str]) -> Path:
    """Write events.csv (40 tickers per event date) and the study YAML; return the YAML's path."""
    import pandas as pd

    from eventstudy.data.calendar import sessions

    dates = sessions("XNYS", pd.Timestamp("2018-06-01"), pd.Timestamp("2025-10-31"))
    per = 40
    rows = ["event_id,ticker,date"]
    for i, t in enumerate(tickers):
        d = dates[(i // per) * (len(dates) // (len(tickers) // per + 1))]
        rows.append(f"e{i // per:03d},{t},{d.date()}")
    (folder / "events.csv").write_text("\n".join(rows) + "\n")
    cfg = folder / "large.yaml"
    cfg.write_text(
        "study: large_file\n"
        f"data: {{source: file, path: {price_file.name}, calendar: XNYS}}\n"
        "market: ^GSPC\n"
        "events: events.csv\n"
        "estimation_window: [-250, -11]\n"
        "event_windows: [[0, 0], [-1, 1], [0, 5], [0, 20]]\n"
        "model: market\n"
    )
    return cfg


def main() -> None:
    """Generate the file, run the study in a child interpreter, print times and peak memory."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickers", type=int, default=2000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--layout", choices=["long", "wide"], default="long")
    parser.add_argument("--report", action="store_true", help="write the full report (PDF too)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        path, tickers = make_data(folder, args.tickers, args.years, args.layout)
        cfg = write_config(folder, path, tickers)
        gen = time.perf_counter() - t0
        print(f"generated {path.name}: {args.tickers} tickers x {args.years} years, "
              f"{path.stat().st_size / 1e6:.0f} MB in {gen:.1f} s")
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, str(cfg), str(folder / "out"),
                               "report" if args.report else "tables"],
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            print(proc.stderr[-3000:])
            raise SystemExit(f"the study failed (exit {proc.returncode})")
        stats = json.loads(proc.stdout.strip().splitlines()[-1])
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"study in a fresh interpreter: {wall:.1f} s wall | import {stats['import']:.2f} s | "
              f"load file + returns {stats['load']:.1f} s | fit {stats['fit']:.2f} s "
              f"({stats['security_events']} security-events, {stats['skipped']} skipped, "
              f"{stats['sessions']} sessions) | {'report' if args.report else 'CSV tables'} "
              f"{stats['output']:.1f} s")
        verdict = "under" if peak < 4096 else "OVER"
        print(f"peak resident memory of the study process: {peak:.0f} MB ({verdict} the 4 GB "
              "target)")


if __name__ == "__main__":
    main()
