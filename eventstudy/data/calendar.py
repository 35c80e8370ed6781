"""Trading sessions of an exchange (exchange_calendars) and event-date anchoring."""

from __future__ import annotations

import difflib
import warnings
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.exceptions import ConfigError, DataUnavailableError

if TYPE_CHECKING:
    from eventstudy._typing import NonTradingDayPolicy

__all__ = [
    "sessions", "is_session", "anchor_dates", "exchange_for_symbol", "last_closed_session",
    "calendar_zone", "calendar_end",
    "SUFFIX_EXCHANGES", "first_session",
]

#: Yahoo symbol suffix -> exchange_calendars code (no suffix: a US listing, XNYS sessions).
SUFFIX_EXCHANGES: dict[str, str] = {
    "DE": "XETR", "F": "XFRA", "DU": "XDUS", "HM": "XHAM", "SG": "XSTU", "L": "XLON", "IL": "XLON",
    "AS": "XAMS", "PA": "XPAR", "BR": "XBRU", "LS": "XLIS", "MI": "XMIL", "MC": "XMAD",
    "SW": "XSWX", "VI": "XWBO", "ST": "XSTO", "CO": "XCSE", "HE": "XHEL", "OL": "XOSL",
    "IR": "XDUB", "WA": "XWAR", "PR": "XPRA", "BD": "XBUD", "IS": "XIST",
    "NS": "XBOM", "BO": "XBOM", "T": "XTKS", "HK": "XHKG", "SS": "XSHG", "SZ": "XSHG",
    "KS": "XKRX", "KQ": "XKRX", "TW": "XTAI", "SI": "XSES", "AX": "XASX", "NZ": "XNZE",
    "TO": "XTSE", "V": "XTSE", "SA": "BVMF", "MX": "XMEX", "JO": "XJSE",
    "BK": "XBKK", "JK": "XIDX", "KL": "XKLS", "SR": "XSAU",
}
#: Index symbols whose exchange the suffix rule cannot tell.
INDEX_EXCHANGES: dict[str, str] = {
    "^GDAXI": "XETR", "^FTSE": "XLON", "^FTMC": "XLON", "^AEX": "XAMS", "^FCHI": "XPAR",
    "^STOXX50E": "XETR", "^SSMI": "XSWX", "^IBEX": "XMAD", "^N225": "XTKS", "^HSI": "XHKG",
    "^NSEI": "XBOM", "^BSESN": "XBOM", "^AXJO": "XASX", "^GSPTSE": "XTSE", "^KS11": "XKRX",
    "^TWII": "XTAI", "^BVSP": "BVMF", "^MXX": "XMEX", "000001.SS": "XSHG",
}


def exchange_for_symbol(symbol: str) -> str:
    """Return the exchange calendar of a Yahoo symbol from its suffix (``SAP.DE`` -> ``XETR``).

    Symbols without a known suffix (US listings, ``^GSPC``, ``BRK-B``) give ``XNYS``; the main
    non-US indices are mapped by name (``^GDAXI`` -> ``XETR``). NSE listings (``.NS``) use the
    Bombay calendar ``XBOM``: both exchanges share their sessions and exchange_calendars has no
    separate NSE calendar.
    """
    s = symbol.upper()
    if s in INDEX_EXCHANGES:
        return INDEX_EXCHANGES[s]
    if "." in s and not s.startswith("^"):
        return SUFFIX_EXCHANGES.get(s.rsplit(".", 1)[1], "XNYS")
    return "XNYS"


#: Calendars are built from this date unless a study needs earlier sessions (one build serves
#: every study after it; an earlier one is built from the start of that decade).
DEFAULT_START = pd.Timestamp("1990-01-01")


def _calendar(name: str, start: pd.Timestamp | None = None):  # type: ignore[no-untyped-def]
    """Return calendar ``name`` with sessions from ``start`` (default 1990) or its first rule."""
    start = DEFAULT_START if start is None else pd.Timestamp(start)
    if start >= DEFAULT_START:
        return _build(name, DEFAULT_START)
    return _build(name, pd.Timestamp(year=start.year - start.year % 10, month=1, day=1))


