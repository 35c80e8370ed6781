"""Reactions beyond returns for a fitted study: abnormal volume and abnormal volatility by group.

A study's YAML may ask for them (``abnormal_volume: true``, ``abnormal_volatility: market``); the
notebook calls :func:`volume_table` and :func:`volatility_table` on its results. Both run the
estimators of :mod:`eventstudy.volume` and :mod:`eventstudy.volatility` once per group on that
group's security-events, with the study's estimation and event windows and conventions, so the
numbers are those of the library functions, never a second implementation.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy.exceptions import (
    DataUnavailableError,
    EstimationError,
    EventStudyWarning,
    SpecificationError,
)
from eventstudy.results import EventStudyResults

__all__ = ["volume_table", "volatility_table", "REACTION_COLUMNS"]

REACTION_COLUMNS = ["group", "tau_start", "tau_end", "n", "n_group", "measure", "value", "test",
                    "statistic", "p_value", "event_id"]
"""Columns of the frames :func:`volume_table` and :func:`volatility_table` return: ``n`` the
security-events measured (those with data), ``n_group`` the group's fitted security-events."""


def _group_events(res: EventStudyResults, have: Sequence[str]) -> dict[str, pd.DataFrame]:
    ev = res.events
    out: dict[str, pd.DataFrame] = {}
    for g in res.groups:
        members = set(res.group_members(g)) & set(have)
        sub = ev.loc[ev["ticker"].isin(members), ["event_id", "ticker", "date"]]
        if len(sub):
            out[g] = sub.reset_index(drop=True)
    return out


def _per_group(res: EventStudyResults, groups: dict[str, pd.DataFrame], what: str,
               estimate: Callable[[pd.DataFrame], Any], table: str, value_col: str,
               measure: str) -> pd.DataFrame:
    """Run ``estimate`` on each group's security-events and stack its tests as rows.

    A group the estimator cannot fit is skipped with a warning naming it (never a silent row).
    """
    rows: list[dict[str, object]] = []
    for g, ev in groups.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", EventStudyWarning)
                out = estimate(ev)
        except (EstimationError, DataUnavailableError) as exc:
            warnings.warn(f"{what}: group {g} skipped ({exc})", EventStudyWarning, stacklevel=3)
            continue
        rows += _rows(g, _n_group(res, g), out.tests, getattr(out, table), value_col, measure,
                      list(ev["event_id"]))
    return pd.DataFrame(rows, columns=REACTION_COLUMNS)


def _n_group(res: EventStudyResults, group: str) -> int:
    return int(res.events["ticker"].isin(res.group_members(group)).sum())


def _rows(group: str, n_group: int, tests: pd.DataFrame, values: pd.DataFrame, value_col: str,
          measure: str, event_ids: Sequence[str]) -> list[dict[str, object]]:
    rows = []
    means: dict[tuple[int, int], float] = {}  # per window: each test row of it shares the mean
    for t in tests.to_dict("records"):
        w = (int(t["tau_start"]), int(t["tau_end"]))
        if w not in means:
            sel = values[(values["tau_start"] == w[0]) & (values["tau_end"] == w[1])]
            means[w] = float(sel[value_col].mean())
        rows.append({"group": group, "tau_start": w[0], "tau_end": w[1], "n": int(t["n"]),
                     "n_group": n_group,
                     "measure": measure, "value": means[w],
                     "test": t["test"], "statistic": float(t["statistic"]),
                     "p_value": float(t["p_value"]),
                     "event_id": event_ids[0] if len(set(event_ids)) == 1 else "pooled"})
    return rows


