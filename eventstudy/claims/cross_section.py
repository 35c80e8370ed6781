"""Claim tests across the securities of a universe: ``breadth`` and ``concentration``."""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import pandas as pd

from eventstudy.claims._context import ALL_SECURITIES, ClaimContext, pct
from eventstudy.claims.spec import BreadthTest, ConcentrationTest
from eventstudy.claims.verdict import UNCLEAR, Metric, TestOutcome, state_finding
from eventstudy.exceptions import DataUnavailableError
from eventstudy.statistics.parametric import cross_sectional_t
from eventstudy.statistics.twosample import mann_whitney_u, welch_t
from eventstudy.statistics.variance import binomial_sf

__all__ = ["breadth", "concentration", "generalized_sign_test"]


def generalized_sign_test(w: int, n: int, p0: float) -> tuple[float, float]:
    """Test whether more of n securities moved one way than the estimation-period base rate implies.

    Parameters
    ----------
    w : int
        Securities whose event-day return moved in the tested direction.
    n : int
        Securities with an event-day return.
    p0 : float
        Share of returns moving that way over the estimation window (pooled across securities).

    Returns
    -------
    z, p_value : float
        Cowan's statistic z = (w - n p0) / sqrt(n p0 (1 - p0)) and the exact one-sided binomial
        p-value P(W >= w | n, p0) (``scipy.stats.binomtest``, alternative 'greater', computed by
        :func:`~eventstudy.statistics.variance.binomial_sf`).

    Notes
    -----
    The generalized sign test of Cowan (1992) takes the null share from the estimation period
    instead of 1/2, which allows for the skewness of daily returns. Securities share one event date
    here, so their moves are cross-correlated and the binomial p-value overstates significance: it
    measures breadth, not independent evidence (Kolari and Pynnonen 2010).

    References
    ----------
    .. [1] Cowan, A. R. (1992). Nonparametric event study tests. RQFA 2(4), 343-358.
    .. [2] Kolari, J. W., Pynnonen, S. (2010). Event study testing with cross-sectional correlation
       of abnormal returns. RFS 23(11), 3996-4025.
    """
    if n == 0 or not 0.0 < p0 < 1.0:
        return math.nan, math.nan
    z = (w - n * p0) / math.sqrt(n * p0 * (1.0 - p0))
    return z, binomial_sf(int(w), int(n), p0)


