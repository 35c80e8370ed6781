"""From a study config to the inputs of ``EventStudy``: securities, events, prices and returns."""

from __future__ import annotations

import csv
import io
import logging
import re
import warnings
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from eventstudy._paths import read_text_limited
from eventstudy._typing import EVENT_TIMES
from eventstudy.config import BenchmarkSpec, MarketMap, StudyConfig
from eventstudy.data import PriceData, PriceSource, get_source, sanitize_prices
from eventstudy.data.calendar import (
    calendar_end,
    calendar_zone,
    exchange_for_symbol,
    last_closed_session,
    sessions,
)
from eventstudy.data.dates import date_hint, excel_serial, parse_with_format
from eventstudy.data.fillers import screen_fillers
from eventstudy.data.quality import QualityLog, screen_prices
from eventstudy.data.symbols import currency_and_unit, normalize_ticker, normalize_tickers
from eventstudy.exceptions import ConfigError, DataUnavailableError, EventStudyWarning
from eventstudy.markets import (
    BenchmarkPlan,
    check_day0_benchmarks,
    own_session_panel,
    plan_benchmarks,
    warn_non_synchronous,
)
from eventstudy.provenance import SERIES_COLUMNS, Provenance
from eventstudy.returns import aligned_returns, simple_returns, spans_sessions
from eventstudy.windows import span

logger = logging.getLogger(__name__)

__all__ = [
    "StudyInputs", "load_study_inputs", "market_symbol", "benchmark_levels", "read_events_csv",
    "resolve_securities", "price_source",
    "study_events", "load_market_history", "config_factors", "config_regression",
    "config_market_values", "load_return_history",
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
    provenance : Provenance
        Source per series, vintage, adjustment, calendar, quality findings, notes, the config.
    market_history : pandas.Series
        The market's own daily returns by session date: over the loaded prices, or over the span the
        config's claims need when longer (a two-year lookback before each event by default, and
        every comparison date).
    factors : pandas.DataFrame or None
        The config's ``factors`` files read (Ken French layout), for factor models.
    regression : dict or None
        The config's ``regression`` with its ``data`` CSV read.
    market_values : pandas.DataFrame or None
        Share counts or caps by ticker for the market-value lens (``market_values:``).
    context : pandas.DataFrame or None
        Levels of the ``context:`` series (e.g. ^IXIC, ^SOX, ^VIX) on the study's sessions.
    sectors : pandas.Series or None
        Ticker -> GICS sector of the S&P 500 members (``universe: sp500``).
    sessions : pandas.DataFrame or None
        With ``market:`` as a mapping: True where a row is a session of the security's own
        exchange (tau counts those); None when tau counts every row (one market).
    exchanges : dict of str to str or None
        Ticker -> exchange calendar code (with ``sessions``).
    """

    events: pd.DataFrame
    returns: pd.DataFrame
    market: pd.DataFrame
    groups: dict[str, list[str]]
    provenance: Provenance
    market_history: pd.Series
    factors: pd.DataFrame | None = None
    regression: dict[str, Any] | None = None
    market_values: pd.DataFrame | None = None
    context: pd.DataFrame | None = None
    sectors: pd.Series | None = None
    sessions: pd.DataFrame | None = None
    exchanges: dict[str, str] | None = None

    @property
    def metadata(self) -> Any:
        """Read-only mapping view of :attr:`provenance` (earlier name)."""
        return self.provenance.as_mapping()


def config_regression(config: StudyConfig) -> dict[str, Any] | None:
    """Return the config's ``regression`` as EventStudy's argument (its ``data`` CSV read).

    Raises
    ------
    ConfigError
        When the data CSV cannot be read (the message names it).
    """
    spec = config.regression
    if spec is None:
        return None
    out: dict[str, Any] = {"x": list(spec.x), "window": spec.window, "cov_type": spec.cov_type}
    if spec.data is not None:
        path = config.resolve_path(spec.data)
        try:
            out["data"] = pd.read_csv(path, dtype={"event_id": str, "ticker": str})
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: cannot read regression data ({exc})") from None
    return out


def config_market_values(config: StudyConfig) -> pd.DataFrame | None:
    """Return the share counts or caps of ``market_values:`` (bundled for ``universe: sp500``).

    ``sp500`` reads :func:`eventstudy.datasets.index_shares`; a path reads a CSV with a ``ticker``
    column and one or more of ``shares_held``, ``shares_outstanding``, ``market_cap``.

    Raises
    ------
    ConfigError
        When the file cannot be read, lacks the columns, lists a ticker twice or holds a share count
        or cap that is not positive (naming the file and the ticker).
    """
    from eventstudy.valuation import check_market_values

    choice = config.market_values
    if choice is None:
        choice = "sp500" if config.universe == "sp500" else None
    if choice is None:
        return None
    if choice == "sp500":
        from eventstudy import datasets

        return datasets.index_shares()
    path = config.resolve_path(Path(choice))
    try:
        frame = pd.read_csv(path, dtype={"ticker": str})
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read market values ({exc})") from None
    if "ticker" not in frame.columns:
        raise ConfigError(f"{path}: market values need a ticker column (got {list(frame.columns)})")
    frame["ticker"] = [normalize_ticker(t) for t in frame["ticker"].astype(str)]
    try:
        return check_market_values(frame.set_index("ticker"), str(path))
    except ConfigError:
        raise
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def config_factors(config: StudyConfig) -> pd.DataFrame | None:
    """Read the config's ``factors`` files (Ken French layout), paths relative to the config."""
    if not config.factors:
        return None
    from eventstudy.data.french import read_french

    paths = [config.resolve_path(p) for p in config.factors]
    frame = read_french(*paths)
    frame.attrs["files"] = [Path(p).name for p in paths]  # named when they miss an event window
    return frame


