"""The data-quality screen run on prices before any model is fitted.

Checks, per ticker and date: recorded splits missing from the prices (back-adjusted, case C09),
split-like jumps with no recorded split and unit switches (errors), spike-and-revert outliers, stale
prices, dates that are not sessions of the exchange and sessions with no price (warnings).
Duplicate or unsorted dates and non-positive prices are handled by
:func:`eventstudy.data.base.sanitize_prices`, which records into the same log.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from eventstudy.data.adjust import adjust_prices
from eventstudy.data.calendar import first_session
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
#: A bad bar: one close at least ~10x away from its neighbours (in either direction) that the next
#: valid close undoes. A power-of-ten factor (x10, x100, x1000, x10000, within 15%) is repaired
#: when the repaired close then sits within 25% of both neighbours (a real move on the slip day is
#: kept); any other bad bar is excluded when the next close is within 5% of the pre-spike close
#: (real feeds come back near, not exactly, to the old level): its close set to NaN, so the next
#: return spans two sessions and is counted as such.
BAD_BAR_SIZE, BAD_BAR_REVERT = np.log(9.0), np.log(1.05)
BAD_BAR_POWERS, BAD_BAR_FACTOR_TOL = (1, 2, 3, 4), np.log(1.15)
#: This many unchanged closes in a row (zero returns) are stale prices; the 584 bundled series
#: reach it only where they traded thinly (SW before its 2024 merger, TLN over the counter, OKLO as
#: a SPAC).
STALE_RUN = 5
#: A one-day price ratio beyond these (log terms), that no recorded split explains and the next
#: session does not undo, is implausible: beyond 10x (+900% or -90%) a warning, beyond 20x an error
#: (an unrecorded 1-for-50 reverse split, or a bad price that stays). Genuine one-day moves stay
#: well inside: the largest of the 584 bundled series is -53.6%; takeover targets and biotech
#: readouts reach +300% (x4); a -90% default day stays a warning.
JUMP_WARN, JUMP_ERROR = np.log(10.0), np.log(20.0)
#: More than this share of dates off the exchange calendar (and more than 2) is an error (C11).
OFF_SESSION_SHARE = 0.02

Severity = Literal["info", "warning", "error", "error (ignored)", "error (skipped)"]


@dataclass
class QualityLog:
    """Findings of the data-quality screen, one row per ticker, date and check."""

    rows: list[tuple[str, pd.Timestamp | None, str, str, str]] = field(default_factory=list)

    def add(
        self, ticker: str, date: pd.Timestamp | None, check: str, severity: Severity, message: str
    ) -> None:
        """Record a finding; warnings are also issued as ``EventStudyWarning``.

        Errors are only recorded here: :meth:`raise_errors` or :meth:`downgrade_errors` tells the
        user once (a log line at ERROR level as well printed every error twice, and even under
        ``quality_errors: warn``).
        """
        self.rows.append((ticker, date, check, severity, message))
        if severity == "warning":
            warnings.warn(message, EventStudyWarning, stacklevel=3)
        logger.debug("%s: %s", severity, message)

    def frame(self) -> pd.DataFrame:
        """Return the findings: columns ticker, date, check, severity, message.

        ``date`` holds calendar dates (``date32[pyarrow]``): they print as ``2024-05-10`` in
        every table and file, never ``2024-05-10 00:00:00``; ``.dt.date`` works as usual.
        """
        out = pd.DataFrame(self.rows, columns=list(QUALITY_COLUMNS))
        out["date"] = pd.to_datetime(out["date"]).astype(pd.ArrowDtype(pa.date32()))
        return out

    def downgrade_errors(self) -> None:
        """Turn error findings into warnings (``data.quality_errors: warn``).

        They stay in the table with severity ``error (ignored)``.
        """
        for i, (ticker, date, check, severity, message) in enumerate(self.rows):
            if severity == "error":
                self.rows[i] = (ticker, date, check, "error (ignored)", message)
                warnings.warn(f"{message} (ignored: data.quality_errors is warn)",
                              EventStudyWarning, stacklevel=2)

    def skip_errors(self, *, keep: set[str], among: set[str]) -> dict[str, str]:
        """Mark the errors of single securities as skipped (``data.quality_errors: skip``).

        Parameters
        ----------
        keep : set of str
            Symbols whose errors still stop the study (the market).
        among : set of str
            The securities of the events; when every one of them has an error, nothing is
            skipped (the study would be empty: :meth:`raise_errors` then says why).

        Returns
        -------
        dict of str to str
            Ticker -> the reason its security-events are excluded (its error messages); their rows
            get severity ``error (skipped)``.
        """
        bad: dict[str, list[str]] = {}
        for ticker, _, _, severity, message in self.rows:
            if severity == "error" and ticker and ticker not in keep:
                bad.setdefault(ticker, []).append(message)
        if not bad or not (among - set(bad)):
            return {}
        for i, (ticker, date, check, severity, message) in enumerate(self.rows):
            if severity == "error" and ticker in bad:
                self.rows[i] = (ticker, date, check, "error (skipped)", message)
        return {t: "data-quality error: " + "; ".join(m[:2])
                + (f" (and {len(m) - 2} more)" if len(m) > 2 else "") for t, m in bad.items()}

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
        msg += " [if the data are right, set data.quality_errors: warn to continue]"
        exc = DataQualityError(msg)
        exc.quality = self.frame()  # type: ignore[attr-defined]
        raise exc


def _ratios(close: pd.DataFrame) -> np.ndarray:
    """P_t / P_prev per ticker, P_prev the last price before t (NaN where P_t is missing)."""
    prev = close.ffill().shift(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (close / prev).to_numpy(dtype="float64", copy=True)


def _near(ratio: np.ndarray, target: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.abs(np.log(ratio / target)) < SPLIT_TOLERANCE


def _repair_bad_bars(close: pd.DataFrame, log: QualityLog) -> pd.DataFrame:
    """Repair or exclude one-session bad bars (spike of ~10x or more that the next close undoes).

    Every repaired or excluded day is logged (checks ``bad_bar_repaired``, ``bad_bar_excluded``,
    severity warning) with the ticker, the date, the factor and what was done.
    """
    out = close.copy()
    # only a column with a jump of BAD_BAR_SIZE between consecutive valid closes can hold a bad
    # bar: the loop below visits those (a handful of 500), with the same arithmetic
    with np.errstate(divide="ignore", invalid="ignore"):
        jump = np.abs(np.log(_ratios(close))) >= BAD_BAR_SIZE
    for ticker in out.columns[jump.any(axis=0)]:
        col = out[ticker]
        valid = np.flatnonzero(col.notna().to_numpy())
        p = col.to_numpy(dtype="float64", copy=True)
        if len(valid) < 3:
            continue
        v = p[valid]
        with np.errstate(divide="ignore", invalid="ignore"):
            size = np.abs(np.log(v[1:-1] / v[:-2]))
            back = np.abs(np.log(v[2:] / v[:-2]))
        changed = False
        # a power-of-ten slip is repaired when the path through the repaired close is plausible
        # (each leg within 25%: a real move on the slip day, AAPL +3.2% then +3.7%, is kept);
        # any other bad bar needs the next close within 5% of the pre-spike close
        for j in np.flatnonzero((size >= BAD_BAR_SIZE) & (back < SPIKE_SIZE)) + 1:
            prev, cur, nxt = p[valid[j - 1]], p[valid[j]], p[valid[j + 1]]
            if not np.isfinite(prev):  # the day before was itself excluded
                continue
            up = np.log(cur / prev)
            date = out.index[valid[j]]
            k = int(np.round(abs(up) / np.log(10.0)))
            factor = 10.0 ** (k if up > 0 else -k)
            fixed = cur / factor
            ok = (k in BAD_BAR_POWERS and abs(np.log(cur / prev / factor)) < BAD_BAR_FACTOR_TOL
                  and abs(np.log(fixed / prev)) < SPIKE_SIZE
                  and abs(np.log(nxt / fixed)) < SPIKE_SIZE)
            if not ok and abs(np.log(nxt / prev)) > BAD_BAR_REVERT:
                continue  # not back near the old level and no slip to undo: other checks apply
            if ok:
                p[valid[j]] = fixed
                log.add(ticker, date, "bad_bar_repaired", "warning",
                        f"bad price in {ticker} on {date.date()} repaired: close {cur:.6g} is "
                        f"x{cur / prev:.4g} the previous close and the next close returns to "
                        f"within {abs(np.expm1(np.log(nxt / prev))):.1%}; divided by {factor:g} "
                        f"(a power-of-ten slip) to {fixed:.6g}")
            else:
                p[valid[j]] = np.nan
                log.add(ticker, date, "bad_bar_excluded", "warning",
                        f"bad price in {ticker} on {date.date()} excluded: close {cur:.6g} is "
                        f"x{cur / prev:.4g} the previous close and the next close returns to "
                        f"within {abs(np.expm1(np.log(nxt / prev))):.1%}; no power-of-ten factor "
                        "explains it, so the day has no return and the next return spans two "
                        "sessions")
            changed = True
        if changed:
            out[ticker] = p
    return out


def screen_prices(
    close: pd.DataFrame,
    *,
    splits: pd.DataFrame | None = None,
    sessions: pd.DatetimeIndex | None = None,
    calendar: str = "XNYS",
    log: QualityLog | None = None,
    unit_switch: Literal["error", "rescale"] = "error",
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
    unit_switch : {'error', 'rescale'}, default 'error'
        A x100 or x0.01 change that stays (pence vs pounds) is an error, or ('rescale') the
        earlier prices are rescaled to the later unit, with a warning naming ticker and date
        (``data.unit_switch``).

    Returns
    -------
    pandas.DataFrame
        ``close`` with recorded splits back-adjusted where the prices show the cliff.

    Errors (severity ``error`` in ``log``; :meth:`QualityLog.raise_errors` raises them as one
    ``DataQualityError`` after the whole screen ran): a split-like jump with no recorded split
    ("possible unadjusted split in AAPL on 2020-08-31"), a unit switch (x100, e.g. pence to
    pounds), and, with ``sessions``, more than 2% of the dates (and more than 2) off the calendar:
    dates shifted by a time-zone conversion (C11) or the wrong calendar.

    Warns
    -----
    EventStudyWarning
        For each bad bar (a close ~10x or more off that the next close undoes to within 5%)
        repaired by a power of ten or excluded (set to NaN), listed by ticker and date; for smaller
        spike-and-revert outliers, stale prices (5 or more unchanged closes in a row), a few
        non-session dates and sessions with no price.

    Notes
    -----
    A k-for-1 split on day t leaves P_t / P_{t-1} close to 1/k in unadjusted prices; when the split
    is recorded the earlier prices are divided by k (the CRSP adjustment), so R_t = k P_t / P_{t-1}
    - 1 (+3.39% for AAPL on 2020-08-31 instead of -74.15%).
    """
    log = log if log is not None else QualityLog()
    out = close.copy()
    if splits is not None:
        k = splits.reindex(index=out.index, columns=out.columns).fillna(0.0).to_numpy()
    else:
        k = np.zeros(out.shape)
    ratio = _ratios(out)
    for r, c in np.argwhere((k > 0) & (k != 1.0)):  # recorded splits the prices still show
        if _near(ratio[r : r + 1, c], 1.0 / k[r, c])[0]:
            ticker, date = out.columns[c], out.index[r]
            log.add(ticker, date, "split_applied", "info",
                    f"{k[r, c]:g}:1 split of {ticker} on {date.date()} applied to earlier "
                    "prices (the prices still showed it: not split-adjusted, whatever their "
                    "column's name)")
            out[ticker] = adjust_prices(out[ticker], splits=pd.Series({date: k[r, c]}))
            ratio[:, c] = _ratios(out.iloc[:, [c]])[:, 0]
    out = _repair_bad_bars(out, log)
    ratio = _ratios(out)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.log(ratio)
    # the next valid return of each ticker (a missing day in between is skipped)
    nxt = pd.DataFrame(lr).shift(-1).bfill().to_numpy()
    spike = (np.abs(lr) > SPIKE_SIZE) & (np.abs(lr + nxt) < SPIKE_REVERT)
    for r, c in np.argwhere(spike):
        log.add(out.columns[c], out.index[r], "spike_and_revert", "warning",
                f"spike-and-revert in {out.columns[c]} on {out.index[r].date()} "
                f"({np.expm1(lr[r, c]):+.1%}, then {np.expm1(nxt[r, c]):+.1%}): a bad price?")
    # the day that undoes a spike: the next valid return after it
    reverted = np.zeros_like(spike)
    valid = np.isfinite(lr)
    for r, c in np.argwhere(spike):
        after = np.flatnonzero(valid[r + 1:, c])
        if len(after):
            reverted[r + 1 + after[0], c] = True
    # stale prices: a run of unchanged closes (suspended, illiquid, or a forward-filled outage)
    same = (ratio == 1.0).astype(np.int64)
    ends = np.cumsum(same, axis=0)
    run = ends - np.maximum.accumulate(np.where(same == 0, ends, 0), axis=0)
    for c in np.flatnonzero(run.max(axis=0) >= STALE_RUN).tolist():
        r = int(run[:, c].argmax())
        n = int(run[r, c])
        first = out.index[r - n + 1]
        log.add(out.columns[c], first, "stale_prices", "warning",
                f"stale prices: {out.columns[c]} unchanged on {n} sessions in a row from "
                f"{first.date()} (suspended or illiquid? its beta and variance are biased)")
    free = valid & ~spike & ~reverted & ~(k > 0)
    unit = free & (_near(ratio, 0.01) | _near(ratio, 100.0))
    fwd = free & ~unit & np.logical_or.reduce([_near(ratio, 1.0 / s) for s in SPLIT_RATIOS])
    rev = free & ~unit & np.logical_or.reduce([_near(ratio, float(s))
                                               for s in REVERSE_SPLIT_RATIOS])
    jump = free & ~unit & ~fwd & ~rev & (np.abs(lr) > JUMP_WARN)
    for r, c in np.argwhere(jump):
        ticker, d = out.columns[c], out.index[r].date()
        log.add(ticker, out.index[r], "implausible_jump",
                "error" if abs(lr[r, c]) > JUMP_ERROR else "warning",
                f"implausible one-day move in {ticker} on {d}: price x{ratio[r, c]:.4g} "
                f"({np.expm1(lr[r, c]):+.0%}) not undone the next session and no recorded split "
                "(a bad price or an unrecorded split? check the data)")
    for r, c in np.argwhere(unit | fwd | rev):
        ticker, d = out.columns[c], out.index[r].date()
        if unit[r, c] and unit_switch == "rescale":
            factor = 10.0 ** np.round(np.log10(ratio[r, c]))
            out.iloc[:r, c] = out.iloc[:r, c] * factor
            log.add(ticker, out.index[r], "unit_switch_rescaled", "warning",
                    f"unit switch in {ticker} on {d} (x{ratio[r, c]:.4g} price change, e.g. "
                    f"pence vs pounds): prices before {d} multiplied by {factor:g} to the unit "
                    "of the later prices (data.unit_switch: rescale)")
        elif unit[r, c]:
            log.add(ticker, out.index[r], "unit_switch", "error",
                    f"possible unit switch (x{ratio[r, c]:.4g} price change, e.g. pence vs "
                    f"pounds) in {ticker} on {d} (data.unit_switch: rescale converts the earlier "
                    "prices)")
        else:
            kind = "split" if fwd[r, c] else "reverse split"
            log.add(ticker, out.index[r], "unrecorded_split", "error",
                    f"possible unadjusted {kind} in {ticker} on {d} (price ratio "
                    f"{ratio[r, c]:.4f}; use adjusted prices or record the split)")
    if sessions is not None and len(out):
        _check_sessions(out, sessions, calendar, log)
    return out


