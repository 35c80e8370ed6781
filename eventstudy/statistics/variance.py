"""Variance formulas of abnormal returns and the p-values of their statistics.

The primitives under the variance engine (:class:`eventstudy.statistics.panel.TestPanel`): the
forecast-error variance of an AR, the exact variance of a CAR, two-sided p-values against
Student's t and the standard normal, the normal and binomial upper tails and Student's t quantiles
(scipy.special only: importing scipy.stats costs about 0.7 s).
"""

from __future__ import annotations

import numpy as np

from eventstudy._typing import Float64Array

__all__ = [
    "forecast_error_variance", "car_variance", "t_pvalue", "normal_pvalue", "normal_sf",
    "binomial_sf", "t_quantile",
]


def forecast_error_variance(
    sigma2: Float64Array, xtx_inv: Float64Array, x: Float64Array
) -> Float64Array:
    """Return the variance of each event-window abnormal return, with estimation error.

    Parameters
    ----------
    sigma2 : ndarray
        (n_events,) residual variance of the normal-return model.
    xtx_inv : ndarray
        (n_events, k, k) inverse of X'X over the estimation window.
    x : ndarray
        (n_events, n_days, k) event-window regressors.

    Returns
    -------
    ndarray
        (n_events, n_days) Var(AR_it) = sigma_i^2 (1 + x_t' (X'X)^{-1} x_t).

    Notes
    -----
    For the market model this is sigma^2 [1 + 1/n + (R_mt - mean(R_m))^2 / S_mm], MacKinlay (1997),
    eq. 10-11. Fixture F1 day 0: sigma^2 (1 + 1/6 + 0.1), t = 4.443.

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    """
    quad = np.einsum("etk,ekl,etl->et", x, xtx_inv, x)
    return sigma2[:, None] * (1.0 + quad)


def car_variance(
    sigma2: Float64Array, xtx_inv: Float64Array, x: Float64Array, days: np.ndarray | None = None
) -> Float64Array:
    """Return the exact variance of a CAR over a window, covariance across days included.

    Parameters
    ----------
    sigma2 : ndarray
        (n_events,) residual variance.
    xtx_inv : ndarray
        (n_events, k, k) inverse of X'X over the estimation window.
    x : ndarray
        (n_events, L, k) regressors of the L days of the CAR window.
    days : ndarray of bool, optional
        (n_events, L) days whose AR is summed into the CAR; by default all L.

    Returns
    -------
    ndarray
        (n_events,) Var(CAR_i) = sigma_i^2 (L + s' (X'X)^{-1} s) with s = sum_t x_t.

    Notes
    -----
    The estimated coefficients are shared by all days of the window, so the ARs' forecast errors are
    correlated; the exact variance is sigma^2 (I_L + X*(X'X)^{-1}X*') summed over all L x L entries
    (MacKinlay 1997, eq. 12-14, V_i = I sigma^2 + X*(X'X)^{-1}X*' sigma^2). For the market model,
    sigma^2 [L + L^2/n + (sum_t (R_mt - mean(R_m)))^2 / S_mm]; fixture F1 gives 4.5 sigma^2,
    t = 2.357.

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    """
    if days is None:
        s = x.sum(axis=1)
        L: Float64Array | int = x.shape[1]
    else:  # only the available days enter the CAR (missing_returns: skip)
        s = np.where(days[..., None], x, 0.0).sum(axis=1)
        L = days.sum(axis=1)
    return sigma2 * (L + np.einsum("ek,ekl,el->e", s, xtx_inv, s))


def t_pvalue(stat: Float64Array | float, df: Float64Array | float) -> Float64Array:
    """Return the two-sided p-value of a statistic against Student's t with ``df`` degrees."""
    # scipy.special, not scipy.stats: the latter costs ~0.7 s to import, the former ~0.2 s.
    from scipy.special import stdtr

    with np.errstate(invalid="ignore"):
        df = np.asarray(df, dtype="float64")
        return np.asarray(2.0 * stdtr(np.where(df > 0, df, np.nan), -np.abs(stat)),
                          dtype="float64")


def normal_pvalue(stat: Float64Array | float) -> Float64Array:
    """Return the two-sided p-value of a statistic against the standard normal."""
    from scipy.special import ndtr  # lighter than scipy.stats

    with np.errstate(invalid="ignore"):
        return np.asarray(2.0 * ndtr(-np.abs(stat)), dtype="float64")


def normal_sf(stat: float) -> float:
    """Return P(Z > stat) for a standard normal Z (``scipy.stats.norm.sf``, same value)."""
    from scipy.special import ndtr

    return float(ndtr(-stat))


def binomial_sf(k: int, n: int, p: float) -> float:
    """Return P(W >= k) for W ~ Binomial(n, p): the one-sided binomial test's p-value.

    Equal to ``scipy.stats.binomtest(k, n, p, alternative='greater').pvalue``, which is
    ``binom.sf(k - 1, n, p)``: Boost's binomial tail, the ufunc behind ``scipy.stats.binom``
    (``scipy.special.bdtrc``, Cephes, differs in the last digits). Without importing
    scipy.stats (0.7 s, issue 12); on a scipy without that ufunc it falls back to binomtest.
    """
    if k <= 0:
        return 1.0
    try:
        from scipy.special._ufuncs import _binom_sf  # private: the ufunc of scipy.stats.binom
    except ImportError:  # pragma: no cover - other scipy layouts
        from scipy import stats

        return float(stats.binomtest(k, n, p, alternative="greater").pvalue)
    return float(np.clip(_binom_sf(k - 1, n, p), 0.0, 1.0))


def t_quantile(q: float, df: Float64Array | float) -> Float64Array:
    """Return the ``q`` quantile of Student's t with ``df`` degrees (``scipy.stats.t.ppf``).

    The same values as ``scipy.stats.t.ppf(q, df)`` (``scipy.special.stdtrit``; NaN where df <= 0
    or q is outside [0, 1], -inf at q = 0, +inf at q = 1: scipy 1.13's stdtrit gives NaN there)
    without importing scipy.stats (issue 12).
    """
    from scipy.special import stdtrit

    df = np.asarray(df, dtype="float64")
    ok = df > 0
    with np.errstate(invalid="ignore"):
        x = np.where(ok, stdtrit(np.where(ok, df, 1.0), q), np.nan)
    x = np.where(ok & (q == 1), np.inf, x)
    return np.asarray(np.where(ok & (q == 0), -np.inf, x), dtype="float64")