def _factor_notes(factors: pd.DataFrame | None) -> list[str]:
    """One note per factor file: its CRSP vintage and last date (C43), for the report."""
    if factors is None or factors.empty:
        return []
    files = factors.attrs.get("files", [])
    vintages = factors.attrs.get("vintages", [])
    return [f"factors {f}: CRSP vintage {v}, data {factors.index[0].date()}.."
            f"{factors.index[-1].date()}" for f, v in zip(files, vintages, strict=False)]


def load_market_history(
    source: PriceSource,
    market: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    kind: str = "simple",
) -> pd.Series:
    """Load the market's daily returns over ``start..end`` from ``source``.

    Parameters
    ----------
    source : PriceSource
    market : str
        The market's symbol (e.g. ``^GSPC``).
    start, end : pandas.Timestamp
        Calendar range, inclusive; a source holding less returns what it has.
    kind : {'simple', 'log'}
        The study's return type.

    Returns
    -------
    pandas.Series
        Decimal returns of the market by session date (NaN rows dropped), named after the market.

    Raises
    ------
    DataUnavailableError
        When the source has no prices for the market (raised by the source).
    """
    data = source.get_prices([market], start, end)
    close = sanitize_prices(data.close, label=source.name)[market].dropna()
    return _own_returns(close, kind)


