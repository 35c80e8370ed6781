"""Inference that holds when every security shares one event date (case C44).

With one event date for all securities (a macro or industry shock), the N abnormal returns of a day
are one draw of a correlated cross-section: tests that treat them as N independent draws overstate
significance. The tests here resample or group whole cross-sections instead:

* ``placebo_dates``: the CAAR of the event window against the CAARs of every pseudo-event window
  of the same length inside the estimation window, each a whole cross-section on common dates;
* ``ibragimov_mueller``: a t test across the means of groups of securities (industries);
* ``pre_event``: a joint test that the AARs before day 0 are zero, on the portfolio variance.

And the uniform (sup-t) confidence band of a CAAR path, :func:`caar_bands`. Sign-flip (Rademacher)
resampling is symmetric in the sign of each residual, so it cannot test a statistic of squared or
absolute residuals (a variance or volatility effect): :func:`sign_flip_check` refuses those.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eventstudy._typing import Float64Array, Window
from eventstudy.exceptions import SpecificationError
from eventstudy.statistics._result import TestResult
from eventstudy.statistics.panel import TestPanel
from eventstudy.statistics.variance import t_pvalue

__all__ = ["placebo_dates", "ibragimov_mueller", "pre_event", "caar_bands", "sign_flip_check"]


def _result(test: str, stat: Any, p: Any, dist: str, n: Any, null: str) -> TestResult:
    return TestResult(test, float(stat), float(p), dist, int(n), null_hypothesis=null)


def placebo_dates(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 against the CAARs of pseudo-event dates in the estimation window.

    Parameters
    ----------
    panel : TestPanel
        The security-events of one group.
    window : tuple of int
        Inclusive (t1, t2) in tau, L = t2 - t1 + 1 days.

    Returns
    -------
    TestResult
        ``stat`` the CAAR (decimal); ``pvalue`` = (1 + #{s : |CAAR_s| >= |CAAR|}) / (1 + S) over
        the S = T - L + 1 pseudo-event windows of L consecutive estimation days; ``dist``
        ``"placebo(S)"``; NaN with fewer than 19 pseudo-dates (p could not reach 0.05).

    Notes
    -----
    Each pseudo-event window s moves day 0 of every security-event to the same estimation day, so
    each placebo CAAR is a whole cross-section on common dates: the cross-sectional dependence of a
    one-date shock is kept, never resampled away (securities are never drawn one by one). Under H0
    and exchangeability of the daily cross-sections the event CAAR is one draw among the S + 1,

    .. math:: \mathrm{CAAR}_s = \frac{1}{N_s}\sum_i \sum_{t=s}^{s+L-1} e_{it},\qquad
       p = \frac{1 + \#\{s: |\mathrm{CAAR}_s| \ge |\mathrm{CAAR}|\}}{1 + S}

    with e_it the estimation-window residuals (in-sample, so slightly less dispersed than
    out-of-sample ARs: the test errs towards rejecting less) and N_s the securities with all L days.
    This is the permutation test of pseudo-event dates of Brown and Warner (1985, random event
    dates) applied to a single calendar date, as in the placebo inference of event studies of
    aggregate shocks (Kolari and Pynnonen 2010 discuss the clustering it guards against).

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    .. [2] Kolari, J. W., Pynnonen, S. (2010). Event study testing with cross-sectional
       correlation of abnormal returns. RFS 23(11), 3996-4025.
    """
    sl = panel.window_slice(window)
    L = sl.stop - sl.start
    car = panel.car(window)
    ok = np.isfinite(car)
    n = int(ok.sum())
    caar = float(car[ok].mean()) if n else np.nan
    e = panel.ar_est
    T = e.shape[1]
    S = T - L + 1
    null = f"CAAR{list(window)} is zero (placebo event dates)"
    if S < 19 or n == 0:
        return _result("placebo_dates", caar, np.nan, f"placebo({max(S, 0)})", n, null)
    c = np.concatenate([np.zeros((e.shape[0], 1)), np.cumsum(np.nan_to_num(e), axis=1)], axis=1)
    k = np.concatenate([np.zeros((e.shape[0], 1)), np.cumsum(np.isfinite(e), axis=1)], axis=1)
    sums = c[:, L:] - c[:, :-L]  # (N, S) window sums of the residuals
    full = (k[:, L:] - k[:, :-L]) == L
    with np.errstate(invalid="ignore", divide="ignore"):
        placebo = np.where(full, sums, 0.0).sum(axis=0) / full.sum(axis=0)
    placebo = placebo[np.isfinite(placebo)]
    p = (1 + np.sum(np.abs(placebo) >= abs(caar) * (1 - 1e-12))) / (1 + len(placebo))
    return _result("placebo_dates", caar, p, f"placebo({len(placebo)})", n, null)


