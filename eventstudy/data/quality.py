"""The data-quality screen run on prices before any model is fitted.

Checks, per ticker and date: recorded splits missing from the prices (back-adjusted, case C09),
split-like jumps with no recorded split and unit switches (errors), spike-and-revert outliers, dates
that are not sessions of the exchange and sessions with no price (warnings). Duplicate or unsorted
dates and non-positive prices are handled by :func:`eventstudy.data.base.sanitize_prices`, which
records into the same log.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from eventstudy.data.adjust import adjust_prices
from eventstudy.exceptions import DataQualityError, EventStudyWarning

logger = logging.getLogger(__name__)

__all__ = ["QUALITY_COLUMNS", "QualityLog", "screen_prices", "SPLIT_RATIOS"]

QUALITY_COLUMNS = ("ticker", "date", "check", "severity", "message")
#: Forward split ratios k whose unadjusted cliff P_t/P_{t-1} = 1/k is flagged (C09).
SPLIT_RATIOS = (2, 3, 4, 5, 10, 20)
#: Reverse split ratios k (1-for-k) whose jump P_t/P_{t-1} = k is flagged.
REVERSE_SPLIT_RATIOS = (5, 10, 20)
#: |ln(ratio * k)| below this counts as "close to 1/k". AAPL 2020-08-31 reads 0.033; the largest
#: one-day move of the 584 bundled series (-53.6%) reads 0.076 against k = 2.
SPLIT_TOLERANCE = 0.06
#: A move of more than 25% (in log terms) that the next session undoes to within 2% is a spike.
SPIKE_SIZE, SPIKE_REVERT = np.log(1.25), 0.02

Severity = Literal["info", "warning", "error"]


@dataclass
class QualityLog:
    """Findings of the data-quality screen, one row per ticker, date and check."""

    rows: list[tuple[str, pd.Timestamp | None, str, str, str]] = field(default_factory=list)

    def add(
        self, ticker: str, date: pd.Timestamp | None, check: str, severity: Severity, message: str
    ) -> None:
        """Record a finding; warnings are also issued as ``EventStudyWarning``."""
        self.rows.append((ticker, date, check, severity, message))
        if severity == "warning":
            warnings.warn(message, EventStudyWarning, stacklevel=3)
        logger.log(logging.ERROR if severity == "error" else logging.INFO, message)

    def frame(self) -> pd.DataFrame:
        """Return the findings: columns ticker, date, check, severity, message."""
        out = pd.DataFrame(self.rows, columns=list(QUALITY_COLUMNS))
        out["date"] = pd.to_datetime(out["date"])
        return out

    def raise_errors(self) -> None:
        """Raise ``DataQualityError`` listing the error findings, if any.

        Raises
        ------
        DataQualityError
            With the first three error messages and the count of the rest; the exception's
            ``quality`` attribute holds the whole table.
        """
        errors = [r[4] for r in self.rows if r[3] == "error"]
        if not errors:
            return
        msg = "; ".join(errors[:3])
        if len(errors) > 3:
            msg += f" (and {len(errors) - 3} more data-quality errors)"
        exc = DataQualityError(msg)
        exc.quality = self.frame()  # type: ignore[attr-defined]
        raise exc


def _near(ratio: np.ndarray, target: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.abs(np.log(ratio / target)) < SPLIT_TOLERANCE


def screen_prices(
    close: pd.DataFrame,
    *,
    splits: pd.DataFrame | None = None,
    sessions: pd.DatetimeIndex | None = None,
    calendar: str = "XNYS",
    log: QualityLog | None = None,
) -> pd.DataFrame:
    """Screen closes for data errors and apply recorded splits the prices lack.

    Parameters
    ----------
    close : pandas.DataFrame
        (n_dates, n_tickers) closes from :func:`~eventstudy.data.base.sanitize_prices` (sorted,
        unique, tz-naive dates; positive or NaN).
    splits : pandas.DataFrame, optional
        Split ratio k per ticker on its ex-date (``Stock Splits`` of yfinance; 0 or NaN = none).
    sessions : pandas.DatetimeIndex, optional
        Sessions of ``calendar`` covering ``close``; when given, dates that are not sessions and
        sessions with no price between a ticker's first price and the last date are reported.
    calendar : str, default 'XNYS'
        Exchange calendar named in messages.
    log : QualityLog, optional
        Where findings go (a new log when omitted).

    Returns
    -------
    pandas.DataFrame
        ``close`` with recorded splits back-adjusted where the prices show the cliff.

    Raises
    ------
    DataQualityError
        For a split-like jump with no recorded split ("possible unadjusted split in AAPL on
        2020-08-31") or a unit switch (x100, e.g. pence to pounds), naming ticker and date.

    Warns
    -----
    EventStudyWarning
        For spike-and-revert outliers, non-session dates and sessions with no price.

    Notes
    -----
    A k-for-1 split on day t leaves P_t / P_{t-1} close to 1/k in unadjusted prices; when the split
    is recorded the earlier prices are divided by k (the CRSP adjustment), so R_t = k P_t / P_{t-1}
    - 1 (+3.39% for AAPL on 2020-08-31 instead of -74.15%).
    """
    log = log if log is not None else QualityLog()
    out = close.copy()
    for ticker in out.columns:
        s = out[ticker]
        valid = s.dropna()
        if len(valid) < 2:
            continue
        ratio = (valid / valid.shift(1)).to_numpy()
        dates = valid.index
        split_k = (
            splits[ticker].reindex(dates).fillna(0.0).to_numpy()
            if splits is not None and ticker in splits.columns
            else np.zeros(len(valid))
        )
        applied = np.zeros(len(valid))
        for i in np.flatnonzero((split_k > 0) & (split_k != 1.0)):
            if _near(ratio[i : i + 1], 1.0 / split_k[i])[0]:
                applied[i] = split_k[i]
                log.add(ticker, dates[i], "split_applied", "info",
                        f"{split_k[i]:g}:1 split of {ticker} on {dates[i].date()} applied to "
                        "earlier prices (they were not adjusted)")
        if applied.any():
            valid = adjust_prices(valid, splits=pd.Series(applied, index=dates))
            out[ticker] = valid.reindex(out.index)
            ratio = (valid / valid.shift(1)).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            lr = np.log(ratio)
        nxt = np.append(lr[1:], np.nan)
        spike = (np.abs(lr) > SPIKE_SIZE) & (np.abs(lr + nxt) < SPIKE_REVERT)
        for i in np.flatnonzero(spike):
            log.add(ticker, dates[i], "spike_and_revert", "warning",
                    f"spike-and-revert in {ticker} on {dates[i].date()} "
                    f"({np.expm1(lr[i]):+.1%}, then {np.expm1(nxt[i]):+.1%}): a bad price?")
        reverted = np.append(False, spike[:-1])  # the day that undoes a spike
        free = ~spike & ~reverted & ~(split_k > 0)
        free[0] = False
        unit = free & (_near(ratio, 0.01) | _near(ratio, 100.0))
        fwd = free & ~unit & np.logical_or.reduce([_near(ratio, 1.0 / k) for k in SPLIT_RATIOS])
        rev = free & ~unit & np.logical_or.reduce([_near(ratio, float(k))
                                                   for k in REVERSE_SPLIT_RATIOS])
        for i in np.flatnonzero(unit | fwd | rev):
            d = dates[i].date()
            if unit[i]:
                log.add(ticker, dates[i], "unit_switch", "error",
                        f"possible unit switch (x{ratio[i]:.4g} price change, e.g. pence vs "
                        f"pounds) in {ticker} on {d}")
            else:
                kind = "split" if fwd[i] else "reverse split"
                log.add(ticker, dates[i], "unrecorded_split", "error",
                        f"possible unadjusted {kind} in {ticker} on {d} (price ratio "
                        f"{ratio[i]:.4f}; use adjusted prices or record the split)")
    if sessions is not None and len(out):
        _check_sessions(out, sessions, calendar, log)
    return out


def _check_sessions(
    close: pd.DataFrame, sessions: pd.DatetimeIndex, calendar: str, log: QualityLog
) -> None:
    """Report dates that are not sessions and sessions inside a ticker's span with no price."""
    off = close.index.difference(sessions)
    if len(off):
        log.add("", off[0], "not_a_session", "warning",
                f"{len(off)} price date{'s are' if len(off) > 1 else ' is'} not {calendar} "
                f"session{'s' if len(off) > 1 else ''} (e.g. {off[0].date()}): check the calendar "
                "or the time zone of the data")
    present = close.notna()
    for ticker in close.columns:
        have = present.index[present[ticker].to_numpy()]
        if len(have) < 2:
            continue
        # from its first price (a later listing is not a gap) to the end of the requested range
        # (a series that stops early is)
        last = close.index[-1]
        span = sessions[(sessions >= have[0]) & (sessions <= last)]
        missing = span.difference(have)
        if len(missing):
            log.add(ticker, missing[0], "missing_sessions", "warning",
                    f"{ticker} has no price on {len(missing)} {calendar} session"
                    f"{'s' if len(missing) > 1 else ''} between {have[0].date()} and "
                    f"{last.date()} (first {missing[0].date()}); windows over them are "
                    "flagged")