def _check_sessions(
    close: pd.DataFrame, sessions: pd.DatetimeIndex, calendar: str, log: QualityLog
) -> None:
    """Report dates that are not sessions and sessions inside a ticker's span with no price."""
    known = first_session(calendar)  # before it, exchange_calendars cannot tell holidays
    if known is not None and close.index[0] < known:
        n = int((close.index < known).sum())
        log.add("", close.index[0], "before_calendar", "warning",
                f"{n} price dates before {known.date()} not checked against the {calendar} "
                "calendar (exchange_calendars records its holidays from then on)")
        close = close.loc[known:]
        if close.empty:
            return
    off = close.index.difference(sessions)
    if len(off):
        # a stray row is a warning; many are the mark of dates shifted by a time-zone conversion
        # (every return then pairs the wrong days, C11), or of the wrong calendar: an error
        many = len(off) > max(2, OFF_SESSION_SHARE * len(close.index))
        log.add("", off[0], "not_a_session", "error" if many else "warning",
                f"{len(off)} of {len(close.index)} price dates are not {calendar} sessions (e.g. "
                f"{off[0].date()}, a {off[0].day_name()}): "
                + ("dates shifted by a time-zone conversion, or the wrong calendar?" if many
                   else "check the calendar or the time zone of the data"))
    last = close.index[-1]
    grid = close.index.union(sessions[(sessions >= close.index[0]) & (sessions <= last)])
    present = close.notna().reindex(grid, fill_value=False).to_numpy()
    started = np.maximum.accumulate(present, axis=0)  # from its first price: a later listing
    is_session = grid.isin(sessions)[:, None]         # is not a gap, a series stopping early is
    missing = started & ~present & is_session
    counts = missing.sum(axis=0)
    n_prices = present.sum(axis=0)
    for c in np.flatnonzero((counts > 0) & (n_prices >= 2)).tolist():
        ticker, n = close.columns[c], int(counts[c])
        first_price = grid[int(present[:, c].argmax())]
        first_missing = grid[int(missing[:, c].argmax())]
        log.add(ticker, first_missing, "missing_sessions", "warning",
                f"{ticker} has no price on {n} {calendar} session{'s' if n > 1 else ''} between "
                f"{first_price.date()} and {last.date()} (first {first_missing.date()}); "
                "windows over them are flagged")