def load_return_history(
    source: PriceSource, tickers: list[str], market: str, start: pd.Timestamp,
    end: pd.Timestamp, *, kind: Literal["simple", "log"] = "simple",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load returns of ``tickers`` aligned with ``market`` over ``start..end`` (placebo history).

    Returns
    -------
    returns, market : pandas.DataFrame
        (n_sessions, n_tickers) decimal returns and the market return paired with each security
        (aligned on the sessions both traded, as for a study).

    Raises
    ------
    DataUnavailableError
        When the source cannot serve the range (raised by the source).
    """
    data = source.get_prices([*tickers, market], start, end)
    close = data.close.loc[data.close[market].notna()]
    returns, mkt = aligned_returns(close[tickers], close[market], kind=kind)
    return returns.iloc[1:], mkt.iloc[1:]


def _own_returns(close: pd.Series, kind: str) -> pd.Series:
    r = simple_returns(close)
    if kind == "log":
        r = cast(pd.Series, np.log1p(r))  # a ufunc keeps the Series
    # pandas-stubs: Series.rename takes a Scalar, but a name is any Hashable (close.name's type)
    return r.iloc[1:].rename(close.name)  # type: ignore[call-overload]


MAX_EVENTS_BYTES = 64 * 2**20
"""Largest events CSV read (64 MiB, about two million rows); more is refused, never read whole."""
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\S.*)?$")


_LATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T](?:1[6-9]|2[0-3]):")


@lru_cache(maxsize=65536)  # events share dates: parse each distinct text once
def _event_date(text: str) -> pd.Timestamp | None:
    """Parse an ISO date, else None.

    A time and zone may follow: the local calendar date is kept.
    """
    if not _ISO_DATE.match(text):
        return None
    try:
        ts = pd.Timestamp(text)
    except (ValueError, OverflowError):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)  # wall-clock date where the event happened, not UTC (case C11)
    return ts.normalize()


def _parquet_as_csv(p: Path) -> str:
    """Return the events of a Parquet file as CSV text, so every row is checked as a CSV row is.

    Date and datetime columns are written as ISO dates; a time of day other than midnight is
    kept, so that the date check names it.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not p.exists():
        raise FileNotFoundError(p)
    try:
        frame = pq.read_table(p).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        raise ConfigError(f"{p}: cannot read the events Parquet file ({exc})") from None
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            values = pd.DatetimeIndex(frame[col])
            frame[col] = values.strftime("%Y-%m-%d").where(
                values == values.normalize(), values.strftime("%Y-%m-%d %H:%M:%S"))
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def read_events_csv(path: Any, *, columns: dict[str, str] | None = None,
                    date_format: str | None = None, excel_dates: bool = False) -> pd.DataFrame:
    """Read an events file with columns event_id, ticker, date[, label, time, group].

    A CSV, or a Parquet file (suffix ``.parquet`` or ``.pq``) whose rows are checked the same way.
    ``time`` (optional) is empty, ``before_open``, ``during`` or ``after_close``; an after-close
    event's day 0 is the next session (see :class:`~eventstudy.EventStudy`). ``group`` (optional)
    puts the security-event in a group of that name, reported like the config's groups.

    Parameters
    ----------
    path : str or pathlib.Path
        A UTF-8 CSV file (a byte-order mark is allowed) with a header row. Dates are ISO
        ``YYYY-MM-DD`` (a time and offset may follow; the local date is kept); day-first or
        month-first forms such as 03/05/2024 are refused, naming both readings, unless
        ``date_format`` says which.
    columns : dict of str to str, optional
        The file's name of each column it names differently (``{'ticker': 'symbol',
        'date': 'event_date'}``; ``event_columns:`` of the study file).
    date_format : str, optional
        A strptime format of the dates (``'%d.%m.%Y'``); ISO dates are read either way.
    excel_dates : bool, default False
        Read integers such as 45366 as Excel serial dates (days from 1899-12-30).

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
        if p.suffix.lower() in (".parquet", ".pq"):
            text = _parquet_as_csv(p)
        else:
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
    rename = {str(v).strip().lower(): k for k, v in (columns or {}).items()}
    lacking = [f"{k}: {v}" for k, v in (columns or {}).items()
               if str(v).strip().lower() not in header]
    if lacking:
        raise ConfigError(f"{p}: event_columns names column(s) the file lacks ({', '.join(lacking)}"
                          f"); its columns are {header[:8]}")
    header = [rename.get(h, h if h not in (columns or {}) else f"{h} (unused)") for h in header]
    missing = [c for c in ("event_id", "ticker", "date") if c not in header]
    if missing:
        raise ConfigError(f"{p}: events CSV lacks column(s) {missing}; need event_id,ticker,date "
                          f"(got {header[:6]}); map other names with event_columns:, e.g. "
                          "{ticker: symbol, date: event_date}")
    if len(rows) == 1:
        raise ConfigError(f"{p}: events CSV has no rows")
    col: dict[str, int] = {name: header.index(name)
                           for name in ("event_id", "ticker", "date", "label", "time", "group")
                           if name in header}
    today = pd.Timestamp.today().normalize()
    out: list[tuple[str, str, pd.Timestamp, str, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    late: list[int] = []
    errors: list[str] = []
    for line, r in rows[1:]:
        where = f"{p}: line {line}"
        try:
            row = _event_row(r, header, col, where, today, date_format, excel_dates)
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
               today: pd.Timestamp, date_format: str | None = None, excel_dates: bool = False,
               ) -> tuple[str, str, pd.Timestamp, str, str, str]:
    """Check one events-CSV row: (event_id, ticker, date, label, time, group).

    Raises ConfigError naming the line.
    """
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
    if date is None and date_format is not None:
        date = parse_with_format(text_date, date_format)
    if date is None and excel_dates:
        date = excel_serial(text_date)
    if date is None:
        raise ConfigError(f"{where}: " + (f"date {text_date!r} does not match date_format "
                                          f"{date_format!r}" if date_format is not None
                                          else date_hint(text_date)))
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


def study_events(config: StudyConfig, tickers: list[str]) -> pd.DataFrame:
    """Return the study's events, one row per security-event.

    From ``events_path`` (event_id, ticker, date, label, time, group) or from the config's
    ``events`` (event_id, ticker, date, label, time), an event without tickers applying to all
    ``tickers``.
    """
    if config.events_path is not None:
        frame = read_events_csv(config.events_path,
                                columns={str(k): v for k, v in config.event_columns.items()},
                                date_format=config.date_format, excel_dates=config.excel_dates)
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
    """Return the exchange calendar tau is counted on.

    That is ``data.calendar``, or with ``auto`` the market's exchange from its symbol
    (``^GSPC`` -> XNYS, ``^GDAXI`` -> XETR, ``*.DE`` -> XETR).
    """
    if config.data.calendar != "auto":
        return config.data.calendar
    if isinstance(config.market, BenchmarkSpec):  # built from the securities: their exchange
        tickers, _ = resolve_securities(config)
        return exchange_for_symbol(tickers[0]) if tickers else "XNYS"
    return exchange_for_symbol(cast(str, market_symbol(config)))


def market_symbol(config: StudyConfig) -> str | None:
    """Return the market's Yahoo symbol, or None when it is built from the securities.

    With benchmarks per security (``market:`` with ``default``, ``by_exchange``, ...), the study's
    nominal market: its ``default``, else its first benchmark.
    """
    if isinstance(config.market, BenchmarkSpec):
        return None
    if isinstance(config.market, MarketMap):
        return config.market.symbols()[0]
    return normalize_ticker(config.market)


def benchmark_levels(config: StudyConfig, close: pd.DataFrame,
                     groups: dict[str, list[str]]) -> tuple[pd.Series, str]:
    """Build the levels (first session = 1) of a ``market:`` made of the study's securities.

    Parameters
    ----------
    config : StudyConfig
        With ``market`` a :class:`~eventstudy.config.BenchmarkSpec`.
    close : pandas.DataFrame
        (n_sessions, n_tickers) screened closes of the securities.
    groups : dict
        The study's groups (the universe included as its own group).

    Returns
    -------
    levels : pandas.Series
        The benchmark's level by session, named after it.
    note : str
        What it is built of, for the provenance notes.

    Raises
    ------
    DataUnavailableError
        When no member is left with prices.
    """
    from eventstudy.valuation import cap_weighted_returns, equal_weighted_returns

    bench = cast(BenchmarkSpec, config.market)
    left_out = {t for g in bench.exclude for t in groups.get(g, [])}
    if bench.weighting == "cap":
        table = cast(pd.DataFrame, config_market_values(config))
        table = table.loc[[t for t in table.index if t not in left_out]]
        members = [t for t in table.index if t in close.columns]
        r = cap_weighted_returns(close, table)
        what = f"cap-weighted from the share counts of {len(members)} members"
    else:
        pool = groups.get(config.universe or "", None) or list(close.columns)
        members = [t for t in pool if t not in left_out and t in close.columns]
        r = equal_weighted_returns(close, members)
        what = f"equal-weighted over {len(members)} securities"
    r = r.copy()
    r.iloc[0] = 0.0
    levels = (1.0 + r).cumprod().rename(bench.name)
    if left_out:
        note = (f"market {bench.name}: {what}, without the {len(left_out)} securities of "
                f"{', '.join(bench.exclude)} (a benchmark that does not contain their move)")
    else:
        note = (f"market {bench.name}: {what}, the event's securities included (exclude: "
                "[groups] leaves them out)")
    return levels, note


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
        date_format=config.date_format,
        excel_dates=config.excel_dates,
    )


def _date_range(config: StudyConfig, dates: pd.Series, calendar: str | None = None
                ) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last session the windows need, from the exchange calendar.

    Never a default period.
    """
    lo, hi = pd.Timestamp(dates.min()), pd.Timestamp(dates.max())
    T0 = config.estimation_window[0]
    t2 = span(config.event_windows)[1]
    pad_before = int(abs(min(T0, 0)) * 1.5) + 30
    pad_after = int(abs(max(t2, 0)) * 1.5) + 30
    calendar = calendar or study_calendar(config)
    known = calendar_end(calendar)
    if hi > known:  # sessions after a calendar's data would be clipped or taken as weekdays (C34)
        raise ConfigError(f"event date {hi.date()} is after the last session the {calendar} "
                          f"calendar has data for ({known.date()}); the windows cannot be "
                          "counted in sessions there")
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
        ticker, date = cast(str, ev.ticker), cast(pd.Timestamp, ev.date)
        if ticker not in dividends.columns:
            continue
        pos = int(np.searchsorted(index.values, pd.Timestamp(date).to_datetime64()))
        window = index[max(pos + lo, 0): max(pos + hi + 1, 0)]
        paid = dividends[ticker].reindex(window).fillna(0.0)
        for d in paid.index[paid.to_numpy() > 0]:
            quality.add(ticker, d, "dividend_in_window", "warning",
                        f"ex-dividend date {d.date()} inside event window; raw prices used "
                        f"(event {ev.event_id}, {ticker})")


def _symbol_notes(config: StudyConfig) -> list[str]:
    """One note per ticker the user wrote differently from its Yahoo symbol (C06)."""
    typed = [t for members in config.groups.values() for t in members]
    if isinstance(config.events, list):
        typed += [t for ev in config.events for t in (ev.tickers or [])]
    if isinstance(config.market, str):
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
            "the sessions both traded (market: as a mapping counts each security's own "
            "sessions)" for x, ts in other.items()]


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
    events = study_events(config, tickers)
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
    symbol = market_symbol(config)
    market = symbol if symbol is not None else cast(BenchmarkSpec, config.market).name
    global_ = isinstance(config.market, MarketMap)
    plan = (None if isinstance(config.market, BenchmarkSpec)
            else plan_benchmarks(config, tickers, groups))
    benchmarks = (list(dict.fromkeys([market, *plan.symbols])) if global_ and plan is not None
                  else list(filter(None, [symbol])))
    for b in benchmarks or [market]:
        if b in tickers:
            raise ConfigError(f"market {b} is also listed as a security")
    dates = pd.to_datetime(events["date"], format="mixed")
    start, end = _date_range(config, dates)
    if global_ and plan is not None:  # each exchange's windows: Taipei's day 0 comes later
        spans = [_date_range(config, dates, x) for x in plan.exchanges]
        start, end = min(start, *(a for a, _ in spans)), max(end, *(b for _, b in spans))
    src = source if source is not None else price_source(config)
    calendar = study_calendar(config)
    aliases = _aliases(config, tickers, market)
    data, gone = _fetch(src, tickers, benchmarks, aliases, start - pd.Timedelta(days=7), end,
                        in_events)
    quality = QualityLog()
    close = sanitize_prices(data.close, label=src.name, log=quality)
    close = screen_fillers(close, data.volume, quality)
    if global_ and plan is not None:
        for b in benchmarks:
            if close[b].notna().sum() < 2:
                raise DataUnavailableError(
                    f"no market prices for {b} in {start.date()}..{end.date()}")
        return _global_inputs(config, events, tickers, groups, plan, close, data, src, quality,
                              market, dates)
    if symbol is not None:
        mkt = close[market]
        if mkt.notna().sum() < 2:
            raise DataUnavailableError(
                f"no market prices for {market} in {start.date()}..{end.date()}")
        close = close.loc[mkt.notna()]
    else:
        close = close.dropna(how="all")
    # _date_range adds a spare session for after-close events; only they need it (C10)
    after_close = "time" in events.columns and bool((events["time"] == "after_close").any())
    need = end if after_close else sessions(calendar, start, end)[-2]
    if close.index[-1] < need:
        settled = last_closed_session(calendar)
        raise DataUnavailableError(
            f"event window needs {need.date()} but data ends {close.index[-1].date()} "
            f"({market}, source {src.name})"
            + _unsettled(calendar, need, settled))
    close = screen_prices(
        close,
        splits=data.splits,
        sessions=sessions(calendar, close.index[0], close.index[-1]),
        calendar=calendar,
        log=quality,
        unit_switch=config.data.unit_switch,
    )
    if not data.adjusted and data.dividends is not None:
        _dividends_in_windows(config, events, data.dividends, cast(pd.DatetimeIndex, close.index),
                              quality)
    if config.data.quality_errors == "warn":
        quality.downgrade_errors()
    elif config.data.quality_errors == "skip":
        bad = quality.skip_errors(keep={market}, among=set(in_events) - set(gone))
        gone.update(bad)
        close = close.drop(columns=list(bad))
    quality.raise_errors()
    excluded = tuple((str(ev.event_id), str(ev.ticker), gone[str(ev.ticker)])
                     for ev in events.itertuples() if ev.ticker in gone)
    events = events.loc[~events["ticker"].isin(list(gone))].reset_index(drop=True)
    tickers = [t for t in tickers if t not in gone]
    groups = {g: kept for g, m in groups.items() if (kept := [t for t in m if t not in gone])}
    bench_notes: list[str] = []
    if symbol is None:  # built from the screened closes, never from a spike
        levels, note = benchmark_levels(config, close, groups)
        close = close.assign(**{market: levels}).loc[levels.notna()]
        bench_notes.append(note)
    returns, market_returns = aligned_returns(
        close.drop(columns=[market]), close[market], kind=config.data.returns
    )
    multi = _multi_session_returns(close.drop(columns=[market]), returns)
    returns, market_returns = returns.iloc[1:], market_returns.iloc[1:]
    notes = (
        *([f"calendar {calendar}: the exchange of the market {market} (data.calendar: auto)"]
          if config.data.calendar == "auto" else []),
        *_symbol_notes(config), *_exchange_notes(tickers, calendar), *data.notes, *bench_notes,
        *(f"{label}: prices of {sym} (aliases)" for label, sym in aliases.items()),
        *([f"{multi} returns span more than one session (a missing close before them: the day "
           "without a close has no return, the next return covers both; never a 0% day, C29)"]
          if multi else []),
        *([f"{len(excluded)} of {len(excluded) + len(events)} security-events excluded "
           f"({', '.join(sorted(gone)[:8])}{', ...' if len(gone) > 8 else ''}); results may be "
           "survivorship-biased"] if excluded else []),
        *(warn_non_synchronous(plan, pd.Timestamp(dates.min())) if plan is not None else []),
    )
    provenance = Provenance(
        study=config.study,
        title=config.title or config.study,
        description=config.description or "",
        market=market,
        market_built=symbol is None,
        source=src.name,
        vintage=data.vintage,
        adjusted=bool(data.adjusted),
        returns=config.data.returns,
        calendar=calendar,
        universe=config.universe,
        series=_series_table(data.source, data.vintage, bool(data.adjusted), aliases,
                             config.data.currency, quality),
        quality=quality.frame(),
        notes=notes,
        price_range=(close.index[0].date(), close.index[-1].date()),
        prices=close,  # levels by session, market included: normalised-price chart, data hash
        config_yaml=str(config.to_yaml()),
        base_dir=str(config.base_dir) if config.base_dir is not None else None,
        excluded=excluded,
    )
    for event_id, ticker, reason in excluded[:20]:
        warnings.warn(f"{ticker} (event {event_id}) excluded: {reason}", EventStudyWarning,
                      stacklevel=2)
    if excluded:
        warnings.warn(notes[-1], EventStudyWarning, stacklevel=2)
    for note in data.notes:
        logger.info(note)
    market_history = _own_returns(close[market], config.data.returns)
    if config.claims:
        from eventstudy.claims.history import market_history_range

        lo, hi = market_history_range(config.claims, dates, config.estimation_window,
                                      config.event_windows)
        if symbol is not None:
            longer = load_market_history(src, market, lo, hi, kind=config.data.returns)
        else:  # the benchmark over the claims' history, from its members' closes
            wide = sanitize_prices(src.get_prices(tickers, lo, hi).close, label=src.name)
            longer = _own_returns(benchmark_levels(config, wide.dropna(how="all"), groups)[0],
                                  config.data.returns)
        market_history = longer.combine_first(market_history)
    values = config_market_values(config)
    if values is not None:
        lacking = [t for t in tickers if t not in values.index]
        if lacking:
            more = ", ..." if len(lacking) > 8 else ""
            msg = (f"market values: no share count or cap for {len(lacking)} securities "
                   f"({', '.join(lacking[:8])}{more}); they are left out of the index lens "
                   "(not counted as zero)")
            provenance = provenance.with_notes(msg)
            logger.info(msg)
    context, missing, context_series = load_context(
        src, list(config.context), cast(pd.DatetimeIndex, close.index),
        currency=config.data.currency)
    if missing:
        raise ConfigError(f"context: no prices for {', '.join(missing)} in the source "
                          f"({src.name}) over the study's sessions; check the symbol or drop it")
    provenance = _with_series(provenance, context_series)
    sectors = None
    if config.universe == "sp500":
        from eventstudy import datasets

        sp500 = datasets.sp500_constituents()
        sectors = pd.Series(sp500["sector"].to_numpy(), index=sp500["yahoo"], name="sector")
    factors = config_factors(config)
    provenance = provenance.with_notes(*_factor_notes(factors))
    return StudyInputs(events, returns, market_returns, groups, provenance, market_history,
                       factors=factors, regression=config_regression(config),
                       market_values=values, context=context, sectors=sectors)


