"""Yahoo Finance through yfinance (imported lazily).

yfinance 1.x facts relied on: ``download()`` returns a (Price, Ticker) column MultiIndex even for
one ticker, or (Ticker, Price) with ``group_by='ticker'``; it upper-cases and de-duplicates symbols
through a set (order lost); ``end`` is exclusive; per-ticker failures (rate limits included) are
caught, logged on the ``yfinance`` logger ("['MSFT']: YFRateLimitError(...)") and the ticker comes
back empty or all-NaN; ``Ticker.history()`` returns flat columns with a tz-aware index.
"""

from __future__ import annotations

import logging
import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from eventstudy.data.base import PriceData, PriceSource, sanitize_prices
from eventstudy.data.calendar import exchange_for_symbol, last_closed_session, sessions
from eventstudy.exceptions import DataShapeError, DataUnavailableError, name_list

logger = logging.getLogger(__name__)

__all__ = ["YahooSource", "extract_close", "extract_actions"]

PRICE_FIELDS = ("Open", "High", "Low", "Close", "Adj Close", "Volume", "Dividends",
                "Stock Splits", "Capital Gains", "Repaired?")
#: Calendar days requested past the last needed session: ``end`` is exclusive (C10) and a few days
#: of slack cover a data vendor's late rows; the result is trimmed afterwards.
END_SLACK_DAYS = 5
#: Tickers per request when a progress bar is shown (a study with fewer is one request).
CHUNK = 100


def _import_yfinance() -> Any:
    try:
        import yfinance
    except ImportError as exc:  # pragma: no cover - yfinance is a runtime dependency
        raise ImportError(
            "YahooSource needs yfinance: pip install 'market-eventstudy'"
        ) from exc
    return yfinance


