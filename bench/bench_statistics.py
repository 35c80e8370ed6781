"""Benchmark: the statistics core (batched fit + the whole test battery) against statsmodels.

At 503, 10,000 and 100,000 security-events, against a per-event statsmodels loop.

Run:  python bench/bench_statistics.py [--sizes 503 10000 100000] [--repeat 3]

Each size runs in a fresh subprocess so its peak memory (ru_maxrss) is its own. Wall and CPU time
(``process_time``) are both reported: on the shared 2-core machine other work inflates wall time.
- 503: the S&P 500 members of 2024-12-27 around 2025-01-27 on the bundled real data (simple returns,
  ^GSPC), estimation window -250..-11, event windows [0,0], [-1,1], [0,5].
- 10,000 / 100,000: a synthetic panel (1,000 / 10,000 securities x 1,100 sessions, market model
  with noise), each security in 10 events 60 sessions apart over the last 600 sessions.
Timed: ``EventStudy(...).fit()`` plus ``res.tests`` with every test of the registry (20 tests
since issue 15, 17 in the figures before it; ``bootstrap_t`` with 999 replications), i.e. fit
and all tests, and once more with the default tests. Data loading is not timed.
The statsmodels loop does, per security-event, the market-model OLS and the day-0 AR t test with
the forecast-error variance (``get_prediction``), the minimum any per-event tool does; its
per-event time is measured on the 503 events and the ratio is against our fit + t test on the same
events. Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

WINDOWS = [(0, 0), (-1, 1), (0, 5)]
EST = (-250, -11)


def _sp500() -> tuple[list[dict], pd.DataFrame, pd.Series]:
    from eventstudy import datasets

    members = datasets.sp500_constituents()["yahoo"].tolist()
    close = datasets.load([*members, "^GSPC"])
    r = (close / close.shift(1) - 1).iloc[1:]
    events = [{"event_id": "e", "ticker": t, "date": "2025-01-27"} for t in members]
    return events, r[members], r["^GSPC"]


def _synthetic(n: int) -> tuple[list[dict], pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    n_sec, n_days = n // 10, 1100
    idx = pd.bdate_range("2020-01-01", periods=n_days)
    m = rng.normal(0.0003, 0.01, n_days)
    betas = rng.uniform(0.5, 1.5, n_sec)
    r = pd.DataFrame(np.outer(m, betas) + rng.normal(0, 0.015, (n_days, n_sec)), index=idx,
                     columns=[f"S{i:04d}" for i in range(n_sec)], dtype="float64")
    per_sec = n // n_sec
    step = 600 // per_sec
    days = [idx[n_days - 610 + k * step] for k in range(per_sec)]
    events = [{"event_id": f"d{k}", "ticker": t, "date": d}
              for k, d in enumerate(days) for t in r.columns]
    return events, r, pd.Series(m, index=idx)


def run_size(n: int, repeat: int) -> dict:
    """Time the fit and the test battery on ``n`` security-events, ``repeat`` times."""
    from eventstudy import EventStudy
    from eventstudy.statistics.battery import TESTS

    warnings.simplefilter("ignore")
    events, r, m = _sp500() if n == 503 else _synthetic(n)
    times, fit_times, cpu = [], [], []
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        study = EventStudy(events, r, m, estimation_window=EST, event_windows=WINDOWS,
                           tests=list(TESTS), min_estimation_obs=120)
        res = study.fit()
        t1 = time.perf_counter()
        table = res.tests
        t2 = time.perf_counter()
        times.append(t2 - t0)
        fit_times.append(t1 - t0)
        cpu.append(time.process_time() - c0)
    t0 = time.perf_counter()  # the same with the default tests (6 of the 17)
    _ = EventStudy(events, r, m, estimation_window=EST, event_windows=WINDOWS,
                   min_estimation_obs=120).fit().tests  # timed: computes the tests
    default_s = time.perf_counter() - t0
    out = {"n": len(events), "kept": int(res.nobs.size), "rows": len(table),
           "fit_and_default_tests_s": default_s, "cpu_fit_and_all_tests_s": min(cpu),
           "fit_and_all_tests_s": min(times), "fit_s": min(fit_times),
           "tests_s": min(times) - min(fit_times),
           "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}
    if n == 503:
        out.update(_statsmodels_ratio(events, r, m, res))
    return out


def _statsmodels_ratio(events: list[dict], r: pd.DataFrame, m: pd.Series, res) -> dict:
    import statsmodels.api as sm

    from eventstudy import EventStudy

    day0 = r.index.get_loc(pd.Timestamp("2025-01-27"))
    t0 = time.perf_counter()
    tvals = []
    for ev in events:
        y = r[ev["ticker"]]
        est = slice(day0 + EST[0], day0 + EST[1] + 1)
        ye, xe = y.iloc[est], m.iloc[est]
        ok = ye.notna() & xe.notna()
        fit = sm.OLS(ye[ok], sm.add_constant(xe[ok])).fit()
        pred = fit.get_prediction(np.array([[1.0, m.iloc[day0]]]))
        se = np.sqrt(pred.var_pred_mean[0] + fit.scale)
        tvals.append((y.iloc[day0] - pred.predicted_mean[0]) / se)
    loop = time.perf_counter() - t0
    ours = []
    for _ in range(5):
        t0 = time.perf_counter()
        one = EventStudy(events, r, m, estimation_window=EST, event_windows=[(0, 0)],
                         tests=["t"], min_estimation_obs=120).fit()
        _ = one.tests
        ours.append(time.perf_counter() - t0)
    ours_t = one.to_frame().query("tau == 0")["t"].to_numpy()
    agree = float(np.nanmax(np.abs(np.asarray(tvals)[:len(ours_t)] - ours_t)))
    return {"statsmodels_loop_s": loop, "ours_fit_t_s": min(ours),
            "ratio": loop / min(ours), "max_abs_t_diff": agree}


def main() -> None:
    """Print the timings of each size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[503, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=int, default=None)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run_size(args.child, args.repeat)))
        return
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(n), "--repeat",
                              str(args.repeat if n < 100_000 else 1)],
                             capture_output=True, text=True, check=True)
        print(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
