"""Studies across exchanges: each security's exchange, benchmark, sessions and returns.

``market:`` in a study file names one index for every security, or a mapping (a default plus
benchmarks ``by_exchange``, ``by_group`` and ``by_ticker``). With a mapping, every security is
studied on its own exchange: its returns are aligned with its own benchmark on its exchange's
sessions, day 0 anchors on its exchange's session and tau counts its own sessions
(:class:`eventstudy.eventtime.OwnSessions`). This module resolves the plan from a config and builds
the return panel; :func:`eventstudy.inputs.load_study_inputs` calls it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.config import MarketMap, StudyConfig
from eventstudy.data.calendar import (
    INDEX_EXCHANGES,
    SUFFIX_EXCHANGES,
    _calendar,
    exchange_for_symbol,
    sessions,
)
from eventstudy.data.symbols import normalize_ticker
from eventstudy.eventtime import OwnSessions
from eventstudy.exceptions import ConfigError, DataUnavailableError, NonSynchronousWarning
from eventstudy.returns import aligned_returns

__all__ = [
    "BenchmarkPlan", "security_exchange", "plan_benchmarks", "own_session_panel",
    "check_day0_benchmarks", "trading_hours_overlap", "warn_non_synchronous",
]


def security_exchange(ticker: str, overrides: Mapping[str, str] | None = None) -> str | None:
    """Return a security's exchange calendar, or None when its symbol does not tell.

    ``overrides`` (the config's ``exchanges:``) wins; then a known Yahoo suffix (``.T`` XTKS,
    ``.DE`` XETR, ``.PA`` XPAR, ``.TW`` XTAI, ...); an index by name (``^N225`` XTKS); a symbol
    without a suffix is a US listing (XNYS). An unknown suffix (``FOO.XY``) gives None.
    """
    t = normalize_ticker(ticker)
    over = {normalize_ticker(k): v for k, v in dict(overrides or {}).items()}
    if t in over:
        return over[t]
    if t in INDEX_EXCHANGES:
        return INDEX_EXCHANGES[t]
    if "." in t and not t.startswith("^"):
        return SUFFIX_EXCHANGES.get(t.rsplit(".", 1)[1])
    return "XNYS"


@dataclass(frozen=True)
class BenchmarkPlan:
    """Each security's exchange and benchmark, and how the benchmark was chosen.

    Attributes
    ----------
    exchange : dict of str to str
        Ticker -> exchange calendar code its sessions are counted on.
    benchmark : dict of str to str
        Ticker -> benchmark symbol.
    rule : dict of str to str
        Ticker -> which entry chose the benchmark (``by_ticker``, ``by_group sp``,
        ``by_exchange XTKS``, ``default``).
    """

    exchange: dict[str, str]
    benchmark: dict[str, str]
    rule: dict[str, str]

    @property
    def symbols(self) -> list[str]:
        """The benchmarks, in order of first use."""
        return list(dict.fromkeys(self.benchmark.values()))

    @property
    def exchanges(self) -> list[str]:
        """The securities' exchanges, in order of first use."""
        return list(dict.fromkeys(self.exchange.values()))

    def notes(self) -> list[str]:
        """One provenance note per (exchange, benchmark) pair."""
        pairs: dict[tuple[str, str], list[str]] = {}
        for t, x in self.exchange.items():
            pairs.setdefault((x, self.benchmark[t]), []).append(t)
        return [f"{len(ts)} on {x} against {b} ({', '.join(ts[:6])}"
                f"{', ...' if len(ts) > 6 else ''}): tau counts {x} sessions; abnormal returns "
                "in the security's own currency against its own benchmark (no FX conversion)"
                for (x, b), ts in pairs.items()]


