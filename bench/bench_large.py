"""Benchmark: large studies (issue 17), chunked and Dask paths beside a plain numpy bound.

Run:  python bench/bench_large.py [--sizes 10000 100000 1000000] [--modes bound chunked dask]
      python bench/bench_large.py --profile 1000000      (cProfile of the chunked fit, 1 thread)

Synthetic market model: n / 100 securities x 100 events each (10,000 x 100 at 1,000,000), the
same 100 event dates for every security, 20 sessions apart (so each estimation window holds other
events of the same security, left out of the fit), 2,300 sessions, estimation window -250..-11
(min 120 returns), event windows [0,0], [-1,1], [0,5]. Each (size, mode) runs in a fresh
subprocess, so its peak memory (ru_maxrss) is its own; building the data is not timed.

Modes:
- ``bound``: plain numpy, no package code: gathers by integer indexing into the security-major
  returns matrix, the masked market-model OLS in closed form, AR, CAR, and the cross-sectional t,
  Patell Z and BMP t, in chunks of 50,000 security-events. The floor for the ``chunked`` rows.
- ``chunked``: ``EventStudy(...).fit(backend='chunked')`` with the default tests (6), study
  construction included, on the default threads (``eventstudy.scale.default_workers()``: the
  CPUs this process may use, at most 4); the row says how many (``workers``).
- ``chunked_all``: the same with the 17 tests the chunked path computes.
- ``chunked_1``, ``chunked_all_1`` (any ``_<k>``): the same on ``workers=k`` threads; ``_1`` is
  one thread, to compare with the single-threaded numpy bound.
- ``memory``: ``EventStudy(...).fit()`` and ``res.tests`` with the default tests (the in-memory
  path, for comparison up to 100,000).
- ``dask``: ``fit(backend='dask')`` on a LocalCluster of 2 worker processes, 1 thread each.
- ``io``: read the n events from CSV and Parquet and the returns (sessions x securities rows)
  from a long Parquet file sorted by date, all of it and two years of it.
Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

WINDOWS = [(0, 0), (-1, 1), (0, 5)]
EST = (-250, -11)
N_DAYS = 2300
SPACING = 20


def synthetic(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Return events (n rows), returns (sessions x n/100 securities) and the market."""
    rng = np.random.default_rng(seed)
    per_sec = 100
    n_sec = max(1, n // per_sec)
    idx = pd.bdate_range("2010-01-01", periods=N_DAYS)
    m = rng.normal(0.0003, 0.01, N_DAYS)
    betas = rng.uniform(0.5, 1.5, n_sec)
    r = pd.DataFrame(np.outer(m, betas) + rng.normal(0, 0.015, (N_DAYS, n_sec)), index=idx,
                     columns=[f"S{i:05d}" for i in range(n_sec)])
    days = idx[260 + SPACING * np.arange(per_sec)]
    events = pd.DataFrame({
        "event_id": np.repeat([f"d{k}" for k in range(per_sec)], n_sec),
        "ticker": np.tile(r.columns.to_numpy(), per_sec),
        "date": np.repeat(days.to_numpy(), n_sec)})
    return events, r, pd.Series(m, index=idx)


def bound(events: pd.DataFrame, r: pd.DataFrame, m: pd.Series) -> dict:
    """Plain numpy market model with AR, CAR, CS t, Patell and BMP (no exclusion, no screens)."""
    RT = np.ascontiguousarray(r.to_numpy().T)
    mk = m.to_numpy()
    pos0 = r.index.get_indexer(pd.DatetimeIndex(events["date"]))
    col = r.columns.get_indexer(events["ticker"])
    est = np.arange(EST[0], EST[1] + 1)
    evt = np.arange(-1, 6)
    out = {w: [0.0, 0.0, 0.0, 0.0, 0.0, 0] for w in WINDOWS}  # sum car, car^2, scar, scar^2, q, n
    step = 50_000
    for a in range(0, len(events), step):
        p, c = pos0[a:a + step], col[a:a + step]
        y = RT[c[:, None], p[:, None] + est]
        x = mk[p[:, None] + est]
        ok = np.isfinite(y) & np.isfinite(x)
        w = ok.astype(float)
        M = w.sum(1)
        xm = (x * w).sum(1) / M
        ym = (np.where(ok, y, 0) * w).sum(1) / M
        dx = np.where(ok, x - xm[:, None], 0)
        sxx = (dx * dx).sum(1)
        beta = (dx * np.where(ok, y - ym[:, None], 0)).sum(1) / sxx
        alpha = ym - beta * xm
        res = np.where(ok, y - alpha[:, None] - beta[:, None] * x, 0)
        s2 = (res * res).sum(1) / (M - 2)
        xe = mk[p[:, None] + evt]
        ar = RT[c[:, None], p[:, None] + evt] - alpha[:, None] - beta[:, None] * xe
        for w_ in WINDOWS:
            sl = slice(w_[0] + 1, w_[1] + 2)
            car = ar[:, sl].sum(1)
            L = sl.stop - sl.start
            sx = (xe[:, sl] - xm[:, None]).sum(1)
            var = s2 * (L + L * L / M + sx * sx / sxx)
            scar = car / np.sqrt(var)
            q = (M - 2) / (M - 4)
            acc = out[w_]
            acc[0] += car.sum()
            acc[1] += (car * car).sum()
            acc[2] += scar.sum()
            acc[3] += (scar * scar).sum()
            acc[4] += q.sum()
            acc[5] += len(car)
    stats = {}
    for w_, (s, ss, z, zz, q, n) in out.items():
        sd = np.sqrt((ss - s * s / n) / (n - 1))
        sdz = np.sqrt((zz - z * z / n) / (n - 1))
        stats[str(w_)] = {"t": s / n / (sd / np.sqrt(n)), "patell": z / np.sqrt(q),
                          "bmp": z / n / (sdz / np.sqrt(n))}
    return stats


def _io(events: pd.DataFrame, r: pd.DataFrame) -> dict:
    """Time reading the events (CSV, Parquet) and the returns from a long Parquet file."""
    import tempfile
    from pathlib import Path

    from eventstudy.scale.io import read_events, read_long_returns

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        events.to_csv(d / "events.csv", index=False)
        events.to_parquet(d / "events.parquet")
        long = r.rename_axis("date").reset_index().melt(id_vars="date", var_name="ticker",
                                                        value_name="return")
        long.sort_values("date").to_parquet(d / "returns.parquet", row_group_size=1_000_000)
        out["returns_rows"] = len(long)
        del long
        for name, fn in (("read_events_csv_s", lambda: read_events(d / "events.csv")),
                         ("read_events_parquet_s", lambda: read_events(d / "events.parquet")),
                         ("read_long_returns_s", lambda: read_long_returns(d / "returns.parquet")),
                         ("read_long_returns_2y_s", lambda: read_long_returns(
                             d / "returns.parquet", start=r.index[1000], end=r.index[1503]))):
            t0 = time.perf_counter()
            fn()
            out[name] = round(time.perf_counter() - t0, 2)
    out["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)
    return out


def run(n: int, mode: str) -> dict:
    """Time one mode at one size in this process."""
    from eventstudy import EventStudy
    from eventstudy.scale import SUPPORTED_TESTS

    warnings.simplefilter("ignore")
    events, r, m = synthetic(n)
    load = os.getloadavg()[0]
    c0, t0 = time.process_time(), time.perf_counter()
    extra: dict = {"workers": 1}
    if mode == "io":
        return {"n": n, "mode": mode, "load_1min": round(load, 2), **_io(events, r)}
    if mode == "bound":
        bound(events, r, m)
    else:
        tests = ([t for t in SUPPORTED_TESTS if t != "pre_event"] if mode.startswith("chunked_all")
                 else None)
        study = EventStudy(events, r, m, estimation_window=EST, event_windows=WINDOWS,
                           min_estimation_obs=120, tests=tests)
        extra["construct_s"] = time.perf_counter() - t0
        if mode == "memory":
            res = study.fit()
            _ = res.tests
        elif mode == "dask":
            from distributed import Client, LocalCluster

            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                t1 = time.perf_counter()
                extra["workers"] = 2
                big = study.fit(backend="dask", client=client)
                extra["dask_fit_s"] = time.perf_counter() - t1
                extra["n_chunks"] = big.n_chunks
        else:
            from eventstudy.scale import default_workers

            last = mode.rsplit("_", 1)[-1]
            workers = int(last) if last.isdigit() else None
            extra["workers"] = workers or default_workers()
            big = study.fit(backend="chunked", workers=workers)
            extra["n_chunks"] = big.n_chunks
            extra["kept"] = big.nobs
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"n": n, "mode": mode, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
            "load_1min": round(load, 2), **{k: (round(v, 2) if isinstance(v, float) else v)
                                             for k, v in extra.items()}}


def main() -> None:
    """Run each (size, mode) in its own subprocess and print one JSON line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--modes", nargs="*", default=["bound", "chunked"])
    parser.add_argument("--child", nargs=2, default=None)
    parser.add_argument("--profile", type=int, default=None)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run(int(args.child[0]), args.child[1])))
        return
    if args.profile is not None:
        import cProfile
        import pstats

        from eventstudy import EventStudy

        warnings.simplefilter("ignore")
        events, r, m = synthetic(args.profile)
        prof = cProfile.Profile()
        prof.enable()
        EventStudy(events, r, m, estimation_window=EST, event_windows=WINDOWS,
                   min_estimation_obs=120).fit(backend="chunked", workers=1)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        return
    for n in args.sizes:
        for mode in args.modes:
            out = subprocess.run([sys.executable, __file__, "--child", str(n), mode],
                                 capture_output=True, text=True, check=False)
            print(out.stdout.strip().splitlines()[-1] if out.returncode == 0 else
                  json.dumps({"n": n, "mode": mode, "error": out.stderr.strip()[-400:]}),
                  flush=True)


if __name__ == "__main__":
    main()
