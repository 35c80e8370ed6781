"""Benchmark: the data layer on its own (local files, quality screen, cache, the auto source).

Run:  python bench/bench_data.py [--tickers 2000] [--years 10] [--repeat 3]

Stages, best of ``--repeat`` runs each, in one process:

- ``long file``: ``FileSource.get_prices`` on a generated long CSV (``date,ticker,close``) of
  ``--tickers`` random walks over ``--years`` of XNYS sessions (the generator of
  bench_large_file.py);
- ``shared file``: the project's real 584-ticker file
  ``../shared/data/prices/us_daily_close.csv.gz`` (skipped when the folder is absent);
- ``screen``: ``screen_prices`` on the generated closes with the session check;
- ``cache put`` / ``cache get``: 500 tickers x 1 year written to and read from a temporary cache;
- ``auto, bundled``: ``AutoSource.get_prices`` for the 512 series of the main study (cache empty,
  all served by the bundle).

Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Return the shortest of ``repeat`` timings of ``fn()`` in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    """Run the stages and print one line per stage."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickers", type=int, default=2000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    from bench_large_file import make_data

    from eventstudy.config import load_config
    from eventstudy.data.auto import AutoSource
    from eventstudy.data.cache import PriceCache
    from eventstudy.data.calendar import sessions
    from eventstudy.data.files import FileSource
    from eventstudy.data.quality import QualityLog, screen_prices
    from eventstudy.inputs import _date_range, resolve_securities

    tmp = Path(tempfile.mkdtemp(prefix="bench_data_"))
    path, tickers = make_data(tmp, args.tickers, args.years, "long")
    wanted = [*tickers, "^GSPC"]
    lo, hi = pd.Timestamp("1990-01-01"), pd.Timestamp("2030-12-31")
    size = path.stat().st_size / 1e6
    t = best(lambda: FileSource(path).get_prices(wanted, lo, hi), args.repeat)
    print(f"long file ({len(wanted)} tickers, {size:.0f} MB CSV): {t:.2f} s")

    shared = HERE.parent.parent / "shared" / "data" / "prices" / "us_daily_close.csv.gz"
    if shared.exists():
        names = pd.read_csv(shared, usecols=["ticker"])["ticker"].unique().tolist()
        t = best(lambda: FileSource(shared).get_prices(names, lo, hi), args.repeat)
        print(f"shared file ({len(names)} tickers, {shared.stat().st_size / 1e6:.1f} MB gz): "
              f"{t:.2f} s")

    close = FileSource(path).get_prices(wanted, lo, hi).close
    cal = sessions("XNYS", close.index[0], close.index[-1])
    t = best(lambda: screen_prices(close, sessions=cal, log=QualityLog()), args.repeat)
    print(f"screen ({close.shape[1]} tickers x {close.shape[0]} sessions): {t:.2f} s")

    year = close.iloc[-252:, :500]
    frames = {c: pd.DataFrame({"close": year[c]}) for c in year.columns}

    def put() -> None:
        cache = PriceCache(tmp / "cache")
        for c, f in frames.items():
            cache.put(c, True, f, year.index[0], year.index[-1])

    def get() -> None:
        cache = PriceCache(tmp / "cache")
        for c in frames:
            cache.get(c, True, year.index[0], year.index[-1])

    print(f"cache put (500 tickers x 252 sessions): {best(put, args.repeat):.2f} s")
    print(f"cache get (500 tickers x 252 sessions): {best(get, args.repeat):.2f} s")

    cfg = load_config(HERE.parent / "configs" / "deepseek_2025.yaml")
    names, _ = resolve_securities(cfg)
    start, end = _date_range(cfg, pd.Series([pd.Timestamp("2025-01-27")]))
    src = AutoSource(PriceCache(tmp / "empty"))
    t = best(lambda: src.get_prices([*names, "^GSPC"], start, end), args.repeat)
    print(f"auto, bundled ({len(names) + 1} tickers): {t:.2f} s")


if __name__ == "__main__":
    main()