def load_context(source: PriceSource, symbols: list[str], sessions_index: pd.DatetimeIndex,
                 *, currency: str | None = None
                 ) -> tuple[pd.DataFrame | None, list[str], pd.DataFrame]:
    """Load the levels of context series (indices, the VIX) on the study's sessions.

    ``^VIX`` comes from the source when it has it, else from the bundled CBOE file
    (:func:`eventstudy.datasets.vix`). Levels are reindexed to ``sessions_index``: a row the
    series has on a day that is not a session of the study (CBOE publishes on some NYSE holidays)
    is dropped, never a session invented.

    Parameters
    ----------
    source : PriceSource
        The study's price source.
    symbols : list of str
        The ``context:`` symbols of the config.
    sessions_index : pandas.DatetimeIndex
        The study's sessions.
    currency : str, optional
        ``data.currency`` of the config, for the provenance rows.

    Returns
    -------
    levels : pandas.DataFrame or None
        (n_sessions, n_series); None without symbols.
    missing : list of str
        Symbols the source could not serve.
    series : pandas.DataFrame
        One provenance row per loaded series (columns of :data:`SERIES_COLUMNS`: the source
        and vintage that served it), for sources.csv: the context moves are numbers of the
        report, so their origin is listed like the securities' and the market's.
    """
    from eventstudy.data.bundled import VIX_SOURCE
    from eventstudy.exceptions import DataError

    if not symbols:
        return None, [], _series_table({}, "n/a", True)
    cols: dict[str, pd.Series] = {}
    rows: list[pd.DataFrame] = []
    missing: list[str] = []
    lo, hi = sessions_index[0], sessions_index[-1]
    for sym in dict.fromkeys(normalize_ticker(s) for s in symbols):
        try:
            data = source.get_prices([sym], lo, hi)
            cols[sym] = data.close[sym]
            rows.append(_series_table({sym: data.source.get(sym, source.name)}, data.vintage,
                                      bool(data.adjusted), currency=currency))
        except (DataError, KeyError):
            if sym == "^VIX":
                from eventstudy import datasets

                cols[sym] = datasets.vix()
                rows.append(_series_table({sym: VIX_SOURCE}, datasets.VINTAGE, True,
                                          currency=currency))
            else:
                missing.append(sym)
    series = pd.concat(rows, ignore_index=True) if rows else _series_table({}, "n/a", True)
    if not cols:
        return None, missing, series
    frame = pd.DataFrame({k: v.reindex(sessions_index) for k, v in cols.items()})
    return frame, missing, series