def ibragimov_mueller(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with the Ibragimov-Mueller t test across groups of securities.

    Parameters
    ----------
    panel : TestPanel
        The security-events of one group; ``panel.labels`` (N,) names each one's cluster (the
        study's groups, e.g. industries).
    window : tuple of int

    Returns
    -------
    TestResult
        ``stat`` the t statistic of the q cluster means, against t(q - 1); NaN with fewer than two
        clusters with a CAR (``dist`` ``"t(0)"``).

    Notes
    -----
    With theta_g the mean CAR of cluster g (g = 1..q) and theta-bar, s_theta their mean and sample
    standard deviation,

    .. math:: t = \frac{\bar\theta}{s_\theta/\sqrt{q}} \sim t(q - 1)

    Correlation within clusters (a common shock to an industry) is allowed, and the clusters'
    estimates may have different variances: for q >= 2 and a level of 8.3% or less the test is
    conservative (Bakirov and Szekely 2006). Clusters should be nearly independent of each other:
    for a market-wide shock, group by industry and use market-model ARs.

    References
    ----------
    .. [1] Ibragimov, R., Mueller, U. K. (2010). t-statistic based correlation and heterogeneity
       robust inference. JBES 28(4), 453-468.
    .. [2] Bakirov, N. K., Szekely, G. J. (2006). Student's t-test for Gaussian scale mixtures.
       Journal of Mathematical Sciences 139(3), 6497-6505.
    """
    car = panel.car(window)
    null = f"CAAR{list(window)} is zero (clusters by group)"
    ok = np.isfinite(car)
    labels = panel.labels if panel.labels is not None else np.zeros(panel.n, dtype=np.int64)
    _, code = np.unique(np.asarray(labels)[ok], return_inverse=True)
    theta = np.bincount(code, weights=car[ok]) / np.bincount(code) if ok.any() else np.array([])
    q = len(theta)
    if q < 2:
        return _result("ibragimov_mueller", np.nan, np.nan, "t(0)", int(ok.sum()), null)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = theta.mean() / (theta.std(ddof=1) / np.sqrt(q))
    return _result("ibragimov_mueller", t, t_pvalue(t, q - 1), f"t({q - 1})", int(ok.sum()), null)


def pre_event(panel: TestPanel, window: Window) -> TestResult:
    r"""Test jointly that the AARs of the days before day 0 are zero (no anticipation, no leak).

    Parameters
    ----------
    panel : TestPanel
    window : tuple of int
        The pre-event days are those of ``window`` before day 0; when ``window`` has none, every
        event-window day before 0.

    Returns
    -------
    TestResult
        ``stat`` F = (1/P) sum_t (AAR_t / s_p)^2 over the P pre-event days, against F(P, T - 1);
        NaN when the event windows have no day before 0.

    Notes
    -----
    s_p is the standard deviation of the estimation-window portfolio AAR (Brown and Warner 1985's
    crude dependence adjustment), so cross-sectional correlation on common dates is accounted for:

    .. math:: F = \frac{1}{P}\sum_{t \in pre} \Big(\frac{AAR_t}{s_p}\Big)^2,\qquad
       s_p^2 = \frac{1}{T-1}\sum_{t \in est}(AAR_t - \overline{AAR})^2

    the Wald statistic of P independent portfolio returns with a common estimated variance,
    referred to F(P, T - 1) (Campbell, Lo and MacKinlay 1997, ch. 4, the J_1 test on aggregated
    abnormal returns, with days in place of securities).

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    .. [2] Campbell, J. Y., Lo, A. W., MacKinlay, A. C. (1997). The Econometrics of Financial
       Markets. Princeton University Press, ch. 4.
    """
    from scipy.special import fdtrc

    t1, t2 = int(window[0]), int(window[1])
    panel.window_slice(window)  # checks the window
    tau = np.asarray(panel.tau)
    pre = (tau >= t1) & (tau <= min(t2, -1))
    if not pre.any():
        pre = tau < 0
    null = "AARs before day 0 are zero"
    n = int(np.isfinite(panel.ar_evt[:, pre]).all(axis=1).sum())
    if not pre.any():
        return _result("pre_event", np.nan, np.nan, "F", n, null)
    x = panel.ar_evt[:, pre]
    okx = np.isfinite(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        aar = np.where(okx, x, 0.0).sum(axis=0) / okx.sum(axis=0)
    est = panel.aar_est[np.isfinite(panel.aar_est)]
    P, T = int(pre.sum()), len(est)
    if T < 2:
        return _result("pre_event", np.nan, np.nan, f"F({P},{T - 1})", n, null)
    sd = np.std(est, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        F = float(np.sum((aar / sd) ** 2) / P)
    return _result("pre_event", F, float(fdtrc(P, T - 1, F)), f"F({P},{T - 1})", n, null)


def caar_bands(
    car_paths: Float64Array, ci: float = 0.95, *, n_boot: int = 999, seed: int = 0
) -> dict[str, Float64Array]:
    r"""Return pointwise and uniform (sup-t) confidence bands of a CAAR path.

    Parameters
    ----------
    car_paths : ndarray
        (N, L) CAR of each of N security-events up to each of L event days (decimals); NaN rows
        or entries are left out day by day.
    ci : float, default 0.95
        Coverage, in (0, 1).
    n_boot : int, default 999
        Multiplier-bootstrap draws for the sup-t critical value.
    seed : int, default 0
        Seed of the draws (the band is deterministic for a given seed).

    Returns
    -------
    dict of str to ndarray
        ``caar``, ``lower``, ``upper`` (pointwise: CAAR +/- t_{(1+ci)/2, n-1} s / sqrt(n)),
        ``lower_uniform``, ``upper_uniform`` (CAAR +/- c s / sqrt(n), covering the whole path
        with probability ``ci``), each (L,), and ``critical_value`` (1,) the sup-t c.

    Raises
    ------
    ValueError
        When ``ci`` is not in (0, 1) or ``n_boot`` < 99.

    Notes
    -----
    The sup-t band of Montiel Olea and Plagborg-Moller (2019): c is the ``ci`` quantile of
    max_t |T*_t| over Gaussian-multiplier draws of the studentised path,

    .. math:: T^*_t = \frac{\sum_i w_i (CAR_{it} - \overline{CAR}_t)}{s_t\sqrt{n_t}},
       \qquad w_i \sim N(0, 1)

    which keeps the correlation of the path across days (a CAR path is a cumulative sum, so its
    days are strongly dependent); c lies between the pointwise and the Bonferroni value. The
    pointwise band alone covers each day, not the path.

    References
    ----------
    .. [1] Montiel Olea, J. L., Plagborg-Moller, M. (2019). Simultaneous confidence bands: theory,
       implementation, and an application to SVARs. Journal of Applied Econometrics 34(1), 1-17.
    """
    from scipy.special import stdtrit

    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be in (0, 1), not {ci}")
    if n_boot < 99:
        raise ValueError(f"n_boot must be at least 99, not {n_boot}")
    x = np.asarray(car_paths, dtype="float64")
    ok = np.isfinite(x)
    n = ok.sum(axis=0).astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, x, 0.0).sum(axis=0) / n
        dev = np.where(ok, x - mean, 0.0)
        sd = np.sqrt((dev * dev).sum(axis=0) / (n - 1))
        se = sd / np.sqrt(n)
        half = stdtrit(np.where(n > 1, n - 1, np.nan), 0.5 + ci / 2) * se
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n_boot, x.shape[0]))
    with np.errstate(invalid="ignore", divide="ignore"):
        t_star = (w @ dev) / (sd * np.sqrt(n))
    live = np.isfinite(t_star).all(axis=0) & (sd > 0)
    c = float(np.quantile(np.abs(t_star[:, live]).max(axis=1), ci)) if live.any() else np.nan
    # never narrower than the pointwise band (finite-n t quantile versus the normal multiplier)
    with np.errstate(invalid="ignore"):
        half_u = np.fmax(c * se, half)
    return {"caar": mean, "lower": mean - half, "upper": mean + half,
            "lower_uniform": mean - half_u, "upper_uniform": mean + half_u,
            "critical_value": np.array([c])}


def sign_flip_check(statistic: str) -> None:
    """Refuse a sign-flip resampling of a statistic of squared or absolute residuals.

    Parameters
    ----------
    statistic : str
        What is resampled: ``'mean'`` (a CAAR, a t statistic) is allowed; ``'squared'`` or
        ``'absolute'`` (a variance, volatility or absolute-return test) is not.

    Raises
    ------
    SpecificationError
        For ``'squared'`` or ``'absolute'``: flipping signs leaves e^2 and |e| unchanged, so every
        draw equals the observed statistic and the p-value is 1 whatever the data.

    Notes
    -----
    The wild (Rademacher) bootstrap draws e*_i = v_i e_i with v_i = +-1 (Liu 1988; Mammen 1993); it
    reproduces the distribution of a mean of symmetric errors, nothing about their scale.

    References
    ----------
    .. [1] Mammen, E. (1993). Bootstrap and wild bootstrap for high dimensional linear models.
       Annals of Statistics 21(1), 255-285.
    """
    if statistic in ("squared", "absolute"):
        raise SpecificationError(
            f"a sign-flip bootstrap cannot test a statistic of {statistic} residuals (every draw "
            "equals the observed value); use placebo_dates, which moves whole cross-sections")
    if statistic != "mean":
        raise SpecificationError(f"sign_flip statistic must be 'mean', 'squared' or 'absolute', "
                                 f"not {statistic!r}")