def _ticker_block(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """Return one ticker's flat (field) columns from any yfinance frame shape."""
    cols = frame.columns
    if not isinstance(cols, pd.MultiIndex):
        return frame
    if cols.nlevels != 2:
        raise DataShapeError(f"unexpected {cols.nlevels}-level columns from yfinance")
    lvl0 = set(map(str, cols.get_level_values(0)))
    price_level = 0 if lvl0 & set(PRICE_FIELDS) else 1
    ticker_level = 1 - price_level
    tickers = list(dict.fromkeys(map(str, cols.get_level_values(ticker_level))))
    if ticker not in tickers:
        raise DataShapeError(f"ticker {ticker!r} not in downloaded columns {tickers}")
    return frame.xs(ticker, axis=1, level=ticker_level)


def extract_close(frame: pd.DataFrame, ticker: str, field: str = "Close") -> pd.Series:
    """Return one ticker's closes from any frame shape yfinance produces (case C01, C02a).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``yf.download`` output with (Price, Ticker) or (Ticker, Price) column MultiIndex, or a flat
        ``Ticker.history()`` frame (columns Open, High, Low, Close, ...).
    ticker : str
        The Yahoo symbol wanted (looked up by name, never by position).
    field : {'Close', 'Adj Close'}, default 'Close'
        The price field. With ``auto_adjust=True`` (what this package requests for adjusted prices)
        'Close' is already adjusted and there is no 'Adj Close' (or an all-NaN one, added when
        another ticker of the batch failed); asking for 'Adj Close' then falls back to 'Close' and
        logs that decision.

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
    sub = _ticker_block(frame, ticker)
    if field == "Adj Close" and "Close" in sub.columns and (
        "Adj Close" not in sub.columns or sub["Adj Close"].isna().all()
    ):
        # With auto_adjust=True there is no 'Adj Close'; when another ticker of the batch failed,
        # yfinance adds an all-NaN one: its presence proves nothing (C02).
        logger.info("%s: no 'Adj Close' values (yfinance auto_adjust=True); 'Close' is already "
                    "adjusted and is used", ticker)
        field = "Close"
    if field not in sub.columns:
        raise DataShapeError(
            f"field {field!r} not in columns {list(map(str, sub.columns))} for {ticker!r}"
        )
    col = sub[field]
    if isinstance(col, pd.DataFrame):  # duplicated column label
        col = col.iloc[:, -1]
    return pd.to_numeric(col, errors="coerce").astype("float64").rename(ticker)


def extract_actions(frame: pd.DataFrame, ticker: str) -> tuple[pd.Series | None, pd.Series | None]:
    """Return one ticker's (splits, dividends) columns when the frame has them, else None."""
    sub = _ticker_block(frame, ticker)
    out = []
    for name in ("Stock Splits", "Dividends"):
        col = sub[name] if name in sub.columns else None
        if isinstance(col, pd.DataFrame):  # duplicated column label: as extract_close does
            col = col.iloc[:, -1]
        out.append(pd.to_numeric(col, errors="coerce").rename(ticker) if col is not None else None)
    return out[0], out[1]


#: Texts of errors that mean Yahoo could not be reached at all (no network, DNS, a firewall or
#: proxy): curl's (yfinance 1.x) and requests'/urllib3's wordings. Never a bad symbol (C04).
NETWORK_ERRORS = (
    "dnserror", "could not resolve", "couldn't resolve", "name resolution", "failed to resolve",
    "name or service not known", "nodename nor servname", "getaddrinfo", "failed to connect",
    "couldn't connect", "connection refused", "network is unreachable", "no route to host",
    "newconnectionerror", "proxyerror", "curl: (5)", "curl: (6)", "curl: (7)",
)


def _is_network(text: str) -> bool:
    """Return True when ``text`` says Yahoo could not be reached (not worth retrying at once)."""
    t = text.lower()
    return any(k in t for k in NETWORK_ERRORS)


def _is_transient(text: str) -> bool:
    """Return True for rate limits, timeouts and dropped connections (retried with back-off)."""
    t = text.lower()
    return not _is_network(t) and any(k in t for k in (
        "ratelimit", "rate limit", "too many requests", "timeout", "timed out", "connection"))


def _is_rate_limit(text: str) -> bool:
    t = text.lower()
    return any(k in t for k in ("ratelimit", "rate limit", "too many requests"))


class _CaptureYF(logging.Handler):
    """Collects what yfinance logs during a download: its per-ticker errors live only there."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _logged_error(messages: list[str], ticker: str) -> str:
    hits = [m for m in messages if f"'{ticker}'" in m or f"${ticker}" in m]
    return hits[-1] if hits else ""


class YahooSource(PriceSource):
    """Daily closes from Yahoo Finance (yfinance), ``auto_adjust`` passed explicitly.

    One batched ``yf.download`` call per request (chunks of 100 tickers when a progress bar is
    shown); the range comes from the caller (derived from the windows) with ``end`` moved past the
    last needed session because yfinance's ``end`` is exclusive (C10); up to ``attempts`` tries with
    exponential back-off and jitter on rate limits and timeouts, retrying only the tickers that
    failed (C03); an empty or all-NaN block is never data (C04).

    Parameters
    ----------
    adjusted : bool, default True
        ``auto_adjust=True``: 'Close' holds split- and dividend-adjusted closes. False gives raw
        closes (recorded splits are still applied by the quality screen, C09).
    attempts : int, default 3
    backoff : float, default 2.0
        Seconds before the second attempt; doubled each time, plus up to 50% jitter.
    download : callable, optional
        Replaces ``yfinance.download`` (tests inject recorded frames and exceptions here).
    sleep : callable, default time.sleep
    progress : bool, optional
        Show a progress bar (rich); default: when stderr is a terminal and over 100 tickers.
    now : callable, optional
        Returns the current tz-aware time (tests pin it): prices of a session that has not closed
        yet are dropped (NaN), never used as a close.
    """

    name = "yfinance"

    def __init__(
        self,
        adjusted: bool = True,
        attempts: int = 3,
        backoff: float = 2.0,
        download: Callable[..., pd.DataFrame] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        progress: bool | None = None,
        now: Callable[[], pd.Timestamp] | None = None,
    ) -> None:
        self.adjusted = adjusted
        self.attempts = attempts
        self.backoff = backoff
        self._download = download
        self._sleep = sleep
        self.progress = progress
        self._now = now

    def _call(self, tickers: list[str], start: pd.Timestamp, end: pd.Timestamp
              ) -> tuple[pd.DataFrame | None, list[str], str]:
        """One download call; returns (frame, yfinance error log lines, raised-error text)."""
        download = self._download or _import_yfinance().download
        capture = _CaptureYF()
        yf_logger = logging.getLogger("yfinance")
        # its per-ticker errors are the only trace of a rate limit: capture them whatever the
        # logger's level, and keep yfinance's raw "Failed download" lines off the terminal (the
        # error raised here restates them with the tickers and the likely cause)
        saved = (yf_logger.level, yf_logger.propagate)
        if yf_logger.getEffectiveLevel() > logging.ERROR:
            yf_logger.setLevel(logging.ERROR)
        yf_logger.propagate = False
        yf_logger.addHandler(capture)
        try:
            frame = download(
                tickers,
                start=start.strftime("%Y-%m-%d"),
                # yfinance's end is exclusive: ask for the day after the last needed (C10),
                # plus a few calendar days of slack, and trim afterwards.
                end=(end + pd.Timedelta(days=1 + END_SLACK_DAYS)).strftime("%Y-%m-%d"),
                auto_adjust=self.adjusted,
                actions=True,
                progress=False,
                group_by="column",
                threads=True,
            )
            return frame, capture.messages, ""
        except Exception as exc:  # yfinance raises for whole-request failures
            text = f"{type(exc).__name__}: {exc}"
            if not (_is_transient(text) or _is_network(text)):
                raise DataUnavailableError(f"Yahoo download failed for {tickers}: {exc}") from exc
            return None, capture.messages, text
        finally:
            yf_logger.removeHandler(capture)
            yf_logger.setLevel(saved[0])
            yf_logger.propagate = saved[1]

    def _fetch(self, tickers: list[str], start: pd.Timestamp, end: pd.Timestamp
               ) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        """Download with retries; return ({ticker: frame holding it}, {ticker: last error})."""
        got: dict[str, pd.DataFrame] = {}
        errors: dict[str, str] = {}
        remaining = list(tickers)
        for attempt in range(1, self.attempts + 1):
            frame, logged, raised = self._call(remaining, start, end)
            retry: list[str] = []
            for t in remaining:
                ok = False
                if frame is not None and not frame.empty:
                    try:
                        ok = extract_close(frame, t).notna().any()
                    except DataShapeError:
                        ok = False
                if ok:
                    got[t] = frame  # type: ignore[assignment]
                    errors.pop(t, None)
                    continue
                errors[t] = raised or _logged_error(logged, t)
                if _is_transient(errors[t]):
                    retry.append(t)
            if not retry or attempt == self.attempts:
                break
            wait = self.backoff * 2 ** (attempt - 1) * (1 + 0.5 * random.random())
            logger.warning("Yahoo: %s for %s (attempt %d of %d); retrying in %.1fs",
                           "rate limit" if any(_is_rate_limit(errors[t]) for t in retry)
                           else "timeout", retry, attempt, self.attempts, wait)
            self._sleep(wait)
            remaining = retry
        return got, errors

    def get_prices(
        self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp
    ) -> PriceData:
        """Download closes; see :meth:`PriceSource.get_prices`.

        Raises
        ------
        DataUnavailableError
            When the range holds no session of the tickers' exchanges (checked before any request,
            C04), when Yahoo cannot be reached (DNS or connection failure: "Yahoo Finance
            unreachable (network)", at once, never as a bad symbol), when rate limits or timeouts
            persist after ``attempts`` tries (C03), or when a ticker comes back empty or all-NaN;
            each message names the tickers and the likely cause.
        """
        tickers = list(tickers)
        start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
        exchanges = list(dict.fromkeys(exchange_for_symbol(t) for t in tickers))
        if all(sessions(x, start, end).empty for x in exchanges):
            raise DataUnavailableError(
                f"requested range {start.date()}..{end.date()} contains no "
                f"{'/'.join(exchanges)} sessions"
            )
        got: dict[str, pd.DataFrame] = {}
        errors: dict[str, str] = {}
        chunks = [tickers[i:i + CHUNK] for i in range(0, len(tickers), CHUNK)]
        show = self.progress if self.progress is not None else (
            len(tickers) > CHUNK and sys.stderr.isatty())
        if show:
            from rich.console import Console
            from rich.progress import Progress

            with Progress(console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task(f"Yahoo Finance: {len(tickers)} tickers", total=len(tickers))
                for chunk in chunks:
                    g, e = self._fetch(chunk, start, end)
                    got.update(g)
                    errors.update(e)
                    bar.advance(task, len(chunk))
        else:
            got, errors = self._fetch(tickers, start, end)
        offline = [t for t in tickers if t in errors and _is_network(errors[t])]
        if offline:
            said = errors[offline[0]].split("]: ", 1)[-1].split(" See https://", 1)[0]
            raise DataUnavailableError(
                f"Yahoo Finance unreachable (network) for {name_list(offline, brackets=False)} "
                f"in {start.date()}..{end.date()}: {said[:160]}; check the internet connection "
                "or proxy, or use --offline (cache and bundled data only)")
        limited = [t for t in tickers if t in errors and _is_transient(errors[t])]
        if limited:
            cause = ("rate limit (HTTP 429)" if any(_is_rate_limit(errors[t]) for t in limited)
                     else "timeouts")
            raise DataUnavailableError(
                f"Yahoo {cause} for {limited} after {self.attempts} attempts; "
                "rerun later or use --offline cache"
            )
        missing = [t for t in tickers if t not in got]
        if missing:
            why = "; ".join(f"{t}: {errors[t]}" for t in missing[:3] if errors.get(t))
            raise DataUnavailableError(
                f"no price data for {name_list(missing, brackets=False)} in "
                f"{start.date()}..{end.date()} "
                "(symbol invalid, delisted or renamed? renamed S&P 500 members are listed in "
                "eventstudy/datasets/ticker_aliases.csv)"
                + (f"; Yahoo said: {why}" if why else ""), missing=missing, delisted=True
            )
        close = pd.concat([extract_close(got[t], t) for t in tickers], axis=1)
        close = sanitize_prices(close, label="yfinance").loc[start:end]
        now = self._now() if self._now is not None else None
        for t in tickers:  # a session still trading has no close yet: never use its last price
            last = last_closed_session(exchange_for_symbol(t), now)
            if close.index[-1] > last and close.loc[last + pd.Timedelta(days=1):, t].notna().any():
                logger.info("%s: rows after %s dropped (session not closed yet)", t, last.date())
                close.loc[last + pd.Timedelta(days=1):, t] = float("nan")
        splits, dividends = [], []
        for t in tickers:
            s, d = extract_actions(got[t], t)
            splits.append(s if s is not None else pd.Series(dtype="float64", name=t))
            dividends.append(d if d is not None else pd.Series(dtype="float64", name=t))
        fetched = (now if now is not None else pd.Timestamp.now(tz="UTC")).tz_convert(
            "UTC").strftime("%Y-%m-%d %H:%M UTC")
        adj = "auto_adjust=True" if self.adjusted else "auto_adjust=False"
        return PriceData(
            close=close,
            adjusted=self.adjusted,
            source={t: f"yfinance ({adj}, fetched {fetched})" for t in tickers},
            vintage=fetched[:10],
            splits=_actions_frame(splits, close.index),
            dividends=_actions_frame(dividends, close.index),
        )


def _actions_frame(parts: list[pd.Series], index: pd.DatetimeIndex) -> pd.DataFrame:
    """Align per-ticker action columns (possibly tz-aware) to the sanitised close index."""
    cols = []
    for s in parts:
        if isinstance(s.index, pd.DatetimeIndex) and s.index.tz is not None:
            s = s.copy()
            s.index = s.index.tz_localize(None)
        s = s.copy()
        s.index = pd.DatetimeIndex(s.index).normalize()
        s = s[~s.index.duplicated(keep="last")]
        cols.append(s.reindex(index).fillna(0.0).rename(s.name))
    return pd.concat(cols, axis=1) if cols else pd.DataFrame(index=index)
