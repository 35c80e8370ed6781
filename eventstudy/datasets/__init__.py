"""Bundled real data: US daily adjusted closes and the S&P 500 member list.

The data set is described in ``DESCR`` (source: Yahoo Finance via yfinance, ``auto_adjust=True``,
vintage 2026-08). It is read lazily; importing this module reads no file.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

__all__ = ["DESCR", "VINTAGE", "SOURCE", "load", "sp500_constituents", "ticker_aliases", "sources",
           "symbol_renames", "rename_hint",
           "load_volume", "VOLUME_SOURCE", "index_shares", "vix", "SHARES_DATE",
           "load_international", "international_tickers", "INTERNATIONAL_SOURCE"]

SHARES_DATE = "2024-12-24"
"""Date of the bundled index share counts (SPDR S&P 500 ETF holdings at that close)."""

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
def symbol_renames() -> pd.DataFrame:
    """Return well-known symbol renames since 2015: old, new, year, company.

    Used for hints only (a symbol is never replaced silently): an event on ``FB`` that finds no
    data is told that FB is META since 2022 and how to say so (``aliases: {FB: META}``).
    """
    with resources.as_file(_path("symbol_renames.csv")) as p:
        table = pd.read_csv(p, dtype=str)
    return table


def rename_hint(symbols: list[str] | tuple[str, ...]) -> str:
    """Return '; symbols change (FB is META since 2022); set `aliases: {FB: META}`' or ''.

    Parameters
    ----------
    symbols : sequence of str
        Symbols a source had no data for.
    """
    table = symbol_renames().drop_duplicates("old", keep="last").set_index("old")
    known = [s for s in symbols if s in table.index]
    if not known:
        return ""
    said = ", ".join(f"{s} is {table.at[s, 'new']} since {table.at[s, 'year']}" for s in known)
    mapping = ", ".join(f"{s}: {table.at[s, 'new']}" for s in known)
    return f"; symbols change ({said}); set `aliases: {{{mapping}}}`"


@cache
def sources() -> dict[str, str]:
    """Return the map from ticker to the repository@commit its series was taken from."""
    with resources.as_file(_path("sources.csv")) as p:
        table = pd.read_csv(p, dtype=str)
    return dict(zip(table["ticker"], table["source"], strict=True))


VOLUME_SOURCE = ("bundled: Yahoo Finance via yfinance, raw daily share volume of 54 stocks, SPY "
                 "and ^GSPC, 2023-01-03..2025-12-30")


@cache
def _volume() -> pd.DataFrame:
    with resources.as_file(_path("us_daily_volume.parquet")) as p:
        frame = pd.read_parquet(p)
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame


def load_volume(tickers: list[str] | None = None) -> pd.DataFrame:
    """Load the bundled daily share volume (for abnormal-volume studies).

    Parameters
    ----------
    tickers : list of str, optional
        Yahoo symbols to return, in this order; all 56 series when omitted.

    Returns
    -------
    pandas.DataFrame
        (751 sessions, n_tickers) raw (not split-adjusted) share volume as float64, indexed by
        session date (NYSE sessions 2023-01-03..2025-12-30, ``DatetimeIndex`` named ``date``).
        NaN before a listing (GEV before 2024-03-27); ^GSPC's volume is Yahoo's, 0 on one day.

    Raises
    ------
    KeyError
        When a requested ticker is not in the bundle (the message lists them).

    Notes
    -----
    Source: ``shared/data/prices/us_daily_ohlcv.csv.gz`` (yfinance output), built by
    ``scripts/build_volume_dataset.py``; see ``DESCR``.
    """
    frame = _volume()
    if tickers is None:
        return frame.copy()
    missing = [t for t in tickers if t not in frame.columns]
    if missing:
        raise KeyError(f"not in the bundled volume data set: {missing}")
    return frame[list(tickers)].copy()


@cache
def index_shares() -> pd.DataFrame:
    """Return the S&P 500 members' index share counts and shares outstanding of 2024-12-24.

    Returns
    -------
    pandas.DataFrame
        503 rows indexed by Yahoo symbol (``ticker``); columns ``symbol`` (S&P spelling),
        ``shares_held`` (the SPDR S&P 500 ETF's holding at the close of 2024-12-24, proportional to
        the index's float-adjusted share count: use it for index weights), ``shares_outstanding``
        (total shares, for dollar market value; NaN for BRK-B and BF-B), ``close_2024_12_24`` (the
        unadjusted close of that day, US dollars; for BRK-B and BF-B, which the holdings file gives
        none, derived from the fund's weight), ``close_source`` (``holdings`` or ``weight``) and
        ``weight_pct`` (the fund's weight, percent).

    Notes
    -----
    Source: the fund's published holdings joined with Yahoo ``Ticker.info`` fields captured on
    2024-12-26 (``shared/data/market``); no index rebalance between 2024-12-23 and 2025-03-24.
    Built by ``scripts/build_market_data.py``; see ``DESCR``.
    """
    with resources.as_file(_path("sp500_shares.csv")) as p:
        table = pd.read_csv(p, dtype={"ticker": str, "symbol": str})
    table["shares_outstanding"] = table["shares_outstanding"].astype("float64")
    table["shares_held"] = table["shares_held"].astype("float64")
    return table.set_index("ticker")


@cache
def vix() -> pd.Series:
    """Return the CBOE Volatility Index close by NYSE session, 2022-01-03 onwards.

    Returns
    -------
    pandas.Series
        Index points, indexed by session date (``DatetimeIndex`` named ``date``), named ``^VIX``.
        CBOE's rows on days the NYSE was closed (e.g. 2025-01-09) are left out.
    """
    with resources.as_file(_path("vix_close.csv")) as p:
        table = pd.read_csv(p, parse_dates=["date"])
    return pd.Series(table["close"].to_numpy(dtype="float64"),
                     index=pd.DatetimeIndex(table["date"], name="date"), name="^VIX")


INTERNATIONAL_SOURCE = ("bundled: shared/data/international (yfinance, Tushare and index-vendor "
                        "files, each read in its own layout), 2023-01 onwards")


@cache
def _international() -> pd.DataFrame:
    with resources.as_file(_path("intl_daily.parquet")) as p:
        return pd.read_parquet(p)


def international_tickers() -> list[str]:
    """Return the symbols of the bundled international series (^N225, ^GDAXI, 2330.TW, ...)."""
    return sorted(_international()["ticker"].unique().tolist())


def load_international(tickers: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load the bundled international daily closes and volumes.

    Parameters
    ----------
    tickers : list of str, optional
        Symbols to return, in this order; all ten when omitted.

    Returns
    -------
    close, volume : pandas.DataFrame
        (n_dates, n_tickers) closes in each security's own currency (index points for ^N225,
        ^GDAXI, ^FCHI, ^TWII) and share volume, indexed by the dates any of them has a row
        (``DatetimeIndex`` named ``date``); NaN where a series has no row (its exchange was closed,
        or the series had not started). ENR.DE's filler rows (previous close, zero volume) are kept
        as the source has them: the quality screen reports them.

    Raises
    ------
    KeyError
        When a requested ticker is not bundled.

    Notes
    -----
    Built by ``scripts/build_international_dataset.py``; see ``DESCR``.
    """
    table = _international()
    known = set(table["ticker"])
    wanted = sorted(known) if tickers is None else list(tickers)
    missing = [t for t in wanted if t not in known]
    if missing:
        raise KeyError(f"not in the bundled international data set: {missing}")
    rows = table[table["ticker"].isin(wanted)]
    close = rows.pivot(index="date", columns="ticker", values="close").reindex(columns=wanted)
    volume = rows.pivot(index="date", columns="ticker", values="volume").reindex(columns=wanted)
    for f in (close, volume):
        f.index = pd.DatetimeIndex(f.index, name="date")
        f.columns = pd.Index(wanted, name=None)
    return close, volume
