"""Build the bundled market data (index share counts, the VIX) from ``../shared/data/market``.

Run from the repository root::

    python scripts/build_market_data.py [--shared ../shared/data]

Writes to ``eventstudy/datasets/``
- ``sp500_shares.csv``: per S&P 500 member (Yahoo symbol): ``shares_held`` (the SPDR S&P 500 ETF's
  holding at the close of 2024-12-24, proportional to the index's float-adjusted share count),
  ``shares_outstanding`` (total shares, Yahoo ``sharesOutstanding`` captured 2024-12-26; empty for
  BRK-B and BF-B, which Yahoo does not report), ``close_2024_12_24`` (the unadjusted close the
  holdings file gives; for the two rows without one, BRK-B and BF-B, derived from the fund's weight:
  close_i = w_i V / q_i with V = sum_j q_j close_j / sum_j w_j over the rows with a close, so that
  every member can be weighted), ``close_source`` (``holdings`` or ``weight``) and ``weight_pct``
  (the fund's weight); the ``US DOLLAR`` cash row is dropped;
- ``vix_close.csv``: the CBOE Volatility Index close by NYSE session (CBOE's rows on days NYSE was
  closed dropped), 2022-01-03 onwards.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "eventstudy" / "datasets"


def build(shared: Path, out: Path = OUT) -> None:
    """Read the shared market files and write the bundle files."""
    import exchange_calendars as xcals

    h = pd.read_csv(shared / "market" / "spy_holdings_2024-12-24.csv")
    h = h[h["Ticker"] != "-"]  # the cash row
    aliases = pd.read_csv(OUT / "ticker_aliases.csv", dtype=str)
    rename = dict(zip(aliases["symbol"], aliases["yahoo"], strict=True))
    yahoo = h["Ticker"].str.replace(".", "-", regex=False).map(lambda t: rename.get(t, t))
    table = pd.DataFrame({
        "ticker": yahoo,
        "symbol": h["Ticker"],
        "shares_held": h["Shares Held"].astype("int64"),
        "shares_outstanding": h["sharesOutstanding"].astype("Int64"),
        "close_2024_12_24": h["previousClose"],
        "weight_pct": h["Weight"],
    }).sort_values("ticker")
    have = table["close_2024_12_24"].notna()
    value_per_weight = ((table.loc[have, "shares_held"] * table.loc[have, "close_2024_12_24"]).sum()
                        / table.loc[have, "weight_pct"].sum())
    derived = (table["weight_pct"] * value_per_weight / table["shares_held"]).round(2)
    table.insert(5, "close_source", ["holdings" if h_ else "weight" for h_ in have])
    table["close_2024_12_24"] = table["close_2024_12_24"].where(have, derived)
    if table["ticker"].duplicated().any() or len(table) != 503:
        raise SystemExit(f"expected 503 distinct members, got {len(table)}")
    table.to_csv(out / "sp500_shares.csv", index=False)

    vix = pd.read_csv(shared / "market" / "vix_cboe_daily.csv")
    vix["date"] = pd.to_datetime(vix["DATE"], format="%m/%d/%Y")
    vix = vix[vix["date"] >= "2022-01-03"]
    sessions = xcals.get_calendar("XNYS").sessions_in_range(vix["date"].min(), vix["date"].max())
    vix = vix[vix["date"].isin(sessions.tz_localize(None) if sessions.tz else sessions)]
    vix[["date", "CLOSE"]].rename(columns={"CLOSE": "close"}).to_csv(
        out / "vix_close.csv", index=False, date_format="%Y-%m-%d")


def main() -> None:
    """Parse the command line and build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data")
    build(parser.parse_args().shared)


if __name__ == "__main__":
    main()
