"""From a study config to the inputs of ``EventStudy``: securities, events, prices and returns."""

from __future__ import annotations

import csv
import io
import logging
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._paths import read_text_limited
from eventstudy.config import StudyConfig
from eventstudy.data import PriceSource, get_source, sanitize_prices
from eventstudy.data.calendar import exchange_for_symbol, sessions
from eventstudy.data.quality import QualityLog, screen_prices
from eventstudy.data.symbols import normalize_ticker, normalize_tickers
from eventstudy.exceptions import ConfigError, DataUnavailableError, EventStudyWarning
from eventstudy.returns import aligned_returns
from eventstudy.windows import span

logger = logging.getLogger(__name__)

__all__ = [
    "StudyInputs", "load_study_inputs", "read_events_csv", "resolve_securities", "price_source",
    "study_calendar",
]


@dataclass(frozen=True)
class StudyInputs:
    """Everything ``EventStudy`` needs, built from a config.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per security-event: event_id, ticker, date, label.
    returns : pandas.DataFrame
        (n_sessions, n_securities) decimal returns.
    market : pandas.DataFrame
        (n_sessions, n_securities) market returns paired with each security.
    groups : dict of str to list of str
    metadata : dict
        Provenance for the report (source per ticker, vintage, adjustment, notes, config).
    market_history : pandas.Series or None
        The market's own daily returns over the span the config's claims need (a two-year lookback
        before each event by default, and every comparison date); None without claims.
    """

    events: pd.DataFrame
    returns: pd.DataFrame
    market: pd.DataFrame
    groups: dict[str, list[str]]
    metadata: dict[str, Any]
    market_history: pd.Series | None = None


MAX_EVENTS_BYTES = 64 * 2**20
"""Largest events CSV read (64 MiB, about two million rows); more is refused, never read whole."""
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\S.*)?$")


_LATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T](?:1[6-9]|2[0-3]):")


@lru_cache(maxsize=65536)  # events share dates: parse each distinct text once
def _event_date(text: str) -> pd.Timestamp | None:
    """Parse an ISO date (a time and zone may follow: the local calendar date is kept), else None."""
    if not _ISO_DATE.match(text):
        return None
    try:
        ts = pd.Timestamp(text)
    except (ValueError, OverflowError):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)  # wall-clock date where the event happened, not UTC (case C11)
    return ts.normalize()


EVENT_TIMES = ("", "before_open", "during", "after_close")
"""Values of an event's ``time``: empty or before_open/during keep the date as day 0."""


