"""Build the bundled daily share volume (``eventstudy/datasets/us_daily_volume.parquet``).

Run from the repository root::

    python scripts/build_volume_dataset.py [--shared ../shared/data]

Reads ``prices/us_daily_ohlcv.csv.gz`` (54 stocks, SPY and ^GSPC, 2023-01-03..2025-12-30; raw,
unadjusted share volume as yfinance returns it) and writes one column per Yahoo symbol, one row per
session, as float64 (exact for share counts below 2**53; NaN before a listing, e.g. GEV before
2024-03-27), zstd-compressed. ^GSPC's Yahoo volume is kept as Yahoo reports it. The provenance
note is in ``DESCR.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "eventstudy" / "datasets"


def build(shared: Path, out: Path = OUT) -> None:
    """Read the shared OHLCV file and write the volume bundle."""
    long = pd.read_csv(shared / "prices" / "us_daily_ohlcv.csv.gz", parse_dates=["date"],
                       usecols=["date", "ticker", "volume"])
    wide = long.pivot(index="date", columns="ticker", values="volume").sort_index()
    wide = wide.reindex(sorted(wide.columns), axis=1)
    first = long.groupby("ticker")["date"].min()
    for t in wide.columns:  # NaN only before a listing, never a gap
        if wide.loc[wide.index >= first[t], t].isna().any():
            raise SystemExit(f"missing volume for {t} after its first date")
    wide = wide.astype("float64")
    wide.index.name = "date"
    wide.columns.name = None
    wide.to_parquet(out / "us_daily_volume.parquet", compression="zstd")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    build(parser.parse_args().shared)
