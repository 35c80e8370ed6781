r"""Tests of abnormal volatility on a panel of squared standardised abnormal returns.

The panel handed to these tests (built by :func:`eventstudy.volatility.abnormal_volatility`) holds
``r_it - 1`` in place of abnormal returns, with r_it = AR_it^2 / E[sigma_it^2] the ratio of the
squared abnormal return to the variance the model expects (1 under H0 for a normal AR with known
variance). The tests that stay valid for such positive, right-skewed values are the cross-sectional
t (Boehmer et al. 1991's robustness to event-induced variance carries over), the variance-ratio z
below, Corrado's rank test and Cowan's generalized sign test (ranks and signs of r - 1 against the
estimation window), and the i.i.d. bootstrap of the cross-section (resampling whole CARs, centred).
A sign-flip (Rademacher) bootstrap assumes values symmetric about zero under H0, which squares are
not, so it is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from eventstudy._typing import Float64Array, Window
from eventstudy.exceptions import ConfigError
from eventstudy.statistics._result import TestResult
from eventstudy.statistics.variance import normal_pvalue

if TYPE_CHECKING:
    from eventstudy.statistics.panel import TestPanel

__all__ = ["VOLATILITY_TESTS", "check_volatility_tests", "variance_ratio", "squared_t_moments"]

VOLATILITY_TESTS: tuple[str, ...] = ("t", "variance_ratio", "corrado_rank", "generalized_sign",
                                     "bootstrap_t")
"""Tests valid for squared standardised abnormal returns."""

SIGN_FLIP = ("sign_flip", "sign_flip_bootstrap", "wild_bootstrap", "rademacher")


def check_volatility_tests(names: Sequence[str]) -> list[str]:
    """Return ``names`` after checking each is valid for abnormal volatility.

    Raises
    ------
    ConfigError
        For a sign-flip bootstrap (invalid for squared residuals, which are not symmetric about
        zero) or any test outside :data:`VOLATILITY_TESTS`, with the reason.
    """
    for n in names:
        if n in SIGN_FLIP:
            raise ConfigError(
                f"test {n!r} is refused for abnormal volatility: a sign-flip bootstrap draws "
                "+/- each value, valid only for values symmetric about zero under H0; squared "
                "abnormal returns are positive and right-skewed. Use 'bootstrap_t' (i.i.d. "
                "resampling of the centred cross-section) or 'corrado_rank'.")
        if n not in VOLATILITY_TESTS:
            raise ConfigError(
                f"test {n!r} does not apply to squared abnormal returns (it assumes a symmetric "
                f"or standardised AR); choose from {list(VOLATILITY_TESTS)}")
    return list(names)


def squared_t_moments(df: Float64Array) -> tuple[Float64Array, Float64Array]:
    r"""Return the mean and variance of T^2 for T ~ t(df) (an F(1, df) variable).

    Notes
    -----
    .. math:: E[T^2] = \frac{\nu}{\nu - 2},\qquad
       Var[T^2] = \frac{2\nu^2(\nu - 1)}{(\nu - 2)^2(\nu - 4)}

    and 1 and 2 (chi-squared(1)) for an infinite df; NaN for df <= 4 where the variance does not
    exist.
    """
    nu = np.asarray(df, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(np.isinf(nu), 1.0, nu / (nu - 2.0))
        var = np.where(np.isinf(nu), 2.0, 2.0 * nu**2 * (nu - 1.0) / ((nu - 2.0) ** 2 * (nu - 4.0)))
    bad = ~(nu > 4)
    return np.where(bad, np.nan, mean), np.where(bad, np.nan, var)


def variance_ratio(panel: TestPanel, window: Window) -> TestResult:
    r"""Test that event-window abnormal returns have the variance the model expects.

    Parameters
    ----------
    panel : TestPanel
        ``ar_evt`` holds r_it - 1 with r_it = SAR_it^2, the squared AR standardised by its
        expected variance; ``df`` the degrees of freedom of SAR_it's t distribution (inf for a
        known, e.g. GARCH-forecast, variance).
    window : tuple of int
        Inclusive (t1, t2) in tau.

    Returns
    -------
    TestResult
        z against N(0, 1), two-sided p-value; N counts security-events with every day in the window.

    Notes
    -----
    Under H0 with normal errors SAR_it ~ t(df_i), so r_it is F(1, df_i) with the moments of
    :func:`squared_t_moments`. Summing over the L days and N security-events,

    .. math:: z = \frac{\sum_i\sum_{t=t_1}^{t_2} (r_{it} - E_i)}{\sqrt{L\sum_i V_i}} \sim N(0, 1)

    Beaver (1968)'s variance ratio of event-period to estimation-period squared residuals,
    aggregated across securities in the manner of Patell (1976). It assumes independence across
    days and securities and normal tails: fat tails inflate Var(r) and make it over-reject, where
    the cross-sectional ``t`` on r - 1 (EventStudyTools' AVyC idea; Bialkowski et al. 2008) does
    not.

    References
    ----------
    .. [1] Beaver, W. H. (1968). The information content of annual earnings announcements.
       Journal of Accounting Research 6 (Supplement), 67-92.
    .. [2] Patell, J. M. (1976). JAR 14(2), 246-276.
    .. [3] Bialkowski, J., Gottschalk, K., Wisniewski, T. P. (2008). Stock market volatility
       around national elections. Journal of Banking and Finance 32(9), 1941-1953.
    """
    sl = panel.window_slice(window)
    r = panel.ar_evt[:, sl] + 1.0
    ok = np.isfinite(r).all(axis=1) & (panel.df > 4)
    mean, var = squared_t_moments(panel.df[ok])
    L = sl.stop - sl.start
    with np.errstate(invalid="ignore", divide="ignore"):
        z = float(np.sum(r[ok] - mean[:, None]) / np.sqrt(L * np.sum(var)))
    return TestResult("variance_ratio", z, float(normal_pvalue(z)), "N(0,1)", int(ok.sum()),
                      null_hypothesis=f"event-window variance over {list(window)} is as expected",
                      alternative_hypothesis="it is higher or lower (two-sided)")