def breadth(spec: BreadthTest, ctx: ClaimContext) -> TestOutcome:
    """Measure how broadly the universe moved on day 0.

    Parameters
    ----------
    spec : BreadthTest
        ``universe`` (a group name; default the study's universe), ``min_share`` (default 0.6) and
        ``alpha`` (default 0.05).
    ctx : ClaimContext

    Returns
    -------
    TestOutcome
        Metrics (decimals): share of the universe whose day-0 return moved in the claim's direction,
        with the generalized sign test's z and p-value; share with a significant AR in that
        direction (AR t test with the forecast-error variance, two-sided p < ``alpha``); the
        equal-weighted mean day-0 return, the market (index) return, and their difference with the
        cross-sectional t test's p-value. Finding ``broad`` when the share reaches ``min_share`` and
        the sign test rejects at ``alpha``; ``narrow`` when under half moved; else ``unclear``.

    Notes
    -----
    An equal-weighted mean above a falling cap-weighted index means the fall was carried by the
    largest members. ARs remove the market's move, so the AR share measures stock-specific breadth.

    References
    ----------
    .. [1] Cowan, A. R. (1992). Nonparametric event study tests. RQFA 2(4), 343-358.
    .. [2] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    """
    sign = ctx.sign
    label, members = ctx.universe(spec.universe)
    T0, T1 = ctx.results.estimation_window
    R = ctx.session_returns((T0, 0))
    members = [t for t in members if t in R.columns]
    r0: pd.Series = (cast(pd.Series, R.loc[0, members]).dropna() if 0 in R.index
                     else R.iloc[:0, 0])
    n = int(len(r0))
    moved = int((sign * r0 > 0).sum())
    share = moved / n if n else math.nan
    est = R.loc[(R.index >= T0) & (R.index <= T1), members].to_numpy().ravel()
    est = est[np.isfinite(est)]
    p0 = float(np.mean(sign * est > 0)) if len(est) else math.nan
    z, p_sign = generalized_sign_test(moved, n, p0)

    frame = ctx.results.to_frame()
    day0 = frame[(frame["event_id"] == ctx.event_id) & (frame["tau"] == 0)
                 & frame["ticker"].isin(set(members))]
    sig = (sign * day0["ar"] > 0) & (day0["p_value"] < spec.alpha)
    n_ar = int(day0["ar"].notna().sum())
    share_sig = float(sig.sum()) / n_ar if n_ar else math.nan

    ew = float(r0.mean()) if n else math.nan
    try:
        idx = float(ctx.market.iloc[ctx.pos0])
    except Exception:  # no market history (API with a per-security market frame): report n/a
        idx = math.nan
    diff_p = (float(cross_sectional_t((r0 - idx).to_numpy())[2])
              if n > 1 and math.isfinite(idx) else math.nan)
    word = "negative" if sign < 0 else "positive"
    movers = "fallers" if sign < 0 else "risers"
    metrics = [
        Metric(f"share of {label} with {word} return on day 0 (n = {n})", share, p_sign),
        # one sign convention in a claims table holding two of these z: each says what it
        # counts, and z > 0 always means more of those than the estimation-window base rate
        Metric(f"generalized sign test z, counting {movers} ({word} day-0 returns; z > 0: more "
               f"than the base rate {p0:.3f}; p one-sided, for a {ctx.fall})", z, p_sign),
        Metric(f"share of {label} with significantly {word} AR on day 0 (p < {spec.alpha:g})",
               share_sig),
        Metric(f"equal-weighted mean return of {label} on day 0", ew),
        Metric(f"{ctx.market_name} return on day 0", idx),
        Metric("equal-weighted minus index", ew - idx, diff_p),
    ]
    tests = ctx.results.tests  # Cowan's test on day-0 ARs, when the study's test battery has it
    row = tests[(tests["group"] == label) & (tests["tau_start"] == 0) & (tests["tau_end"] == 0)
                & (tests["test"] == "generalized_sign")
                & tests["event_id"].isin([ctx.event_id, "pooled"])]
    if len(row) == 1:
        metrics.append(Metric("generalized sign test z, counting positive day-0 ARs (z > 0: "
                              "more than the estimation-window base rate; p two-sided, "
                              "res.tests)",
                              float(row["statistic"].iloc[0]), float(row["p_value"].iloc[0])))
    if not n:
        finding = UNCLEAR
    elif share >= spec.min_share and p_sign < spec.alpha:
        finding = "broad"
    elif share < 0.5:
        finding = "narrow"
    else:
        finding = UNCLEAR
    who = (f"the study's {n} {'security' if n == 1 else 'securities'}" if label == ALL_SECURITIES
           else f"{n} {label} members")
    details = (f"{moved} of {who} ({share * 100:.1f}%) had a {word} return on "
               f"{ctx.day0.date()} (broad needs {spec.min_share * 100:g}% and sign-test "
               f"p < {spec.alpha:g}, narrow under 50%; one-sided p = {p_sign:.3g}); "
               f"{share_sig * 100:.1f}% had a significantly {word} AR; "
               f"equal-weighted mean {pct(ew)} vs {ctx.market_name} {pct(idx)}")
    words = {"broad": f"a broad {ctx.fall}", "narrow": f"a narrow {ctx.fall}",
             UNCLEAR: f"neither a broad nor a narrow {ctx.fall}"}
    reason = state_finding(finding, spec.expect, words, details)
    return TestOutcome("breadth", finding, spec.expect, reason, metrics)


