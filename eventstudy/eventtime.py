"""Security-event windows gathered from a wide (sessions x securities) series, in event time.

The abnormal-volume, abnormal-volatility, GARCH and power modules all need the same arrays: each
security-event's estimation-window and event-window values of a series and of its market series,
the validity mask, and the calendar position (row of the index) of every day. :func:`event_arrays`
builds them at once for N security-events (no loop per event), as :meth:`EventStudy.fit` does for
returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Float64Array, IntArray, Window
from eventstudy.exceptions import ConfigError, DataShapeError, DataUnavailableError
from eventstudy.windows import check_windows, span, taus

__all__ = ["EventArrays", "OwnSessions", "event_frame", "event_arrays", "gather"]


def event_frame(events: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Return events as a frame with columns event_id (str), ticker (str) and date (Timestamp).

    Raises
    ------
    ConfigError
        When a column is missing, the frame is empty, a date does not parse (the message names the
        event) or an (event_id, ticker) pair repeats.
    """
    frame = pd.DataFrame(events).copy()
    missing = [c for c in ("event_id", "ticker", "date") if c not in frame.columns]
    if missing:
        raise ConfigError(f"events need columns ['event_id', 'ticker', 'date']; missing {missing}")
    if frame.empty:
        raise ConfigError("events is empty: give at least one event")
    frame["event_id"] = frame["event_id"].astype(str)
    frame["ticker"] = frame["ticker"].astype(str)
    dates = pd.to_datetime(frame["date"].astype(str), errors="coerce", format="mixed")
    if dates.isna().any():
        row = frame.loc[dates.isna()].iloc[0]
        raise ConfigError(f"event {row['event_id']} ({row['ticker']}): bad date {row['date']!r}")
    frame["date"] = pd.DatetimeIndex(dates).tz_localize(None).normalize()
    dup = frame.duplicated(["event_id", "ticker"])
    if dup.any():
        row = frame.loc[dup].iloc[0]
        raise ConfigError(f"event {row['event_id']} lists ticker {row['ticker']} twice")
    return frame.reset_index(drop=True)[["event_id", "ticker", "date"]]


def gather(matrix: np.ndarray, col: IntArray, positions: IntArray) -> Float64Array:
    """Return ``matrix[col_i, positions_ij]`` (securities as rows), NaN outside the rows.

    Parameters
    ----------
    matrix : ndarray
        (n_securities, n_sessions) or (n_securities, n_sessions, k) values.
    col : ndarray of int
        (N,) security row of each security-event.
    positions : ndarray of int
        (N, L) session positions.
    """
    n_rows = matrix.shape[1]
    ok = (positions >= 0) & (positions < n_rows)
    out = matrix[col[:, None], np.clip(positions, 0, n_rows - 1)]
    return np.where(ok[..., None] if out.ndim == 3 else ok, out, np.nan)


@dataclass(frozen=True)
class EventArrays:
    """Estimation- and event-window values of N security-events (see :func:`event_arrays`).

    Attributes
    ----------
    events : pandas.DataFrame
        The N security-events: event_id, ticker, date (as given), day0 (the anchored session).
    est_tau, evt_tau : ndarray of int
        (T,) and (L,) event times of the estimation window and of the span of the event windows.
    y_est, m_est : ndarray
        (N, T) values of the series and of its market series over the estimation window.
    y_evt, m_evt : ndarray
        (N, L) the same over the event windows.
    valid : ndarray of bool
        (N, T) estimation days where both are finite.
    est_day, evt_day : ndarray of int
        (N, T) and (N, L) session positions (rows of the index); -1 on invalid estimation days.
    dates : ndarray
        (N, L) session dates of the event-window days.
    """

    events: pd.DataFrame
    est_tau: IntArray
    evt_tau: IntArray
    y_est: Float64Array
    m_est: Float64Array
    y_evt: Float64Array
    m_evt: Float64Array
    valid: BoolArray
    est_day: IntArray
    evt_day: IntArray
    dates: np.ndarray

    @property
    def keys(self) -> np.ndarray:
        """(N,) 'event_id:ticker' labels, as in the study's messages."""
        return (self.events["event_id"] + ":" + self.events["ticker"]).to_numpy()

    def take(self, rows: np.ndarray) -> EventArrays:
        """Return the arrays of the security-events ``rows`` (a boolean mask or positions)."""
        return EventArrays(
            events=self.events.iloc[np.flatnonzero(rows) if rows.dtype == bool else rows]
            .reset_index(drop=True),
            est_tau=self.est_tau, evt_tau=self.evt_tau, y_est=self.y_est[rows],
            m_est=self.m_est[rows], y_evt=self.y_evt[rows], m_evt=self.m_evt[rows],
            valid=self.valid[rows], est_day=self.est_day[rows], evt_day=self.evt_day[rows],
            dates=self.dates[rows])


