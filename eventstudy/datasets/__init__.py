"""Bundled real data: US daily adjusted closes and the S&P 500 member list.

The data set is described in ``DESCR`` (source: Yahoo Finance via yfinance, ``auto_adjust=True``,
vintage 2026-08). It is read lazily; importing this module reads no file.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

__all__ = ["DESCR", "VINTAGE", "SOURCE", "load", "sp500_constituents", "ticker_aliases", "sources"]

SOURCE = "bundled: Yahoo Finance via yfinance (auto_adjust=True, adjusted closes)"
VINTAGE = "2026-08"


def _path(name: str) -> resources.abc.Traversable:
    return resources.files(__name__).joinpath(name)


def __getattr__(name: str) -> str:
    if name == "DESCR":
        return _path("DESCR.md").read_text(encoding="utf-8")
    raise AttributeError(name)


@cache
def _close() -> pd.DataFrame:
    with resources.as_file(_path("us_daily_close.parquet")) as p:
        frame = pd.read_parquet(p)
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame


def load(tickers: list[str] | None = None) -> pd.DataFrame:
    """Load the bundled adjusted daily closes.

    Parameters
    ----------
    tickers : list of str, optional
        Yahoo symbols to return, in this order. All 584 series when omitted.

    Returns
    -------
    pandas.DataFrame
        (n_sessions, n_tickers) adjusted closes in US dollars (index points for ^GSPC, ^IXIC, ^SOX),
        indexed by session date (``DatetimeIndex`` named ``date``, tz-naive, NYSE sessions
        2023-01-03..2026-08-03). NaN before a listing or after a series ends.

    Raises
    ------
    KeyError
        When a requested ticker is not in the bundle (the message lists them).

    Notes
    -----
    Source: Yahoo Finance through yfinance, ``auto_adjust=True``; see ``DESCR``.
    """
    frame = _close()
    if tickers is None:
        return frame.copy()
    missing = [t for t in tickers if t not in frame.columns]
    if missing:
        raise KeyError(f"not in the bundled data set: {missing}")
    return frame[list(tickers)].copy()


@cache
def sp500_constituents() -> pd.DataFrame:
    """Return the S&P 500 members of 2024-12-27 with GICS sector.

    Returns
    -------
    pandas.DataFrame
        503 rows; columns ``symbol`` (as listed then), ``yahoo`` (the bundle's symbol),
        ``security``, ``sector`` (GICS sector) and ``sub_industry``.
    """
    with resources.as_file(_path("sp500_constituents.csv")) as p:
        return pd.read_csv(p, dtype=str)


@cache
def ticker_aliases() -> dict[str, str]:
    """Return the map from a member's January-2025 symbol to its Yahoo symbol today."""
    with resources.as_file(_path("ticker_aliases.csv")) as p:
        table = pd.read_csv(p, dtype=str)
    return dict(zip(table["symbol"], table["yahoo"], strict=True))


@cache
def sources() -> dict[str, str]:
    """Return the map from ticker to the repository@commit its series was taken from."""
    with resources.as_file(_path("sources.csv")) as p:
        table = pd.read_csv(p, dtype=str)
    return dict(zip(table["ticker"], table["source"], strict=True))
