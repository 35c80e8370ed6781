"""Trading sessions of an exchange (exchange_calendars) and event-date anchoring."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.exceptions import ConfigError, DataUnavailableError

if TYPE_CHECKING:
    from eventstudy._typing import NonTradingDayPolicy

__all__ = ["sessions", "is_session", "anchor_dates"]


@cache
def _calendar(name: str):  # type: ignore[no-untyped-def]
    import exchange_calendars as xcals

    try:
        return xcals.get_calendar(name, start="1990-01-01")
    except Exception as exc:  # InvalidCalendarName and friends
        raise ConfigError(f"unknown exchange calendar {name!r} ({exc})") from None


def sessions(calendar: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """Return the sessions of ``calendar`` from ``start`` to ``end`` inclusive.

    Parameters
    ----------
    calendar : str
        An exchange_calendars code, e.g. ``"XNYS"``.
    start, end : pandas.Timestamp
        Calendar dates, inclusive.

    Returns
    -------
    pandas.DatetimeIndex
        tz-naive session dates.

    Notes
    -----
    Source: ``exchange_calendars`` (sessions back to 1990).
    """
    cal = _calendar(calendar)
    first = max(pd.Timestamp(start), cal.first_session)
    last = min(pd.Timestamp(end), cal.last_session)
    if first > last:
        return pd.DatetimeIndex([], name="date")
    return pd.DatetimeIndex(cal.sessions_in_range(first, last), name="date").tz_localize(None)


def is_session(calendar: str, date: pd.Timestamp) -> bool:
    """Return True when ``date`` is a session of ``calendar``."""
    return bool(_calendar(calendar).is_session(pd.Timestamp(date).normalize()))


def anchor_dates(
    dates: pd.DatetimeIndex,
    index: pd.DatetimeIndex,
    policy: NonTradingDayPolicy = "next",
    *,
    calendar: str = "XNYS",
    labels: list[str] | None = None,
) -> np.ndarray:
    """Map event dates to the row position of their day-0 session.

    Parameters
    ----------
    dates : pandas.DatetimeIndex
        (n_events,) event dates, tz-naive calendar dates.
    index : pandas.DatetimeIndex
        Sorted session dates of the return panel (the rows tau is counted on).
    policy : {'next', 'previous', 'error'}
        What to do with a date that is not a session: use the next session (default), the previous
        one, or raise (case C15).
    calendar : str
        Exchange calendar named in messages.
    labels : list of str, optional
        Event keys used in messages.

    Returns
    -------
    numpy.ndarray
        (n_events,) int64 row positions in ``index``.

    Raises
    ------
    ConfigError
        With ``policy='error'`` and a date that is not a session ("2024-03-16 is not a XNYS session").
    DataUnavailableError
        When a date lies before the first or after the last row of the data (never wrapped).
    """
    labels = labels or [str(d.date()) for d in dates]
    vals = index.values
    exact = np.searchsorted(vals, dates.values, side="left")
    found = (exact < len(vals)) & (vals[np.minimum(exact, len(vals) - 1)] == dates.values)
    if policy == "next":
        pos = exact
    elif policy == "previous":
        pos = np.where(found, exact, exact - 1)
    elif policy == "error":
        if not found.all():
            i = int(np.flatnonzero(~found)[0])
            raise ConfigError(
                f"event {labels[i]}: {dates[i].date()} is not a {calendar} session "
                "(set non_trading_day: next or previous to move it)"
            )
        pos = exact
    else:
        raise ConfigError(f"non_trading_day must be next, previous or error, not {policy!r}")
    outside = (dates.values < vals[0]) | (dates.values > vals[-1]) | (pos < 0) | (pos >= len(vals))
    for i in np.flatnonzero(outside):
        raise DataUnavailableError(
            f"event {labels[i]}: {dates[i].date()} is outside the data "
            f"({index[0].date()}..{index[-1].date()})"
        )
    return pos.astype(np.int64)