def _with_series(provenance: Provenance, rows: pd.DataFrame) -> Provenance:
    """Return ``provenance`` with ``rows`` added to its series table (a ticker listed once)."""
    new = rows.loc[~rows["ticker"].isin(provenance.series["ticker"])]
    if new.empty:
        return provenance
    return replace(provenance, series=pd.concat([provenance.series, new], ignore_index=True))


def _multi_session_returns(close: pd.DataFrame, returns: pd.DataFrame) -> int:
    """Count the returns taken over more than one session (the close before them is missing)."""
    gap = spans_sessions(close.notna().to_numpy())
    return int((gap & returns.reindex_like(close).notna().to_numpy()).sum())


def _unsettled(calendar: str, need: pd.Timestamp, settled: pd.Timestamp) -> str:
    """Say why data end before ``need`` when its session has not closed (or not happened) yet."""
    if need <= settled:
        return ""
    today = pd.Timestamp.now(tz=calendar_zone(calendar)).tz_localize(None).normalize()
    if need == today:
        what = "today's session has not closed"
    elif need > today:
        what = f"the {calendar} session of {need.date()} has not happened yet"
    else:
        what = f"the {calendar} session of {need.date()} has not closed"
    return (f": {what}; the last settled session is {settled.date()} (rerun after the close, "
            "or shorten the event window)")


