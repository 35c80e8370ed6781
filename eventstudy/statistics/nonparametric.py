"""Nonparametric tests of abnormal returns.

Sign, generalized sign, Corrado-Zivney sign, Corrado rank, modified rank, Wilcoxon signed-rank and
GRANK.

Each test takes the :class:`~eventstudy.statistics.panel.TestPanel` of one group and an inclusive
tau window, and returns a :class:`~eventstudy.statistics.TestResult`; a one-day window gives the
daily form. The rank and sign tests that use the estimation window rank each security-event's
abnormal returns over its estimation days plus the event-window days of the panel (the "combined"
sample, the 250 days of Corrado 1989). All p-values are two-sided.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eventstudy._typing import Float64Array, Window
from eventstudy.statistics._result import TestResult
from eventstudy.statistics.panel import TestPanel
from eventstudy.statistics.variance import normal_pvalue, t_pvalue

__all__ = [
    "sign", "generalized_sign", "corrado_sign", "corrado_rank", "modified_rank", "wilcoxon",
    "grank",
]


def _result(test: str, stat: Any, p: Any, dist: str, n: Any, window: Window) -> TestResult:
    """Return the test's result; NaN when no security-event has the whole window (n = 0).

    The daily rank and sign statistics count a security-event on each day it has (N_t), so one
    missing a day of the window still adds its other days; but with n = 0 no security-event has
    the whole window, every CAR there is NaN and the other tests report nothing: nor do these.
    """
    if int(n) == 0:
        stat, p = np.nan, np.nan
    return TestResult(test, float(stat), float(p), dist, int(n),
                      null_hypothesis=f"abnormal returns over {list(window)} are not shifted",
                      alternative_hypothesis="they are shifted up or down (two-sided)")



def _window_sum(z: Float64Array, panel: TestPanel, window: Window) -> float:
    sl = panel.window_slice(window)
    zz = z[sl]
    return float(zz.sum() / np.sqrt(len(zz)))


def _n(panel: TestPanel, window: Window) -> int:
    return int(np.isfinite(panel.car(window)).sum())


def sign(panel: TestPanel, window: Window) -> TestResult:
    r"""Test that positive and negative CARs are equally likely (the simple sign test).

    Notes
    -----
    With w the number of positive CARs among N,

    .. math:: z = \frac{w - N/2}{\sqrt{N/4}} \sim N(0, 1).

    Assumes a median AR of zero, which daily ARs usually violate (see :func:`generalized_sign`).

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1980). Measuring security price performance. JFE 8(3),
       205-258.
    .. [2] Boehmer, E., Musumeci, J., Poulsen, A. B. (1991). JFE 30(2), 253-272.
    """
    car = panel.car(window)
    car = car[np.isfinite(car)]
    n, w = len(car), float(np.sum(car > 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (w - 0.5 * n) / np.sqrt(0.25 * n)
    return _result("sign", z, normal_pvalue(z), "N(0,1)", n, window)


def generalized_sign(panel: TestPanel, window: Window) -> TestResult:
    r"""Test the share of positive CARs against its estimation-window rate (Cowan 1992).

    Notes
    -----
    .. math:: z = \frac{w - N\hat p}{\sqrt{N \hat p (1 - \hat p)}} \sim N(0, 1)

    with w the number of positive CARs and p-hat the share of positive estimation-window ARs:
    the mean over securities of each one's share (Cowan 1992, ``gsign_p='mean'``) or the share over
    all pooled security-days (``gsign_p='pooled'``, estudy2).

    References
    ----------
    .. [1] Cowan, A. R. (1992). Nonparametric event study tests. RQFA 2(4), 343-358.
    """
    p_hat = panel.gsign_p_hat
    car = panel.car(window)
    car = car[np.isfinite(car)]
    n, w = len(car), float(np.sum(car > 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (w - n * p_hat) / np.sqrt(n * p_hat * (1.0 - p_hat))
    return _result("generalized_sign", z, normal_pvalue(z), "N(0,1)", n, window)


def corrado_sign(panel: TestPanel, window: Window) -> TestResult:
    r"""Test for abnormal returns with the Corrado-Zivney (1992) sign test.

    Notes
    -----
    G_it = sign(AR_it - median_i) with the median over the security's combined days; with
    N_t the securities present on day t and S_t = sum_i G_it,

    .. math:: z_t = \frac{S_t/\sqrt{N_t}}{s_G},\quad
       s_G^2 = \frac{1}{\bar M^c}\sum_{t} \left(\frac{S_t}{\sqrt{N_t}}\right)^2,\quad
       z = \frac{1}{\sqrt{L}}\sum_{t=t_1}^{t_2} z_t \sim N(0, 1)

    the sum of s_G over all combined days, M-bar^c the mean number of combined days.

    References
    ----------
    .. [1] Corrado, C. J., Zivney, T. L. (1992). The specification and power of the sign test in
       event study hypothesis tests using daily stock returns. JFQA 27(3), 465-478.
    """
    z = _window_sum(panel.corrado_sign_z, panel, window)
    return _result("corrado_sign", z, normal_pvalue(z), "N(0,1)", _n(panel, window), window)


def corrado_rank(panel: TestPanel, window: Window) -> TestResult:
    r"""Test for abnormal returns with the Corrado (1989) rank test; over days, Cowan's form.

    Notes
    -----
    K_it is the rank of AR_it among the security's combined days (average ties). One day:

    .. math:: z_t = \frac{\frac{1}{N_t}\sum_i (K_{it} - \bar K_i)}{s_K},\quad
       s_K^2 = \frac{1}{\bar M^c}\sum_t \Big(\frac{1}{N_t}\sum_i (K_{it} - \bar K_i)\Big)^2

    A window of L days (Cowan 1992): with k_t the mean centred rank on day t,

    .. math:: z = \sqrt{L}\,\frac{\bar k_{t_1..t_2}}{\sqrt{\sum_t k_t^2/\bar M^c}} \sim N(0,1)

    ranks centred on each security's mean rank (``rank_centering='security'``) or on the mean of
    those means (``'pooled'``, estudy2's ``car_rank_test``).

    References
    ----------
    .. [1] Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in
       event studies. JFE 23(2), 385-395.
    .. [2] Cowan, A. R. (1992). Nonparametric event study tests. RQFA 2(4), 343-358.
    """
    n = _n(panel, window)
    sl = panel.window_slice(window)
    if sl.stop - sl.start == 1:
        z = float(panel.corrado_rank_z[sl][0])
    else:
        total, count, s_k = panel.rank_window
        first = len(total) - len(panel.tau)  # the event-window columns follow the T estimation days
        days = slice(first + sl.start, first + sl.stop)
        mean = total[days].sum() / count[days].sum()
        z = float(np.sqrt(sl.stop - sl.start) * mean / s_k)
    return _result("corrado_rank", z, normal_pvalue(z), "N(0,1)", n, window)


def modified_rank(panel: TestPanel, window: Window) -> TestResult:
    r"""Test for abnormal returns with the modified (standardised-rank) rank test.

    Notes
    -----
    U_it = K_it / (M_i^c + 1), uniform on (0, 1) whatever the number of valid days, so securities
    with missing returns mix (Corrado and Zivney 1992; Kolari and Pynnonen 2011):

    .. math:: z_t = \frac{\sum_i (U_{it} - 1/2)/\sqrt{N_t}}{s_U},\quad
       s_U^2 = \frac{1}{\bar M^c}\sum_t \Big(\frac{\sum_i (U_{it} - 1/2)}{\sqrt{N_t}}\Big)^2,
       \quad z = \frac{1}{\sqrt L}\sum_{t=t_1}^{t_2} z_t

    References
    ----------
    .. [1] Corrado, C. J., Zivney, T. L. (1992). JFQA 27(3), 465-478.
    .. [2] Kolari, J. W., Pynnonen, S. (2011). Nonparametric rank tests for event studies. Journal
       of Empirical Finance 18(5), 953-971.
    """
    z = _window_sum(panel.modified_rank_z, panel, window)
    return _result("modified_rank", z, normal_pvalue(z), "N(0,1)", _n(panel, window), window)


def wilcoxon(panel: TestPanel, window: Window) -> TestResult:
    """Test that CARs are symmetric about zero with the Wilcoxon signed-rank test.

    Notes
    -----
    The statistic is W+ = sum of the ranks of |CAR_i| over the positive CARs (zeros dropped),
    as estudy2 reports it; the p-value is that of :func:`scipy.stats.wilcoxon` (exact for small N,
    normal approximation otherwise).

    References
    ----------
    .. [1] Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1(6),
       80-83.
    """
    from scipy import stats

    car = panel.car(window)
    x = car[np.isfinite(car) & (car != 0)]
    n = len(x)
    if n == 0:
        return _result("wilcoxon", np.nan, np.nan, "signed-rank(0)", 0, window)
    ranks = stats.rankdata(np.abs(x))
    w_plus = float(ranks[x > 0].sum())
    p = float(stats.wilcoxon(x).pvalue)
    return _result("wilcoxon", w_plus, p, f"signed-rank({n})", n, window)


def grank(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAR = 0 with the generalized rank test GRANK-T of Kolari and Pynnonen (2011).

    Notes
    -----
    Standardised estimation ARs SAR_it = AR_it / sigma_i and the window's standardised CAR,
    re-standardised for event-induced volatility, SCAR*_i = SCAR_i / s(SCAR), form the generalized
    SARs of T_i = M_i + 1 "days" (the window is day 0). With U_it = rank(GSAR_it)/(T_i + 1) - 1/2,

    .. math:: Z = \frac{\bar U_0}{S_{\bar U}},\quad
       S_{\bar U}^2 = \frac{1}{T}\sum_t \frac{N_t}{N}\bar U_t^2,\quad
       t_{grank} = Z\sqrt{\frac{T - 2}{T - 1 - Z^2}} \sim t(T - 2)

    with T the number of days (estimation days with a GSAR plus day 0), aligned in event time.

    References
    ----------
    .. [1] Kolari, J. W., Pynnonen, S. (2011). Nonparametric rank tests for event studies. Journal
       of Empirical Finance 18(5), 953-971.
    """
    scar = panel.scar(window)
    ok = np.isfinite(scar)
    n = int(ok.sum())
    if n < 2:
        return _result("grank", np.nan, np.nan, "t", n, window)
    # Ranks of the estimation SARs do not depend on the window: they are ranked once; inserting
    # the window's SCAR* adds 1 to those above it (1/2 for ties), as a joint ranking would. Only the
    # daily means of U enter the statistic, so they are formed as weighted column sums.
    g = panel.grank_parts
    with np.errstate(invalid="ignore", divide="ignore"):
        scar_star = np.where(ok, scar / np.std(scar[ok], ddof=1), np.nan)
    s = scar_star[:, None]
    w = np.where(ok, g["inv"], 0.0)  # 1 / (T_i + 1) for the security-events in the test
    sar = g["sar"]
    with np.errstate(invalid="ignore"):
        above = (sar > s) + 0.5 * (sar == s)  # NaN SAR or SCAR*: False
        below = np.sum(sar < s, axis=1) + 0.5 * np.sum(sar == s, axis=1)
    valid = g["valid"] & ok[:, None]
    n_t = np.append(valid.sum(axis=0), n).astype("float64")
    sum_u = np.append(g["base"].T @ w + above.T @ w, np.sum(w * (1.0 + below)))
    with np.errstate(invalid="ignore", divide="ignore"):
        u_bar = sum_u / n_t - 0.5
    days = n_t > 0
    T = int(days.sum())
    s2 = np.sum((n_t[days] / n) * u_bar[days] ** 2) / T
    Z = u_bar[-1] / np.sqrt(s2)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = Z * np.sqrt((T - 2) / (T - 1 - Z**2))
    return _result("grank", t, t_pvalue(t, T - 2), f"t({T - 2})", n, window)