def concentration(spec: ConcentrationTest, ctx: ClaimContext) -> TestOutcome:
    """Compare the CARs of an exposed group with those of the rest of the universe.

    Parameters
    ----------
    spec : ConcentrationTest
        ``groups`` (their union is the exposed group), ``universe`` (default the study's universe),
        ``window`` (default [0, 0]) and ``alpha`` (default 0.05).
    ctx : ClaimContext

    Returns
    -------
    TestOutcome
        Metrics: CAAR of the exposed group and of the rest of the universe (universe members not
        exposed), each with its cross-sectional t p-value; their difference with Welch's t
        (two-sided p); the Mann-Whitney U statistic with its two-sided p-value; and the group's
        contribution to the index move (see :func:`_contribution`; n/a without ``market_caps``).
        Finding ``concentrated`` when the difference lies in the claim's direction and both tests
        reject at ``alpha``; ``not_concentrated`` when neither rejects or the difference has the
        other sign; else ``unclear``.

    Notes
    -----
    Welch's t does not assume equal variances (the exposed group is usually far more volatile); the
    Mann-Whitney test compares the two distributions without normality. Both treat CARs as
    independent across securities, which a common event date violates (Kolari and Pynnonen 2010).

    References
    ----------
    .. [1] Welch, B. L. (1947). The generalization of 'Student's' problem when several different
       population variances are involved. Biometrika 34(1/2), 28-35.
    .. [2] Mann, H. B., Whitney, D. R. (1947). On a test of whether one of two random variables is
       stochastically larger than the other. Ann. Math. Statist. 18(1), 50-60.
    .. [3] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    """
    sign = ctx.sign
    label, universe = ctx.universe(spec.universe)
    exposed = ctx.group_tickers(spec.groups)
    car = ctx.car(spec.window)
    a = car.reindex([t for t in exposed if t in car.index]).dropna().to_numpy()
    rest_t = [t for t in universe if t not in set(exposed) and t in car.index]
    b = car.reindex(rest_t).dropna().to_numpy()
    w = f"[{spec.window[0]},{spec.window[1]}]"
    name = "+".join(spec.groups)
    ma, _, pa, _ = cross_sectional_t(a) if len(a) else (np.nan,) * 4
    mb, _, pb, _ = cross_sectional_t(b) if len(b) else (np.nan,) * 4
    diff = float(ma) - float(mb)
    if len(a) >= 2 and len(b) >= 2:
        t, p_t = welch_t(a, b)  # scipy.stats.ttest_ind(equal_var=False), same numbers
        u, p_u = mann_whitney_u(a, b)  # scipy.stats.mannwhitneyu, two-sided
    else:
        t = p_t = u = p_u = math.nan
    metrics = [
        Metric(f"CAAR{w} of {name} (n = {len(a)}; p: cross-sectional t)", float(ma), float(pa)),
        Metric(f"CAAR{w} of the rest of {label} (n = {len(b)}; p: cross-sectional t)", float(mb),
               float(pb)),
        Metric(f"difference {name} minus rest {w}", diff, p_t),
        Metric("Welch t", t, p_t),
        Metric("Mann-Whitney U", u, p_u),
    ]
    lens = _contribution(spec, ctx, name, label, universe, exposed)
    metrics += lens
    if not (math.isfinite(p_t) and math.isfinite(p_u)):
        finding = UNCLEAR
    elif sign * diff > 0 and p_t < spec.alpha and p_u < spec.alpha:
        finding = "concentrated"
    elif sign * diff <= 0 or (p_t >= spec.alpha and p_u >= spec.alpha):
        finding = "not_concentrated"
    else:
        finding = UNCLEAR
    details = (f"CAAR{w} {pct(float(ma))} for {name} (n = {len(a)}) vs {pct(float(mb))} for the "
               f"rest of {label} (n = {len(b)}): difference {pct(diff)}, Welch p = {p_t:.3g}, "
               f"Mann-Whitney p = {p_u:.3g} (alpha {spec.alpha:g})")
    if len(lens) >= 3 and math.isfinite(lens[2].value):
        # two moves side by side: say which is rebuilt from the weights, which is the index's own
        details += (f"; cap-weighted, {name} made {lens[2].value:.0%} of the "
                    f"{pct(lens[0].value)} move rebuilt from the {label} members' market-cap "
                    f"weights" + (f" (without them {pct(lens[3].value)})" if len(lens) > 3 else "")
                    + _index_itself(ctx, spec.window))
    words = {"concentrated": f"the {ctx.fall} concentrated in {name}",
             "not_concentrated": f"the {ctx.fall} not concentrated in {name}",
             UNCLEAR: f"no clear concentration of the {ctx.fall} in {name}"}
    reason = state_finding(finding, spec.expect, words, details)
    return TestOutcome("concentration", finding, spec.expect, reason, metrics)


