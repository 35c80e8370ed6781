"""Estimation: from a study's specification and return panel to fitted abnormal returns.

Pure functions that :meth:`eventstudy.EventStudy.fit` composes, each with one job: anchor event
dates to sessions, build the model's inputs, screen the security-events that cannot be fitted, fit
the normal-return model for all of them at once, and compute the event-window abnormal returns. The
output is one frozen :class:`Estimate`; every variance and test statistic is computed later from it
by :class:`eventstudy.statistics.panel.TestPanel` (the variance engine).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from eventstudy._typing import Float64Array, IntArray, NonTradingDayPolicy, Window
from eventstudy.eventtime import OwnSessions
from eventstudy.exceptions import (
    ConfounderWarning,
    DataUnavailableError,
    EstimationError,
    EventDateShiftedWarning,
    EventStudyWarning,
    EventWindowOverlapWarning,
    InsufficientEstimationDataWarning,
    MissingReturnsWarning,
    SpecificationError,
    beta_not_identifiable_msg,
    insufficient_estimation_msg,
    zero_variance_msg,
)
from eventstudy.models import BatchFit, NormalReturnModel, fit_batch
from eventstudy.models.factor import FACTOR_COLUMNS
from eventstudy.specification import StudySpec
from eventstudy.windows import span, taus

logger = logging.getLogger(__name__)

__all__ = [
    "FactorData", "Clustering", "Estimate", "factor_data", "check_factor_cover", "anchor_events",
    "model_inputs", "clustering", "estimate",
]


@dataclass(frozen=True)
class FactorData:
    """Factor returns on the study's sessions and where they came from (for messages).

    Attributes
    ----------
    frame : pandas.DataFrame
        (n_sessions, n_factors) decimal factor returns reindexed to the returns' sessions.
    files : tuple of str
        Names of the files read (empty when given in memory).
    first, last : pandas.Timestamp or None
        First and last date with every factor present.
    start, end : pandas.Timestamp or None
        First and last date of the files' rows (a row may lack a factor, e.g. a -99.99 code),
        the coverage a user sees when opening the file (case C43).
    """

    frame: pd.DataFrame
    files: tuple[str, ...] = ()
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None

    @property
    def name(self) -> str:
        """The files' names, or 'the factor returns' when given in memory."""
        return ", ".join(self.files) or "the factor returns"

    def span(self) -> str:
        """Say what the files cover: 'ff3.CSV cover 2025-04-01..2025-04-03 (...)'.

        Returns
        -------
        str
            The files' first and last dates, and the last complete row when the last rows lack
            a factor the model needs.
        """
        if self.first is None or self.last is None:
            return f"{self.name} has no complete row"
        start = self.start if self.start is not None else self.first
        end = self.end if self.end is not None else self.last
        return f"{self.name} cover {start.date()}..{end.date()}{self.complete_to(end)}"

    def complete_to(self, end: pd.Timestamp) -> str:
        """Say where the complete rows stop when before ``end``, the files' last date.

        Returns
        -------
        str
            ' (every factor the model needs only to 2025-04-02)', ' (no row with every factor
            the model needs)', or '' when the last row is complete.
        """
        if self.last is None:
            return " (no row with every factor the model needs)"
        return "" if end == self.last else (
            f" (every factor the model needs only to {self.last.date()})")

    def coverage(self, need: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> str:
        """'; factor returns: FILES cover START..END; the windows need A..B' for error messages.

        Parameters
        ----------
        need : tuple of pandas.Timestamp, optional
            The first and last session the study's windows need factor returns on.

        Returns
        -------
        str
        """
        text = f"; factor returns: {self.span()}"
        if need is not None:
            text += f"; the windows need {need[0].date()}..{need[1].date()}"
        return text


def factor_data(
    model: NormalReturnModel, factors: pd.DataFrame | None, index: pd.DatetimeIndex
) -> FactorData | None:
    """Validate factor returns against ``model``'s inputs (Ken French column names).

    Parameters
    ----------
    model : NormalReturnModel
    factors : pandas.DataFrame, optional
        Daily factor returns (decimals) indexed by date; ``attrs['files']`` may name the files.
    index : pandas.DatetimeIndex
        The study's sessions.

    Returns
    -------
    FactorData or None
        None when the model uses no factors.

    Raises
    ------
    SpecificationError
        When the model needs factors and none are given, or a column is missing.
    """
    needed = [FACTOR_COLUMNS[n] for n in model.inputs if n in FACTOR_COLUMNS]
    if not needed:
        return None
    if factors is None:
        raise SpecificationError(
            f"model {model.name!r} needs factor returns {needed}: pass factors= (e.g. "
            "eventstudy.data.french.read_french(path)) or set 'factors:' in the config"
        )
    missing = [c for c in needed if c not in factors.columns]
    if missing:
        raise SpecificationError(
            f"factor returns lack column(s) {missing} for model {model.name!r} "
            f"(have {list(factors.columns)})"
        )
    f = factors[needed].astype("float64")
    f.index = pd.DatetimeIndex(f.index).tz_localize(None).normalize()
    full = f.dropna().index
    rows = f.dropna(how="all").index
    return FactorData(
        frame=f.reindex(index),
        files=tuple(str(p) for p in factors.attrs.get("files", [])),
        first=full.min() if len(full) else None,
        last=full.max() if len(full) else None,
        start=rows.min() if len(rows) else None,
        end=rows.max() if len(rows) else None,
    )


def check_factor_cover(factors: FactorData | None, events: pd.DataFrame, index: pd.DatetimeIndex,
                       evt_pos: IntArray, window: tuple[int, int]) -> None:
    """Raise when the factor returns end before an event window does (case C43).

    The factor files are a study-wide input like the price data: a window they stop inside
    cannot be computed, so, as when the prices end before a window, the study stops with one
    message rather than reporting an n/a CAAR under "event-window returns missing".

    Parameters
    ----------
    factors : FactorData, optional
        None (a model without factors) checks nothing.
    events : pandas.DataFrame
        The security-events (event_id, ticker), one per row of ``evt_pos``.
    index : pandas.DatetimeIndex
        The study's sessions.
    evt_pos : ndarray of int
        (N, L) rows of each security-event's event-window sessions (the span of all windows).
    window : tuple of int
        That span (t1, t2) in tau, named in the message.

    Raises
    ------
    DataUnavailableError
        Naming the factor files, their last date (and last complete row), the window and the
        date it needs, and the security-events it leaves uncovered.
    """
    if factors is None or not len(events):
        return
    last_pos = np.clip(evt_pos[:, -1], 0, len(index) - 1)
    needed = index[last_pos]
    cutoff = factors.last if factors.last is not None else pd.Timestamp.min
    short = np.flatnonzero(needed > cutoff)
    if not len(short):
        return
    worst = int(short[np.argmax(needed[short])])
    first = index[np.clip(evt_pos[worst, 0], 0, len(index) - 1)]
    # a window that starts inside the files lacks the sessions after their last complete row
    gap_from = first if first > cutoff else index[index > cutoff][0]
    where = (f"{gap_from.date()}..{needed[worst].date()}" if gap_from != needed[worst]
             else f"{gap_from.date()}")
    ends = (f"ends {factors.end.date()}{factors.complete_to(factors.end)}"
            if factors.end is not None else "has no rows")
    keys = _LazyKeys(events)
    who = ", ".join(keys[i] for i in short[:3]) + (
        f" and {len(short) - 3} more" if len(short) > 3 else "")
    t1, t2 = window
    raise DataUnavailableError(
        f"no factor returns on {where} (event window [{t1:+d},{t2:+d}] of {who}): "
        f"{factors.name} {ends}, but the window needs factor returns to "
        f"{needed[worst].date()}; use a newer file from Ken French's data library, or drop "
        "the event or shorten the window")


@dataclass(frozen=True)
class Clustering:
    """How the fitted security-events share their day 0 (event-date clustering, case C23).

    Attributes
    ----------
    n_events : int
        Fitted security-events.
    n_dates : int
        Distinct day-0 sessions among them.
    n_sharing : int
        Security-events whose day 0 is shared with a security-event of another security.
    """

    n_events: int
    n_dates: int
    n_sharing: int

    @property
    def all_share(self) -> bool:
        """Whether every security-event shares one day 0 (one-date shock)."""
        return self.n_events > 1 and self.n_dates == 1


@dataclass(frozen=True)
class Estimate:
    """The fitted model and event-window abnormal returns of the fitted security-events.

    Arrays are (n, ...) over the n fitted security-events (``keep`` marks them among the study's N),
    with the L event-window days in tau order (``evt_tau``) and the T estimation days.

    Attributes
    ----------
    keep : ndarray of bool
        (N,) which security-events were fitted.
    fit : BatchFit
        Parameters, residuals (n, T), sigma^2, (X'X)^{-1}, nobs and df per security-event.
    evt_tau : ndarray of int
        (L,) tau of the event-window columns.
    dates : ndarray of datetime64
        (n, L) session date of each event-window day.
    ret, normal, ar : ndarray
        (n, L) returns, normal returns and abnormal returns (decimals; NaN when missing).
    x_evt : ndarray
        (n, L, k) event-window regressors of the model.
    est_day, evt_day : ndarray of int
        (n, T) and (n, L) positions (rows of the returns index) of each day; -1 when not used.
    est_all : tuple of ndarray or None
        (n, T, k) design and (n, T) mask over every estimation day with a market return (from the
        market's own returns), for ``market_moments='all'``; None otherwise.
    dropped : pandas.DataFrame
        Skipped security-events: event_id, ticker, reason.
    shifted : pandas.DataFrame
        Events whose date was not a session: event_id, date, anchored_date.
    clustering : Clustering
    confounders : pandas.DataFrame
        Confounding events inside an event window: event_id, tau_start, tau_end, date, tau,
        label.
    """

    keep: np.ndarray
    fit: BatchFit
    evt_tau: IntArray
    dates: np.ndarray
    ret: Float64Array
    normal: Float64Array
    ar: Float64Array
    x_evt: Float64Array
    est_day: IntArray
    evt_day: IntArray
    est_all: tuple[Float64Array, np.ndarray] | None
    dropped: pd.DataFrame
    shifted: pd.DataFrame
    clustering: Clustering
    confounders: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["event_id", "tau_start", "tau_end", "date", "tau", "label"]))


