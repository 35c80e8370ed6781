"""Build the bundled data set in ``eventstudy/datasets/`` from ``../shared/data``.

Run from the repository root::

    python scripts/build_dataset.py [--shared ../shared/data]

Writes
- ``us_daily_close.parquet``: wide table of adjusted daily closes (rows: sessions, columns: Yahoo
  symbols), float64 exactly as in the source, zstd-compressed;
- ``sources.csv``: ticker -> source repository@commit of every series;
- ``sp500_constituents.csv``: the S&P 500 members of 2024-12-27 with GICS sector and sub-industry,
  the symbol as listed then, and the Yahoo symbol the bundle stores the series under;
- ``ticker_aliases.csv``: symbol in January 2025 -> Yahoo symbol today, for renamed members.
The provenance note ``DESCR.md`` is written by hand and kept in git.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "eventstudy" / "datasets"


def build(shared: Path, out: Path = OUT) -> None:
    """Read the shared data and write the bundle files."""
    long = pd.read_csv(shared / "prices" / "us_daily_close.csv.gz", parse_dates=["date"])
    wide = long.pivot(index="date", columns="ticker", values="close").sort_index()
    wide = wide.reindex(sorted(wide.columns), axis=1)
    wide.index.name = "date"
    wide.columns.name = None
    if wide.index.duplicated().any():
        raise SystemExit("duplicate dates in the source file")
    wide.to_parquet(out / "us_daily_close.parquet", compression="zstd")

    sources = pd.read_csv(shared / "prices" / "us_daily_close.sources.csv")
    sources.sort_values("ticker").to_csv(out / "sources.csv", index=False)

    aliases = pd.read_csv(shared / "reference" / "ticker_aliases.csv")
    aliases = aliases.rename(columns={"ticker_jan2025": "symbol", "ticker_today": "yahoo"})
    aliases[["symbol", "yahoo", "company", "note"]].to_csv(out / "ticker_aliases.csv", index=False)

    members = pd.read_csv(shared / "reference" / "sp500_constituents_2024-12-27.csv")
    alias_map = dict(zip(aliases["symbol"], aliases["yahoo"], strict=True))
    yahoo = members["Symbol"].map(lambda s: alias_map.get(s, s.replace(".", "-")))
    missing = sorted(set(yahoo) - set(wide.columns))
    if missing:
        raise SystemExit(f"constituents without a price series: {missing}")
    table = pd.DataFrame(
        {
            "symbol": members["Symbol"],
            "yahoo": yahoo,
            "security": members["Security"],
            "sector": members["GICS Sector"],
            "sub_industry": members["GICS Sub-Industry"],
        }
    )
    table.to_csv(out / "sp500_constituents.csv", index=False)
    print(f"wrote {wide.shape[1]} series x {wide.shape[0]} sessions "
          f"({wide.index[0].date()}..{wide.index[-1].date()}), {len(table)} members to {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()
    build(args.shared)