def event_arrays(
    events: pd.DataFrame | Sequence[Mapping[str, Any]],
    values: pd.DataFrame,
    market: pd.Series | pd.DataFrame,
    *,
    estimation_window: Window,
    event_windows: Sequence[Window],
    what: str = "values",
) -> EventArrays:
    """Gather each security-event's estimation- and event-window values in event time.

    Parameters
    ----------
    events : pandas.DataFrame or list of dict
        Columns event_id, ticker (a column of ``values``) and date; a date that is not a row of
        ``values`` anchors on the next row.
    values : pandas.DataFrame
        (n_sessions, n_securities) series (returns, log volume, ...) indexed by sorted, unique
        session dates; tau counts its rows.
    market : pandas.Series or pandas.DataFrame
        The market series on the same index (a Series), or one column per security.
    estimation_window : tuple of int
        Inclusive (T0, T1) in sessions relative to day 0.
    event_windows : sequence of tuple of int
        Inclusive (t1, t2) windows; the arrays cover their span.
    what : str, default 'values'
        Name of the series in messages ('volume', 'returns').

    Returns
    -------
    EventArrays

    Raises
    ------
    ConfigError
        For malformed events or windows.
    DataShapeError
        When ``values`` is not indexed by sorted unique dates or an event names a ticker without a
        column (the message lists them).
    DataUnavailableError
        When an event date is outside the data or its event window runs past the last session (the
        message names the event and the dates).
    """
    from eventstudy.data.calendar import anchor_dates

    frame = event_frame(events)
    if not isinstance(values, pd.DataFrame) or not isinstance(values.index, pd.DatetimeIndex):
        raise DataShapeError(f"{what} must be a DataFrame indexed by session dates")
    if not values.index.is_monotonic_increasing or values.index.has_duplicates:
        raise DataShapeError(f"{what} index must be sorted session dates without duplicates")
    unknown = sorted(set(frame["ticker"]) - set(values.columns))
    if unknown:
        raise DataShapeError(f"events name tickers with no {what} column: {unknown}")
    windows = [(int(a), int(b)) for a, b in event_windows]
    check_windows(estimation_window, windows)
    index = values.index
    n_rows = len(index)
    keys = (frame["event_id"] + ":" + frame["ticker"]).tolist()
    pos0 = np.asarray(anchor_dates(pd.DatetimeIndex(frame["date"]), index, "next", labels=keys),
                      dtype=np.int64)
    lo, hi = span(windows)
    late = np.flatnonzero(pos0 + hi >= n_rows)
    if len(late):
        i = int(late[0])
        raise DataUnavailableError(
            f"event {keys[i]} needs {hi} sessions after {index[pos0[i]].date()} but the {what} "
            f"end {index[-1].date()}")
    if isinstance(market, pd.Series):
        m = market.reindex(index).to_numpy(dtype="float64")
        MT = np.broadcast_to(m[None, :], (values.shape[1], n_rows))
    elif isinstance(market, pd.DataFrame):
        MT = market.reindex(index=index, columns=values.columns).to_numpy(dtype="float64").T
    else:
        raise DataShapeError("market must be a Series or a DataFrame")
    RT = np.ascontiguousarray(values.to_numpy(dtype="float64").T)
    col = values.columns.get_indexer(frame["ticker"]).astype(np.int64)
    est_tau, evt_tau = taus(estimation_window), taus((lo, hi))
    est_pos = pos0[:, None] + est_tau[None, :]
    evt_pos = pos0[:, None] + evt_tau[None, :]
    y_est, m_est = gather(RT, col, est_pos), gather(MT, col, est_pos)
    valid = np.isfinite(y_est) & np.isfinite(m_est)
    frame["day0"] = index[pos0]
    return EventArrays(
        events=frame, est_tau=est_tau, evt_tau=evt_tau, y_est=y_est, m_est=m_est,
        y_evt=gather(RT, col, evt_pos), m_evt=gather(MT, col, evt_pos), valid=valid,
        est_day=np.where(valid, est_pos, -1), evt_day=evt_pos,
        dates=index.to_numpy()[np.clip(evt_pos, 0, n_rows - 1)])


