"""Two-sample tests of CARs: Welch's t and the Mann-Whitney U, without importing scipy.stats.

Both give the numbers of :func:`scipy.stats.ttest_ind` (``equal_var=False``) and
:func:`scipy.stats.mannwhitneyu` (asymptotic, two-sided) to the last bit: the same formulas, the
same order of floating-point operations, and the same ``scipy.special`` distribution functions
(``stdtr``, ``ndtr``). Importing ``scipy.stats`` costs about 0.7 s, ``scipy.special`` about 0.1 s
(issue 12). Where the formula cannot be reproduced cheaply (the exact Mann-Whitney distribution of
small samples without ties) :mod:`scipy.stats` is imported on that call only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eventstudy._typing import Float64Array

__all__ = ["welch_t", "mann_whitney_u"]


def welch_t(a: Float64Array, b: Float64Array) -> tuple[float, float]:
    r"""Test that two samples have the same mean without assuming equal variances.

    Parameters
    ----------
    a, b : ndarray
        (n1,) and (n2,) finite values, n1 and n2 >= 2 (e.g. the CARs of an exposed group and of the
        rest of the universe).

    Returns
    -------
    t, p_value : float
        Welch's t of mean(a) - mean(b) and its two-sided p-value against Student's t with the
        Welch-Satterthwaite degrees of freedom; equal to ``scipy.stats.ttest_ind(a, b,
        equal_var=False)``.

    Notes
    -----
    .. math::

        t = \frac{\bar a - \bar b}{\sqrt{s_a^2/n_1 + s_b^2/n_2}}, \qquad
        \nu = \frac{(s_a^2/n_1 + s_b^2/n_2)^2}{(s_a^2/n_1)^2/(n_1 - 1) + (s_b^2/n_2)^2/(n_2 - 1)}

    with sample variances :math:`s^2` (ddof 1). As scipy: the variance is the mean squared deviation
    times n/(n - 1), and an undefined :math:`\nu` (both variances zero) is set to 1.

    References
    ----------
    .. [1] Welch, B. L. (1947). The generalization of 'Student's' problem when several different
       population variances are involved. Biometrika 34(1/2), 28-35.
    """
    from scipy.special import stdtr

    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    n1, n2 = a.shape[0], b.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, m1 = _var_ddof1(a)
        v2, m2 = _var_ddof1(b)
        vn1 = v1 / n1
        vn2 = v2 / n2
        df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1))
        df = np.where(np.isnan(df), 1.0, df)
        t = np.divide(m1 - m2, np.sqrt(vn1 + vn2))
    p = 2 * stdtr(df, -np.abs(t))
    return float(t), float(p)


def _var_ddof1(x: Float64Array) -> tuple[np.floating[Any], np.floating[Any]]:
    """Return the sample variance (ddof 1) and mean of ``x`` in scipy's order of operations."""
    mean = np.mean(x, keepdims=True)
    var = np.mean((x - mean) ** 2)
    n = np.asarray(x.shape[0], dtype="float64")
    var *= n / (n - 1)
    return var, np.mean(x)


def mann_whitney_u(a: Float64Array, b: Float64Array) -> tuple[float, float]:
    r"""Test whether values of ``a`` tend to be larger or smaller than those of ``b``.

    Parameters
    ----------
    a, b : ndarray
        (n1,) and (n2,) values without NaN, n1, n2 >= 1.

    Returns
    -------
    u, p_value : float
        The U statistic of ``a`` (rank sum of ``a`` minus n1 (n1 + 1) / 2) and its two-sided
        p-value; equal to ``scipy.stats.mannwhitneyu(a, b, alternative='two-sided')``.

    Notes
    -----
    Normal approximation with continuity and tie correction when both samples are larger than 8
    or there are ties (scipy's ``method='auto'``):

    .. math::

        z = \frac{\max(U_1, U_2) - n_1 n_2/2 - 1/2}
                 {\sqrt{\frac{n_1 n_2}{12}\left((n + 1) - \frac{\sum_j (t_j^3 - t_j)}
                 {n (n - 1)}\right)}}, \qquad p = \min(1, 2\,\Phi(-z))

    with :math:`t_j` the size of the j-th group of tied values and :math:`n = n_1 + n_2`. Otherwise
    the exact distribution of U: that case calls :func:`scipy.stats.mannwhitneyu`.

    References
    ----------
    .. [1] Mann, H. B., Whitney, D. R. (1947). On a test of whether one of two random variables is
       stochastically larger than the other. Ann. Math. Statist. 18(1), 50-60.
    """
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    n1, n2 = a.shape[0], b.shape[0]
    xy = np.concatenate([a, b])
    if n1 == 0 or n2 == 0 or np.isnan(xy).any():
        return _scipy_mannwhitneyu(a, b)  # raises scipy's error
    _, inverse, counts = np.unique(xy, return_inverse=True, return_counts=True)
    ties = counts.astype("float64")
    if (n1 <= 8 or n2 <= 8) and not (counts > 1).any():
        return _scipy_mannwhitneyu(a, b)  # the exact distribution
    ranks = (np.cumsum(ties) - (ties - 1) / 2)[inverse]  # average ranks, 1-based
    r1 = np.sum(ranks[:n1])
    u1 = r1 - n1 * (n1 + 1) / 2
    u2 = n1 * n2 - u1
    u = np.maximum(u1, u2)
    n = n1 + n2
    tie_term = np.sum(ties ** 3 - ties)
    s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    numerator = u - n1 * n2 / 2
    numerator -= 0.5  # continuity correction
    with np.errstate(divide="ignore", invalid="ignore"):
        z = numerator / s
    from scipy.special import ndtr

    p = ndtr(-z)
    p *= 2
    return float(u1), float(np.clip(p, 0.0, 1.0))


def _scipy_mannwhitneyu(a: Float64Array, b: Float64Array) -> tuple[float, float]:
    from scipy import stats

    res = stats.mannwhitneyu(a, b, alternative="two-sided")
    return float(res.statistic), float(res.pvalue)