def _index_itself(ctx: ClaimContext, window: tuple[int, int]) -> str:
    """Return "; the index itself, ^GSPC, moved -1.46%" over ``window``, or "" without its returns.

    The reconstructed (cap-weighted members') move and the index's actual move differ slightly
    (weights, float adjustment, members without caps): the reason names both apart.
    """
    try:
        move = ctx.market_return(*window)
    except DataUnavailableError:
        return ""
    if not math.isfinite(move):
        return ""
    return f"; the index itself, {ctx.market_name}, moved {pct(move)}"


def _contribution(spec: ConcentrationTest, ctx: ClaimContext, name: str, label: str,
                  universe: list[str], exposed: list[str]) -> list[Metric]:
    """Return the exposed group's contribution to the cap-weighted move of the universe.

    With caps c_i of the universe members that have them and R_i their return summed over the
    window, weights w_i = c_i / sum_j c_j give the cap-weighted move sum_i w_i R_i (a proxy of the
    index move, exact when the universe is the index and the caps are its float-adjusted weights);
    the group contributes sum_{i in group} w_i R_i. Without caps one n/a row says so.
    """
    caps = ctx.market_caps(spec.market_caps)
    w = f"[{spec.window[0]},{spec.window[1]}]"
    if caps is None and ctx.results.market_values is not None:
        # the study's index lens (market_values:), one computation with index_contributions.csv
        mv = ctx.results.index_move(spec.window, ctx.event_id)
        g = mv.group(exposed)
        return [
            Metric(f"cap-weighted return of the index members {w} (share counts for "
                   f"{len(mv.members)}; {ctx.results.provenance.market} {mv.index_return:+.2%})",
                   mv.reconstructed),
            Metric(f"contribution of {name} ({int(g['n'])} members) to it", g["contribution"]),
            Metric(f"share of the cap-weighted move from {name}", g["share_of_move"]),
            Metric(f"the index without {name} {w}", g["without"]),
        ]
    if caps is None:
        return [Metric(f"contribution of {name} to the index move (n/a: no market caps given)",
                       math.nan)]
    ret = ctx.session_returns(spec.window).sum(axis=0, skipna=False)
    members = [t for t in universe if t in caps.index and t in ret.index and np.isfinite(ret[t])]
    if not members:
        return [Metric(f"contribution of {name} to the index move (n/a: no caps for {label})",
                       math.nan)]
    weight = caps[members] / caps[members].sum()
    total = float((weight * ret[members]).sum())
    inside = [t for t in members if t in set(exposed)]
    part = float((weight[inside] * ret[inside]).sum())
    return [
        Metric(f"cap-weighted return of {label} {w} (caps for {len(members)} of {len(universe)})",
               total),
        Metric(f"contribution of {name} ({len(inside)} members) to it", part),
        Metric(f"share of the cap-weighted move from {name}", part / total if total else math.nan),
    ]
