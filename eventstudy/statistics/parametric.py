"""Parametric tests of abnormal returns.

Conventions: returns and ARs are decimals; windows are inclusive and counted in trading sessions;
all p-values are two-sided.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eventstudy._typing import Float64Array, Window
from eventstudy.statistics._result import TestResult
from eventstudy.statistics.panel import TestPanel
from eventstudy.statistics.variance import (
    car_variance,
    forecast_error_variance,
    normal_pvalue,
    t_pvalue,
)

__all__ = [
    "forecast_error_variance", "car_variance", "t_pvalue", "normal_pvalue", "cross_sectional_t",
    "t_test", "brown_warner_1980", "crude_dependence", "lamb", "patell", "adjusted_patell", "bmp",
    "kolari_pynnonen", "kp_widening", "skewness_adjusted_t", "bootstrap_t", "bhar",
]


def cross_sectional_t(values: Float64Array, axis: int = 0) -> tuple[Float64Array, ...]:
    """Test that the cross-sectional mean of ARs or CARs is zero.

    Parameters
    ----------
    values : ndarray
        ARs or CARs of N security-events along ``axis`` (NaN entries are left out).
    axis : int, default 0

    Returns
    -------
    mean, stat, pvalue, n : ndarray
        AAR or CAAR, t = mean / (s / sqrt(N)) with s the cross-sectional standard deviation (n - 1
        denominator), its two-sided p-value against t(N - 1), and N.

    Notes
    -----
    The cross-sectional t test is robust to event-induced variance but assumes ARs independent
    across securities; with a common event date (clustering) it overstates significance (Brown and
    Warner 1985, Kolari and Pynnonen 2010).

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    .. [2] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    """
    x = np.asarray(values, dtype="float64")
    ok = np.isfinite(x)
    n = np.sum(ok, axis=axis).astype("float64")
    # Moments written out rather than np.nanmean/nanstd, which warn (RuntimeWarning from numpy's
    # own files) for a group of one or none: there the mean or s is simply NaN.
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, x, 0.0).sum(axis=axis) / n
        dev = np.where(ok, x - np.expand_dims(mean, axis), 0.0)
        sd = np.sqrt((dev**2).sum(axis=axis) / np.where(n > 1, n - 1, np.nan))
        # no dispersion (identical CARs, e.g. one security listed under two event ids): t is
        # undefined, never +-inf with p = 0; 1e-12 relative allows for rounding in the mean
        sd = np.where(sd > 1e-12 * np.abs(mean), sd, np.nan)
        stat = mean / (sd / np.sqrt(n))
    return np.asarray(mean), np.asarray(stat), t_pvalue(stat, n - 1), n


# --------------------------------------------------------------------------------------------------
# Cross-sectional tests on a TestPanel. Each takes the panel of one group and an inclusive tau
# window and returns a TestResult; a one-day window gives the daily (AAR) form of the test.


_RBAR_FLOOR_TOL = 1e-10
"""1 + (N-1) r-bar at or below this is r-bar at its floor (round-off of an exact -1/(N-1))."""


def _result(test: str, stat: Any, p: Any, dist: str, n: Any, window: Window) -> TestResult:
    return TestResult(test, float(stat), float(p), dist, int(n),
                      null_hypothesis=f"CAAR{list(window)} is zero")


def _aar(panel: TestPanel, window: Window) -> tuple[Float64Array, Float64Array]:
    """Daily AAR over the securities present and their count, over the window's days."""
    x = panel.ar_evt[:, panel.window_slice(window)]
    n = np.isfinite(x).sum(axis=0).astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(x, axis=0) / n, n