@cache
def _build(name: str, start: pd.Timestamp):  # type: ignore[no-untyped-def]
    import exchange_calendars as xcals

    if name not in xcals.get_calendar_names():
        close = difflib.get_close_matches(name.upper(), xcals.get_calendar_names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else " (e.g. XNYS, XETR, XLON)"
        raise ConfigError(f"unknown exchange calendar {name!r}{hint}")
    with warnings.catch_warnings():
        # exchange_calendars reads Series.values of tz-aware columns (a pandas 3.1 deprecation
        # inside the library; the values it gets are correct UTC nanoseconds)
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        # calendars whose holiday rules start later (XBOM: 1997) begin at their first rule
        bound = first_session(name)
        if bound is not None and start < bound:
            start = bound
        return xcals.get_calendar(name, start=start)


def first_session(calendar: str) -> pd.Timestamp | None:
    """Return the first date of ``calendar``'s recorded holiday rules, or None when unbounded.

    exchange_calendars knows XBOM only from 1997 and XSHG from 1990-12-03: before that, a date
    cannot be told from a holiday and is not checked against the calendar.
    """
    return _bound(calendar)


@cache
def _bound(name: str) -> pd.Timestamp | None:
    import exchange_calendars as xcals

    if name not in xcals.get_calendar_names():
        _build(name, DEFAULT_START)  # raises ConfigError with a suggestion
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        # the class's first rule; its factory table spares building a calendar to ask it
        factories = getattr(xcals.calendar_utils, "_default_calendar_factories", {})
        cls = factories.get(xcals.resolve_alias(name)) or type(xcals.get_calendar(name))
        bound = cls.bound_min()
    return None if bound is None else pd.Timestamp(bound).tz_localize(None)


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
    Source: ``exchange_calendars``. The calendar is built back to ``start`` (1990 or earlier as
    needed, case C16); a range before the exchange's first recorded rule
    (:func:`first_session`, e.g. XBOM 1997) starts at that session.
    """
    cal = _calendar(calendar, start)
    first = max(pd.Timestamp(start), cal.first_session)
    last = min(pd.Timestamp(end), cal.last_session)
    if first > last:
        return pd.DatetimeIndex([], name="date")
    return pd.DatetimeIndex(cal.sessions_in_range(first, last), name="date").tz_localize(None)


def is_session(calendar: str, date: pd.Timestamp) -> bool:
    """Return True when ``date`` is a session of ``calendar``."""
    day = pd.Timestamp(date).normalize()
    return bool(_calendar(calendar, day).is_session(day))


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
        With ``policy='error'`` and a date that is not a session ("2024-03-16 is not a XNYS
        session").
    DataUnavailableError
        When a date lies before the first or after the last row of the data (never wrapped).
    """
    labels = labels or [str(d.date()) for d in dates]
    vals = index.values
    exact = np.searchsorted(vals, dates.values, side="left")
    found = (exact < len(vals)) & (vals[np.minimum(exact, len(vals) - 1)] == dates.values)
    beyond = (dates.values < vals[0]) | (dates.values > vals[-1])
    if policy == "error" and beyond.any():  # outside the data, whether a session or not
        found = found | beyond  # reported below as outside the data, not as "not a session"
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
    for j in np.flatnonzero(outside):
        raise DataUnavailableError(
            f"event {labels[j]}: {dates[j].date()} is outside the data "
            f"({index[0].date()}..{index[-1].date()})"
        )
    return pos.astype(np.int64)


def calendar_end(calendar: str) -> pd.Timestamp:
    """Return the last session ``calendar`` has data for (tz-naive; about a year ahead)."""
    return pd.Timestamp(_calendar(calendar).last_session).tz_localize(None)


def calendar_zone(calendar: str) -> str:
    """Return the time zone of ``calendar`` (``'America/New_York'`` for XNYS)."""
    return str(_calendar(calendar).tz)


def last_closed_session(calendar: str, now: pd.Timestamp | None = None) -> pd.Timestamp:
    """Return the latest session of ``calendar`` whose close is at or before ``now``.

    A session still trading (or not yet open) is excluded: its close is not final, so a cache must
    not store it.

    Parameters
    ----------
    calendar : str
        An exchange_calendars code.
    now : pandas.Timestamp, optional
        tz-aware time; default the current time.

    Returns
    -------
    pandas.Timestamp
        tz-naive session date.
    """
    cal = _calendar(calendar)
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    if now.tzinfo is None:
        now = now.tz_localize("UTC")
    if now >= cal.closes.iloc[-1]:
        return pd.Timestamp(cal.last_session).tz_localize(None)
    if now < cal.closes.iloc[0]:
        return pd.Timestamp(cal.first_session).tz_localize(None) - pd.Timedelta(days=1)
    closes = pd.DatetimeIndex(cal.closes)
    pos = int(closes.searchsorted(now.tz_convert(closes.tz), side="right")) - 1
    return pd.Timestamp(cal.sessions[pos]).tz_localize(None)
