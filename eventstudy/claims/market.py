"""Claim tests on the market's own returns.

``market_wide`` ranks the move against the market's history, ``comparison`` against named dates.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import pandas as pd

from eventstudy.claims._context import ClaimContext, pct
from eventstudy.claims.spec import ComparisonTest, MarketWideTest
from eventstudy.claims.verdict import UNCLEAR, Metric, TestOutcome, state_finding
from eventstudy.exceptions import ConfigError
from eventstudy.statistics.variance import normal_sf

__all__ = ["market_wide", "comparison", "rank_in_history"]


def rank_in_history(
    market: pd.Series, pos0: int, window: tuple[int, int], start: pd.Timestamp, sign: float,
    kind: str = "simple",
) -> tuple[float, int, int]:
    """Rank the market's move over ``window`` around day 0.

    It is ranked among the same-length moves of a lookback.

    Parameters
    ----------
    market : pandas.Series
        Daily market returns (decimals) by session date, sorted.
    pos0 : int
        Position of day 0 in ``market``.
    window : tuple of int
        (t1, t2) relative to day 0, inclusive.
    start : pandas.Timestamp
        First calendar date of the lookback (exclusive); its last session is day 0.
    sign : float
        -1 to rank falls (rank 1 = the largest fall), +1 to rank rises.
    kind : {'simple', 'log'}
        How the returns compound over a window.

    Returns
    -------
    move, rank, n : float, int, int
        The event's move (daily returns compounded over the window), its rank (1 = most extreme;
        ties share the better rank) and the number of windows compared: one per lookback session s,
        the window [s + t1, s + t2] (windows running past the data are left out).

    Notes
    -----
    The empirical percentile rank / n is the share of lookback moves at least as extreme as the
    event's: a nonparametric tail probability that needs no normality (daily returns are
    fat-tailed).
    """
    t1, t2 = int(window[0]), int(window[1])
    L = t2 - t1 + 1
    # compounded moves: sums of log(1 + r) turned back into returns; sums[p] covers p - L + 1 .. p
    logs = market if kind == "log" else np.log1p(market)
    sums = logs.rolling(L).sum().to_numpy()
    if kind != "log":
        sums = np.expm1(sums)
    anchors = np.flatnonzero((market.index > start) & (np.arange(len(market)) <= pos0))
    ends = anchors + t2
    ends = ends[(ends < len(market)) & (anchors + t1 >= 0)]
    values = sums[ends]
    values = values[np.isfinite(values)]
    move = float(sums[pos0 + t2])
    rank = int(np.sum(sign * values > sign * move)) + 1
    return move, rank, int(len(values))


def market_wide(spec: MarketWideTest, ctx: ClaimContext) -> TestOutcome:
    r"""Test whether the market's move on day 0 (or over a window) was extreme against its history.

    Parameters
    ----------
    spec : MarketWideTest
        Thresholds: ``z_threshold`` (default 1.96), ``percentile`` (default 0.05),
        ``lookback_years`` (default 2), the deciding ``window`` (default [0, 0]) and ``n_worst``
        sessions to list.
    ctx : ClaimContext

    Returns
    -------
    TestOutcome
        Metrics per window (the deciding window and every event window of the study): the market's
        move (sum of daily returns, decimal), z with its one-sided p-value in the claim's direction,
        the rank and percentile among the lookback's windows of the same length; then the
        ``n_worst`` most extreme single sessions of the lookback. Finding ``extreme`` when z and the
        percentile both pass their thresholds, ``ordinary`` when neither does, else ``unclear``.

    Raises
    ------
    DataUnavailableError
        When the market's returns do not cover day 0 or the window.

    Notes
    -----
    .. math:: z = \sum_{t=t_1}^{t_2} R_{mt} / (\hat\sigma_m \sqrt{L})

    with :math:`\hat\sigma_m` the standard deviation of daily market returns over the study's
    estimation window (MacKinlay 1997, section 4) and L the window length; the p-value refers z to
    N(0, 1), which understates tail risk for fat-tailed returns, so the verdict also requires the
    empirical percentile. Brown and Warner (1985) document the fat tails and the nonparametric
    alternative.

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    .. [2] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    """
    m, sign, name = ctx.market, ctx.sign, ctx.market_name
    sd, n_sd = ctx.market_sd
    start = ctx.day0 - pd.DateOffset(years=spec.lookback_years)
    truncated = m.index[0] > start
    windows: list[tuple[int, int]] = list(dict.fromkeys(
        [(int(spec.window[0]), int(spec.window[1])),
         *((int(a), int(b)) for a, b in ctx.results.event_windows)]))
    metrics: list[Metric] = []
    move0, z0, rank0, n_look = math.nan, math.nan, 0, 0
    for w in windows:
        ctx.market_return(*w)  # raises when the window runs past the data
        move, rank, n = rank_in_history(m, ctx.pos0, w, start, sign, ctx.kind)
        z = move / (sd * math.sqrt(w[1] - w[0] + 1)) if n_sd > 1 and sd > 0 else math.nan
        p = normal_sf(sign * z) if math.isfinite(z) else math.nan
        lab = f"[{w[0]},{w[1]}]"
        metrics += [
            Metric(f"market return {lab}", move),
            Metric(f"z vs estimation-window sd {lab} (p one-sided, for a {ctx.fall})", z, p),
            Metric(f"rank among {n} lookback windows {lab} (1 = largest {ctx.fall})", rank),
            Metric(f"percentile in lookback {lab}", rank / n if n else math.nan),
        ]
        if w == tuple(spec.window):
            move0, z0, rank0, n_look = move, z, rank, n
    move, z = move0, z0
    perc = rank0 / n_look if n_look else math.nan
    z_ok, p_ok = sign * z >= spec.z_threshold, perc <= spec.percentile
    finding = "extreme" if z_ok and p_ok else "ordinary" if not (z_ok or p_ok) else UNCLEAR
    if not (math.isfinite(z) and math.isfinite(perc)):
        finding = UNCLEAR

    look = m[(m.index > start) & (m.index <= ctx.day0)]
    worst = look.sort_values(ascending=sign < 0).head(spec.n_worst)
    for k, (d, r) in enumerate(worst.items(), 1):
        day = pd.Timestamp(cast(pd.Timestamp, d))  # the index is a DatetimeIndex
        metrics.append(Metric(f"lookback session #{k} by {ctx.fall}: {day.date()}", float(r)))
    w = spec.window
    reason = (
        f"{name} {pct(move)} over [{w[0]},{w[1]}] from {ctx.day0.date()}: z = {z:.2f} against a "
        f"daily sd of {sd * 100:.2f}% (estimation window, n = {n_sd}; "
        f"threshold {spec.z_threshold}); "
        f"rank {rank0} "
        f"of {n_look} in the {spec.lookback_years:g}-year lookback (percentile {perc * 100:.1f}%, "
        f"threshold {spec.percentile * 100:g}%)"
        + (f"; the data start {m.index[0].date()}, so the lookback is shorter" if truncated else "")
    )
    words = {"extreme": f"an extreme market {ctx.fall}",
             "ordinary": f"an ordinary market {ctx.fall}",
             UNCLEAR: f"a market {ctx.fall} neither clearly extreme nor ordinary"}
    reason = state_finding(finding, spec.expect, words, reason)
    details = {"worst_sessions": worst.rename("market_return").rename_axis("date").reset_index()}
    return TestOutcome("market_wide", finding, spec.expect, reason, metrics, details)


def comparison(spec: ComparisonTest, ctx: ClaimContext) -> TestOutcome:
    """Rank the event's day-0 market move against the market's move on other named dates.

    Parameters
    ----------
    spec : ComparisonTest
        ``dates`` (each with an optional label) and ``max_rank`` (default 1).
    ctx : ClaimContext

    Returns
    -------
    TestOutcome
        Metrics: the market return on day 0 and on each date (decimals), and the event's rank among
        them (1 = the largest move in the claim's direction). Finding ``largest`` when the rank is
        at most ``max_rank``, else ``not_largest``. A descriptive ranking: no p-value.

    Raises
    ------
    ConfigError
        When a date has no market return (not a session, or outside the data); the message names it.
    """
    m, sign = ctx.market, ctx.sign
    move = float(m.iloc[ctx.pos0])
    metrics = [Metric(f"market return on day 0 ({ctx.day0.date()})", move)]
    cutoff = pd.Timestamp(ctx.claim.date) if ctx.claim.date is not None else ctx.day0
    others = []
    late: list[tuple[Any, float]] = []
    for d in spec.dates:
        ts = pd.Timestamp(d.date)
        if ts not in m.index:
            raise ConfigError(
                f"{ctx.where}: comparison date {d.date} has no {ctx.market_name} return (not a "
                f"session, or outside the data {m.index[0].date()}..{m.index[-1].date()})"
            )
        r = float(m.loc[ts])
        after = ts > cutoff
        label = (f"market return on {d.date}" + (f" ({d.label})" if d.label else "")
                 + (" (after the claim)" if after else ""))
        metrics.append(Metric(label, r))
        if after and not spec.include_after:
            late.append((d, r))  # hindsight: shown, not counted
        else:
            others.append((d, r))
    rank = 1 + sum(sign * r > sign * move for _, r in others)
    n = len(others) + 1
    metrics.append(Metric(f"rank of the event among {n} moves known by the claim's date "
                          f"(1 = largest {ctx.fall})", rank))
    # Among every session before day 0 over the lookback (what was known when the claim was made).
    start = ctx.day0 - pd.DateOffset(days=int(round(spec.lookback_years * 365.25)))
    hist = m.loc[(m.index >= start) & (m.index < ctx.day0)]
    hist_rank = 1 + int((sign * hist > sign * move).sum())
    metrics.append(Metric(f"rank of day 0 among the {len(hist) + 1} sessions since "
                          f"{hist.index[0].date() if len(hist) else ctx.day0.date()} "
                          f"(1 = largest {ctx.fall})", hist_rank))
    # the largest among the named dates and among every session of the lookback: one named date
    # that was smaller does not make a 19th-worst day "the largest"
    finding = ("largest" if rank <= spec.max_rank and (not len(hist) or hist_rank <= spec.max_rank)
               else "not_largest")
    worse = [f"{d.date} {pct(r)}"
             for d, r in sorted(others, key=lambda x: sign * x[1], reverse=True)
             if sign * r > sign * move]
    reason = (f"{ctx.market_name} {pct(move)} on {ctx.day0.date()} ranks {rank} of {n} named "
              f"dates known by {cutoff.date()} (max_rank {spec.max_rank})"
              + (f"; larger: {', '.join(worse)}" if worse else "")
              + f"; {hist_rank} of {len(hist) + 1} sessions over the {spec.lookback_years:g} years "
              "before it")
    if late:
        bigger = [f"{d.date} {pct(r)}" for d, r in late if sign * r > sign * move]
        reason += (f"; after the claim (not counted): {len(late)} date(s)"
                   + (f", larger: {', '.join(bigger)}" if bigger else ""))
    words = {"largest": f"the largest {ctx.fall} of those compared",
             "not_largest": f"a smaller {ctx.fall} than others compared",
             UNCLEAR: "no clear ranking"}
    reason = state_finding(finding, spec.expect, words, reason)
    return TestOutcome("comparison", finding, spec.expect, reason, metrics)
