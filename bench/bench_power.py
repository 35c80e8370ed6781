"""Benchmark: the power simulation (issue 16) against a plain numpy bound, in the same run.

Run:  python bench/bench_power.py [--reps 1000] [--n-events 50] [--repeat 3]

Data: the bundled S&P 500 members (503) and ^GSPC, 2023-01..2026-08, simple returns; estimation
window -250..-11, test window (0, 0), the DeepSeek date 2025-01-27 excluded (-1..+20).
Timed (wall and CPU, best of ``--repeat``):
- ``simulate_power`` with reps x n_events placebo security-events, one AR size (1%), tests t and
  bmp; then t, bmp and corrado_rank; then the CLI's default grid (4 AR sizes x 10/20/50 events,
  t, bmp, corrado_rank);
- the plain numpy bound: the same draws, one vectorised market-model fit of all security-events,
  and the t and BMP statistics of all samples at once (no TestPanel, no per-sample Python). It
  computes what the first row computes and is the floor for it: the rest is the per-sample test
  calls, which keep one engine per statistic.
Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

EST = (-250, -11)


def _data() -> tuple[pd.DataFrame, pd.Series]:
    from eventstudy import datasets

    members = datasets.sp500_constituents()["yahoo"].tolist()
    close = datasets.load([*members, "^GSPC"])
    r = (close / close.shift(1) - 1).iloc[1:]
    return r[members], r["^GSPC"]


def numpy_bound(ret: pd.DataFrame, mkt: pd.Series, reps: int, n: int, ar: float,
                seed: int = 0) -> tuple[float, float]:
    """Rejection rates of t and BMP at 5% for reps samples of n placebo events, plain numpy."""
    from scipy.special import stdtr

    from eventstudy.power import _placebo_pool

    R = ret.to_numpy()
    M = np.broadcast_to(mkt.to_numpy()[:, None], R.shape)
    valid = np.isfinite(R) & np.isfinite(M)
    pos = int(np.searchsorted(ret.index.values, np.datetime64("2025-01-27")))
    blocked = np.zeros(len(R), dtype=bool)
    blocked[pos - 1:pos + 21] = True
    pool = _placebo_pool(valid, EST, 0, 0, 120, blocked)
    cand = np.flatnonzero(pool.ravel())
    rng = np.random.default_rng(seed)
    draws = np.stack([cand[rng.choice(len(cand), n, replace=False)] for _ in range(reps)]).ravel()
    p0, col = draws // R.shape[1], draws % R.shape[1]
    rows = p0[:, None] + np.arange(EST[0], EST[1] + 1)[None, :]
    RT, MT = np.ascontiguousarray(R.T), np.ascontiguousarray(M.T)  # one window = one run
    y, x = RT[col[:, None], rows], MT[col[:, None], rows]
    ok = np.isfinite(y) & np.isfinite(x)
    w = ok.astype(float)
    y, x = np.where(ok, y, 0.0), np.where(ok, x, 0.0)
    nobs = w.sum(1)
    mx, my = x.sum(1) / nobs, y.sum(1) / nobs
    sxx = ((x - mx[:, None]) ** 2 * w).sum(1)
    beta = ((x - mx[:, None]) * (y - my[:, None]) * w).sum(1) / sxx
    alpha = my - beta * mx
    s2 = (((y - alpha[:, None] - beta[:, None] * x) * w) ** 2).sum(1) / (nobs - 2)
    ar0 = R[p0, col] - alpha - beta * M[p0, col] + ar
    sar = ar0 / np.sqrt(s2 * (1 + 1 / nobs + (M[p0, col] - mx) ** 2 / sxx))

    def rate(v: np.ndarray) -> float:
        v = v.reshape(reps, n)
        t = v.mean(1) / (v.std(1, ddof=1) / np.sqrt(n))
        return float(np.mean(2 * stdtr(n - 1, -np.abs(t)) < 0.05))

    return rate(ar0), rate(sar)


def _time(f, repeat: int) -> tuple[float, float, object]:
    best_wall, best_cpu, out = np.inf, np.inf, None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = f()
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, out


def main() -> None:
    """Run the benchmark and print one line per case."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--n-events", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-grid", action="store_true", help="skip the default-grid case")
    a = parser.parse_args()
    warnings.simplefilter("ignore")
    from eventstudy.power import simulate_power
    from eventstudy.statistics.nonparametric import corrado_rank  # noqa: F401 - warm imports
    from eventstudy.statistics.panel import TestPanel  # noqa: F401

    ret, mkt = _data()
    kw = {"exclude_dates": ["2025-01-27"], "exclude_window": (-1, 20), "seed": 0}
    import scipy.stats  # noqa: F401 - imported once, outside the timings (rank tests use it)

    cases = {
        "t, bmp": lambda: simulate_power(ret, mkt, reps=a.reps, n_events=[a.n_events],
                                         ar_sizes=[0.01], tests=["t", "bmp"], **kw),
        "t, bmp, corrado_rank": lambda: simulate_power(
            ret, mkt, reps=a.reps, n_events=[a.n_events], ar_sizes=[0.01],
            tests=["t", "bmp", "corrado_rank"], **kw),
    }
    if not a.no_grid:
        cases["default grid (4 ARs x 10/20/50, 3 tests)"] = lambda: simulate_power(
            ret, mkt, reps=a.reps, **kw)
    print(f"{a.reps} samples x {a.n_events} events, 503 S&P 500 members, best of {a.repeat}")
    for name, f in cases.items():
        wall, cpu, res = _time(f, a.repeat)
        rates = res.table.query("ar == 0.01 and n_events == @a.n_events").set_index("test")["rate"]
        print(f"  simulate_power [{name}]: {wall:.2f} s wall, {cpu:.2f} s CPU; rates at 1%: "
              + ", ".join(f"{k} {v:.3f}" for k, v in rates.items()))
    wall, cpu, (rt, rb) = _time(lambda: numpy_bound(ret, mkt, a.reps, a.n_events, 0.01), a.repeat)
    print(f"  plain numpy bound [t, bmp]: {wall:.2f} s wall, {cpu:.2f} s CPU; rates at 1%: "
          f"t {rt:.3f}, bmp {rb:.3f}")


if __name__ == "__main__":
    main()
