"""What every claim test reads from a fitted study.

The event's day 0, groups, CARs, market history.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from eventstudy.claims.spec import ClaimSpec
from eventstudy.data.symbols import normalize_ticker
from eventstudy.exceptions import ConfigError, DataUnavailableError
from eventstudy.results import EventStudyResults

__all__ = ["ClaimContext", "pct"]


def pct(x: float, digits: int = 2) -> str:
    """Format a decimal as a signed percentage, e.g. -0.0146 -> '-1.46%'."""
    return "n/a" if not np.isfinite(x) else f"{x * 100:+.{digits}f}%"


ALL_SECURITIES = "all securities"
"""Label of the default universe of a claim test: every security of the event."""


def compound(r: np.ndarray, kind: str) -> float:
    """Return the compounded return of daily returns ``r`` (decimal; log returns add up)."""
    return float(np.sum(r)) if kind == "log" else float(np.prod(1.0 + r) - 1.0)


class ClaimContext:
    """A claim bound to a fitted study.

    Parameters
    ----------
    results : EventStudyResults
    claim : ClaimSpec
    index : int
        Position of the claim in the study's list (used in messages: ``claims[1]``).
    market_history : pandas.Series, optional
        The market's own daily returns by session date (market-based tests).
    base_dir : str, optional
        Folder that a relative ``market_caps`` file resolves against.

    Raises
    ------
    ConfigError
        When the claim's event is not in the results.
    """

    def __init__(self, results: EventStudyResults, claim: ClaimSpec, index: int = 0, *,
                 market_history: pd.Series | None = None, base_dir: str | None = None) -> None:
        self.results = results
        self.history = market_history
        self.base_dir = Path(base_dir) if base_dir is not None else None
        self.claim = claim
        self.where = f"claims[{index}] ({claim.id})"
        events = results.events
        ids = list(dict.fromkeys(events["event_id"]))
        event_id = claim.event if claim.event is not None else (ids[0] if len(ids) == 1 else None)
        if event_id is None:
            raise ConfigError(f"{self.where}: the study has {len(ids)} events; set event: to one "
                              f"of {ids[:10]}")
        if event_id not in ids:
            raise ConfigError(f"{self.where}: event {event_id!r} has no fitted security; events: "
                              f"{ids[:10]}")
        self.event_id: str = event_id
        rows = events[events["event_id"] == event_id]
        self.day0 = pd.Timestamp(rows["day0"].iloc[0])
        if claim.date is not None and pd.Timestamp(claim.date) < pd.Timestamp(rows["date"].min()):
            raise ConfigError(f"{self.where}: the claim is dated {claim.date}, before its event "
                              f"{event_id} ({pd.Timestamp(rows['date'].min()).date()}): a claim "
                              "about an event is made on or after it")
        self.tickers: list[str] = rows["ticker"].tolist()
        self.sign = -1.0 if claim.direction == "down" else 1.0
        self.fall = "fall" if claim.direction == "down" else "rise"
        hist_name = getattr(market_history, "name", None)
        prov_market = results.provenance.market
        self.market_name = str((prov_market if prov_market != "market" else None) or hist_name
                               or "the market")

    # ------------------------------------------------------------------ securities
    def group_tickers(self, names: list[str]) -> list[str]:
        """Union of the tickers of the named groups, in order."""
        groups = self.results.spec.groups
        unknown = [g for g in names if g not in groups]
        if unknown:
            raise ConfigError(f"{self.where}: unknown group(s) {unknown}; groups: {list(groups)}")
        return list(dict.fromkeys(t for g in names for t in groups[g]))

    def universe(self, name: str | None) -> tuple[str, list[str]]:
        """Return (label, tickers) of the universe a test compares against.

        The named group, else the study's universe group (``universe:`` in the config), else every
        security of the event.
        """
        if name is None:
            default = self.results.spec.universe
            if default and default in self.results.spec.groups:
                name = str(default)
        if name is None:
            return ALL_SECURITIES, list(self.tickers)
        return name, self.group_tickers([name])

    def market_caps(self, caps: dict[str, float] | Path | None) -> pd.Series | None:
        """Return market capitalisations by canonical ticker, or None when none were given.

        Raises
        ------
        ConfigError
            When the CSV file is missing, unreadable or lacks the columns ticker and market_cap, or
            a cap is not a positive number; the message names the file.
        """
        if caps is None:
            return None
        if isinstance(caps, dict):
            table = pd.Series(caps, dtype="float64")
        else:
            base = self.base_dir
            path = caps if caps.is_absolute() or base is None else base / caps
            try:
                frame = pd.read_csv(path)
            except (OSError, ValueError) as exc:
                raise ConfigError(
                    f"{self.where}: market_caps {path}: cannot read ({exc})"
                ) from None
            if not {"ticker", "market_cap"} <= set(frame.columns):
                raise ConfigError(f"{self.where}: market_caps {path}: need columns "
                                  f"ticker,market_cap (got {list(frame.columns)})")
            table = pd.Series(pd.to_numeric(frame["market_cap"], errors="coerce").to_numpy(),
                              index=frame["ticker"].astype(str), dtype="float64")
        bad = table[~(table > 0)]
        if len(bad):
            raise ConfigError(f"{self.where}: market_caps: {bad.index[0]} has no positive cap "
                              f"({bad.iloc[0]!r})")
        table.index = [normalize_ticker(t) for t in table.index]
        return table[~table.index.duplicated(keep="last")]

    def car(self, window: tuple[int, int]) -> pd.Series:
        """CAR[t1, t2] of the claim's event by ticker (NaN when an AR is missing)."""
        car = self.results.car_window(int(window[0]), int(window[1]))
        return car.xs(self.event_id, level="event_id")

    # ------------------------------------------------------------------ market history
    @cached_property
    def market(self) -> pd.Series:
        """Daily market returns (decimals) by session date.

        They cover the lookback and named dates.
        """
        hist = self.history
        if hist is None:
            raise DataUnavailableError(
                f"{self.where}: market_wide, comparison and persistence (measure: market) need the "
                "market's own returns: pass market as a Series or market_history= to EventStudy"
            )
        return hist.dropna()

    @cached_property
    def pos0(self) -> int:
        """Position of day 0 in :attr:`market`."""
        idx = self.market.index
        if self.day0 not in idx:
            raise DataUnavailableError(
                f"{self.where}: no {self.market_name} return on day 0 ({self.day0.date()})"
            )
        return int(cast(int, idx.get_loc(self.day0)))  # a unique index: one position

    def market_return(self, t1: int, t2: int) -> float:
        """Return the market's move over [t1, t2] around day 0, compounded (decimal).

        From the close of t1 - 1 to the close of t2: prod(1 + r) - 1 of simple returns, the sum of
        log returns, as :meth:`EventStudyResults.index_contributions` reports the index's move.
        """
        lo, hi = self.pos0 + t1, self.pos0 + t2
        if lo < 0 or hi >= len(self.market):
            m = self.market.index
            raise DataUnavailableError(
                f"{self.where}: {self.market_name} returns over [{t1}, {t2}] around "
                f"{self.day0.date()} are outside the data ({m[0].date()}..{m[-1].date()})"
            )
        return compound(self.market.iloc[lo:hi + 1].to_numpy(dtype="float64"), self.kind)

    @property
    def kind(self) -> str:
        """``simple`` or ``log``: how the market's returns compound."""
        return str(self.results.provenance.returns)

    @cached_property
    def market_sd(self) -> tuple[float, int]:
        """Return the standard deviation (n - 1) of daily market returns and their number.

        Over the study's estimation window around day 0.
        """
        T0, T1 = self.results.estimation_window
        lo, hi = max(self.pos0 + T0, 0), self.pos0 + T1
        x = self.market.iloc[lo:hi + 1].to_numpy()
        x = x[np.isfinite(x)]
        return (float(np.std(x, ddof=1)) if len(x) > 1 else float("nan")), int(len(x))

    def session_returns(self, window: tuple[int, int]) -> pd.DataFrame:
        """Raw security returns of the event's tickers over [t1, t2] relative to day 0.

        Rows: tau.
        """
        R = self.results.returns
        p0 = int(cast(int, R.index.get_loc(self.day0)))  # a unique index: one position
        lo, hi = max(p0 + window[0], 0), p0 + window[1]
        cols = [t for t in self.tickers if t in R.columns]
        out = R.iloc[lo:hi + 1][cols]
        return out.set_axis(np.arange(lo - p0, lo - p0 + len(out)), axis=0)
