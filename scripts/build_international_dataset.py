"""Build the bundled international series from ``../shared/data/international``.

Run from the repository root::

    python scripts/build_international_dataset.py [--shared ../shared/data]

Each source file is read in the layout it was saved in (the shared data README lists them):

- ``N225.csv``, ``GDAXI.csv``: ``date,open,close,volume``; GDAXI holds rows with empty values on
  holidays, which are dropped (no price is not a session);
- ``FCHI.csv``, ``8035.T.csv``, ``6857.T.csv``: yfinance's 3-line header (Price / Ticker / Date);
- ``TWII.csv``: ``Date,Close,Volume``;
- ``2330.TW.csv``: ``ts_code,trade_date`` (YYYYMMDD), ..., ``close``, ..., ``vol``, ``amount``;
- ``SU.PA.csv``, ``9984.T.csv``: ``Date,Open,High,Low,Close,Volume``;
- ``ENR.DE.csv``: ``Date,Adj Close,Close,Dividends,High,Low,Open,Stock Splits,Volume`` (the
  adjusted close is kept). Its filler rows (the previous close repeated with zero volume) are
  kept as they are, with their zero volume: the study's quality screen
  (:func:`eventstudy.data.fillers.screen_fillers`) finds them and reports them as missing.

Writes ``eventstudy/datasets/intl_daily.parquet``: long format ``date, ticker, close, volume``
(float64), 2023-01-01 onwards (what the 2025 studies need with a 250-session estimation window).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "eventstudy" / "datasets"
START = pd.Timestamp("2023-01-01")

#: file -> Yahoo symbol
FILES: dict[str, str] = {
    "N225.csv": "^N225", "GDAXI.csv": "^GDAXI", "FCHI.csv": "^FCHI", "TWII.csv": "^TWII",
    "2330.TW.csv": "2330.TW", "SU.PA.csv": "SU.PA", "9984.T.csv": "9984.T",
    "8035.T.csv": "8035.T", "6857.T.csv": "6857.T", "ENR.DE.csv": "ENR.DE",
}


def _yfinance_3line(path: Path) -> pd.DataFrame:
    head = pd.read_csv(path, nrows=2, header=None)
    if head.iat[0, 0] != "Price" or head.iat[1, 0] != "Ticker":
        raise SystemExit(f"{path}: not a yfinance 3-line header")
    frame = pd.read_csv(path, skiprows=3, header=None, names=list(head.iloc[0]))
    frame = frame.rename(columns={"Price": "date"})
    return pd.DataFrame({"date": pd.to_datetime(frame["date"], format="%Y-%m-%d"),
                         "close": frame["Close"], "volume": frame["Volume"]})


def read_file(path: Path) -> pd.DataFrame:
    """Return ``date, close, volume`` of one source file, read in its own layout."""
    name = path.name
    if name in ("N225.csv", "GDAXI.csv"):
        f = pd.read_csv(path)
        out = pd.DataFrame({"date": pd.to_datetime(f["date"], format="%Y-%m-%d"),
                            "close": f["close"], "volume": f["volume"]})
    elif name in ("FCHI.csv", "8035.T.csv", "6857.T.csv"):
        out = _yfinance_3line(path)
    elif name == "TWII.csv":
        f = pd.read_csv(path)
        out = pd.DataFrame({"date": pd.to_datetime(f["Date"], format="%Y-%m-%d"),
                            "close": f["Close"], "volume": f["Volume"]})
    elif name == "2330.TW.csv":
        f = pd.read_csv(path, dtype={"trade_date": str})
        out = pd.DataFrame({"date": pd.to_datetime(f["trade_date"], format="%Y%m%d"),
                            "close": f["close"], "volume": f["vol"]})
    elif name in ("SU.PA.csv", "9984.T.csv"):
        f = pd.read_csv(path)
        out = pd.DataFrame({"date": pd.to_datetime(f["Date"], format="%Y-%m-%d"),
                            "close": f["Close"], "volume": f["Volume"]})
    elif name == "ENR.DE.csv":
        f = pd.read_csv(path)
        out = pd.DataFrame({"date": pd.to_datetime(f["Date"], format="%Y-%m-%d"),
                            "close": f["Adj Close"], "volume": f["Volume"]})
    else:
        raise SystemExit(f"{path}: unknown file")
    out = out.dropna(subset=["close"])  # GDAXI's holiday rows hold no value: not a session
    out = out.sort_values("date")
    if out["date"].duplicated().any():
        raise SystemExit(f"{path}: duplicate dates")
    if (out["close"] <= 0).any():
        raise SystemExit(f"{path}: non-positive close")
    return out.astype({"close": "float64", "volume": "float64"})


#: Published moves the bundle must reproduce (shared data README), ticker -> (from, to, pct).
CHECKS = {
    "^N225": ("2025-01-24", "2025-01-27", -0.92), "^GDAXI": ("2025-01-24", "2025-01-27", -0.53),
    "^FCHI": ("2025-01-24", "2025-01-27", -0.27), "^TWII": ("2025-01-22", "2025-02-03", -3.53),
    "2330.TW": ("2025-01-22", "2025-02-03", -5.73), "SU.PA": ("2025-01-24", "2025-01-27", -9.48),
    "9984.T": ("2025-01-24", "2025-01-27", -8.32), "8035.T": ("2025-01-24", "2025-01-27", -4.90),
    "6857.T": ("2025-01-24", "2025-01-27", -8.61),
}


def build(shared: Path, out: Path = OUT) -> pd.DataFrame:
    """Read every international file and write the long-format bundle file."""
    parts = []
    for name, ticker in FILES.items():
        f = read_file(shared / "international" / name)
        f = f[f["date"] >= START]
        close = f.set_index("date")["close"]
        if ticker in CHECKS:
            a, b, pct = CHECKS[ticker]
            got = 100 * (close[pd.Timestamp(b)] / close[pd.Timestamp(a)] - 1)
            if abs(got - pct) > 0.006:
                raise SystemExit(f"{ticker}: {a}->{b} {got:.3f}% (expected {pct}%)")
        parts.append(f.assign(ticker=ticker))
    table = pd.concat(parts, ignore_index=True)[["date", "ticker", "close", "volume"]]
    table.to_parquet(out / "intl_daily.parquet", index=False)
    return table


def main() -> None:
    """Parse the command line and build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data")
    build(parser.parse_args().shared)


if __name__ == "__main__":
    main()