def _aliases(config: StudyConfig, tickers: list[str], market: str) -> dict[str, str]:
    """Return label -> data symbol of ``aliases:`` (canonical symbols), checked.

    Raises
    ------
    ConfigError
        When two labels share a symbol or a symbol is also a security or the market of the study.
    """
    out = {normalize_ticker(k): normalize_ticker(v) for k, v in config.aliases.items()}
    seen: dict[str, str] = {}
    for label, symbol in out.items():
        if symbol in seen:
            raise ConfigError(f"aliases: {seen[symbol]} and {label} both map to {symbol}")
        seen[symbol] = label
        if symbol == market or (symbol in tickers and symbol not in out):
            raise ConfigError(f"aliases: {label} maps to {symbol}, which is also "
                              f"{'the market' if symbol == market else 'a security'} of the "
                              "study; use one name for it")
    return {k: v for k, v in out.items() if k != v}


def _fetch(src: PriceSource, tickers: list[str], markets: list[str], aliases: dict[str, str],
           start: pd.Timestamp, end: pd.Timestamp, in_events: set[str],
           ) -> tuple[PriceData, dict[str, str]]:
    """Fetch prices under the labels of the study; securities with no data are left out (C46).

    ``markets`` are the benchmark symbols (none for a benchmark built from the securities).

    Returns
    -------
    data : PriceData
        Columns named by label (``aliases`` resolved back).
    gone : dict of str to str
        Label -> why it has no prices ("no price data: delisted or merged? ...").

    Raises
    ------
    DataUnavailableError
        When the market or every security of an event has no data; the message adds a hint for
        renamed symbols (FB is META since 2022; set ``aliases: {FB: META}``).
    """
    from eventstudy.datasets import rename_hint

    back = {v: k for k, v in aliases.items()}
    gone: dict[str, str] = {}
    labels = list(tickers)
    while True:
        symbols = [aliases.get(t, t) for t in [*labels, *markets]]
        try:
            data = src.get_prices(symbols, start, end)
            break
        except DataUnavailableError as exc:
            missing = [back.get(t, t) for t in exc.missing]
            hint = rename_hint(missing)
            left = [t for t in labels if t not in missing]
            if (not exc.delisted or not missing or set(markets) & set(exc.missing)
                    or not set(left) & in_events):
                raise DataUnavailableError(f"{exc}{hint}", missing=exc.missing) from None
            for t in missing:
                gone[t] = (f"no price data for {t}"
                           + (f" (symbol {aliases[t]})" if t in aliases else "")
                           + f": delisted or merged?{rename_hint([t])}")
            labels = left
    if aliases:
        data = PriceData(
            close=data.close.rename(columns=back), adjusted=data.adjusted,
            source={back.get(t, t): v for t, v in data.source.items()}, vintage=data.vintage,
            notes=data.notes,
            splits=data.splits.rename(columns=back) if data.splits is not None else None,
            dividends=(data.dividends.rename(columns=back) if data.dividends is not None
                       else None),
            volume=data.volume.rename(columns=back) if data.volume is not None else None)
    return data, gone


