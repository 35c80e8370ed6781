"""Yahoo Finance through yfinance (imported lazily), and the ``auto`` source.

yfinance 1.x facts relied on: ``download()`` returns a (Price, Ticker) column MultiIndex even for one
ticker, or (Ticker, Price) with ``group_by='ticker'``; ``end`` is exclusive; per-ticker failures (rate
limits included) are logged and the ticker comes back all-NaN; ``Ticker.history()`` returns flat columns
with a tz-aware index.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from eventstudy.data.base import PriceData, PriceSource, sanitize_prices
from eventstudy.data.bundled import BundledSource
from eventstudy.exceptions import DataShapeError, DataUnavailableError

logger = logging.getLogger(__name__)

__all__ = ["YahooSource", "AutoSource", "extract_close"]

PRICE_FIELDS = ("Open", "High", "Low", "Close", "Adj Close", "Volume")


def _import_yfinance() -> Any:
    try:
        import yfinance
    except ImportError as exc:  # pragma: no cover - yfinance is a runtime dependency
        raise ImportError(
            "YahooSource needs yfinance: pip install 'market-eventstudy'"
        ) from exc
    return yfinance


def extract_close(frame: pd.DataFrame, ticker: str, field: str = "Close") -> pd.Series:
    """Return one ticker's closes from any frame shape yfinance produces (case C01).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``yf.download`` output with (Price, Ticker) or (Ticker, Price) column MultiIndex, or a flat
        ``Ticker.history()`` frame (columns Open, High, Low, Close, ...).
    ticker : str
        The Yahoo symbol wanted.
    field : str, default 'Close'
        The price field. With ``auto_adjust=True`` (what this package requests) 'Close' is adjusted.

    Returns
    -------
    pandas.Series
        1-D float closes indexed like ``frame``, named ``ticker``.

    Raises
    ------
    DataShapeError
        When the ticker or the field is not in the frame
        ("ticker 'MSFT' not in downloaded columns ['AAPL']").
    """
    cols = frame.columns
    if isinstance(cols, pd.MultiIndex):
        if cols.nlevels != 2:
            raise DataShapeError(f"unexpected {cols.nlevels}-level columns from yfinance")
        lvl0 = set(map(str, cols.get_level_values(0)))
        price_level = 0 if lvl0 & set(PRICE_FIELDS) else 1
        ticker_level = 1 - price_level
        tickers = list(dict.fromkeys(map(str, cols.get_level_values(ticker_level))))
        if ticker not in tickers:
            raise DataShapeError(f"ticker {ticker!r} not in downloaded columns {tickers}")
        sub = frame.xs(ticker, axis=1, level=ticker_level)
    else:
        sub = frame
    if field not in sub.columns:
        raise DataShapeError(
            f"field {field!r} not in columns {list(map(str, sub.columns))} for {ticker!r}"
        )
    col = sub[field]
    if isinstance(col, pd.DataFrame):  # duplicated column label
        col = col.iloc[:, -1]
    return pd.to_numeric(col, errors="coerce").astype("float64").rename(ticker)


def _is_rate_limit(exc: BaseException) -> bool:
    return type(exc).__name__ == "YFRateLimitError" or "Too Many Requests" in str(exc)


class YahooSource(PriceSource):
    """Daily adjusted closes from Yahoo Finance (yfinance, ``auto_adjust=True`` passed explicitly).

    One batched ``yf.download`` call per request; up to ``attempts`` tries with exponential back-off
    and jitter on rate limits (case C03); an all-NaN or empty block is never data.

    Parameters
    ----------
    attempts : int, default 3
    backoff : float, default 2.0
        Seconds before the second attempt; doubled each time, plus up to 50% jitter.
    download : callable, optional
        Replaces ``yfinance.download`` (tests inject recorded frames and exceptions here).
    """

    name = "yfinance"

    def __init__(
        self,
        attempts: int = 3,
        backoff: float = 2.0,
        download: Callable[..., pd.DataFrame] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self._download = download
        self._sleep = sleep

    def _fetch(self, tickers: list[str], start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        download = self._download or _import_yfinance().download
        last: BaseException | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                return download(
                    tickers,
                    start=start.strftime("%Y-%m-%d"),
                    # yfinance's end is exclusive: ask for the day after the last needed (C10),
                    # plus a few calendar days of slack, and trim afterwards.
                    end=(end + pd.Timedelta(days=5)).strftime("%Y-%m-%d"),
                    auto_adjust=True,
                    actions=False,
                    progress=False,
                    group_by="column",
                    threads=True,
                )
            except Exception as exc:
                if not _is_rate_limit(exc):
                    raise DataUnavailableError(f"Yahoo download failed for {tickers}: {exc}") from exc
                last = exc
                if attempt < self.attempts:
                    wait = self.backoff * 2 ** (attempt - 1) * (1 + 0.5 * random.random())
                    logger.warning("Yahoo rate limit, attempt %d; retrying in %.1fs", attempt, wait)
                    self._sleep(wait)
        raise DataUnavailableError(
            f"Yahoo rate limit (HTTP 429) for {tickers} after {self.attempts} attempts; "
            "rerun later or use --offline cache"
        ) from last

    def get_prices(
        self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp
    ) -> PriceData:
        """Download closes; see :meth:`PriceSource.get_prices`."""
        tickers = list(tickers)
        raw = self._fetch(tickers, start, end)
        if raw is None or raw.empty:
            raise DataUnavailableError(
                f"no price data for {tickers} in {start.date()}..{end.date()} "
                "(symbol invalid, delisted or renamed, or no network?)"
            )
        close = pd.concat([extract_close(raw, t) for t in tickers], axis=1)
        close = sanitize_prices(close, label="yfinance").loc[start:end]
        empty = [t for t in tickers if close[t].isna().all()]
        if empty:
            raise DataUnavailableError(
                f"no price data for {empty} in {start.date()}..{end.date()} "
                "(symbol invalid, delisted or renamed, or rate-limited?)"
            )
        fetched = pd.Timestamp.now().strftime("%Y-%m-%d")
        return PriceData(
            close=close,
            adjusted=True,
            source={t: f"yfinance (auto_adjust=True, fetched {fetched})" for t in tickers},
            vintage=fetched,
        )


class AutoSource(PriceSource):
    """The bundled data set for the tickers it holds, yfinance for the rest."""

    name = "auto"

    def __init__(self, yahoo: YahooSource | None = None) -> None:
        self.bundled = BundledSource()
        self.yahoo = yahoo or YahooSource()

    def get_prices(
        self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp
    ) -> PriceData:
        """Return closes from the bundle where possible; see :meth:`PriceSource.get_prices`."""
        tickers = list(tickers)
        have = self.bundled.available(tickers)
        rest = [t for t in tickers if t not in have]
        parts = [self.bundled.get_prices(have, start, end)] if have else []
        if rest:
            parts.append(self.yahoo.get_prices(rest, start, end))
        close = pd.concat([p.close for p in parts], axis=1)[tickers]
        source: dict[str, str] = {}
        for p in parts:
            source.update(p.source)
        return PriceData(
            close=close,
            adjusted=all(p.adjusted for p in parts),
            source=source,
            vintage=", ".join(dict.fromkeys(p.vintage for p in parts)),
            notes=tuple(n for p in parts for n in p.notes),
        )