def t_test(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with the cross-sectional t test.

    Parameters
    ----------
    panel : TestPanel
        Abnormal returns of the N security-events of one group.
    window : tuple of int
        Inclusive (t1, t2) in tau.

    Returns
    -------
    TestResult
        t = CAAR / (s_CAR / sqrt(N)) against t(N - 1); N counts complete CARs.

    Notes
    -----
    .. math:: t = \frac{\overline{CAR}}{s_{CAR} / \sqrt{N}},\quad
       s_{CAR}^2 = \frac{1}{N-1}\sum_i (CAR_i - \overline{CAR})^2

    Robust to event-induced variance; assumes independence across securities (Brown and Warner
    1985, Boehmer et al. 1991, "ordinary cross-sectional" test).

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    .. [2] Boehmer, E., Musumeci, J., Poulsen, A. B. (1991). Event-study methodology under
       conditions of event-induced variance. JFE 30(2), 253-272.
    """
    mean, stat, p, n = cross_sectional_t(panel.car(window))
    return _result("t", stat, p, f"t({int(n) - 1})", n, window)


def brown_warner_1980(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with the Brown-Warner (1980) test, independent securities.

    Notes
    -----
    With s_i^2 the sample variance (n - 1) of security i's estimation-window abnormal returns,

    .. math:: z = \frac{\sum_{t=t_1}^{t_2} AAR_t}{\sqrt{L}\,\sqrt{\sum_i s_i^2}/N}

    referred to t(mean(M_i) - 1). AAR_t averages the securities present on day t.

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1980). Measuring security price performance. JFE 8(3),
       205-258.
    """
    aar, n = _aar(panel, window)
    sd = np.sqrt(np.nansum(panel.est_var)) / panel.n
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = aar.sum() / (np.sqrt(len(aar)) * sd)
    df = float(np.mean(panel.nobs)) - 1.0
    return _result("brown_warner_1980", stat, t_pvalue(stat, df), f"t({df:g})", n.min(), window)


def crude_dependence(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with the Brown-Warner (1985) crude dependence adjustment.

    Notes
    -----
    The standard deviation is that of the daily portfolio AAR over the estimation window, so
    cross-sectional correlation is accounted for:

    .. math:: t = \frac{\sum_{t=t_1}^{t_2} AAR_t}{\sqrt{L}\, s(AAR_{est})},\quad
       s^2(AAR_{est}) = \frac{1}{T-1}\sum_{t \in est} (AAR_t - \overline{AAR})^2

    referred to t(T - 1), T the estimation days with an AAR. Estimation days are aligned in event
    time (tau); with one common event date that is calendar time.

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    """
    aar, n = _aar(panel, window)
    aar_est = panel.aar_est
    aar_est = aar_est[np.isfinite(aar_est)]
    sd = np.std(aar_est, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = aar.sum() / (np.sqrt(len(aar)) * sd)
    df = len(aar_est) - 1
    return _result("crude_dependence", stat, t_pvalue(stat, df), f"t({df})", n.min(), window)


def lamb(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with Lamb's (1995) portfolio test with forecast-error correction.

    Notes
    -----
    The daily statistic standardises AAR by the estimation-window standard deviation of the
    portfolio AAR, s_p (as :func:`crude_dependence`), inflated by the forecast error of the market
    model with the average estimation length:

    .. math:: z_t = \frac{AAR_t}{s_p
       \sqrt{1 + 1/\bar M + \overline{(R_{m,t} - \bar R_m)^2/S_{mm}}}},
       \qquad z = \frac{1}{\sqrt{L}}\sum_{t=t_1}^{t_2} z_t \sim N(0, 1)

    where the market term is averaged over securities (one value with a common event date). The
    window form sums the daily statistics (estudy2's ``car_lamb``).

    References
    ----------
    .. [1] Lamb, R. P. (1995). An exposure-based analysis of property-liability insurer stock values
       around Hurricane Andrew. Journal of Risk and Insurance 62(1), 111-123.
    """
    sl = panel.window_slice(window)
    aar, n = _aar(panel, window)
    sd = np.nanstd(panel.aar_est, ddof=1)
    if panel.conventions.forecast_error:
        market_term = np.nanmean(panel.fe_quad[:, sl] - 1.0 / panel.nobs[:, None], axis=0)
        corr = 1.0 + 1.0 / np.mean(panel.nobs) + market_term
    else:
        corr = np.ones(len(aar))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = aar / (sd * np.sqrt(corr))
    stat = z.sum() / np.sqrt(len(z))
    return _result("lamb", stat, normal_pvalue(stat), "N(0,1)", n.min(), window)


def _patell_z(panel: TestPanel, window: Window) -> tuple[float, int]:
    with np.errstate(invalid="ignore", divide="ignore"):
        q = panel.df / (panel.df - 2.0)  # Var of a t(df) variable
        if panel.conventions.patell == "daily_fe":
            sar = panel.sar_fe[:, panel.window_slice(window)]
            ok = np.isfinite(sar)
            z_t = np.where(ok, sar, 0.0).sum(axis=0) / np.sqrt(np.where(ok, q[:, None], 0.0)
                                                               .sum(axis=0))
            n = int(np.isfinite(panel.car(window)).sum())
            return float(z_t.sum() / np.sqrt(sar.shape[1])), n
        scar = panel.scar(window)
        ok = np.isfinite(scar)
        z = scar[ok].sum() / np.sqrt(np.sum(q[ok]))
    return float(z), int(ok.sum())


def patell(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with Patell's standardised-residual Z test.

    Notes
    -----
    Each CAR is standardised by its own forecast-error standard deviation (one day: the SAR),
    SCAR_i = CAR_i / sqrt(Var(CAR_i)) with Var(CAR_i) = sigma_i^2 (L + s'(X'X)^{-1}s); under H0
    SCAR_i ~ t(df_i) with variance df_i / (df_i - 2), df_i = M_i - k, so

    .. math:: Z = \frac{\sum_i SCAR_i}{\sqrt{\sum_i df_i/(df_i - 2)}} \sim N(0, 1).

    Under ``conventions.patell='daily_fe'`` (the R package EventStudy) each day's AR is
    standardised by its forecast-error variance, SAR_it = AR_it / sqrt(sigma_i^2 (1 + x_t'Ax_t)),
    and the window statistic sums the daily statistics:

    .. math:: Z_t = \frac{\sum_i SAR_{it}}{\sqrt{\sum_i df_i/(df_i - 2)}},\qquad
       Z = \frac{1}{\sqrt{L}}\sum_{t=t_1}^{t_2} Z_t

    (EventStudy's per-security form (1/sqrt(N)) sum_i CSAR_i / sqrt(L Q_i) is the same number when
    all df_i are equal). Assumes no event-induced variance and no cross-correlation.

    References
    ----------
    .. [1] Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior:
       empirical tests. JAR 14(2), 246-276.
    """
    z, n = _patell_z(panel, window)
    return _result("patell", z, normal_pvalue(z), "N(0,1)", n, window)


def adjusted_patell(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with Patell's Z adjusted for cross-correlation (Kolari and Pynnonen 2010).

    Notes
    -----
    .. math:: Z_{adj} = Z_{Patell} \sqrt{\frac{1}{1 + (N-1)\bar r}}

    with r-bar the average cross-correlation of estimation residuals on common calendar days
    (:attr:`TestPanel.residual_correlation`).

    References
    ----------
    .. [1] Kolari, J. W., Pynnonen, S. (2010). Event study testing with cross-sectional correlation
       of abnormal returns. RFS 23(11), 3996-4025.
    """
    z, n = _patell_z(panel, window)
    r = panel.residual_correlation
    if not 1.0 + (n - 1) * r > _RBAR_FLOOR_TOL:  # r-bar at its floor: as in kolari_pynnonen
        return _result("adjusted_patell", np.nan, np.nan, "N(0,1)", n, window)
    with np.errstate(invalid="ignore"):
        stat = z * np.sqrt(1.0 / (1.0 + (n - 1) * r))
    return _result("adjusted_patell", stat, normal_pvalue(stat), "N(0,1)", n, window)


def _bmp_t(panel: TestPanel, window: Window) -> tuple[float, int]:
    _, stat, _, n = cross_sectional_t(panel.scar(window))
    return float(stat), int(n)


def bmp(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with the Boehmer-Musumeci-Poulsen standardised cross-sectional test.

    Notes
    -----
    .. math:: t = \frac{\overline{SCAR}}{s_{SCAR}/\sqrt{N}} \sim t(N - 1)

    with SCAR as in :func:`patell`; the cross-sectional standard deviation makes it robust to
    event-induced variance.

    References
    ----------
    .. [1] Boehmer, E., Musumeci, J., Poulsen, A. B. (1991). Event-study methodology under
       conditions of event-induced variance. JFE 30(2), 253-272.
    """
    stat, n = _bmp_t(panel, window)
    return _result("bmp", stat, t_pvalue(stat, n - 1), f"t({n - 1})", n, window)


def kp_widening(rbar: float, n: np.ndarray) -> np.ndarray:
    r"""Return :math:`\sqrt{(1 + (n - 1)\bar r) / (1 - \bar r)}`, the Kolari-Pynnonen factor.

    The standard error of a mean of n abnormal returns with average cross-correlation r-bar,
    over the one the cross-sectional standard deviation gives (which is biased down by
    1 - r-bar): Kolari and Pynnonen (2010, eq. 6-9); the CAAR chart's band is widened by it
    (:meth:`eventstudy.results.EventStudyResults.caar_path`). 1 for r-bar = 0; NaN at the floor
    1 + (n - 1) r-bar <= 0 (to round-off, as :func:`kolari_pynnonen`) and at r-bar = 1.

    Parameters
    ----------
    rbar : float
        Average residual cross-correlation (:attr:`TestPanel.residual_correlation`).
    n : numpy.ndarray
        Security-events averaged, one per event day.

    Returns
    -------
    numpy.ndarray
        The factor, shape of ``n``.
    """
    n = np.asarray(n, dtype="float64")
    if not rbar < 1.0:  # perfectly correlated (or NaN): no band
        return np.full(n.shape, np.nan)
    denom = 1.0 + (n - 1.0) * rbar
    ok = denom > _RBAR_FLOOR_TOL
    return np.where(ok, np.sqrt(np.where(ok, denom, 1.0) / (1.0 - rbar)), np.nan)


def kolari_pynnonen(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with the BMP test adjusted for cross-correlation (Kolari and Pynnonen 2010).

    Notes
    -----
    .. math:: t_{adj} = t_{BMP}\sqrt{\frac{1 - \bar r}{1 + (N - 1)\bar r}} \sim t(N - 1)

    r-bar is the average residual cross-correlation on common calendar days
    (:attr:`TestPanel.residual_correlation`); events on the same date (clustering) raise it. At its
    floor, 1 + (N - 1) r-bar = 0 (N = 2 and r-bar = -1), the adjustment is undefined: NaN.

    References
    ----------
    .. [1] Kolari, J. W., Pynnonen, S. (2010). Event study testing with cross-sectional correlation
       of abnormal returns. RFS 23(11), 3996-4025.
    """
    stat, n = _bmp_t(panel, window)
    r = panel.residual_correlation
    denom = 1.0 + (n - 1) * r
    # r-bar at its floor -1/(N-1) (two securities moving exactly opposite), to round-off
    if not denom > _RBAR_FLOOR_TOL:
        return _result("kolari_pynnonen", np.nan, np.nan, f"t({n - 1})", n, window)
    with np.errstate(invalid="ignore"):
        adj = stat * np.sqrt((1.0 - r) / denom)
    return _result("kolari_pynnonen", adj, t_pvalue(adj, n - 1), f"t({n - 1})", n, window)


def bhar(panel: TestPanel, window: Window) -> Float64Array:
    """Return the buy-and-hold abnormal return of each security-event over ``window``.

    Notes
    -----
    BHAR_i = prod_t (1 + R_it) - prod_t (1 + E[R_it]) over t1..t2, with E[R_it] the normal return
    (Barber and Lyon 1997), on simple returns: log returns (``panel.kind == 'log'``) are turned into
    simple ones first, R = exp(r) - 1 (a stock going 100 -> 150 -> 100 against a flat market has a
    BHAR of 0). NaN when a day is missing.

    References
    ----------
    .. [1] Barber, B. M., Lyon, J. D. (1997). Detecting long-run abnormal stock returns. JFE 43(3),
       341-372.
    """
    return panel.bhar(window)


def skewness_adjusted_t(panel: TestPanel, window: Window) -> TestResult:
    r"""Test mean BHAR = 0 with the skewness-adjusted t statistic.

    Notes
    -----
    With S = mean / s and gamma = sum (x - mean)^3 / (N s^3) over the N BHARs,

    .. math:: t_{sa} = \sqrt{N}\left(S + \frac{\gamma S^2}{3} + \frac{\gamma}{6N}\right)

    referred to t(N - 1) (Hall 1992; Lyon, Barber and Tsai 1999, eq. 5).

    References
    ----------
    .. [1] Lyon, J. D., Barber, B. M., Tsai, C.-L. (1999). Improved methods for tests of long-run
       abnormal stock returns. JF 54(1), 165-201.
    .. [2] Hall, P. (1992). On the removal of skewness by transformation. JRSS B 54(1), 221-228.
    """
    x = bhar(panel, window)
    x = x[np.isfinite(x)]
    n = len(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.std(x, ddof=1)
        S = np.mean(x) / sd
        gamma = np.sum((x - np.mean(x)) ** 3) / (n * sd**3)
        stat = np.sqrt(n) * (S + gamma * S**2 / 3.0 + gamma / (6.0 * n))
    return _result("skewness_adjusted_t", stat, t_pvalue(stat, n - 1), f"t({n - 1})", n, window)


BOOT_BLOCK = 1 << 18
"""Draws (replicates x n) a bootstrap block holds: its indices and values stay in cache."""


def _bootstrap_hits(rng: np.random.Generator, centred: Float64Array, b: int,
                    threshold: float | Float64Array) -> int:
    """Draw ``b`` replicates of ``centred`` and count those with |t*| >= ``threshold``.

    The b replicates are drawn in blocks of about :data:`BOOT_BLOCK` values (one generator, so
    the same stream as one call for all b), a block never of one replicate unless b is one:
    numpy's einsum sums a lone row in another order, so each t* has the bits of the b-row call.
    """
    n = len(centred)
    step = b if b == 1 else max(2, min(b, BOOT_BLOCK // n))
    hits = 0
    a = 0
    while a < b:
        s = min(step, b - a)
        if b - a - s == 1:
            s += 1
        # One pass for the sums and one for the sums of squares of each replicate.
        draw = centred[rng.integers(0, n, size=(s, n))]
        mean = draw.sum(axis=1) / n
        var = (np.einsum("bi,bi->b", draw, draw) - n * mean * mean) / (n - 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            t_star = mean / np.sqrt(var / n)
        hits += int(np.sum(np.abs(t_star) >= threshold))
        a += s
    return hits


def bootstrap_t(
    panel: TestPanel, window: Window, *, n_boot: int = 999, seed: int = 0
) -> TestResult:
    """Test CAAR = 0 with the cross-sectional t and a bootstrap p-value.

    Notes
    -----
    The CARs are centred (x - mean, imposing H0), resampled with replacement ``n_boot`` times, and
    the p-value is the share of bootstrap |t*| at least |t| (symmetric percentile-t; Efron and
    Tibshirani 1993, ch. 16; used for event studies by Lyon, Barber and Tsai 1999). Seeded, so
    deterministic.

    References
    ----------
    .. [1] Efron, B., Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
    .. [2] Lyon, J. D., Barber, B. M., Tsai, C.-L. (1999). JF 54(1), 165-201.
    """
    car = panel.car(window)
    x = np.sort(car[np.isfinite(car)])  # sorted: the p-value does not depend on the event order
    n = len(x)
    _, stat, _, _ = cross_sectional_t(x)
    if n < 2 or not np.isfinite(stat):
        return _result("bootstrap_t", stat, np.nan, f"bootstrap({n_boot})", n, window)
    rng = np.random.default_rng(seed)
    centred = x - x.mean()
    hits = 0
    chunk = max(1, min(n_boot, 5_000_000 // n))  # bound memory: chunk * n draws at a time
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        hits += _bootstrap_hits(rng, centred, b, abs(stat))
        done += b
    p = (hits + 1) / (n_boot + 1)
    return _result("bootstrap_t", stat, p, f"bootstrap({n_boot})", n, window)