def _series_table(sources: dict[str, str], vintage: str, adjusted: bool,
                  aliases: dict[str, str] | None = None, currency: str | None = None,
                  quality: QualityLog | None = None) -> pd.DataFrame:
    """One row per price series: ticker, source, vintage, adjusted, symbol, currency, unit.

    The currency is ``data.currency`` when given, else the one Yahoo quotes the symbol's
    exchange in (marked ``from the symbol``); a series rescaled for a unit switch says so.

    The vintage is the bundle's build vintage, or the fetch date of a download; read where the
    data were loaded, never parsed from reports.
    """
    from eventstudy import datasets

    rows = []
    rescaled = {r[0]: str(pd.Timestamp(cast(pd.Timestamp, r[1])).date())
                for r in (quality.rows if quality else []) if r[2] == "unit_switch_rescaled"}
    for ticker, source in dict(sources or {}).items():
        fetched = re.search(r"fetched (\d{4}-\d{2}-\d{2})", str(source))
        v = (datasets.VINTAGE if str(source).startswith("bundled")
             else fetched.group(1) if fetched else str(vintage))
        symbol = (aliases or {}).get(ticker, ticker)
        cur, unit = currency_and_unit(symbol, currency)
        if ticker in rescaled:
            unit += f" (rescaled before {rescaled[ticker]})"
        rows.append((ticker, str(source), v, adjusted, symbol, cur, unit))
    return pd.DataFrame(rows, columns=list(SERIES_COLUMNS))