def plan_benchmarks(config: StudyConfig, tickers: Sequence[str],
                    groups: Mapping[str, Sequence[str]]) -> BenchmarkPlan:
    """Resolve each security's exchange and benchmark from ``market:`` and ``exchanges:``.

    The most specific entry wins: ``by_ticker``, ``by_group`` (the first group listing the
    security), ``by_exchange``, ``default``. A plain ``market:`` is every security's benchmark.

    Raises
    ------
    ConfigError
        When a security's exchange cannot be told from its symbol, ``exchanges:`` does not give it
        and no ``by_ticker`` or ``by_group`` entry covers it; or when no entry gives a security a
        benchmark (naming the ticker and its exchange).
    """
    spec = config.market
    overrides = dict(config.exchanges)
    exchange: dict[str, str] = {}
    benchmark: dict[str, str] = {}
    rule: dict[str, str] = {}
    for t in tickers:
        x = security_exchange(t, overrides)
        bench, how = None, ""
        if isinstance(spec, MarketMap):
            by_ticker = {normalize_ticker(k): v for k, v in spec.by_ticker.items()}
            if t in by_ticker:
                bench, how = by_ticker[t], "by_ticker"
            if bench is None:
                for g, b in spec.by_group.items():
                    if t in groups.get(g, ()):
                        bench, how = b, f"by_group {g}"
                        break
            if bench is None and x is not None and x in spec.by_exchange:
                bench, how = spec.by_exchange[x], f"by_exchange {x}"
            if bench is None and spec.default is not None and x is not None:
                bench, how = spec.default, "default"
        elif x is not None and isinstance(spec, str):
            bench, how = spec, "market"
        if x is None and bench is None:
            raise ConfigError(
                f"{t}: its exchange cannot be told from the symbol (suffix "
                f".{t.rsplit('.', 1)[-1]}) and no market mapping covers it; give it in "
                f"exchanges: {{{t}: XNYS}} (an exchange_calendars code) or a benchmark in "
                f"market: by_ticker: {{{t}: ...}}")
        if bench is None:
            have = sorted(spec.by_exchange) if isinstance(spec, MarketMap) else []
            raise ConfigError(
                f"{t} trades on {x}, but market: gives no benchmark for it (by_exchange has "
                f"{have or 'no entry'}, no default): add by_exchange: {{{x}: <its index>}}")
        b = normalize_ticker(bench)
        if x is None:  # covered by name: counted on its benchmark's exchange
            x = exchange_for_symbol(b)
            how += f" (exchange {x}: its benchmark's)"
        exchange[t], benchmark[t], rule[t] = x, b, how
    return BenchmarkPlan(exchange, benchmark, rule)