def volume_table(res: EventStudyResults, volume: pd.DataFrame | None = None,
                 market_volume: pd.Series | str | None = "SPY",
                 tests: Sequence[str] = ("t", "bmp", "kolari_pynnonen", "corrado_rank"),
                 ) -> pd.DataFrame:
    """Cumulative abnormal volume (CAAV) per group and event window, with its tests.

    Abnormal log volume against a market model of log volume (Ajinkya and Jain 1989; Campbell and
    Wasley 1996), estimated per security-event by :func:`eventstudy.volume.abnormal_volume`.

    Parameters
    ----------
    res : EventStudyResults
        A fitted study; its security-events, windows and conventions are used.
    volume : pandas.DataFrame, optional
        (n_sessions, n_securities) daily share volume by session. Default: the bundled volume
        (:func:`eventstudy.datasets.load_volume`) of the study's securities it holds.
    market_volume : pandas.Series, str or None, default 'SPY'
        Market volume, the name of a ``volume`` column, or None for the equal-weighted mean.
    tests : sequence of str
        Keys of :data:`eventstudy.volume.VOLUME_TESTS`; Kolari-Pynnonen is the one robust to the
        cross-correlation of security-events that share day 0.

    Returns
    -------
    pandas.DataFrame
        One row per group, window and test (:data:`REACTION_COLUMNS`); ``measure`` is
        ``cav_log_points`` and ``value`` the mean CAV in log points (0.69 = twice normal volume).

    Raises
    ------
    DataUnavailableError
        When no security of the study has volume.
    """
    from eventstudy import datasets
    from eventstudy.volume import abnormal_volume

    if volume is None:
        wanted = [*dict.fromkeys(res.events["ticker"])]
        if isinstance(market_volume, str):
            wanted.append(market_volume)
        bundled = datasets.load_volume()
        volume = bundled[[t for t in wanted if t in bundled.columns]]
    have = [t for t in volume.columns if t != market_volume]
    groups = _group_events(res, have)
    if not groups:
        raise DataUnavailableError("abnormal volume: no security of the study has volume data")
    return _per_group(res, groups, "abnormal volume", lambda ev: abnormal_volume(
        ev, volume, market_volume, estimation_window=res.estimation_window,
        event_windows=res.event_windows, tests=tests, conventions=res.options.conventions),
        "cav_table", "cav", "cav_log_points")


def volatility_table(res: EventStudyResults, variance: Literal["market", "garch"] = "market",
                     tests: Sequence[str] = ("t", "variance_ratio", "corrado_rank")
                     ) -> pd.DataFrame:
    """Mean abnormal-volatility ratio per group and event window, with its tests.

    r = AR^2 / expected variance per event day (Beaver 1968's variance ratio; Bialkowski, Gottschalk
    and Wisniewski 2008 for the GARCH forecast), estimated by
    :func:`eventstudy.volatility.abnormal_volatility` on the study's returns and market.

    Parameters
    ----------
    res : EventStudyResults
    variance : {'market', 'garch'}, default 'market'
        The expected variance: the market model's forecast-error variance or a GARCH(1,1) forecast
        (needs ``arch``).
    tests : sequence of str
        Keys of :data:`eventstudy.statistics.volatility.VOLATILITY_TESTS`. None of them adjusts for
        cross-correlation: when security-events share day 0 their p-values overstate significance
        (as the t test of returns does, case C44).

    Returns
    -------
    pandas.DataFrame
        One row per group, window and test (:data:`REACTION_COLUMNS`); ``measure`` is
        ``variance_ratio`` and ``value`` the mean ratio over the window (1 = normal volatility).

    Raises
    ------
    SpecificationError
        For an unknown ``variance``.
    """
    from eventstudy.volatility import abnormal_volatility

    if variance not in ("market", "garch"):
        raise SpecificationError(f"abnormal volatility: variance must be market or garch, not "
                                 f"{variance!r}")
    mkt = res.market
    market = mkt.iloc[:, 0] if mkt.shape[1] and np.allclose(
        mkt.to_numpy(), mkt.iloc[:, [0]].to_numpy(), equal_nan=True) else mkt
    groups = _group_events(res, list(res.returns.columns))
    return _per_group(res, groups, "abnormal volatility", lambda ev: abnormal_volatility(
        ev, res.returns, market, variance=variance, estimation_window=res.estimation_window,
        event_windows=res.event_windows, tests=tests, conventions=res.options.conventions),
        "window_table", "mean_ratio", "variance_ratio")
