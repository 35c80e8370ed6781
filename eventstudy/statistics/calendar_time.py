"""The calendar-time portfolio test (Jaffe 1974; Mandelker 1974), robust to event-date clustering.

Security-events that share day 0 are pooled into one equal-weighted portfolio per event date, whose
abnormal return is standardised by the portfolio's own standard deviation over the estimation
window. Because the portfolio's variance is measured on the same calendar days for all its members,
the cross-correlation of their abnormal returns is in it: the test does not overstate significance
for a one-date shock (case C44), the weakness of the cross-sectional t, Patell and BMP tests.
"""

from __future__ import annotations

import numpy as np

from eventstudy._typing import Float64Array, Window
from eventstudy.statistics._result import TestResult
from eventstudy.statistics.panel import TestPanel
from eventstudy.statistics.variance import normal_pvalue, t_pvalue

__all__ = ["calendar_time", "portfolio_series"]


def portfolio_series(panel: TestPanel) -> tuple[np.ndarray, list[Float64Array], Float64Array]:
    """Return, per event date (cluster), the portfolio's estimation-window ARs and event-window ARs.

    Returns
    -------
    clusters : ndarray of int
        (C,) calendar position of each cluster's day 0.
    est : list of ndarray
        Per cluster, the equal-weighted mean residual on each calendar estimation day on which at
        least one member has one (length T_c).
    evt : ndarray
        (C, L) the portfolio AR (mean over members present) on each event-window day.
    """
    i0 = int(np.flatnonzero(panel.tau == 0)[0]) if (panel.tau == 0).any() else 0
    clusters, which = np.unique(panel.evt_day[:, i0], return_inverse=True)
    est: list[Float64Array] = []
    evt = np.full((len(clusters), panel.ar_evt.shape[1]), np.nan)
    for c in range(len(clusters)):
        rows = which == c
        e, days = panel.ar_est[rows], panel.est_day[rows]
        ok = np.isfinite(e) & (days >= 0)
        if ok.any():
            _, pos = np.unique(days[ok], return_inverse=True)
            sums = np.bincount(pos, weights=e[ok])
            counts = np.bincount(pos)
            est.append(sums / counts)
        else:
            est.append(np.empty(0))
        x = panel.ar_evt[rows]
        n = np.isfinite(x).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            evt[c] = np.where(n > 0, np.nansum(x, axis=0) / n, np.nan)
    return clusters, est, evt


def calendar_time(panel: TestPanel, window: Window) -> TestResult:
    r"""Test CAAR = 0 with calendar-time portfolios, one per event date (Jaffe; Mandelker 1974).

    Parameters
    ----------
    panel : TestPanel
        Abnormal returns of the N security-events of one group.
    window : tuple of int
        Inclusive (t1, t2) in tau.

    Returns
    -------
    TestResult
        ``calendar_time``: with one event date, t(T - 1); with C > 1 dates, N(0, 1).

    Notes
    -----
    For event date c with members i in c, the portfolio abnormal return on each calendar day is the
    mean AR of the members present, AR_{p,t}. Its standard deviation s_c is the sample standard
    deviation (n - 1) of the portfolio's residuals over the T_c calendar days of the estimation
    window. The window statistic of the portfolio is

    .. math:: t_c = \frac{\sum_{t=t_1}^{t_2} AR_{c,t}}{\sqrt{L}\, s_c}

    referred to t(T_c - 1) when there is one event date. With C dates the portfolios are independent
    across dates (their windows need not overlap), and the standardised statistics are combined as
    :math:`z = \sum_c t_c / \sqrt{C}` against N(0, 1) (Mandelker 1974's standardised portfolio
    residuals). With one date this equals the crude dependence adjustment of Brown and Warner (1985)
    in calendar time. The number reported as ``nobs`` is the number of security-events.

    References
    ----------
    .. [1] Jaffe, J. F. (1974). Special information and insider trading. Journal of Business 47(3),
       410-428.
    .. [2] Mandelker, G. (1974). Risk and return: the case of merging firms. JFE 1(4), 303-335.
    .. [3] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    """
    sl = panel.window_slice(window)
    L = sl.stop - sl.start
    _, est, evt = portfolio_series(panel)
    stats, dfs = [], []
    for c, series in enumerate(est):
        car = evt[c, sl]
        if len(series) < 3 or not np.isfinite(car).all():
            continue
        sd = float(np.std(series, ddof=1))
        if not sd > 0:
            continue
        stats.append(float(car.sum()) / (np.sqrt(L) * sd))
        dfs.append(len(series) - 1)
    n = int(np.isfinite(panel.ar_evt[:, sl]).all(axis=1).sum())
    null = f"CAAR{[int(window[0]), int(window[1])]} is zero"
    if not stats:
        return TestResult("calendar_time", float("nan"), float("nan"), "t", n, null_hypothesis=null)
    if len(stats) == 1:
        return TestResult("calendar_time", stats[0], float(t_pvalue(stats[0], dfs[0])),
                          f"t({dfs[0]})", n, null_hypothesis=null)
    z = float(np.sum(stats) / np.sqrt(len(stats)))
    return TestResult("calendar_time", z, float(normal_pvalue(z)), "N(0,1)", n,
                      null_hypothesis=null)
