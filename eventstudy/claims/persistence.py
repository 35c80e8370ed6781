"""Claim test ``persistence``: did the day-0 move last or reverse."""

from __future__ import annotations

import math

import numpy as np

from eventstudy.claims._context import ClaimContext, pct
from eventstudy.claims.spec import PersistenceTest
from eventstudy.claims.verdict import UNCLEAR, Metric, TestOutcome, state_finding
from eventstudy.statistics.parametric import cross_sectional_t, normal_pvalue

__all__ = ["persistence"]


def persistence(spec: PersistenceTest, ctx: ClaimContext) -> TestOutcome:
    """Compare the day-0 move with the move over [0, +k] and test the drift over [+1, +k].

    Parameters
    ----------
    spec : PersistenceTest
        ``measure`` ('caar': the CAARs of ``groups``, default the universe; 'market': the market's
        cumulative return), ``horizons`` (default [5, 20]), ``reversal_threshold`` (default 0.5) and
        ``alpha`` (default 0.05).
    ctx : ClaimContext

    Returns
    -------
    TestOutcome
        Metrics (decimals): X[0,0]; for each horizon k, X[0,k], the share reversed
        1 - X[0,k] / X[0,0], and X[+1,+k] with its two-sided p-value. X is the CAAR (p-value from
        the cross-sectional t test on CAR[+1,+k], t(N - 1)) or the sum of market returns (p-value
        from z = X[+1,+k] / (sigma_m sqrt(k)) against N(0, 1), sigma_m the estimation-window daily
        sd). Finding ``reversed`` when the share reversed at the longest horizon reaches the
        threshold and X[+1,+K] is significantly of the opposite sign to X[0,0]; ``persistent`` when
        the share is below the threshold and X[+1,+K] is not significantly opposite; ``unclear``
        otherwise, or when the day-0 move is not in the claim's direction.

    Notes
    -----
    CARs are sums of ARs over inclusive windows (MacKinlay 1997, eq. 12) and decompose as
    X[0,k] = X[0,0] + X[+1,+k]; the market's return over a window is compounded (as the index
    lens reports it), so (1 + X[0,k]) = (1 + X[0,0])(1 + X[+1,+k]). p-values are two-sided.

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    .. [2] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    """
    K = max(spec.horizons)
    if spec.measure == "market":
        name = ctx.market_name
        sd, _ = ctx.market_sd

        def move(t1: int, t2: int) -> tuple[float, float]:
            x = ctx.market_return(t1, t2)
            z = x / (sd * math.sqrt(t2 - t1 + 1))
            return x, float(normal_pvalue(z)) if math.isfinite(z) else math.nan
    else:
        names = spec.groups
        if names is None:
            label, members = ctx.universe(spec.universe)
        else:
            label, members = "+".join(names), ctx.group_tickers(names)
        name = f"CAAR of {label}"

        def move(t1: int, t2: int) -> tuple[float, float]:
            car = ctx.car((t1, t2))
            x = car.reindex([t for t in members if t in car.index]).to_numpy()
            mean, _, p, _ = cross_sectional_t(x)
            return float(mean), float(p)

    x0, p0 = move(0, 0)
    metrics = [Metric(f"{name} [0,0]", x0, p0)]
    share = drift = p_drift = math.nan
    for k in spec.horizons:
        xk, pk = move(0, k)
        drift, p_drift = move(1, k)
        share = 1.0 - xk / x0 if x0 != 0 else math.nan
        metrics += [Metric(f"{name} [0,{k}]", xk, pk),
                    Metric(f"share of the day-0 move reversed by +{k}", share),
                    Metric(f"{name} [+1,+{k}]", drift, p_drift)]
    opposite = bool(np.sign(drift) == -np.sign(x0) and p_drift < spec.alpha)
    regained = _regained(spec, ctx, K, members if spec.measure != "market" else None)
    if regained is not None:
        metrics.append(Metric("sessions until the pre-event level was regained", regained[0]))
    reversed_ = share >= spec.reversal_threshold and opposite
    if not (ctx.sign * x0 > 0 and math.isfinite(share)):
        finding = UNCLEAR
    elif reversed_:
        finding = "reversed"
    elif regained is not None:
        # back at the pre-event level inside the window, so not persistent; but not reversed by
        # the rule either when it fell again by +K: inconclusive, and the reason says both
        finding = UNCLEAR
    elif share < spec.reversal_threshold and not opposite:
        finding = "persistent"
    else:
        finding = UNCLEAR
    xK = move(0, K)[0]
    reason = (f"{name}: {pct(x0)} on day 0, {pct(xK)} over [0,+{K}]: {_reversal(share)}, "
              f"where reversed needs {spec.reversal_threshold * 100:g}% undone; [+1,+{K}] "
              f"{pct(drift)}, p = {p_drift:.3g} (two-sided)")
    if regained is not None and ctx.sign * x0 > 0:
        when = f" ({regained[1]})" if regained[1] else ""
        then = ("" if reversed_ else
                f", but by +{K} it stood {abs(xK) * 100:.2f}% {'below' if xK < 0 else 'above'} "
                f"it again: neither lasting nor reversed")
        reason = (f"{name} regained its pre-event level on day +{regained[0]}{when}, inside "
                  f"[0,+{K}], so the move was not persistent{then}; " + reason)
    if not ctx.sign * x0 > 0:
        reason += f"; the day-0 move is not a {ctx.fall}"
    words = {"persistent": "a persistent move", "reversed": "a reversed move",
             UNCLEAR: "neither a persistent nor a reversed move"}
    reason = state_finding(finding, spec.expect, words, reason)
    return TestOutcome("persistence", finding, spec.expect, reason, metrics)


def _reversal(share: float) -> str:
    """Say in words how much of the day-0 move was undone (``share`` = 1 - X[0,K] / X[0,0]).

    A negative share is a move that grew: "-64% reversed" reads "the move grew by 64%".
    """
    if not math.isfinite(share):
        return "share reversed n/a"
    if share < 0:
        return f"the move grew by a further {-share * 100:.0f}% (none of it reversed)"
    if share > 1:
        return f"more than reversed ({share * 100:.0f}% of it undone)"
    return f"{share * 100:.0f}% of it reversed"


def _regained(spec: PersistenceTest, ctx: ClaimContext, K: int,
              members: list[str] | None) -> tuple[int, str] | None:
    """Return (sessions, date) when the move was undone inside [0, +K], else None.

    For the market: the first session k whose close is back at the close of day -1 (for a fall:
    at or above it), from the cumulative product of its daily returns (log returns: the exponential
    of their sum). For a group: the first k at which the CAAR over [0, k] is back at zero or beyond.
    """
    if spec.measure == "market":
        r = ctx.market.iloc[ctx.pos0: ctx.pos0 + K + 1].to_numpy(dtype="float64")
        level = (np.exp(np.cumsum(r)) if ctx.results.provenance.returns == "log"
                 else np.cumprod(1.0 + r))
        hit = np.flatnonzero(-ctx.sign * (level - 1.0) >= 0)  # a fall (sign -1): level >= 1
        if not len(hit):
            return None
        k = int(hit[0])
        return k, str(ctx.market.index[ctx.pos0 + k].date())
    for k in range(0, K + 1):
        car = ctx.car((0, k))
        x = car.reindex([t for t in (members or []) if t in car.index]).to_numpy(dtype="float64")
        x = x[np.isfinite(x)]
        if len(x) and ctx.sign * float(np.mean(x)) <= 0:
            return k, ""
    return None