def own_session_panel(
    close: pd.DataFrame, plan: BenchmarkPlan, kind: str = "simple",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return each security's returns, its benchmark's returns and its own-session mask.

    The rows are the dates on which any of the exchanges had a session (from exchange_calendars)
    between the first and last price. For each security, prices of it and its benchmark are taken
    on its own exchange's sessions only, and returns run between consecutive sessions on which both
    have a price (:func:`eventstudy.returns.aligned_returns`): a session where either lacks a price
    gives no return (NaN), never a 0%.

    Parameters
    ----------
    close : pandas.DataFrame
        Closes of the securities and the benchmarks by date.
    plan : BenchmarkPlan
    kind : {'simple', 'log'}

    Returns
    -------
    returns, market, sessions : pandas.DataFrame
        (n_rows, n_securities): decimal returns, the benchmark return paired with each, and True
        where the row is a session of the security's exchange. The first row is dropped (no
        return).
    """
    tickers = list(plan.exchange)
    lo, hi = close.index[0], close.index[-1]
    own = {x: sessions(x, lo, hi) for x in plan.exchanges}
    rows = pd.DatetimeIndex(sorted(set().union(*own.values())), name="date")
    rets = pd.DataFrame(np.nan, index=rows, columns=tickers)
    mkt = pd.DataFrame(np.nan, index=rows, columns=tickers)
    mask = pd.DataFrame(False, index=rows, columns=tickers)
    pairs: dict[tuple[str, str], list[str]] = {}
    for t in tickers:
        pairs.setdefault((plan.exchange[t], plan.benchmark[t]), []).append(t)
    for (x, b), ts in pairs.items():
        sub = close.reindex(own[x])
        r, m = aligned_returns(sub[ts], sub[b], kind=kind)  # type: ignore[arg-type]
        rets.loc[own[x], ts] = r.to_numpy()
        mkt.loc[own[x], ts] = m.to_numpy()
        mask.loc[own[x], ts] = True
    return rets.iloc[1:], mkt.iloc[1:], mask.iloc[1:]


def check_day0_benchmarks(
    events: pd.DataFrame, close: pd.DataFrame, mask: pd.DataFrame, plan: BenchmarkPlan,
    policy: str,
) -> None:
    """Raise when a security's benchmark has no price on the security's day 0.

    Day 0 anchors as in the study (:meth:`OwnSessions.anchor`), on the security's exchange.

    Raises
    ------
    DataUnavailableError
        Naming the event, the security, its benchmark and the date.
    """
    ev = events[events["ticker"].isin(mask.columns)].reset_index(drop=True)
    if ev.empty:
        return
    index = pd.DatetimeIndex(mask.index)
    own = OwnSessions.from_mask(mask, [plan.exchange[t] for t in mask.columns])
    col = mask.columns.get_indexer(pd.Index(ev["ticker"])).astype(np.int64)
    labels = (ev["event_id"].astype(str) + ":" + ev["ticker"]).tolist()
    after = (ev["time"] == "after_close").to_numpy() if "time" in ev else np.zeros(len(ev), bool)
    k0 = own.anchor(pd.DatetimeIndex(ev["date"]), index, col, policy, after, labels)
    day0 = index[own.rows[col, k0]]
    for i, (t, d) in enumerate(zip(ev["ticker"], day0, strict=True)):
        b = plan.benchmark[t]
        level = close[b].get(d, np.nan) if b in close.columns else np.nan
        if not np.isfinite(level):
            have = close[b].dropna().index if b in close.columns else pd.DatetimeIndex([])
            span = (f"its prices cover {have[0].date()}..{have[-1].date()}" if len(have)
                    else "it has no prices")
            raise DataUnavailableError(
                f"event {labels[i]}: benchmark {b} has no price on {d.date()}, day 0 of {t} on "
                f"{plan.exchange[t]} ({span}); pick another benchmark for {t} (market: by_ticker)")


def trading_hours_overlap(a: str, b: str, near: pd.Timestamp) -> tuple[float, str, str]:
    """Return the hours two exchanges' regular sessions overlap, on a session both hold.

    Parameters
    ----------
    a, b : str
        exchange_calendars codes.
    near : pandas.Timestamp
        The first session both hold on or after this date is compared (their hours change with
        daylight saving time).

    Returns
    -------
    hours : float
        Overlap in hours (0 when none).
    hours_a, hours_b : str
        Each exchange's open-close in UTC ('00:00-06:30 UTC').
    """
    ca, cb = _calendar(a, near), _calendar(b, near)
    both = sessions(a, near, near + pd.Timedelta(days=30)).intersection(
        sessions(b, near, near + pd.Timedelta(days=30)))
    day = both[0] if len(both) else pd.Timestamp(near).normalize()
    oa, xa = ca.session_open(day), ca.session_close(day)
    ob, xb = cb.session_open(day), cb.session_close(day)
    hours = max((min(xa, xb) - max(oa, ob)).total_seconds() / 3600.0, 0.0)

    def fmt(o: pd.Timestamp, c: pd.Timestamp) -> str:
        return f"{o.tz_convert('UTC'):%H:%M}-{c.tz_convert('UTC'):%H:%M} UTC"

    return hours, fmt(oa, xa), fmt(ob, xb)


def warn_non_synchronous(plan: BenchmarkPlan, near: pd.Timestamp) -> list[str]:
    """Warn, once per (exchange, benchmark), when a security and its benchmark never trade together.

    Non-synchronous closes bias the market-model beta towards zero and push the measured reaction
    to the next session.

    Returns
    -------
    list of str
        The messages (also issued as :class:`~eventstudy.exceptions.NonSynchronousWarning`).
    """
    pairs: dict[tuple[str, str], list[str]] = {}
    for t, x in plan.exchange.items():
        pairs.setdefault((x, plan.benchmark[t]), []).append(t)
    out = []
    for (x, b), ts in pairs.items():
        xb = exchange_for_symbol(b)
        if xb == x:
            continue
        hours, ha, hb = trading_hours_overlap(x, xb, pd.Timestamp(near))
        if hours > 0:
            continue
        msg = (f"{', '.join(ts[:5])}{', ...' if len(ts) > 5 else ''} ({x}, {ha}) and benchmark "
               f"{b} ({xb}, {hb}) have no overlapping trading hours: their closes are "
               "non-synchronous, which biases beta towards zero and moves the reaction to the next "
               f"session; use the home index (market: by_exchange: {{{x}: ...}}) or model: dimson")
        warnings.warn(msg, NonSynchronousWarning, stacklevel=3)
        out.append(msg)
    return out
