"""From a study config to the inputs of ``EventStudy``: securities, events, prices and returns."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.config import StudyConfig
from eventstudy.data import PriceSource, get_source, sanitize_prices
from eventstudy.data.calendar import sessions
from eventstudy.data.symbols import normalize_ticker, normalize_tickers
from eventstudy.exceptions import ConfigError, DataUnavailableError, EventStudyWarning
from eventstudy.returns import aligned_returns
from eventstudy.windows import span

logger = logging.getLogger(__name__)

__all__ = ["StudyInputs", "load_study_inputs", "read_events_csv", "resolve_securities"]


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
    """

    events: pd.DataFrame
    returns: pd.DataFrame
    market: pd.DataFrame
    groups: dict[str, list[str]]
    metadata: dict[str, Any]


def read_events_csv(path: Any) -> pd.DataFrame:
    """Read an events file with columns event_id, ticker, date[, label].

    Raises
    ------
    ConfigError
        When the file is missing, unreadable or lacks a column; the message names the file.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such events file") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read events CSV ({exc})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("event_id", "ticker", "date") if c not in frame.columns]
    if missing:
        raise ConfigError(f"{path}: events CSV lacks column(s) {missing}; need event_id,ticker,date")
    if frame.empty:
        raise ConfigError(f"{path}: events CSV has no rows")
    bad = pd.to_datetime(frame["date"], errors="coerce", format="mixed").isna()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ConfigError(f"{path}: row {i + 2}: bad date {frame['date'].iat[i]!r}")
    return frame


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
        frame["ticker"] = [normalize_ticker(t) for t in frame["ticker"]]
        if "label" not in frame.columns:
            frame["label"] = ""
        return frame[["event_id", "ticker", "date", "label"]]
    rows = []
    for ev in config.events:  # type: ignore[union-attr]
        members = normalize_tickers(ev.tickers) if ev.tickers is not None else tickers
        rows += [(ev.id, t, pd.Timestamp(ev.date), ev.label) for t in members]
    return pd.DataFrame(rows, columns=["event_id", "ticker", "date", "label"])


def _date_range(config: StudyConfig, dates: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last session the windows need, from the exchange calendar (never a default period)."""
    lo, hi = pd.Timestamp(dates.min()), pd.Timestamp(dates.max())
    T0 = config.estimation_window[0]
    t2 = span(config.event_windows)[1]
    pad_before = int(abs(min(T0, 0)) * 1.5) + 30
    pad_after = int(abs(max(t2, 0)) * 1.5) + 30
    cal = sessions(config.data.calendar, lo - pd.Timedelta(days=pad_before),
                   hi + pd.Timedelta(days=pad_after))
    if cal.empty:
        raise ConfigError(f"no {config.data.calendar} sessions around {lo.date()}..{hi.date()}")
    first = int(np.searchsorted(cal.values, lo.to_datetime64())) + min(T0, 0) - 1
    last = int(np.searchsorted(cal.values, hi.to_datetime64())) + max(t2, 0)
    return cal[max(first, 0)], cal[min(last, len(cal) - 1)]


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
    market = normalize_ticker(config.market)
    if market in tickers:
        raise ConfigError(f"market {market} is also listed as a security")
    dates = pd.to_datetime(events["date"], format="mixed")
    start, end = _date_range(config, dates)
    src = source if source is not None else get_source(config.data.source)
    data = src.get_prices([*tickers, market], start - pd.Timedelta(days=7), end)
    close = sanitize_prices(data.close, label=src.name)
    mkt = close[market]
    if mkt.notna().sum() < 2:
        raise DataUnavailableError(f"no market prices for {market} in {start.date()}..{end.date()}")
    close = close.loc[mkt.notna()]
    off = close.index.difference(sessions(config.data.calendar, close.index[0], close.index[-1]))
    if len(off):
        warnings.warn(
            f"{len(off)} price dates are not {config.data.calendar} sessions "
            f"(e.g. {off[0].date()}): check the calendar or the time zone of the data",
            EventStudyWarning,
            stacklevel=2,
        )
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
        "notes": list(data.notes),
        "universe": config.universe,
        "config": config,
        "price_range": (close.index[0].date(), close.index[-1].date()),
    }
    for note in data.notes:
        logger.info(note)
    return StudyInputs(events, returns, market_returns, groups, metadata)
