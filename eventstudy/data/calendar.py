"""Trading sessions of an exchange (exchange_calendars) and event-date anchoring.

A calendar is built by exchange_calendars once per day and release: what this package reads from it
(sessions, opens and closes, time zone: :class:`Sessions`) is kept in the cache folder
(``calendars/`` under :func:`eventstudy.data.cache.cache_dir`) with the release's calendar names and
first rules, so a later run that day needs neither the build nor the import of exchange_calendars.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import glob
import json
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from eventstudy.data._cachedir import cache_dir
from eventstudy.exceptions import ConfigError, DataUnavailableError

if TYPE_CHECKING:
    from eventstudy._typing import NonTradingDayPolicy

__all__ = [
    "sessions", "is_session", "anchor_dates", "exchange_for_symbol", "last_closed_session",
    "calendar_zone", "calendar_end", "calendar_names",
    "SUFFIX_EXCHANGES", "first_session", "Sessions",
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

#: Layout of the cached files; a file of another layout is never read (rebuilt instead).
_FORMAT = 1
_log = logging.getLogger(__name__)


def _ns(values: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    """Return datetimes as int64 nanoseconds (UTC for tz-aware values)."""
    idx = pd.DatetimeIndex(values)
    if idx.tz is not None:
        idx = idx.tz_convert("UTC").tz_localize(None)
    return np.ascontiguousarray(idx.as_unit("ns").to_numpy().view(np.int64))


@dataclass(frozen=True, eq=False)
class Sessions:
    """The sessions of one built exchange calendar: all this package reads from one.

    Built from exchange_calendars (:meth:`from_exchange_calendar`) or read back from the on-disk
    calendar cache; every function of this module reads this object, never the calendar itself.

    Parameters
    ----------
    name : str
        The calendar's code as asked for, e.g. ``'XNYS'`` (or an alias, ``'NYSE'``).
    tz : str
        The exchange's time zone, e.g. ``'America/New_York'``.
    weekmask : str
        Seven ``0``/``1`` characters, Monday first: the weekdays that are sessions unless holidays.
    session_nanos : numpy.ndarray
        (n_sessions,) int64, the session dates (tz-naive midnights) in nanoseconds, ascending.
    open_nanos, close_nanos : numpy.ndarray
        (n_sessions,) int64, each session's open and close in UTC nanoseconds.

    Raises
    ------
    ValueError
        When the arrays are not three equal-length, non-empty int64 vectors with ascending
        sessions (a damaged cache file).
    """

    name: str
    tz: str
    weekmask: str
    session_nanos: np.ndarray
    open_nanos: np.ndarray
    close_nanos: np.ndarray

    def __post_init__(self) -> None:
        arrays = (self.session_nanos, self.open_nanos, self.close_nanos)
        n = len(self.session_nanos)
        if (n == 0 or any(a.dtype != np.int64 or a.shape != (n,) for a in arrays)
                or not bool(np.all(np.diff(self.session_nanos) > 0))
                or len(self.weekmask) != 7 or not self.tz):
            raise ValueError(f"calendar {self.name!r}: malformed sessions")

    @classmethod
    def from_exchange_calendar(cls, name: str, cal: Any) -> Sessions:
        """Return the sessions of a built ``exchange_calendars.ExchangeCalendar``.

        Parameters
        ----------
        name : str
            The code the calendar was asked for by.
        cal : exchange_calendars.ExchangeCalendar
            The built calendar.
        """
        return cls(name=name, tz=str(cal.tz), weekmask=str(cal.weekmask),
                   session_nanos=_ns(cal.sessions), open_nanos=_ns(cal.opens),
                   close_nanos=_ns(cal.closes))

    @cached_property
    def sessions(self) -> pd.DatetimeIndex:
        """Return every session (tz-naive dates named ``date``, frequency ``'C'``).

        The frequency is the custom business day of the weekmask and the weekdays without a
        session, as exchange_calendars gives its sessions; exact within the calendar's range.
        """
        days = pd.DatetimeIndex(self.session_nanos.view("datetime64[ns]"), name="date")
        weekdays = pd.bdate_range(days[0], days[-1], freq="C", weekmask=self.weekmask)
        try:
            day = pd.offsets.CustomBusinessDay(
                holidays=list(weekdays.difference(days)), weekmask=self.weekmask)
            return pd.DatetimeIndex(days, freq=day, name="date")  # checks every session fits
        except ValueError:  # a session on a day off (no exchange_calendars calendar has one)
            return days

    @cached_property
    def closes(self) -> pd.DatetimeIndex:
        """Return each session's close (tz-aware, UTC), aligned with :attr:`sessions`."""
        return pd.DatetimeIndex(self.close_nanos.view("datetime64[ns]")).tz_localize("UTC")

    @property
    def first_session(self) -> pd.Timestamp:
        """Return the first session (tz-naive)."""
        return pd.Timestamp(int(self.session_nanos[0]))

    @property
    def last_session(self) -> pd.Timestamp:
        """Return the last session (tz-naive; about a year ahead for most calendars)."""
        return pd.Timestamp(int(self.session_nanos[-1]))

    def _position(self, date: pd.Timestamp) -> int:
        """Return the row of session ``date``; raise ValueError when it is not one."""
        ns = pd.Timestamp(date).value
        pos = int(np.searchsorted(self.session_nanos, ns))
        if pos == len(self.session_nanos) or self.session_nanos[pos] != ns:
            raise ValueError(f"{pd.Timestamp(date)} is not a session of calendar {self.name!r}")
        return pos

    def is_session(self, date: pd.Timestamp) -> bool:
        """Return True when tz-naive midnight ``date`` is a session.

        Raises
        ------
        ValueError
            When ``date`` is before the first or after the last session (as exchange_calendars).
        """
        ns = pd.Timestamp(date).value
        if ns < self.session_nanos[0] or ns > self.session_nanos[-1]:
            raise ValueError(f"{pd.Timestamp(date)} is outside calendar {self.name!r} "
                             f"({self.first_session.date()}..{self.last_session.date()})")
        pos = int(np.searchsorted(self.session_nanos, ns))
        return bool(self.session_nanos[pos] == ns)

    def sessions_in_range(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
        """Return the sessions from ``first`` to ``last`` inclusive: a slice of :attr:`sessions`."""
        lo = int(np.searchsorted(self.session_nanos, pd.Timestamp(first).value, side="left"))
        hi = int(np.searchsorted(self.session_nanos, pd.Timestamp(last).value, side="right"))
        return self.sessions[lo:hi]

    def session_open(self, session: pd.Timestamp) -> pd.Timestamp:
        """Return the open of ``session`` (tz-aware, UTC); ValueError when not a session."""
        return pd.Timestamp(int(self.open_nanos[self._position(session)]), tz="UTC")

    def session_close(self, session: pd.Timestamp) -> pd.Timestamp:
        """Return the close of ``session`` (tz-aware, UTC); ValueError when not a session."""
        return pd.Timestamp(int(self.close_nanos[self._position(session)]), tz="UTC")


def _calendar(name: str, start: pd.Timestamp | None = None) -> Sessions:
    """Return calendar ``name`` with sessions from ``start`` (default 1990) or its first rule."""
    start = DEFAULT_START if start is None else pd.Timestamp(start)
    if start >= DEFAULT_START:
        return _build(name, DEFAULT_START)
    return _build(name, pd.Timestamp(year=start.year - start.year % 10, month=1, day=1))


# --- the on-disk calendar cache ----------------------------------------------------------------
#
# Building a calendar (XNYS from 1990: about 0.3 s of pandas holiday rules, XKRX several seconds)
# and importing exchange_calendars (0.2-0.3 s) is repeated by every run, so what a built calendar
# gives is kept in ``cache_dir()/calendars``: one ``.npz`` per (name, start, exchange_calendars
# release, build day) holding int64 nanoseconds, and one JSON of the release's calendar names and
# first rules. exchange_calendars ends its calendars a year after the day it is imported, hence the
# day in the key. A file that cannot be read is rebuilt; one that cannot be written is skipped.


@cache
def _xcals_version() -> str | None:
    """Return the installed exchange_calendars release (None when its metadata cannot be read)."""
    try:
        return version("exchange_calendars")
    except PackageNotFoundError:
        return None


def _build_day() -> dt.date:
    """Return the local date, the one exchange_calendars counts its default end from."""
    return dt.date.today()


def _folder() -> Path:
    return cache_dir() / "calendars"


def _sessions_file(name: str, start: pd.Timestamp, release: str, day: dt.date) -> Path:
    """Return the file of one build, e.g. ``XNYS.19900101.xcals-4.13.2.2026-12-03.npz``."""
    return _folder() / (f"{quote(name, safe='')}.{start:%Y%m%d}.xcals-{quote(release, safe='')}."
                        f"{day.isoformat()}.npz")


def _key(name: str, start: pd.Timestamp, release: str, day: dt.date) -> dict[str, Any]:
    """Return what a file must record to stand for one build (checked on reading it)."""
    return {"format": _FORMAT, "name": name, "start": start.isoformat(),
            "exchange_calendars": release, "day": day.isoformat()}


def _write_atomic(target: Path, write: Callable[[IO[bytes]], object]) -> bool:
    """Write ``target`` through a temporary file renamed into place; return False when it fails.

    A read-only folder or a full disk is not an error: the caller has what it needs in memory.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        _log.debug("calendar cache: %s not written (%s)", target, exc)
        return False
    return True


def _read_sessions(path: Path, name: str, key: dict[str, Any]) -> Sessions | None:
    """Return the sessions stored in ``path`` when it holds exactly ``key``, else None."""
    try:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"][()]))
            if {k: meta.get(k) for k in key} != key:
                return None
            return Sessions(name=name, tz=str(meta["tz"]), weekmask=str(meta["weekmask"]),
                            session_nanos=f["sessions"], open_nanos=f["opens"],
                            close_nanos=f["closes"])
    except FileNotFoundError:
        return None
    except Exception as exc:  # damaged or truncated: rebuilt and rewritten by the caller
        _log.debug("calendar cache: %s unreadable (%s)", path, exc)
        return None


def _write_sessions(path: Path, ses: Sessions, key: dict[str, Any]) -> None:
    """Store ``ses`` under ``path``, then remove the same calendar's files of earlier days."""
    meta = json.dumps({**key, "tz": ses.tz, "weekmask": ses.weekmask})

    def write(fh: IO[bytes]) -> None:
        np.savez_compressed(fh, meta=np.array(meta), sessions=ses.session_nanos,
                            opens=ses.open_nanos, closes=ses.close_nanos)

    if not _write_atomic(path, write):
        return
    stem, day = path.name.split(".xcals-", 1)[0], path.name.rsplit(".", 2)[-2]
    for old in path.parent.glob(f"{glob.escape(stem)}.xcals-*.npz"):
        if old.name.rsplit(".", 2)[-2] < day:  # never read again: the key's day has passed
            with contextlib.suppress(OSError):
                old.unlink()


def _from_exchange_calendars(name: str, start: pd.Timestamp) -> Sessions:
    """Build calendar ``name`` from ``start`` with exchange_calendars."""
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars reads Series.values of tz-aware columns (a pandas 3.1 deprecation
        # inside the library; the values it gets are correct UTC nanoseconds)
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        return Sessions.from_exchange_calendar(name, xcals.get_calendar(name, start=start))


def _built_today(day: dt.date) -> bool:
    """Return True unless exchange_calendars was imported on another day than ``day``.

    Its default end is fixed at import; a process older than today built yesterday's calendar.
    """
    module = sys.modules.get("exchange_calendars.exchange_calendar")
    end = getattr(module, "GLOBAL_DEFAULT_END", None)
    return end is None or pd.Timestamp(end) == pd.Timestamp(day) + pd.DateOffset(years=1)


@cache
def _build(name: str, start: pd.Timestamp) -> Sessions:
    return _load(name, start)


def _load(name: str, start: pd.Timestamp) -> Sessions:
    """Return calendar ``name`` from ``start``: from the cache file, else built and stored."""
    if name not in calendar_names():
        close = difflib.get_close_matches(name.upper(), calendar_names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else " (e.g. XNYS, XETR, XLON)"
        raise ConfigError(f"unknown exchange calendar {name!r}{hint}")
    # calendars whose holiday rules start later (XBOM: 1997) begin at their first rule
    bound = first_session(name)
    if bound is not None and start < bound:
        start = bound
    release, day = _xcals_version(), _build_day()
    if release is None or name not in _catalogue()[0]:  # a calendar registered at run time
        return _from_exchange_calendars(name, start)
    key = _key(name, start, release, day)
    path = _sessions_file(name, start, release, day)
    got = _read_sessions(path, name, key)
    if got is not None:
        return got
    ses = _from_exchange_calendars(name, start)
    if _built_today(day):
        _write_sessions(path, ses, key)
    return ses


@cache
def _catalogue() -> tuple[tuple[str, ...], dict[str, pd.Timestamp | None]]:
    """Return exchange_calendars' calendar names (aliases too) and each one's first rule.

    Read from ``calendars/names.xcals-<release>.json``, else from exchange_calendars (then
    stored). A first rule missing from the mapping is unknown (asked of exchange_calendars).
    """
    release = _xcals_version()
    path = None if release is None else _folder() / f"names.xcals-{quote(release, safe='')}.json"
    if path is not None:
        try:
            got = json.loads(path.read_text())
            if got["format"] == _FORMAT and got["exchange_calendars"] == release:
                return tuple(str(n) for n in got["names"]), {
                    str(k): None if v is None else pd.Timestamp(v)
                    for k, v in got["bounds"].items()}
        except FileNotFoundError:
            pass
        except Exception as exc:  # damaged: rebuilt below
            _log.debug("calendar cache: %s unreadable (%s)", path, exc)
    import exchange_calendars as xcals

    utils = xcals.calendar_utils
    factories = getattr(utils, "_default_calendar_factories", None)
    aliases = getattr(utils, "_default_calendar_aliases", None)
    if factories is None or aliases is None:  # tables renamed: the registered names, no bounds
        names, factories = tuple(xcals.get_calendar_names(include_aliases=True)), {}
    else:  # the shipped calendars alone, never ones this process registered
        names = tuple(sorted({*factories, *aliases}))
    bounds: dict[str, pd.Timestamp | None] = {}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        for n in names:
            cls = factories.get(xcals.resolve_alias(n))
            if cls is not None:
                b = cls.bound_min()
                bounds[n] = None if b is None else pd.Timestamp(b).tz_localize(None)
    if path is not None:
        text = json.dumps({"format": _FORMAT, "exchange_calendars": release, "names": names,
                           "bounds": {k: None if v is None else v.isoformat()
                                      for k, v in bounds.items()}})
        _write_atomic(path, lambda fh: fh.write(text.encode()))
    return names, bounds


def calendar_names() -> tuple[str, ...]:
    """Return every exchange_calendars code and alias, sorted (``'XNYS'``, ``'NYSE'``, ...).

    From the calendar cache when the names of this exchange_calendars release were listed before,
    so checking a study's calendar names does not import exchange_calendars; calendars registered
    with exchange_calendars in this process are included.
    """
    names = _catalogue()[0]
    xcals = sys.modules.get("exchange_calendars")
    if xcals is not None:
        live = xcals.get_calendar_names(include_aliases=True)
        if len(live) != len(names) or set(live) != set(names):
            return tuple(sorted({*names, *live}))
    return names


def first_session(calendar: str) -> pd.Timestamp | None:
    """Return the first date of ``calendar``'s recorded holiday rules, or None when unbounded.

    exchange_calendars knows XBOM only from 1997 and XSHG from 1990-12-03: before that, a date
    cannot be told from a holiday and is not checked against the calendar.
    """
    return _bound(calendar)


@cache
def _bound(name: str) -> pd.Timestamp | None:
    if name not in calendar_names():
        _build(name, DEFAULT_START)  # raises ConfigError with a suggestion
    bounds = _catalogue()[1]
    if name in bounds:
        return bounds[name]
    import exchange_calendars as xcals  # a calendar registered at run time

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        bound = type(xcals.get_calendar(name)).bound_min()
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
    Source: ``exchange_calendars`` (its build kept in the calendar cache for the day). The
    calendar is built back to ``start`` (1990 or earlier as needed, case C16); a range before the
    exchange's first recorded rule (:func:`first_session`, e.g. XBOM 1997) starts at that session.
    """
    cal = _calendar(calendar, start)
    first = max(pd.Timestamp(start), cal.first_session)
    last = min(pd.Timestamp(end), cal.last_session)
    if first > last:
        return pd.DatetimeIndex([], name="date")
    return cal.sessions_in_range(first, last)


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
    for j in np.flatnonzero(outside).tolist():
        raise DataUnavailableError(
            f"event {labels[j]}: {dates[j].date()} is outside the data "
            f"({index[0].date()}..{index[-1].date()})"
        )
    return pos.astype(np.int64)


def calendar_end(calendar: str) -> pd.Timestamp:
    """Return the last session ``calendar`` has data for (tz-naive; about a year ahead)."""
    return _calendar(calendar).last_session


def calendar_zone(calendar: str) -> str:
    """Return the time zone of ``calendar`` (``'America/New_York'`` for XNYS)."""
    return _calendar(calendar).tz


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
    if now >= cal.closes[-1]:
        return cal.last_session
    if now < cal.closes[0]:
        return cal.first_session - pd.Timedelta(days=1)
    pos = int(cal.closes.searchsorted(now.tz_convert("UTC"), side="right")) - 1
    return pd.Timestamp(cal.sessions[pos])