@dataclass(frozen=True)
class OwnSessions:
    """Each security's own sessions among the rows of a multi-exchange return panel.

    A global study's panel has one row per date on which any of its exchanges traded; a
    security's event time tau counts only the rows that are sessions of its own exchange. Built by
    :meth:`from_mask`; a single-exchange study has none (tau counts every row).

    Attributes
    ----------
    mask : ndarray of bool
        (n_rows, n_securities) True where the row is a session of the security's exchange.
    exchanges : tuple of str
        (n_securities,) exchange calendar of each column (messages).
    rows : ndarray of int
        (n_securities, n_max) row of each security's k-th own session, padded with n_rows.
    count : ndarray of int
        (n_securities,) number of own sessions.
    """

    mask: BoolArray
    exchanges: tuple[str, ...]
    rows: IntArray
    count: IntArray

    @classmethod
    def from_mask(cls, mask: pd.DataFrame, exchanges: Sequence[str]) -> OwnSessions:
        """Build from a boolean frame shaped like the returns (rows x securities)."""
        m = mask.to_numpy(dtype=bool)
        n_rows, n_sec = m.shape
        count = m.sum(axis=0).astype(np.int64)
        rows = np.full((n_sec, max(int(count.max(initial=0)), 1)), n_rows, dtype=np.int64)
        for j in range(n_sec):
            r = np.flatnonzero(m[:, j])
            rows[j, : len(r)] = r
        return cls(mask=m, exchanges=tuple(exchanges), rows=rows, count=count)

    def positions(self, col: IntArray, k0: IntArray, tau: IntArray) -> IntArray:
        """Return the rows of own sessions ``k0 + tau`` of securities ``col``.

        -1 before a security's first own session, ``n_rows`` after its last (both read as NaN by
        :func:`gather`).
        """
        n_rows = self.mask.shape[0]
        k = k0[:, None] + tau[None, :]
        inside = (k >= 0) & (k < self.count[col][:, None])
        out = self.rows[col[:, None], np.clip(k, 0, self.rows.shape[1] - 1)]
        return np.where(inside, out, np.where(k < 0, -1, n_rows)).astype(np.int64)

    def anchor(
        self, dates: pd.DatetimeIndex, index: pd.DatetimeIndex, col: IntArray, policy: str,
        after_close: np.ndarray, labels: list[str],
    ) -> IntArray:
        """Return k0, the own-session number of each security-event's day 0.

        Each event date anchors on its security's exchange: the date itself when it is a session
        there, else the next (``policy='next'``) or previous one; after the close, the first own
        session after the date.

        Raises
        ------
        ConfigError
            With ``policy='error'`` and a date that is not a session of the security's exchange.
        DataUnavailableError
            When a date is outside the security's sessions in the data.
        """
        from eventstudy.data.calendar import anchor_dates

        k0 = np.empty(len(col), dtype=np.int64)
        for j in np.unique(col):
            sel = np.flatnonzero(col == j)
            own = index[self.rows[j, : self.count[j]]]
            if not len(own):
                raise DataUnavailableError(
                    f"event {labels[sel[0]]}: no {self.exchanges[j]} session in the data")
            d = pd.DatetimeIndex(dates[sel])
            k = np.asarray(anchor_dates(d, own, policy,  # type: ignore[arg-type]
                                        calendar=self.exchanges[j],
                                        labels=[labels[i] for i in sel]), dtype=np.int64)
            late = after_close[sel]
            if late.any():
                k = k.copy()
                k[late] = np.searchsorted(own.values, d.values[late], side="right")
                bad = np.flatnonzero(late & (k >= len(own)))
                if len(bad):
                    i = sel[bad[0]]
                    raise DataUnavailableError(
                        f"event {labels[i]} (after_close): no {self.exchanges[j]} session after "
                        f"{dates[i].date()} in the data (last {own[-1].date()})")
            k0[sel] = k
        return k0

    def shift(self, values: Float64Array, lag: int) -> Float64Array:
        """Return ``values`` (n_rows, n_securities) moved by ``lag`` own sessions (1: previous).

        NaN off a security's own sessions and where the shifted session is outside the data.
        """
        n_rows, n_sec = values.shape
        out = np.full_like(values, np.nan, dtype="float64")
        for j in range(n_sec):
            r = self.rows[j, : self.count[j]]
            v = values[r, j]
            s = np.full(len(r), np.nan)
            if lag > 0:
                s[lag:] = v[:-lag] if lag < len(v) else s[lag:]
            elif lag < 0:
                s[:lag] = v[-lag:] if -lag < len(v) else s[:lag]
            else:
                s = v
            out[r, j] = s
        return out