def _keys(events: pd.DataFrame) -> list[str]:
    return (events["event_id"] + ":" + events["ticker"]).tolist()


class _LazyKeys:
    """'event_id:ticker' of row i on demand (a million keys are not built to name a few)."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.ids = events["event_id"].to_numpy()
        self.tickers = events["ticker"].to_numpy()

    def __getitem__(self, i: int | np.integer) -> str:
        return f"{self.ids[i]}:{self.tickers[i]}"


def anchor_events(
    events: pd.DataFrame, index: pd.DatetimeIndex, non_trading_day: NonTradingDayPolicy,
    calendar: str
) -> tuple[IntArray, pd.DataFrame]:
    """Return the row of ``index`` that is day 0 of each security-event, and the shifted events.

    Day 0 is the event date, or the next (previous) session when the date is not a session
    (case C15); ``time: after_close`` makes it the first session after the date.

    Returns
    -------
    pos0 : ndarray of int
        (N,) positions in ``index``.
    shifted : pandas.DataFrame
        event_id, date, anchored_date of the events moved to a session.

    Raises
    ------
    DataUnavailableError
        When a date is a session of ``calendar`` but the data has no row for it, or no session
        follows an after-close event.

    Warns
    -----
    EventDateShiftedWarning
        Once per shifted event.
    """
    from eventstudy.data.calendar import anchor_dates, is_session

    dates = pd.DatetimeIndex(events["date"])
    keys = _keys(events)
    pos = np.asarray(anchor_dates(dates, index, non_trading_day, calendar=calendar, labels=keys))
    after = (events["time"] == "after_close").to_numpy()
    if after.any():
        pos = pos.copy()
        pos[after] = np.searchsorted(index.values, dates[after].values, side="right")
        late = np.flatnonzero(after & (pos >= len(index)))
        if len(late):
            raise DataUnavailableError(
                f"event {keys[late[0]]} (after_close): no session after "
                f"{dates[late[0]].date()} in the data (last {index[-1].date()})"
            )
    anchored = index[pos]
    moved = np.flatnonzero((anchored != dates) & ~after)
    rows = []
    for i in map(int, moved):
        d = dates[i]
        try:
            exchange_session = is_session(calendar, d)
        except Exception:  # calendar range or name: only used for this check
            exchange_session = False
        if exchange_session:
            raise DataUnavailableError(
                f"event {keys[i]}: {d.date()} is a {calendar} session but the data has no "
                "row for it (missing market or security prices)"
            )
        rows.append((events["event_id"].iat[i], d.date(), anchored[i].date()))
    shifted = pd.DataFrame(rows, columns=["event_id", "date", "anchored_date"]).drop_duplicates()
    for r in shifted.itertuples():
        msg = (f"event {r.event_id}: {r.date} is not a {calendar} session; day 0 is "
               f"{r.anchored_date} (non_trading_day: {non_trading_day})")
        warnings.warn(msg, EventDateShiftedWarning, stacklevel=4)
        logger.info(msg)
    return pos.astype(np.int64), shifted.reset_index(drop=True)


def model_inputs(
    model: NormalReturnModel, market: pd.DataFrame, factors: FactorData | None,
    sessions: OwnSessions | None = None,
) -> Float64Array:
    """Return the model's inputs on the returns grid.

    Parameters
    ----------
    model : NormalReturnModel
    market : pandas.DataFrame
        (n_sessions, n_securities) market return paired with each security.
    factors : FactorData, optional
    sessions : OwnSessions, optional
        Each security's own sessions (a multi-exchange panel): the market's lag and lead are its
        returns on the security's previous and next own session, not on the previous row.

    Returns
    -------
    ndarray
        (n_sessions, n_securities) for the market alone, else (n_sessions, n_securities, n_inputs)
        in ``model.inputs`` order.
    """
    if model.inputs == ("market",):
        return market.to_numpy()
    shape = market.shape
    layers = []
    for name in model.inputs:
        if name == "market":
            layers.append(market.to_numpy())
        elif name == "market_lag":
            layers.append(market.shift(1).to_numpy() if sessions is None
                          else sessions.shift(market.to_numpy(dtype="float64"), 1))
        elif name == "market_lead":
            layers.append(market.shift(-1).to_numpy() if sessions is None
                          else sessions.shift(market.to_numpy(dtype="float64"), -1))
        elif name in FACTOR_COLUMNS and factors is not None:
            col = factors.frame[FACTOR_COLUMNS[name]].to_numpy(dtype="float64")
            layers.append(np.broadcast_to(col[:, None], shape))
        else:
            raise SpecificationError(f"model {model.name!r}: no data for input {name!r}")
    return np.stack(layers, axis=-1)


def clustering(events: pd.DataFrame, pos0: IntArray, keep: np.ndarray,
               index: pd.DatetimeIndex) -> Clustering:
    """Summarise (and warn about) fitted security-events of different securities sharing day 0.

    Warns
    -----
    EventWindowOverlapWarning
        When any do (case C23): their ARs are cross-correlated.
    """
    tick = events["ticker"].to_numpy()[keep]
    p0 = pos0[keep]
    order = np.lexsort((tick, p0))
    p, t = p0[order], tick[order]
    same_day = np.flatnonzero((p[1:] == p[:-1]) & (t[1:] != t[:-1]))
    _, inv, cnt = np.unique(p0, return_inverse=True, return_counts=True)
    n_sharing = int((cnt[inv] > 1).sum()) if len(same_day) else 0
    out = Clustering(int(keep.sum()), len(cnt), n_sharing)
    if not len(same_day):
        return out
    a, b = order[same_day[0]], order[same_day[0] + 1]
    ids = events["event_id"].to_numpy()[keep]
    msg = (
        f"{n_sharing} security-events share their day 0 with another (e.g. "
        f"{ids[a]}:{tick[a]} and {ids[b]}:{tick[b]} on {index[p0[a]].date()}): "
        "their abnormal returns are cross-correlated, so the t test, Patell and BMP "
        "overstate significance; Kolari-Pynnonen and the adjusted Patell test adjust for it "
        "(tests: kolari_pynnonen, adjusted_patell; or use a calendar-time portfolio)"
    )
    warnings.warn(msg, EventWindowOverlapWarning, stacklevel=4)
    logger.info(msg)
    return out


def event_cover(spec: StudySpec, first: IntArray, last: IntArray, n_rows: int
                ) -> tuple[np.ndarray, IntArray]:
    """Count, per session and security, the event windows of the study that cover it.

    ``first`` and ``last`` are the rows of each security-event's window span.

    Returns
    -------
    tuple of ndarray
        (n_securities, n_rows) int32 counts (a difference array per security, security-major
        so that one security-event's estimation window is one contiguous run) and the (N,)
        security code of each security-event, for :func:`other_event_mask`.
    """
    codes, uniq = pd.factorize(spec.events["ticker"])
    diff = np.zeros((len(uniq), n_rows + 1), dtype=np.int32)
    np.add.at(diff, (codes, np.clip(first, 0, n_rows)), 1)
    np.add.at(diff, (codes, np.clip(last + 1, 0, n_rows)), -1)
    return np.cumsum(diff[:, :n_rows], axis=1, dtype=np.int32), codes.astype(np.int64)


def other_event_mask(cover: np.ndarray, codes: IntArray, est_pos: IntArray) -> np.ndarray:
    """(n, T) estimation days inside an event window of the same security (C22b).

    ``codes`` are the security codes of the n rows of ``est_pos`` (see :func:`event_cover`).
    """
    n_rows = cover.shape[1]
    if est_pos.size and est_pos.min() >= 0 and est_pos.max() < n_rows:
        return cover[codes[:, None], est_pos] > 0  # all inside the data: no clipping
    inside = (est_pos >= 0) & (est_pos < n_rows)
    return inside & (cover[codes[:, None], np.clip(est_pos, 0, n_rows - 1)] > 0)


def other_event_run(cover: np.ndarray, codes: IntArray, first: IntArray, n_days: int
                    ) -> np.ndarray:
    """:func:`other_event_mask` for estimation days that are runs of consecutive sessions.

    Row i covers sessions ``first[i] .. first[i] + n_days - 1``; when all of them are inside the
    data each row is read as one contiguous slice of ``cover`` (a sliding-window view), several
    times faster than indexing every day.
    """
    n_rows = cover.shape[1]
    if len(first) and first.min() >= 0 and first.max() + n_days <= n_rows and n_days > 0:
        return np.asarray(sliding_window_view(cover, n_days, axis=1)[codes, first] > 0)
    return other_event_mask(cover, codes, first[:, None] + np.arange(n_days))


def _other_event_days(spec: StudySpec, first: IntArray, last: IntArray, est_pos: IntArray,
                      n_rows: int) -> np.ndarray:
    """Mark estimation days that fall in another event window of the same security (C22b).

    Per security, a count of the event windows covering each session (a difference array), looked
    up at every estimation day; ``first`` and ``last`` are the rows of each security-event's
    window span.
    """
    events = spec.events
    cover, codes = event_cover(spec, first, last, n_rows)
    out = other_event_mask(cover, codes, est_pos)
    hit = np.flatnonzero(out.any(axis=1))
    if len(hit):
        i = hit[0]
        p = est_pos[i][out[i]][0]
        j = np.flatnonzero((codes == codes[i]) & (first <= p) & (last >= p))[0]
        ids, tick = events["event_id"], events["ticker"]
        msg = (
            f"{len(hit)} security-events have another event of the same security inside their "
            "estimation window; those sessions are "
            + ("left out of the fit" if spec.exclude_other_events else
               "kept in the fit (exclude_other_events: false)")
            + " (e.g. event "
            f"{ids.iat[i]} ({tick.iat[i]}): {int(out[i].sum())} sessions of event "
            f"{ids.iat[j]}'s window)"
        )
        warnings.warn(msg, EventWindowOverlapWarning, stacklevel=4)
        logger.info(msg)
    return out


def warn_window_overlap(events: pd.DataFrame, pos0: IntArray, evt_pos: IntArray,
                        index: pd.DatetimeIndex, window: tuple[int, int]) -> int:
    """Warn when two event windows of the same security share sessions (double counting).

    Parameters
    ----------
    events : pandas.DataFrame
        The security-events (event_id, ticker), one per row of ``evt_pos``.
    pos0 : ndarray of int
        (N,) row of each security-event's day 0.
    evt_pos : ndarray of int
        (N, L) rows of each security-event's event-window sessions (the span of all windows).
    index : pandas.DatetimeIndex
        The study's sessions.
    window : tuple of int
        That span (t1, t2) in tau, named in the message.

    Returns
    -------
    int
        The number of security-events whose window overlaps another of the same security.

    Warns
    -----
    EventWindowOverlapWarning
        Once, naming the first security, its two events and the sessions they share, and how many
        security-events overlap (cases C22, C23: one firm's overlapping windows make its CARs
        dependent; averaging them counts the shared sessions twice).
    """
    if len(events) < 2:
        return 0
    codes = pd.factorize(events["ticker"])[0]
    first, last = evt_pos[:, 0], evt_pos[:, -1]
    order = np.lexsort((first, codes))
    c, f = codes[order], first[order]
    hits: set[int] = set()
    pair: tuple[int, int] | None = None
    run_last, run_row = -1, -1
    for k, i in enumerate(order):
        if k and c[k] == c[k - 1] and f[k] <= run_last:
            hits.update((int(run_row), int(i)))
            if pair is None:
                pair = (int(run_row), int(i))
        if not k or c[k] != c[k - 1] or last[i] > run_last:
            run_last, run_row = int(last[i]), int(i)
    if pair is None:
        return 0
    a, b = pair
    shared = np.intersect1d(evt_pos[a], evt_pos[b])
    shared = shared[(shared >= 0) & (shared < len(index))]
    days = index[shared]
    span = (f"{days[0].date()}..{days[-1].date()}" if len(days) > 1
            else f"{days[0].date()}" if len(days) else "")
    ids, tick = events["event_id"], events["ticker"]
    day0 = [index[int(pos0[r])].date() for r in (a, b)]
    msg = (f"event windows of the same security overlap: {tick.iat[a]}'s events {ids.iat[a]} "
           f"(day 0 {day0[0]}) and {ids.iat[b]} (day 0 {day0[1]}) share {len(days)} "
           f"session{'s' if len(days) != 1 else ''} ({span}) of the window "
           f"[{window[0]:+d},{window[1]:+d}]; {len(hits)} security-events have such an overlap. "
           "Their CARs count the shared sessions twice, so they are dependent and averaging them "
           "double counts: merge the events, drop one, or shorten the window")
    warnings.warn(msg, EventWindowOverlapWarning, stacklevel=4)
    logger.info(msg)
    return len(hits)


class _Panel:
    """Security-major views of the return and model-input panels, and gathers from them."""

    def __init__(self, returns: pd.DataFrame, inputs: Float64Array, col: IntArray) -> None:
        self.index = returns.index
        self.returns = returns
        self.n_rows = len(returns.index)
        self.col = col
        # Securities as rows, so that each security-event's window is one contiguous run of memory
        # (the gathers dominate the fit at 100,000 security-events).
        self.RT = np.ascontiguousarray(returns.to_numpy().T)
        self.MT = np.ascontiguousarray(np.swapaxes(inputs, 0, 1))

    def gather_run(self, mat: np.ndarray, first: IntArray, n_days: int,
                   col: IntArray | None = None) -> Float64Array:
        """:meth:`gather` of the runs ``first[i] .. first[i] + n_days - 1`` of consecutive rows.

        When every run is inside the data and ``mat`` is 2-D, each row is copied as one
        contiguous slice (a sliding-window view), several times faster than indexing every day;
        the same values.
        """
        c = self.col if col is None else col
        if (mat.ndim == 2 and n_days > 0 and len(first) and first.min() >= 0
                and first.max() + n_days <= self.n_rows):
            return np.ascontiguousarray(sliding_window_view(mat, n_days, axis=1)[c, first])
        return self.gather(mat, first[:, None] + np.arange(n_days), col)

    def gather(self, mat: np.ndarray, positions: IntArray, col: IntArray | None = None
               ) -> Float64Array:
        c = self.col if col is None else col
        if positions.size and positions.min() >= 0 and positions.max() < self.n_rows:
            return mat[c[:, None], positions]  # all inside the data: no clipping or masking
        ok = (positions >= 0) & (positions < self.n_rows)
        out = mat[c[:, None], np.clip(positions, 0, self.n_rows - 1)]
        return np.where(ok[..., None] if out.ndim == 3 else ok, out, np.nan)


def _masked_var(x: Float64Array, valid: np.ndarray) -> Float64Array:
    n = np.maximum(valid.sum(axis=1), 1)
    z = np.where(valid, x, 0.0)
    mean = z.sum(axis=1) / n
    # the deviations over the valid days, squared, in the one buffer
    np.subtract(x, mean[:, None], out=z)
    np.copyto(z, 0.0, where=~valid)
    np.square(z, out=z)
    return np.asarray(z.sum(axis=1) / n, dtype="float64")


def _missing_cause(panel: _Panel, factors: FactorData | None, positions: IntArray,
                   col: int) -> str:
    """Say why a security-event has no abnormal return on the sessions ``positions``."""
    index, n_rows = panel.index, panel.n_rows
    inside = positions[(positions >= 0) & (positions < n_rows)]
    if not len(inside):
        return "the event window is outside the data"
    lo, hi = index[inside[0]].date(), index[inside[-1]].date()
    where = f"{lo}..{hi}" if len(inside) > 1 else f"{lo}"
    ticker = panel.returns.columns[col]
    if panel.returns.iloc[inside, col].isna().all():
        last = cast("pd.Timestamp | None", panel.returns.iloc[:, col].last_valid_index())
        when = ("no return at all in the data" if last is None else
                f"its last return is on {last.date()} (delisted?)"
                if last < index[inside[0]] else "a missing or suspended price")
        return f"no {ticker} return on {where} (event window): {when}"
    if factors is not None and factors.frame.iloc[inside].isna().any(axis=1).all():
        return (f"no factor returns on {where} (event window): {factors.span()}"
                + " (a newer file from Ken French's data library covers it)")
    return f"no market return for {ticker} on {where} (event window)"


def _screen(spec: StudySpec, panel: _Panel, factors: FactorData | None, y_est: Float64Array,
            m_est: Float64Array, valid: np.ndarray, evt_all: IntArray,
            evt: tuple[Float64Array, Float64Array] | None = None
            ) -> dict[int, tuple[str, bool]]:
    """Return {security-event: (reason, no_event_returns)} for those that cannot be fitted.

    ``evt``: the event-window returns and model inputs at ``evt_all``, the inputs with their lag
    and lead filled (:func:`_fill_lag_lead`), when the caller has gathered them already.
    """
    model = spec.model
    keys = _LazyKeys(spec.events)  # only the skipped security-events' keys are ever read
    nobs = valid.sum(axis=1)
    L_est = valid.shape[1]
    reasons: dict[int, tuple[str, bool]] = {}
    for i in np.flatnonzero(nobs < spec.min_estimation_obs):
        reasons[int(i)] = (insufficient_estimation_msg.format(
            key=keys[i], n=int(nobs[i]), L=L_est, min_obs=spec.min_estimation_obs), False)
    scale = 1e-12  # returns are decimals: a variance below (1e-6)^2 is a constant series
    for i in np.flatnonzero(_masked_var(y_est, valid) < scale):
        reasons.setdefault(int(i), (zero_variance_msg.format(key=keys[i]), False))
    if model.market_input is not None:
        m_id = (m_est[..., model.inputs.index(model.market_input)] if m_est.ndim == 3 else m_est)
        for i in np.flatnonzero(_masked_var(m_id, valid) < scale):
            reasons.setdefault(int(i), (beta_not_identifiable_msg.format(key=keys[i]), False))
    # A security-event with no abnormal return in the event window (delisted, suspended, or
    # factors that end before it) is skipped, never counted as fitted with empty results.
    if evt is None:
        y_all = panel.gather(panel.RT, evt_all)
        m_all = _fill_lag_lead(model, panel.gather(panel.MT, evt_all), keys, evt_all[0],
                               warn=False)
    else:
        y_all, m_all = evt
    has_ar = (np.isfinite(y_all)
              & np.isfinite(model.regressors(m_all)).all(axis=-1)
              & np.isfinite(model.offset(m_all)))
    for j in np.flatnonzero(~has_ar.any(axis=1)):
        if int(j) not in reasons:
            reasons[int(j)] = (f"{keys[j]} skipped: "
                               + _missing_cause(panel, factors, evt_all[j], int(panel.col[j])),
                               True)
    return reasons


def _check_some_car(spec: StudySpec, panel: _Panel, factors: FactorData | None, ar: Float64Array,
                    evt_pos: IntArray, col: IntArray, keys: list[str]) -> None:
    """Raise when no security-event has a CAR over any event window (every CAAR would be n/a)."""
    ok = np.isfinite(ar)
    lo = span(list(spec.event_windows))[0]
    for w in spec.event_windows:
        sl = slice(w[0] - lo, w[1] - lo + 1)
        done = ok[:, sl].any(axis=1) if spec.missing_returns == "skip" else ok[:, sl].all(axis=1)
        if done.any():
            return
    gaps = "; ".join(f"{keys[r]}: " + _missing_cause(panel, factors, evt_pos[r][~ok[r]],
                                                      int(col[r]))
                     for r in range(min(len(keys), 3)))
    raise DataUnavailableError(
        f"no security-event has a complete CAR over any event window "
        f"{[list(w) for w in spec.event_windows]}, so every CAAR would be n/a: {gaps}"
        + ("; missing_returns: skip sums the available days" if spec.missing_returns == "nan"
           else ""))


def _warn_missing(ar: Float64Array, keys: list[str], missing_returns: str) -> None:
    per_event = np.isnan(ar).sum(axis=1)
    n_missing = int(per_event.sum())
    if not n_missing:
        return
    rows = np.flatnonzero(per_event)
    examples = ", ".join(f"{keys[r]}: {int(per_event[r])} of {ar.shape[1]}" for r in rows[:3])
    warnings.warn(
        f"{n_missing} event-window return{'s' if n_missing != 1 else ''} missing for "
        f"{len(rows)} security-event{'s' if len(rows) != 1 else ''} "
        f"(e.g. {examples} event-window returns missing); "
        + ("their CARs sum the available days (missing_returns: skip, n_days)"
           if missing_returns == "skip" else
           "their CARs over windows with a gap are NaN, never a partial sum, and they "
           "drop out of those windows' tests"),
        MissingReturnsWarning,
        stacklevel=3,
    )


#: An abnormal return beyond +-100% in one session is reported as implausible (a bad price the
#: screen could not tell from a real move, or a genuine takeover or trial readout worth checking).
PLAUSIBLE_AR = 1.0


def warn_implausible(ar: Float64Array, dates: np.ndarray, keys: list[str]) -> None:
    """Warn once per abnormal return beyond :data:`PLAUSIBLE_AR`, naming event, ticker and date."""
    with np.errstate(invalid="ignore"):
        big = np.argwhere(np.abs(ar) > PLAUSIBLE_AR)
    for i, j in big:
        warnings.warn(
            f"implausible abnormal return {ar[i, j]:+.1%} for {keys[i]} on "
            f"{pd.Timestamp(dates[i, j]).date()} (beyond +-{PLAUSIBLE_AR:.0%} in one session): "
            "check the prices of that day",
            EventStudyWarning, stacklevel=4)


def _all_market_days(model: NormalReturnModel, m_all: Float64Array, est_pos: IntArray
                     ) -> tuple[Float64Array, np.ndarray]:
    """Design and mask over every estimation day with a market return (``market_moments='all'``)."""
    ok = (np.isfinite(m_all).all(axis=-1) if m_all.ndim == 3 else np.isfinite(m_all))
    ok &= est_pos >= 0
    filled = np.where(ok[..., None] if m_all.ndim == 3 else ok, m_all, 0.0)
    return model.regressors(filled), ok


def estimate(
    spec: StudySpec,
    returns: pd.DataFrame,
    market: pd.DataFrame,
    *,
    market_own: pd.Series | None = None,
    factors: FactorData | None = None,
    market_moments: str = "complete",
    sessions: OwnSessions | None = None,
) -> Estimate:
    """Fit the normal-return model of every security-event and compute its abnormal returns.

    Parameters
    ----------
    spec : StudySpec
    returns : pandas.DataFrame
        (n_sessions, n_securities) decimal returns; tau counts its rows.
    market : pandas.DataFrame
        Same shape: the market return paired with each security (aligned on the sessions both
        traded).
    market_own : pandas.Series, optional
        The market's own returns on ``returns.index``: the market moments of
        ``market_moments='all'`` come from every estimation day it has, also days a security
        lacks (default: ``market`` itself).
    factors : FactorData, optional
        For factor models.
    market_moments : {'complete', 'all'}, default 'complete'
        Whether to build the design over all market days (:attr:`Estimate.est_all`).
    sessions : OwnSessions, optional
        Each security's own sessions among the rows (a study across exchanges): day 0 anchors on
        the security's exchange and tau counts its sessions, so two securities at the same tau may
        sit on different dates. Default: tau counts every row.

    Returns
    -------
    Estimate

    Raises
    ------
    DataUnavailableError
        When the data end before an event window does, no security-event has an event-window
        return, or none has a complete CAR over any window.
    EstimationError
        When every security-event was skipped (the message gives the reasons).

    Warns
    -----
    InsufficientEstimationDataWarning, MissingReturnsWarning, EventWindowOverlapWarning,
    EventDateShiftedWarning
    """
    model = spec.model
    events = spec.events
    index = cast(pd.DatetimeIndex, returns.index)  # checked by EventStudy
    n_rows = len(index)
    policy = cast(NonTradingDayPolicy, spec.non_trading_day)  # checked by StudySpec
    col = returns.columns.get_indexer(pd.Index(events["ticker"])).astype(np.int64)
    est_tau = taus(spec.estimation_window)
    lo, hi = span(list(spec.event_windows))
    evt_tau = taus((lo, hi))
    if sessions is None:
        pos0, shifted = anchor_events(events, index, policy, spec.calendar)
        if pos0.max() + hi >= n_rows:
            late = int(np.argmax(pos0))
            raise DataUnavailableError(
                f"event {events['event_id'].iat[late]} needs {hi} sessions after "
                f"{index[pos0[late]].date()} but the data end {index[-1].date()}"
            )
        est_pos = pos0[:, None] + est_tau[None, :]
        evt_all = pos0[:, None] + evt_tau[None, :]
    else:
        pos0, shifted, est_pos, evt_all = _own_positions(
            events, index, sessions, col, policy, est_tau, evt_tau)
    check_factor_cover(factors, events, index, evt_all, (lo, hi))
    panel = _Panel(returns, model_inputs(model, market, factors, sessions), col)
    y_est, m_est = panel.gather(panel.RT, est_pos), panel.gather(panel.MT, est_pos)
    valid = np.isfinite(y_est) & (
        np.isfinite(m_est).all(axis=-1) if m_est.ndim == 3 else np.isfinite(m_est))
    overlap = _other_event_days(spec, evt_all[:, 0], evt_all[:, -1], est_pos, n_rows)
    warn_window_overlap(events, pos0, evt_all, index, (lo, hi))
    if spec.exclude_other_events:
        valid &= ~overlap
    reasons = _screen(spec, panel, factors, y_est, m_est, valid, evt_all)

    keys = _keys(events)
    keep = np.ones(len(keys), dtype=bool)
    keep[list(reasons)] = False
    for msg, no_ar in reasons.values():
        warnings.warn(msg, MissingReturnsWarning if no_ar else InsufficientEstimationDataWarning,
                      stacklevel=3)
    if not keep.any():
        texts = [m for m, _ in reasons.values()]
        if all(no_ar for _, no_ar in reasons.values()):
            raise DataUnavailableError(
                "no security-event has a return in the event window: " + "; ".join(texts[:3]))
        need = (index[max(int(est_pos.min()), 0)], index[min(int(evt_all.max()), n_rows - 1)])
        raise EstimationError("every security-event was skipped: " + "; ".join(texts[:5])
                              + (factors.coverage(need) if factors is not None else ""))
    clusters = clustering(events, pos0, keep, index)

    fit = fit_batch(model, y_est[keep], m_est[keep], valid[keep])
    evt_pos = evt_all[keep]
    col_keep = col[keep]
    y_evt = panel.gather(panel.RT, evt_pos, col_keep)
    m_evt = panel.gather(panel.MT, evt_pos, col_keep)
    m_evt = _fill_lag_lead(model, m_evt, [k for k, kp in zip(keys, keep, strict=True) if kp],
                           evt_tau)
    x_evt = model.regressors(m_evt)
    normal = np.einsum("etk,ek->et", x_evt, fit.params) + model.offset(m_evt)
    ar = y_evt - normal
    keys_keep = [k for k, kp in zip(keys, keep, strict=True) if kp]
    _check_some_car(spec, panel, factors, ar, evt_pos, col_keep, keys_keep)
    _warn_missing(ar, keys_keep, spec.missing_returns)
    warn_implausible(ar, index.to_numpy()[np.clip(evt_pos, 0, n_rows - 1)], keys_keep)

    est_all = None
    if market_moments == "all":
        if market_own is not None and sessions is None:
            own = market_own.reindex(index).to_numpy(dtype="float64")
            own_frame = pd.DataFrame(np.broadcast_to(own[:, None], returns.shape),
                                     index=index, columns=returns.columns)
            own_panel = _Panel(returns, model_inputs(model, own_frame, factors), col)
            m_all = own_panel.gather(own_panel.MT, est_pos[keep], col_keep)
        else:
            m_all = m_est[keep]
        est_all = _all_market_days(model, m_all, est_pos[keep])

    dropped = pd.DataFrame(
        [(events["event_id"].iat[i], events["ticker"].iat[i], r)
         for i, (r, _) in sorted(reasons.items())],
        columns=["event_id", "ticker", "reason"],
    )
    evt_dates = index.to_numpy()[np.clip(evt_pos, 0, n_rows - 1)]
    confound = _confounders(spec, events["event_id"].to_numpy()[keep], evt_dates, evt_tau)
    return Estimate(
        keep=keep, fit=fit, evt_tau=evt_tau,
        dates=index.to_numpy()[np.clip(evt_pos, 0, n_rows - 1)],
        ret=y_evt, normal=normal, ar=ar, x_evt=x_evt,
        est_day=np.where(valid[keep], est_pos[keep], -1),
        evt_day=evt_pos, est_all=est_all, dropped=dropped, shifted=shifted,
        clustering=clusters, confounders=confound,
    )


def _confounders(spec: StudySpec, event_ids: np.ndarray, dates: np.ndarray,
                 evt_tau: IntArray) -> pd.DataFrame:
    """List (and warn about) the confounding events that fall inside an event window.

    Each event's window dates are those of its first fitted security-event (one calendar).

    Warns
    -----
    ConfounderWarning
        Once per confounder and event, naming the windows it falls in.
    """
    cols = ["event_id", "tau_start", "tau_end", "date", "tau", "label"]
    if not spec.confounders:
        return pd.DataFrame(columns=cols)
    rows = []
    lo = int(evt_tau[0])
    for eid in dict.fromkeys(event_ids):
        row = int(np.flatnonzero(event_ids == eid)[0])
        days = pd.DatetimeIndex(dates[row])
        for when, label in spec.confounders:
            hits = []
            for w in spec.event_windows:
                a, b = days[w[0] - lo], days[w[1] - lo]
                if a <= when <= b:
                    tau = int(np.searchsorted(days.values, when.to_datetime64())) + lo
                    rows.append((eid, w[0], w[1], when, tau, label))
                    hits.append(f"[{w[0]},{w[1]}]")
            if hits:
                warnings.warn(
                    f"confounder {when.date()} ({label}) falls inside event window(s) "
                    f"{', '.join(hits)} of event {eid}: moves over those windows mix it with "
                    "the event", ConfounderWarning, stacklevel=4)
    return pd.DataFrame(rows, columns=cols)


def window_bounds(windows: tuple[Window, ...]) -> Window:
    """Return the widest span (min t1, max t2) of ``windows``."""
    return span(list(windows))


def _own_positions(
    events: pd.DataFrame, index: pd.DatetimeIndex, sessions: OwnSessions, col: IntArray,
    policy: str, est_tau: IntArray, evt_tau: IntArray,
) -> tuple[IntArray, pd.DataFrame, IntArray, IntArray]:
    """Day 0, shifted events and window rows when each security counts its own sessions.

    Returns
    -------
    pos0 : ndarray of int
        (N,) row of each security-event's day 0 (on its own exchange).
    shifted : pandas.DataFrame
        event_id, date, anchored_date, exchange, tickers of the events moved to a session of an
        exchange (one row per event and exchange).
    est_pos, evt_pos : ndarray of int
        (N, T) and (N, L) rows of the estimation- and event-window sessions.

    Raises
    ------
    DataUnavailableError
        When an event window runs past a security's last session in the data.

    Warns
    -----
    EventDateShiftedWarning
        Once per event and exchange whose day 0 is not the event date, naming the tickers.
    """
    keys = _keys(events)
    dates = pd.DatetimeIndex(events["date"])
    after = (events["time"] == "after_close").to_numpy()
    k0 = sessions.anchor(dates, index, col, policy, after, keys)
    hi = int(evt_tau[-1])
    late = np.flatnonzero(k0 + hi >= sessions.count[col])
    if len(late):
        i = int(late[0])
        last = index[sessions.rows[col[i], sessions.count[col[i]] - 1]]
        raise DataUnavailableError(
            f"event {keys[i]} needs {hi} {sessions.exchanges[col[i]]} sessions after "
            f"{index[sessions.rows[col[i], k0[i]]].date()} but its data end {last.date()}")
    pos0 = sessions.rows[col, k0]
    anchored = index[pos0]
    moved = (anchored != dates) & ~after
    rows: dict[tuple[str, object, object, str], list[str]] = {}
    for j in np.flatnonzero(moved):
        i = int(j)
        key = (str(events["event_id"].iat[i]), dates[i].date(), anchored[i].date(),
               sessions.exchanges[col[i]])
        rows.setdefault(key, []).append(str(events["ticker"].iat[i]))
    shifted = pd.DataFrame(
        [(*k, ", ".join(v)) for k, v in rows.items()],
        columns=["event_id", "date", "anchored_date", "exchange", "tickers"])
    for r in shifted.itertuples():
        msg = (f"event {r.event_id}: {r.date} is not a {r.exchange} session; day 0 of "
               f"{r.tickers} is {r.anchored_date} (non_trading_day: {policy})")
        warnings.warn(msg, EventDateShiftedWarning, stacklevel=4)
        logger.info(msg)
    return (pos0.astype(np.int64), shifted,
            sessions.positions(col, k0, np.asarray(est_tau, dtype=np.int64)),
            sessions.positions(col, k0, np.asarray(evt_tau, dtype=np.int64)))


def _fill_lag_lead(model: NormalReturnModel, m_evt: Float64Array, keys: Sequence[str] | _LazyKeys,
                   evt_tau: IntArray, *, warn: bool = True) -> Float64Array:
    """Predict event-window normal returns from what exists when a lag or lead is missing.

    Dimson and Scholes-Williams read the market's return on the previous and next session. When
    that session has no market return (the benchmark's exchange was closed, or the data end) but
    the day's own market return exists, the missing term is taken as 0 (the market did not trade,
    so it did not move; its move is in the next return) instead of losing the day's abnormal
    return. The estimation regression keeps only the rows with all three terms.

    Warns
    -----
    MissingReturnsWarning
        Naming how many event-window days were predicted without their lag or lead.
    """
    names = [n for n in ("market_lag", "market_lead") if n in model.inputs]
    if not names or m_evt.ndim != 3 or "market" not in model.inputs:
        return m_evt
    cur = np.isfinite(m_evt[..., model.inputs.index("market")])
    out = m_evt.copy()
    hits: list[str] = []
    for name in names:
        a = model.inputs.index(name)
        gap = cur & ~np.isfinite(m_evt[..., a])
        if gap.any():
            out[..., a] = np.where(gap, 0.0, m_evt[..., a])
            r, t = (int(x[0]) for x in np.nonzero(gap))
            hits.append(f"{int(gap.sum())} without the {name.split('_')[1]} "
                        f"(e.g. {keys[r]} at tau {int(evt_tau[t])})")
    if hits and warn:
        warnings.warn(
            f"{model.name}: event-window normal returns predicted from the terms that exist: "
            + "; ".join(hits) + " (no market return on the neighbouring session, taken as 0; the "
            "estimation regression uses only days with every term)",
            MissingReturnsWarning, stacklevel=4)
    return out