def read_events_csv(path: Any) -> pd.DataFrame:
    """Read an events file with columns event_id, ticker, date[, label, time, group].

    ``time`` (optional) is empty, ``before_open``, ``during`` or ``after_close``; an after-close
    event's day 0 is the next session (see :class:`~eventstudy.EventStudy`). ``group`` (optional)
    puts the security-event in a group of that name, reported like the config's groups.

    Parameters
    ----------
    path : str or pathlib.Path
        A UTF-8 CSV file (a byte-order mark is allowed) with a header row. Dates are ISO
        ``YYYY-MM-DD`` (a time and offset may follow; the local date is kept); day-first or
        month-first forms such as 01/02/2025 are refused as ambiguous.

    Returns
    -------
    pandas.DataFrame
        One row per line: event_id (str), ticker (canonical Yahoo symbol), date (tz-naive
        ``datetime64``, midnight) and, when the file has it, label (str).

    Raises
    ------
    ConfigError
        When the file is missing, unreadable, not UTF-8 or lacks a column, or a row has the wrong
        number of fields, an empty event_id, a bad ticker, a bad or future date, or repeats an
        (event_id, ticker) pair; the message names the file and lists every bad row with its line
        (the first :data:`MAX_ROW_ERRORS`, then how many more).
    """
    p = Path(path)
    try:
        text = read_text_limited(p, MAX_EVENTS_BYTES, what="an events CSV")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such events file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not a UTF-8 text file (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read events CSV ({exc.strerror or exc})") from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = [(reader.line_num, r) for r in reader if any(f.strip() for f in r)]
    except csv.Error as exc:
        raise ConfigError(f"{p}: cannot read events CSV ({exc})") from None
    if not rows:
        raise ConfigError(f"{p}: events CSV is empty; need a header event_id,ticker,date")
    header = [c.strip().lower() for c in rows[0][1]]
    missing = [c for c in ("event_id", "ticker", "date") if c not in header]
    if missing:
        raise ConfigError(f"{p}: events CSV lacks column(s) {missing}; need event_id,ticker,date "
                          f"(got {header[:6]})")
    if len(rows) == 1:
        raise ConfigError(f"{p}: events CSV has no rows")
    col: dict[str, int] = {name: header.index(name) for name in ("event_id", "ticker", "date", "label", "time",
                                                 "group") if name in header}
    today = pd.Timestamp.today().normalize()
    out: list[tuple[str, str, pd.Timestamp, str, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    late: list[int] = []
    errors: list[str] = []
    for line, r in rows[1:]:
        where = f"{p}: line {line}"
        try:
            row = _event_row(r, header, col, where, today)
        except ConfigError as exc:  # every bad row is reported, each with its line
            errors.append(str(exc))
            continue
        event_id, ticker, text_date = row[0], row[1], r[col["date"]].strip()
        if (event_id, ticker) in seen:
            errors.append(f"{where}: event {event_id} lists {ticker} again (first on line "
                          f"{seen[event_id, ticker]}); (event_id, ticker) must be unique")
            continue
        seen[event_id, ticker] = line
        if not row[4] and _LATE_TIME.match(text_date):
            late.append(line)
        out.append(row)
    if errors:
        more = len(errors) - MAX_ROW_ERRORS
        raise ConfigError("\n".join(errors[:MAX_ROW_ERRORS])
                          + (f"\n{p}: ... and {more} more bad rows" if more > 0 else ""))
    if late:  # a timestamp after the close silently kept its own date as day 0
        warnings.warn(
            f"{p}: line{'s' if len(late) > 1 else ''} {', '.join(map(str, late[:5]))}"
            f"{' ...' if len(late) > 5 else ''}: a time from 16:00 (the NYSE close) and no "
            "'time' value: day 0 is that date; write after_close in a time column if the news "
            "came after the close",
            EventStudyWarning,
            stacklevel=2,
        )
    frame = pd.DataFrame(out, columns=["event_id", "ticker", "date", "label", "time", "group"])
    return frame.drop(columns=[c for c in ("label", "time", "group") if c not in col])


MAX_ROW_ERRORS = 20
"""Bad rows of an events CSV listed in one error (the count of the rest follows)."""


def _event_row(r: list[str], header: list[str], col: dict[str, int], where: str,
               today: pd.Timestamp) -> tuple[str, str, pd.Timestamp, str, str, str]:
    """Check one events-CSV row: (event_id, ticker, date, label, time, group), or ConfigError
    naming the line."""
    if len(r) != len(header):
        raise ConfigError(f"{where}: {len(r)} fields, the header has {len(header)}")
    event_id, ticker, text_date = (r[col[c]].strip() for c in ("event_id", "ticker", "date"))
    if not event_id:
        raise ConfigError(f"{where}: empty event_id")
    try:
        ticker = normalize_ticker(ticker)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    date = _event_date(text_date)
    if date is None:
        raise ConfigError(f"{where}: bad date {text_date!r} (use YYYY-MM-DD)")
    if date > today:
        raise ConfigError(f"{where}: date {date.date()} is in the future: no prices exist yet")
    label = r[col["label"]].strip() if "label" in col else ""
    when = r[col["time"]].strip().lower() if "time" in col else ""
    if when not in EVENT_TIMES:
        raise ConfigError(f"{where}: time {when!r} is not one of {list(EVENT_TIMES[1:])} "
                          "(after_close makes the next session day 0)")
    group = r[col["group"]].strip() if "group" in col else ""
    return event_id, ticker, date, label, when, group


def resolve_securities(config: StudyConfig) -> tuple[list[str], dict[str, list[str]]]:
    """Return the study's securities (canonical Yahoo symbols, config order) and its groups.

    The universe, when set, becomes one more group named after it (``sp500``), holding every member.
    """
    groups: dict[str, list[str]] = {
        name: normalize_tickers(members) for name, members in config.groups.items()
    }
    if config.universe == "sp500":
        from eventstudy import datasets

        groups["sp500"] = datasets.sp500_constituents()["yahoo"].tolist()
    tickers = list(dict.fromkeys(t for members in groups.values() for t in members))
    return tickers, groups


def _events(config: StudyConfig, tickers: list[str]) -> pd.DataFrame:
    if config.events_path is not None:
        frame = read_events_csv(config.events_path)
        if "label" not in frame.columns:
            frame["label"] = ""
        for c in ("time", "group"):
            if c not in frame.columns:
                frame[c] = ""
        return frame[["event_id", "ticker", "date", "label", "time", "group"]]
    rows = []
    for ev in config.events:  # type: ignore[union-attr]
        members = normalize_tickers(ev.tickers) if ev.tickers is not None else tickers
        rows += [(ev.id, t, pd.Timestamp(ev.date), ev.label, ev.time or "") for t in members]
    return pd.DataFrame(rows, columns=["event_id", "ticker", "date", "label", "time"])


def study_calendar(config: StudyConfig) -> str:
    """Return the exchange calendar tau is counted on: ``data.calendar``, or with ``auto`` the
    market's exchange from its symbol (``^GSPC`` -> XNYS, ``^GDAXI`` -> XETR, ``*.DE`` -> XETR)."""
    if config.data.calendar != "auto":
        return config.data.calendar
    return exchange_for_symbol(normalize_ticker(config.market))


def price_source(
    config: StudyConfig, *, offline: bool | None = None, refresh: bool = False
) -> PriceSource:
    """Return the price source of ``config.data`` (``--offline`` and ``--refresh`` of the CLI).

    Raises
    ------
    ConfigError
        For ``source: file`` without ``path`` or ``bundled`` with raw closes.
    """
    d = config.data
    return get_source(
        d.source,
        path=config.resolve_path(d.path),
        price_field=d.price_field,
        cache_dir=config.resolve_path(d.cache_dir),
        offline=d.offline if offline is None else offline,
        refresh=refresh,
    )


def _date_range(config: StudyConfig, dates: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last session the windows need, from the exchange calendar (never a default period)."""
    lo, hi = pd.Timestamp(dates.min()), pd.Timestamp(dates.max())
    T0 = config.estimation_window[0]
    t2 = span(config.event_windows)[1]
    pad_before = int(abs(min(T0, 0)) * 1.5) + 30
    pad_after = int(abs(max(t2, 0)) * 1.5) + 30
    calendar = study_calendar(config)
    cal = sessions(calendar, lo - pd.Timedelta(days=pad_before),
                   hi + pd.Timedelta(days=pad_after))
    if cal.empty:
        raise ConfigError(f"no {calendar} sessions around {lo.date()}..{hi.date()}")
    first = int(np.searchsorted(cal.values, lo.to_datetime64())) + min(T0, 0) - 1
    # One spare session: an after-close event's day 0 is the session after its date.
    last = int(np.searchsorted(cal.values, hi.to_datetime64())) + max(t2, 0) + 1
    return cal[max(first, 0)], cal[min(last, len(cal) - 1)]


def _dividends_in_windows(
    config: StudyConfig, events: pd.DataFrame, dividends: pd.DataFrame, index: pd.DatetimeIndex,
    quality: QualityLog,
) -> None:
    """Warn when raw prices are used and an ex-dividend date falls inside an event window (C02b)."""
    lo, hi = span(config.event_windows)
    for ev in events.itertuples():
        if ev.ticker not in dividends.columns:
            continue
        pos = int(np.searchsorted(index.values, pd.Timestamp(ev.date).to_datetime64()))
        window = index[max(pos + lo, 0): max(pos + hi + 1, 0)]
        paid = dividends[ev.ticker].reindex(window).fillna(0.0)
        for d in paid.index[paid.to_numpy() > 0]:
            quality.add(ev.ticker, d, "dividend_in_window", "warning",
                        f"ex-dividend date {d.date()} inside event window; raw prices used "
                        f"(event {ev.event_id}, {ev.ticker})")


def _symbol_notes(config: StudyConfig) -> list[str]:
    """One note per ticker the user wrote differently from its Yahoo symbol (C06)."""
    typed = [t for members in config.groups.values() for t in members]
    if isinstance(config.events, list):
        typed += [t for ev in config.events for t in (ev.tickers or [])]
    typed.append(config.market)
    pairs = {t: normalize_ticker(t) for t in typed}
    return [f"ticker {t} -> Yahoo symbol {y}" for t, y in pairs.items() if t != y]


def _exchange_notes(tickers: list[str], calendar: str) -> list[str]:
    """Name the securities listed on another exchange than the one tau is counted on."""
    other: dict[str, list[str]] = {}
    for t in tickers:
        x = exchange_for_symbol(t)
        if x != calendar:
            other.setdefault(x, []).append(t)
    return [f"{len(ts)} securities trade on {x} ({', '.join(ts[:5])}"
            f"{', ...' if len(ts) > 5 else ''}): tau counts {calendar} sessions, returns span "
            "the sessions both traded" for x, ts in other.items()]


def load_study_inputs(config: StudyConfig, *, source: PriceSource | None = None) -> StudyInputs:
    """Resolve securities and events of ``config``, load prices and compute aligned returns.

    Parameters
    ----------
    config : StudyConfig
    source : PriceSource, optional
        Overrides ``config.data.source``.

    Returns
    -------
    StudyInputs

    Raises
    ------
    ConfigError
        For an unreadable events file or bad tickers.
    DataUnavailableError
        When the source lacks a ticker or the market has no prices in the range.
    """
    tickers, groups = resolve_securities(config)
    events = _events(config, tickers)
    tickers = list(dict.fromkeys([*tickers, *events["ticker"]]))
    if not groups:
        groups = {"all": tickers}
    in_events = set(events["ticker"])
    for name, members in groups.items():
        if not in_events.intersection(members):  # its CAAR row would be an unexplained n/a
            warnings.warn(
                f"group {name}: none of its securities ({', '.join(members[:5])}"
                f"{', ...' if len(members) > 5 else ''}) is in an event (events with 'tickers:' "
                "cover only those)",
                EventStudyWarning,
                stacklevel=2,
            )
    market = normalize_ticker(config.market)
    if market in tickers:
        raise ConfigError(f"market {market} is also listed as a security")
    dates = pd.to_datetime(events["date"], format="mixed")
    start, end = _date_range(config, dates)
    src = source if source is not None else price_source(config)
    calendar = study_calendar(config)
    data = src.get_prices([*tickers, market], start - pd.Timedelta(days=7), end)
    quality = QualityLog()
    close = sanitize_prices(data.close, label=src.name, log=quality)
    mkt = close[market]
    if mkt.notna().sum() < 2:
        raise DataUnavailableError(f"no market prices for {market} in {start.date()}..{end.date()}")
    close = close.loc[mkt.notna()]
    # _date_range adds a spare session for after-close events; only they need it (C10)
    after_close = "time" in events.columns and bool((events["time"] == "after_close").any())
    need = end if after_close else sessions(calendar, start, end)[-2]
    if close.index[-1] < need:
        raise DataUnavailableError(
            f"event window needs {need.date()} but data ends {close.index[-1].date()} "
            f"({market}, source {src.name})")
    close = screen_prices(
        close,
        splits=data.splits,
        sessions=sessions(calendar, close.index[0], close.index[-1]),
        calendar=calendar,
        log=quality,
    )
    if not data.adjusted and data.dividends is not None:
        _dividends_in_windows(config, events, data.dividends, close.index, quality)
    if config.data.quality_errors == "warn":
        quality.downgrade_errors()
    quality.raise_errors()
    returns, market_returns = aligned_returns(
        close.drop(columns=[market]), close[market], kind=config.data.returns
    )
    returns, market_returns = returns.iloc[1:], market_returns.iloc[1:]
    metadata = {
        "study": config.study,
        "title": config.title or config.study,
        "description": config.description,
        "market": market,
        "source": src.name,
        "sources": data.source,
        "vintage": data.vintage,
        "adjusted": data.adjusted,
        "returns": config.data.returns,
        "notes": [
            *([f"calendar {calendar}: the exchange of the market {market} (data.calendar: auto)"]
              if config.data.calendar == "auto" else []),
            *_symbol_notes(config), *_exchange_notes(tickers, calendar), *data.notes,
        ],
        "calendar": calendar,
        "quality": quality.frame(),
        "universe": config.universe,
        "config": config,
        "price_range": (close.index[0].date(), close.index[-1].date()),
        "prices": close,  # levels by session, market included: normalised-price chart, data hash
    }
    for note in data.notes:
        logger.info(note)
    market_history = None
    if config.claims:
        from eventstudy.claims.history import load_market_history, market_history_range

        lo, hi = market_history_range(config.claims, dates, config.estimation_window,
                                      config.event_windows)
        market_history = load_market_history(src, market, lo, hi, kind=config.data.returns)
    return StudyInputs(events, returns, market_returns, groups, metadata, market_history)