def _global_inputs(
    config: StudyConfig, events: pd.DataFrame, tickers: list[str], groups: dict[str, list[str]],
    plan: BenchmarkPlan, close: pd.DataFrame, data: Any, src: PriceSource, quality: QualityLog,
    market: str, dates: pd.Series,
) -> StudyInputs:
    """Return the inputs of a study whose ``market:`` is a mapping (each on its own exchange).

    Each exchange's columns (its securities and benchmarks) are screened against its own calendar;
    returns come from :func:`eventstudy.markets.own_session_panel`; a benchmark with no price on a
    security's day 0 is an error naming both.
    """
    on: dict[str, list[str]] = {}
    for t in tickers:
        on.setdefault(plan.exchange[t], []).append(t)
    for b in plan.symbols:
        on.setdefault(exchange_for_symbol(b), []).append(b)
    for x, cols in on.items():
        cols = list(dict.fromkeys(cols))
        sub = close[cols].dropna(how="all")
        if len(sub) < 2:
            continue
        screened = screen_prices(sub, splits=data.splits.reindex(columns=cols)
                                 if data.splits is not None else None,
                                 sessions=sessions(x, sub.index[0], sub.index[-1]), calendar=x,
                                 log=quality)
        close.loc[sub.index, cols] = screened.to_numpy()
    if not data.adjusted and data.dividends is not None:
        _dividends_in_windows(config, events, data.dividends, cast(pd.DatetimeIndex, close.index),
                              quality)
    if config.data.quality_errors == "warn":
        quality.downgrade_errors()
    quality.raise_errors()
    returns, market_returns, own = own_session_panel(close[[*tickers, *plan.symbols]], plan,
                                                     kind=config.data.returns)
    check_day0_benchmarks(events, close, own, plan, config.data.non_trading_day)
    calendar = exchange_for_symbol(market)
    notes = (
        f"each security on its own exchange (market: mapping): tau counts its own sessions "
        f"({', '.join(plan.exchanges)}); the rows are the dates any of them traded",
        *plan.notes(), *_symbol_notes(config), *data.notes,
        *warn_non_synchronous(plan, pd.Timestamp(dates.min())),
    )
    kept = close.dropna(how="all")
    provenance = Provenance(
        study=config.study, title=config.title or config.study,
        description=config.description or "", market=market,
        benchmarks=tuple(dict.fromkeys(plan.benchmark.values())), source=src.name,
        vintage=data.vintage, adjusted=bool(data.adjusted), returns=config.data.returns,
        calendar=calendar, universe=config.universe,
        series=_series_table(data.source, data.vintage, bool(data.adjusted)),
        quality=quality.frame(), notes=notes,
        price_range=(kept.index[0].date(), kept.index[-1].date()),
        prices=close.reindex(returns.index),
        config_yaml=str(config.to_yaml()),
        base_dir=str(config.base_dir) if config.base_dir is not None else None,
    )
    for note in notes:
        logger.info(note)
    market_history = _own_returns(close[market].dropna(), config.data.returns)
    if config.claims:
        from eventstudy.claims.history import market_history_range

        lo, hi = market_history_range(config.claims, dates, config.estimation_window,
                                      config.event_windows)
        longer = load_market_history(src, market, lo, hi, kind=config.data.returns)
        market_history = longer.combine_first(market_history)
    context, missing, context_series = load_context(
        src, list(config.context), cast(pd.DatetimeIndex, returns.index))
    if missing:
        raise ConfigError(f"context: no prices for {', '.join(missing)} in the source "
                          f"({src.name}) over the study's sessions; check the symbol or drop it")
    provenance = _with_series(provenance, context_series)
    return StudyInputs(events, returns, market_returns, groups, provenance, market_history,
                       factors=config_factors(config), regression=config_regression(config),
                       market_values=config_market_values(config), context=context,
                       sessions=own, exchanges=dict(plan.exchange))
