"""Simulation: size of the tests on same-date placebo events in real S&P 500 returns (issue 15).

Run:  python bench/bench_size.py [--reps 300] [--n 100] [--seed 2026] [--dates same|random]

Each replication draws one random session of the bundled data (2023-2026, S&P 500 members, simple
returns, ^GSPC as the market) as a placebo event date and N random members as its security-events:
no event, so every rejection at 5% is a false one, and all N share the date (a one-date "shock"
with the cross-correlation of real returns, case C44). Market model, estimation window
[-250, -11]; event windows [0, 0] (day 0) and [-5, 5]; the Ibragimov-Mueller clusters are the GICS
sectors of the member list. Reported: the share of replications with p < 0.05 per test and window,
with its binomial standard error, and how often the pointwise and the sup-t 95% bands of the CAAR
path over [-5, 5] miss zero on some day. ``--dates random`` gives each security-event its own
random date instead (the control: no clustering, every test should reject about 5%). Not part
of the unit suite (minutes, not seconds); the seed fixes every draw. Figures go to
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

TESTS = ["t", "patell", "bmp", "kolari_pynnonen", "adjusted_patell", "placebo_dates",
         "ibragimov_mueller", "corrado_rank"]
WINDOWS = [(0, 0), (-5, 5)]


def _data() -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    from eventstudy import datasets

    members = datasets.sp500_constituents()[["yahoo", "sector"]].drop_duplicates("yahoo")
    close = datasets.load([*members["yahoo"], "^GSPC"])
    r = (close / close.shift(1) - 1).iloc[1:]
    return r[members["yahoo"].tolist()], r["^GSPC"], members.set_index("yahoo")["sector"]


def main() -> None:
    """Run the replications and print the rejection rates."""
    from eventstudy import EventStudy
    from eventstudy.statistics.battery import run_test

    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--dates", choices=["same", "random"], default="same")
    args = ap.parse_args()
    from eventstudy.statistics.robust import caar_bands

    warnings.simplefilter("ignore")
    returns, market, sector = _data()
    rng = np.random.default_rng(args.seed)
    dates = returns.index[260:-6]
    rows = []
    t0 = time.perf_counter()
    for rep in range(args.reps):
        day0 = dates[rng.integers(len(dates))]
        tickers = list(rng.choice(returns.columns, size=args.n, replace=False))
        ok = returns.loc[:day0, tickers].iloc[-251:].notna().sum() >= 200
        tickers = [t for t in tickers if ok[t]]
        groups: dict[str, list[str]] = {}
        for t in tickers:
            groups.setdefault(str(sector[t]).replace(" ", "_"), []).append(t)
        if args.dates == "same":
            events = [{"event_id": "placebo", "ticker": t, "date": day0} for t in tickers]
        else:
            own = dates[rng.integers(len(dates), size=len(tickers))]
            events = [{"event_id": f"p{k}", "ticker": t, "date": d}
                      for k, (t, d) in enumerate(zip(tickers, own, strict=True))]
        res = EventStudy(events, returns[tickers], market, groups=groups,
                         estimation_window=(-250, -11), event_windows=WINDOWS,
                         min_estimation_obs=200, tests=["t"]).fit()
        panel = res.panel
        for w in WINDOWS:
            for name in TESTS:
                r = run_test(panel, name, w)
                rows.append((rep, f"[{w[0]},{w[1]}]", name, r.pvalue))
        r = run_test(panel, "pre_event", (-5, -1))
        rows.append((rep, "[-5,-1]", "pre_event", r.pvalue))
        bands = caar_bands(np.cumsum(panel.ar_evt, axis=1), 0.95, n_boot=499, seed=rep)
        for kind in ("", "_uniform"):
            miss = np.any((bands["lower" + kind] > 0) | (bands["upper" + kind] < 0))
            rows.append((rep, "[-5,5] path", "band" + (kind or "_pointwise"),
                         0.0 if miss else 1.0))
    took = time.perf_counter() - t0
    table = pd.DataFrame(rows, columns=["rep", "window", "test", "p"])
    out = table.groupby(["test", "window"], sort=False)["p"].agg(
        rejection=lambda p: float(np.mean(p < 0.05)), valid=lambda p: int(p.notna().sum()))
    out["se"] = np.sqrt(out["rejection"] * (1 - out["rejection"]) / out["valid"])
    print(f"{args.reps} replications, N = {args.n} placebo events ({args.dates} dates), "
          f"seed {args.seed}, "
          f"{took:.0f} s")
    print(out.round(3).to_string())


if __name__ == "__main__":
    main()
