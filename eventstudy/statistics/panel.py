"""The arrays every cross-sectional test needs, for N security-events at once (no loop per event).

A :class:`TestPanel` holds the estimation-window residuals and the event-window abnormal returns of
N security-events aligned in event time (tau), their standardisation under the chosen
:class:`~eventstudy.statistics.conventions.Conventions`, and the calendar position of every day (for
the residual cross-correlation of Kolari and Pynnonen 2010). Tests take a panel and a window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from eventstudy._typing import Float64Array, IntArray, Window
from eventstudy.exceptions import ConfigError
from eventstudy.statistics.conventions import Conventions
from eventstudy.statistics.variance import car_variance, t_pvalue

__all__ = ["TestPanel", "build_panel", "forecast_error_matrix", "market_forecast_error_matrix",
           "PAIRWISE_MAX"]


def forecast_error_matrix(
    xtx_inv: Float64Array,
    nobs: Float64Array,
    x_all: Float64Array | None = None,
    valid_all: np.ndarray | None = None,
) -> Float64Array:
    """Return the matrix A of the forecast-error term x_t' A x_t, per security-event.

    Parameters
    ----------
    xtx_inv : ndarray
        (n, k, k) inverse of X'X over each security-event's valid estimation days.
    nobs : ndarray
        (n,) valid estimation days M_i.
    x_all, valid_all : ndarray, optional
        (n, T, k) estimation-window design on every day with a market return, and (n, T) its mask.
        When given, the market moments come from all those days (``market_moments='all'``) and the
        intercept term stays 1/M_i: A = (X_a'X_a)^{-1} + (1/M_i - 1/n_a) e_1 e_1'.

    Returns
    -------
    ndarray
        (n, k, k). With the default, A = (X'X)^{-1}, so that for the market model
        x'Ax = 1/M + (R_m,t - mean R_m)^2 / S_mm (MacKinlay 1997, eq. 10-11).

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    """
    if x_all is None or valid_all is None:
        return xtx_inv
    w = valid_all.astype("float64")
    X = np.where(valid_all[..., None], x_all, 0.0)
    xtx = np.einsum("etk,etl->ekl", X, X)
    k = xtx.shape[-1]
    ok = np.abs(np.linalg.det(xtx)) > 1e-300
    A = np.linalg.inv(np.where(ok[:, None, None], xtx, np.eye(k)))
    n_all = w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        A[:, 0, 0] += 1.0 / nobs - 1.0 / n_all
    A[~ok] = xtx_inv[~ok]
    # Fixed-parameter models carry no estimation error whatever the moments.
    A[np.all(xtx_inv == 0, axis=(1, 2))] = 0.0
    return A


def market_forecast_error_matrix(xtx_inv: Float64Array, market_column: int = 1) -> Float64Array:
    """Return A with only the intercept (column 0) and the market regressor.

    Parameters
    ----------
    xtx_inv : ndarray
        (n, k, k) inverse of X'X over each security-event's estimation days.
    market_column : int, default 1
        Column of the market return in the design (1 for the market and factor models, 2 for
        Dimson's [1, R_m,t-1, R_m,t, R_m,t+1]).

    Returns
    -------
    ndarray
        (n, k, k) zero except the [0, market_column] block, the inverse of the [1, R_m] block of
        X'X, so that x'Ax = 1/M + (R_m,t - mean R_m)^2 / S_mm, the market-model term (MacKinlay
        1997, eq. 10-11) also for factor models (``conventions.fe_regressors='market'``, the R
        package EventStudy). Unchanged for k < 3 and for fixed-parameter models (A = 0).
    """
    k = xtx_inv.shape[-1]
    if k < 3:
        return xtx_inv
    idx = np.array([0, market_column])
    out = np.zeros_like(xtx_inv)
    fixed = np.all(xtx_inv == 0, axis=(1, 2))
    ok = ~fixed & np.isfinite(xtx_inv).all(axis=(1, 2))
    if ok.any():
        xtx = np.linalg.inv(xtx_inv[ok])
        block = np.linalg.inv(xtx[:, idx[:, None], idx[None, :]])
        sub = out[ok]
        sub[:, idx[:, None], idx[None, :]] = block
        out[ok] = sub
    out[~ok & ~fixed] = np.nan
    return out


@dataclass(frozen=True)
class TestPanel:
    """Abnormal returns of N security-events in event time, ready for the cross-sectional tests.

    Attributes
    ----------
    ar_est : ndarray
        (N, T) estimation-window abnormal returns (model residuals), NaN on days not used.
    ar_evt : ndarray
        (N, L) event-window abnormal returns, tau = ``tau``.
    tau : ndarray
        (L,) event times of the columns of ``ar_evt``.
    sigma2 : ndarray
        (N,) residual variance under ``conventions.sigma_ddof``.
    nobs : ndarray
        (N,) valid estimation days M_i.
    df : ndarray
        (N,) residual degrees of freedom M_i - k of the normal-return model.
    x_evt : ndarray
        (N, L, k) event-window regressors.
    A : ndarray
        (N, k, k) forecast-error matrix (see :func:`forecast_error_matrix`).
    est_day, evt_day : ndarray of int
        (N, T) and (N, L) calendar positions (row of the returns index) of each day; -1 if none.
    ret_evt, normal_evt : ndarray
        (N, L) event-window returns and normal returns (for BHAR).
    conventions : Conventions
    labels : ndarray or None
        (N,) cluster of each security-event for the Ibragimov-Mueller test (the study's groups).

    Window-independent values (ranks, daily statistics, r-bar) are ``functools.cached_property``
    members computed on first use; nothing mutable is shared, so ``dataclasses.replace`` gives a
    panel with fresh values.
    """

    __test__ = False  # not a pytest class

    ar_est: Float64Array
    ar_evt: Float64Array
    tau: IntArray
    sigma2: Float64Array
    nobs: Float64Array
    df: Float64Array
    x_evt: Float64Array
    A: Float64Array
    est_day: IntArray
    evt_day: IntArray
    ret_evt: Float64Array
    normal_evt: Float64Array
    conventions: Conventions = field(default_factory=Conventions)
    missing_returns: str = "nan"
    """'nan': a missing AR makes the CAR NaN; 'skip': the CAR sums the available days."""
    kind: str = "simple"
    """Return type of ``ret_evt`` and ``normal_evt``, 'simple' or 'log' (BHAR compounds simple)."""
    labels: np.ndarray | None = field(default=None, compare=False)
    """(N,) cluster label of each security-event (the study's group, e.g. an industry), for the
    Ibragimov-Mueller test; None: one cluster."""

    @property
    def n(self) -> int:
        """Number of security-events N."""
        return int(self.ar_evt.shape[0])

    def subset(self, mask: np.ndarray) -> TestPanel:
        """Return the panel of the security-events where ``mask`` is true (a group)."""
        kw: dict[str, Any] = {}
        for name in ("ar_est", "ar_evt", "sigma2", "nobs", "df", "x_evt", "A", "est_day",
                     "evt_day", "ret_evt", "normal_evt"):
            kw[name] = getattr(self, name)[mask]
        return TestPanel(tau=self.tau, conventions=self.conventions,
                         missing_returns=self.missing_returns, kind=self.kind,
                         labels=None if self.labels is None else self.labels[mask], **kw)

    def window_slice(self, window: Window) -> slice:
        """Return the column slice of ``ar_evt`` for an inclusive tau window.

        Raises
        ------
        ValueError
            When the window is reversed or not inside the event windows.
        """
        t1, t2 = int(window[0]), int(window[1])
        lo, hi = int(self.tau[0]), int(self.tau[-1])
        if t1 > t2 or t1 < lo or t2 > hi:
            raise ConfigError(f"window {[t1, t2]} is not inside the event windows [{lo}, {hi}]")
        return slice(t1 - lo, t2 - lo + 1)

    @cached_property
    def combined(self) -> Float64Array:
        """(N, T + L) abnormal returns over the estimation days then the event-window days."""
        return np.concatenate([self.ar_est, self.ar_evt], axis=1)

    @cached_property
    def combined_ranks(self) -> Float64Array:
        """(N, T + L) ranks of each security-event's combined-day ARs (Corrado 1989).

        Average ranks for ties; NaN stays NaN.
        """
        return row_ranks(self.combined)

    # -- window-independent inputs of the tests, computed once per panel (a group's panel)

    @cached_property
    def est_var(self) -> Float64Array:
        """(N,) sample variance (n - 1) of each security-event's estimation-window ARs."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.nanvar(self.ar_est, axis=1, ddof=1), dtype="float64")

    @cached_property
    def aar_est(self) -> Float64Array:
        """(T,) estimation-window AAR in event time, over the security-events present."""
        total, count = column_sums(self.ar_est)
        return mean_from_sums(total, count)

    @cached_property
    def corrado_sign_z(self) -> Float64Array:
        """(L,) daily Corrado-Zivney (1992) sign statistics of the event days."""
        return daily_z(corrado_sign_scores(self.combined), self, 0.5)

    @cached_property
    def corrado_rank_z(self) -> Float64Array:
        """(L,) daily Corrado (1989) rank statistics of the event days."""
        return daily_z(centred_ranks(self.combined_ranks), self, 1.0,
                       sample=self.conventions.rank_variance == "sample")

    @cached_property
    def modified_rank_z(self) -> Float64Array:
        """(L,) daily standardised-rank statistics (Corrado and Zivney 1992) of the event days."""
        return daily_z(uniform_ranks(self.combined_ranks, self.combined), self, 0.5)

    @cached_property
    def rank_window(self) -> tuple[Float64Array, Float64Array, float]:
        """Column sums and counts (T + L,) of the centred ranks and their s_k (Cowan 1992).

        From :func:`rank_sums` of this panel by :func:`rank_window_from_sums`, the function the
        chunked path applies to the sums merged over chunks.
        """
        return rank_window_from_sums(rank_sums(self.combined_ranks), self.n,
                                     self.conventions.rank_centering,
                                     self.conventions.rank_variance)

    @cached_property
    def grank_parts(self) -> dict[str, Any]:
        """The window-independent parts of GRANK.

        Estimation SARs, their ranks among the estimation days (NaN -> 0), the validity mask and
        1 / (T_i + 1), T_i = valid estimation days + day 0.

        SAR = AR / sigma keeps each security's order, so the ranks come from the cached combined
        ranks less the event-window ARs below (half for ties) each estimation AR (Kolari and
        Pynnonen 2011).
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            sar = self.ar_est / np.sqrt(self.sigma2)[:, None]
        T = self.ar_est.shape[1]
        est, evt = self.ar_est, self.ar_evt
        ranks = self.combined_ranks[:, :T].copy()
        # Ties lower the sum of squared ranks below that of 1..n (a tie of two by 1/2).
        K = self.combined_ranks
        n_i = np.isfinite(K).sum(axis=1)
        ties = bool(np.any(np.nansum(K * K, axis=1) < n_i * (n_i + 1) * (2 * n_i + 1) / 6 - 0.25))
        for j in range(evt.shape[1]):  # a loop over the L event days, not over events
            e = evt[:, j, None]
            ranks -= e < est
            if ties:  # average ranks only arise from ties; without them the half-counts are zero
                ranks -= 0.5 * (e == est)
        valid = np.isfinite(sar)
        return {"sar": np.where(valid, sar, np.nan), "base": np.where(valid, ranks, 0.0),
                "valid": valid, "inv": 1.0 / (valid.sum(axis=1) + 2.0)}

    @cached_property
    def gsign_p_hat(self) -> float:
        """Share of positive estimation-window ARs under ``conventions.gsign_p`` (Cowan 1992)."""
        return gsign_p_hat_from_sums(gsign_sums(self.ar_est), self.conventions.gsign_p)

    @cached_property
    def fe_quad_full(self) -> Float64Array:
        """(N, L) forecast-error term x_t' A x_t of each event day, whatever the conventions."""
        return np.einsum("etk,ekl,etl->et", self.x_evt, self.A, self.x_evt)

    @cached_property
    def fe_quad(self) -> Float64Array:
        """(N, L) forecast-error term x_t' A x_t of each event day (0 without the correction)."""
        if not self.conventions.forecast_error:
            return np.zeros(self.ar_evt.shape)
        return self.fe_quad_full

    # -- the variance engine: every AR/CAR variance and t statistic of the product comes from here

    @cached_property
    def ar_variance(self) -> Float64Array:
        """(N, L) Var(AR_it) = sigma_i^2 (1 + x_t'Ax_t) under the conventions.

        The forecast-error variance of MacKinlay (1997, eq. 10-11); sigma^2 alone with
        ``forecast_error=False``. Fixture F1 day 0: sigma^2 (1 + 1/6 + 0.1), t = 4.443.
        """
        return self.sigma2[:, None] * (1.0 + self.fe_quad)

    @cached_property
    def forecast_error_variance(self) -> Float64Array:
        """(N, L) sigma_i^2 (1 + x_t'Ax_t), the forecast-error variance whatever ``forecast_error``.

        Used by the tests whose peer always corrects for the forecast error (Patell's Z under
        ``conventions.patell='daily_fe'``, the EventStudy R package). Patell (1976); MacKinlay
        (1997, eq. 10-11).
        """
        return self.sigma2[:, None] * (1.0 + self.fe_quad_full)

    @cached_property
    def sar_fe(self) -> Float64Array:
        """(N, L) AR / sqrt(:attr:`forecast_error_variance`): Patell's (1976) forecast-error SAR."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.ar_evt / np.sqrt(self.forecast_error_variance)

    @cached_property
    def sar(self) -> Float64Array:
        """(N, L) standardised abnormal returns AR / sqrt(Var(AR)) (Patell 1976).

        Also the AR t statistic of ar.csv and ``res.to_frame()``, against t(df).
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.ar_evt / np.sqrt(self.ar_variance)

    @cached_property
    def sar_pvalue(self) -> Float64Array:
        """(N, L) two-sided p-value of :attr:`sar` against Student's t with the model's df."""
        return t_pvalue(self.sar, self.df[:, None])

    def window_days(self, window: Window) -> np.ndarray | None:
        """(N, L_w) days whose AR enters the CAR over ``window``.

        None for all days (a missing AR makes the CAR NaN), the available days under
        ``missing_returns='skip'``.
        """
        if self.missing_returns != "skip":
            return None
        return np.isfinite(self.ar_evt[:, self.window_slice(window)])

    def car(self, window: Window) -> Float64Array:
        """(N,) CAR over ``window``.

        NaN when any AR in it is missing (never a partial sum), or with ``missing_returns='skip'``
        the sum of the available ARs (NaN if none).
        """
        return car_of(self.ar_evt[:, self.window_slice(window)], self.missing_returns)

    def n_days(self, window: Window) -> IntArray:
        """(N,) number of ARs summed into each CAR over ``window`` (all days unless 'skip')."""
        sl = self.window_slice(window)
        days = self.window_days(window)
        if days is None:
            return np.full(self.n, sl.stop - sl.start, dtype=np.int64)
        return days.sum(axis=1).astype(np.int64)

    def car_variance(self, window: Window) -> Float64Array:
        """(N,) Var(CAR) over ``window`` under ``conventions.car_variance``.

        'exact': sigma^2 (L + s'As) with s the summed regressors (MacKinlay 1997, eq. 12-14; F1:
        4.5 sigma^2, t = 2.357); 'sqrt_l': L sigma^2 (F1: t = 2.887); 'daily_sum': the sum of the
        daily variances :attr:`ar_variance`. Under ``missing_returns='skip'`` only the summed days
        count (L is then ``n_days``).
        """
        sl = self.window_slice(window)
        days = self.window_days(window)
        L = self.n_days(window).astype("float64")
        rule = self.conventions.car_variance
        if rule == "sqrt_l" or not self.conventions.forecast_error:
            return self.sigma2 * L
        if rule == "daily_sum":
            v = self.ar_variance[:, sl]
            return np.where(days, v, 0.0).sum(axis=1) if days is not None else v.sum(axis=1)
        return car_variance(self.sigma2, self.A, self.x_evt[:, sl], days)

    def scar(self, window: Window) -> Float64Array:
        """(N,) standardised CAR, CAR / sqrt(Var(CAR)).

        Equals :attr:`sar` for a one-day window, except under ``car_variance='sqrt_l'`` with
        ``forecast_error=True`` (then AR / sigma, Brown and Warner's sqrt(L) sigma with L = 1).

        Also the CAR t statistic of car.csv and ``res.car_table()``, against t(df).
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.car(window) / np.sqrt(self.car_variance(window))

    def bhar(self, window: Window) -> Float64Array:
        """(N,) buy-and-hold abnormal return over ``window``, decimal; NaN when a day is missing.

        BHAR_i = prod_t (1 + R_it) - prod_t (1 + E[R_it]) over t1..t2, E[R_it] the normal return
        (Barber and Lyon 1997), on simple returns: log returns (``kind == 'log'``) are turned into
        simple ones first, R = exp(r) - 1.
        """
        sl = self.window_slice(window)
        ret, normal = self.ret_evt[:, sl], self.normal_evt[:, sl]
        if self.kind == "log":
            ret, normal = np.expm1(ret), np.expm1(normal)
        return np.asarray(np.prod(1.0 + ret, axis=1) - np.prod(1.0 + normal, axis=1),
                          dtype="float64")

    def bhar_t(self, window: Window) -> Float64Array:
        r"""(N,) t statistic of each security-event's BHAR, BHAR / sqrt(Var(CAR)), against t(df).

        Notes
        -----
        To first order in the daily returns BHAR_i = CAR_i (the cross-products of the compounding
        are of second order), so its standard error is that of the CAR over the same window,
        :meth:`car_variance` under the conventions (Lyon, Barber and Tsai 1999 test the mean BHAR
        across events; for one security the estimation-window variance is the only one there is).
        Over long windows where compounding matters, the BHAR's distribution is skewed: prefer the
        skewness-adjusted t across events.

        References
        ----------
        .. [1] Lyon, J. D., Barber, B. M., Tsai, C.-L. (1999). Improved methods for tests of
           long-run abnormal stock returns. JF 54(1), 165-201.
        .. [2] Barber, B. M., Lyon, J. D. (1997). Detecting long-run abnormal stock returns. JFE
           43(3), 341-372.
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.bhar(window) / np.sqrt(self.car_variance(window))

    @cached_property
    def residual_correlation(self) -> float:
        r"""Average pairwise correlation of the security-events' estimation-window residuals.

        Returns
        -------
        float
            r-bar in [-1/(N-1), 1]; 0 for fewer than two security-events.

        Notes
        -----
        Kolari and Pynnonen (2010, eq. 9) adjust for the correlation of abnormal returns across
        securities whose event days coincide (clustering), measured on the estimation residuals.
        Security-events are grouped by the calendar date of day 0; pairs with different event
        dates count as uncorrelated. Within a cluster, r_ij is the Pearson correlation of the
        residuals of i and j over the calendar days both have (pairwise complete, as R's
        ``cor(use = "pairwise.complete.obs")``; 0 when they share fewer than 3 days or one is
        constant), and

        .. math:: \bar r = \frac{1}{N(N-1)} \sum_c \sum_{i \ne j \in c} r_{ij}

        so that (N - 1) r-bar is the average summed correlation the adjustment needs; with one
        common date it is the plain average of the N(N - 1)/2 pairwise correlations.

        Cost: the members present on every day of the cluster (balanced) cost O(n_c T): with z_i
        their residuals centred and scaled to unit length, sum_{i != j} r_ij = |sum_i z_i|^2 - n_c,
        no n_c x n_c matrix. Pairs with a member that misses days are computed exactly pair by
        pair (blocked matrix products, O(m_c n_c T) for m_c such members) while m_c n_c <=
        :data:`PAIRWISE_MAX`^2 (e.g. every one of 3,000 members, or 900 of 10,000); beyond that
        the O(n_c T) moment estimator sum_t (S_t^2 - Q_t) / sum_t N_t (N_t - 1) on residuals
        standardised over each one's own days (S_t, Q_t, N_t the sum, sum of squares and count of
        z on day t) is used: exact when balanced, close when few days are missing.

        References
        ----------
        .. [1] Kolari, J. W., Pynnonen, S. (2010). Event study testing with cross-sectional
           correlation of abnormal returns. RFS 23(11), 3996-4025.
        """
        N = self.n
        if N < 2:
            return 0.0
        total = summed_cluster_correlation(self.ar_est, self.est_day, self.evt_day, self.tau)
        return float(total / (N * (N - 1)))


def summed_cluster_correlation(ar_est: Float64Array, est_day: IntArray, evt_day: IntArray,
                               tau: IntArray) -> float:
    """Return sum_c sum_{i != j in c} r_ij over the day-0 clusters c of the security-events.

    The numerator of :attr:`TestPanel.residual_correlation`; additive over sets of whole clusters,
    so the chunked path (chunks of whole day-0 clusters) adds the totals of its chunks.
    """
    ok = np.isfinite(ar_est) & (est_day >= 0)
    i0 = int(np.flatnonzero(tau == 0)[0]) if (tau == 0).any() else 0
    _, cluster = np.unique(evt_day[:, i0], return_inverse=True)
    total = 0.0
    order = np.argsort(cluster, kind="stable")
    bounds = np.searchsorted(cluster[order], np.arange(cluster.max() + 2 if len(cluster) else 1))
    for c in np.flatnonzero(np.diff(bounds) >= 2):
        rows = order[bounds[c]:bounds[c + 1]]
        # rows of a cluster increase (a stable sort); consecutive ones are read as views
        sel = slice(rows[0], rows[-1] + 1) if rows[-1] - rows[0] == len(rows) - 1 else rows
        ok_c, day_c, ar_c = ok[sel], est_day[sel], ar_est[sel]
        # Members of a cluster share day 0, so column j is one calendar day for all of them: the
        # days they have are the columns any of them has, in calendar order (no sort needed).
        masked = np.where(ok_c, day_c, -1)
        top = masked.max(axis=0)
        if np.array_equal(masked, np.where(ok_c, top, -1)) and np.all(
                np.diff(top[top >= 0]) > 0):
            cols = np.flatnonzero(top >= 0)
            # (a column gather, even of every column: it gives W and X their memory order, on
            # which the order of the sums below depends)
            W = ok_c[:, cols]
            X = np.where(W, ar_c[:, cols], 0.0)
        else:
            days, col = np.unique(day_c[ok_c], return_inverse=True)
            X = np.zeros((len(rows), len(days)))
            W = np.zeros((len(rows), len(days)), dtype=bool)
            r_idx = np.broadcast_to(np.arange(len(rows))[:, None], ok_c.shape)[ok_c]
            X[r_idx, col] = ar_c[ok_c]
            W[r_idx, col] = True
        total += _summed_correlation(X, W)
    return total


# -- the cross-sectional inputs of the tests as functions of additive sufficient statistics (sums,
# counts over security-events), shared by TestPanel and the chunked path (eventstudy.scale)


def row_ranks(x: Float64Array) -> Float64Array:
    """Ranks of each row of ``x`` (1 = smallest), average ranks for ties, NaN staying NaN.

    The same numbers as ``scipy.stats.rankdata(x, axis=1, nan_policy='omit')``. Each value becomes
    an integer key that sorts as the float does, its low 8 bits replaced by the column (rows of at
    most 256 columns), so that one integer sort per row (faster than an argsort) gives the order;
    rows where two keys agree above those bits (a tie, or values within 2^-44 relative) are ranked
    by rankdata itself.
    """
    x = np.asarray(x, dtype="float64")
    n, m = x.shape
    if n == 0 or m == 0:
        return np.array(x, dtype="float64")
    if m > 256:
        return average_ranks(x)
    nan = np.isnan(x)
    key = (x + 0.0).view(np.int64)  # + 0.0: -0.0 becomes 0.0, as equal in the sort as in value
    key ^= (key >> 63) & np.int64(0x7FFFFFFFFFFFFFFF)  # negative floats: int order = float order
    key >>= 8
    cols = np.arange(m, dtype=np.int64)
    # NaN last, each above every float (+inf is 0x7FF0...) and apart from the others: no false tie
    key[nan] = np.broadcast_to((np.iinfo(np.int64).max >> 8) - m + cols, (n, m))[nan]
    key <<= 8
    key |= cols
    key.sort(axis=1)
    flat = (np.arange(n, dtype=np.int64) * m)[:, None] + (key & 0xFF)
    ranks = np.empty(n * m)
    ranks[flat.ravel()] = np.tile(np.arange(1.0, m + 1.0), n)
    ranks = ranks.reshape(n, m)
    ranks[nan] = np.nan
    # sorted keys less than 256 apart agree above the column bits: a tie (or a near one)
    tied = np.flatnonzero((np.diff(key, axis=1) < 256).any(axis=1))
    if len(tied):
        ranks[tied] = average_ranks(x[tied])
    return ranks


def average_ranks(x: Float64Array) -> Float64Array:
    """Ranks of each row of ``x`` (1 = smallest), average ranks for ties, NaN staying NaN.

    ``scipy.stats.rankdata(x, axis=1, nan_policy='omit')`` without importing scipy.stats (0.7 s,
    issue 12): a stable sort per row; each run of equal values gets the mean of its first and last
    position. Ranks are integers or halves, so the values are exactly rankdata's.
    """
    x = np.asarray(x, dtype="float64")
    n, m = x.shape
    if n == 0 or m == 0:
        return np.array(x, dtype="float64")
    order = np.argsort(x, axis=1, kind="stable")  # NaN last
    s = np.take_along_axis(x, order, axis=1)
    pos = np.arange(1, m + 1, dtype=np.int64)
    start = np.ones((n, m), dtype=bool)
    start[:, 1:] = s[:, 1:] != s[:, :-1]  # NaN != NaN: each NaN alone (made NaN below)
    end = np.ones((n, m), dtype=bool)
    end[:, :-1] = start[:, 1:]
    first = np.maximum.accumulate(np.where(start, pos, 0), axis=1)
    last = np.minimum.accumulate(np.where(end, pos, m + 1)[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty((n, m))
    np.put_along_axis(ranks, order, (first + last) / 2.0, axis=1)
    ranks[np.isnan(x)] = np.nan
    return ranks


def column_sums(x: Float64Array) -> tuple[Float64Array, Float64Array]:
    """Per column: the sum of the finite values and their count (float)."""
    ok = np.isfinite(x)
    return np.where(ok, x, 0.0).sum(axis=0), ok.sum(axis=0).astype("float64")


def mean_from_sums(total: Float64Array, count: Float64Array) -> Float64Array:
    """Column means from :func:`column_sums` (NaN where a column has no value)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(total / count, dtype="float64")


def row_medians(x: Float64Array) -> Float64Array:
    """(N,) median of each row's non-NaN values, NaN for a row without one.

    The numbers of ``np.nanmedian(x, axis=1)`` (which, for rows shorter than 600, sorts a masked
    copy and averages the two middle values as (low + high) / 2): here one plain sort, NaN last,
    and the same two middle values of the c non-NaN ones, without the masked-array overhead and
    without its all-NaN warning.
    """
    x = np.asarray(x, dtype="float64")
    n, m = x.shape
    if m == 0:
        return np.full(n, np.nan)
    srt = np.sort(x, axis=1)  # NaN sort last
    count = m - np.isnan(srt).sum(axis=1)
    high = count // 2
    low = np.where(count % 2 == 1, high, high - 1)
    rows = np.arange(n)
    med = (srt[rows, np.maximum(low, 0)] + srt[rows, np.minimum(high, m - 1)]) / 2.0
    med[count == 0] = np.nan
    return med


def corrado_sign_scores(combined: Float64Array) -> Float64Array:
    """sign(AR - the security-event's median AR over its combined days) (Corrado-Zivney 1992)."""
    med = row_medians(combined)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.sign(combined - med[:, None]), dtype="float64")


def mean_rank(ranks: Float64Array) -> Float64Array:
    """(N,) mean rank of each row: (n_i + 1) / 2 exactly (average ranks of ties keep the sum)."""
    n = np.isfinite(ranks).sum(axis=1)
    return np.where(n > 0, (n + 1.0) / 2.0, np.nan)


def centred_ranks(ranks: Float64Array) -> Float64Array:
    """Ranks less each security-event's mean rank (Corrado 1989)."""
    return ranks - mean_rank(ranks)[:, None]


def uniform_ranks(ranks: Float64Array, combined: Float64Array) -> Float64Array:
    """K / (M^c + 1) - 1/2, the standardised ranks of Corrado and Zivney (1992)."""
    return ranks / (1.0 + np.isfinite(combined).sum(axis=1))[:, None] - 0.5


def rank_sums(ranks: Float64Array) -> dict[str, Any]:
    """Additive sums of the combined-day ranks for :func:`rank_window_from_sums`.

    ``k`` and ``n`` the column sums of the security-centred ranks and their counts, ``k_raw`` the
    column sums of ranks less the security-events' mean rank (for pooled centring), ``avg`` and
    ``n_avg`` the sum and count of the security-events' mean ranks, ``cells`` the finite cells.
    """
    avg = mean_rank(ranks)
    k, n = column_sums(ranks - avg[:, None])
    ok = np.isfinite(ranks)
    good = np.isfinite(avg)
    return {"k": k, "n": n, "avg_cols": np.where(ok, avg[:, None], 0.0).sum(axis=0),
            "avg": float(avg[good].sum()), "n_avg": float(good.sum()),
            "cells": float(ok.sum())}


def merge_sums(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Add two dicts of sufficient statistics key by key."""
    return {key: a[key] + b[key] for key in a}


def rank_window_from_sums(sums: dict[str, Any], n_rows: int, centering: str, variance: str
                          ) -> tuple[Float64Array, Float64Array, float]:
    """Column sums and counts of the centred ranks and s_k (Cowan 1992) from :func:`rank_sums`.

    Parameters
    ----------
    sums : dict
        :func:`rank_sums`, or the :func:`merge_sums` of several.
    n_rows : int
        Security-events N.
    centering, variance : str
        ``conventions.rank_centering`` and ``conventions.rank_variance``.

    Returns
    -------
    tuple
        (T + L,) sums and counts of the centred ranks, and s_k: the root mean square of the daily
        mean centred rank over the mean number of combined days, or its sample standard deviation.
    """
    total, count = sums["k"], sums["n"]
    if centering == "pooled":
        with np.errstate(invalid="ignore", divide="ignore"):
            grand = sums["avg"] / sums["n_avg"]
        # k = K - grand = (K - avg_i) + (avg_i - grand), summed over the rows present on each day
        total = total + sums["avg_cols"] - count * grand
    k_t = mean_from_sums(total, count)
    if variance == "sample":
        return total, count, float(np.nanstd(k_t, ddof=1))
    length = sums["cells"] / n_rows
    return total, count, float(np.sqrt(np.nansum(k_t**2) / length))


def gsign_sums(ar_est: Float64Array) -> dict[str, float]:
    """Additive sums for the generalized sign test's p-hat: positives, valid days, shares."""
    valid = np.isfinite(ar_est)
    pos = (ar_est > 0) & valid
    n_pos, n_valid = pos.sum(axis=1), valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n_pos / n_valid
    good = np.isfinite(share)
    return {"pos": float(n_pos.sum()), "valid": float(n_valid.sum()),
            "share": float(share[good].sum()), "n_share": float(good.sum())}


def gsign_p_hat_from_sums(sums: dict[str, float], convention: str) -> float:
    """p-hat of the generalized sign test: pooled share of positive days or mean share (Cowan)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if convention == "pooled":
            return float(np.float64(sums["pos"]) / sums["valid"])
        return float(np.float64(sums["share"]) / sums["n_share"])


def car_of(ar_window: Float64Array, missing_returns: str) -> Float64Array:
    """(N,) CAR from the (N, L_w) ARs of a window (see :meth:`TestPanel.car`)."""
    if missing_returns == "skip":
        return np.where(np.isfinite(ar_window).any(axis=1), np.nansum(ar_window, axis=1), np.nan)
    return np.asarray(ar_window.sum(axis=1), dtype="float64")


PAIRWISE_MAX = 3000
"""Exact pairwise correlations while (rows with missing days) x (cluster size) <= PAIRWISE_MAX^2."""


def _pair_block(X: Float64Array, W: np.ndarray, rows: IntArray) -> Float64Array:
    """(len(rows), n) Pearson correlations of ``rows`` with every row over the days both have.

    0 where a pair shares fewer than 3 days or one is constant there, and on the diagonal.
    """
    Wf = W.astype("float64")
    Xz = np.where(W, X, 0.0)
    X2 = Xz * Xz
    m = Wf[rows] @ Wf.T  # shared days of each pair
    sx = Xz[rows] @ Wf.T  # sum of x_i over the days i shares with j
    sy = Wf[rows] @ Xz.T  # sum of x_j over the same days
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = Xz[rows] @ Xz.T - sx * sy / m
        vx = X2[rows] @ Wf.T - sx * sx / m
        vy = Wf[rows] @ X2.T - sy * sy / m
        r = cov / np.sqrt(vx * vy)
    good = (m >= 3) & (vx > 1e-300) & (vy > 1e-300) & np.isfinite(r)
    good[np.arange(len(rows)), rows] = False  # the diagonal
    return np.where(good, r, 0.0)


def _summed_correlation(X: Float64Array, W: np.ndarray) -> float:
    """Return sum_{i != j} r_ij of the rows of ``X`` over the columns both have (mask ``W``).

    Rows present on every column ("complete") share their days: their pairs cost O(n T) through
    the unit-length centred rows, sum_{i != j} r_ij = |sum_i z_i|^2 - n. Only pairs with a row that
    misses days are computed pair by pair, O(n_missing n T), in blocks; when n_missing x n exceeds
    PAIRWISE_MAX^2 the O(n T) moment estimator is used instead.
    """
    n, T = X.shape
    cnt = W.sum(axis=1)
    complete = cnt == T
    inc = np.flatnonzero(~complete)
    if len(inc) * n <= PAIRWISE_MAX**2:
        Xc = X[complete]
        # z (the centred rows scaled to unit length) built in one buffer, squares in another
        z = Xc - Xc.mean(axis=1, keepdims=True)
        sq = np.multiply(z, z)
        norm = np.sqrt(sq.sum(axis=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(z, norm[:, None], out=z)
        np.copyto(z, 0.0, where=~(norm > 0)[:, None])
        if T < 3:
            z[:] = 0.0
        S = z.sum(axis=0)
        np.multiply(z, z, out=sq)
        total = float(S @ S - sq.sum())  # complete x complete
        block = max(1, 2_000_000 // max(n, 1))  # bound memory: block x n matrices
        for a in range(0, len(inc), block):
            rows = inc[a:a + block]
            r = _pair_block(X, W, rows)
            # pairs (incomplete, complete) appear once here and once in the mirror order;
            # (incomplete, incomplete) pairs appear in both orders within these blocks
            total += 2.0 * float(r[:, complete].sum()) + float(r[:, ~complete].sum())
        return total
    # Moment estimator: z scaled to unit variance over the security's own days (ddof 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = np.where(W, X - (np.where(W, X, 0.0).sum(axis=1) / cnt)[:, None], 0.0)
        sd = np.sqrt((dev * dev).sum(axis=1) / cnt)
        z = np.where((sd > 0)[:, None], dev / sd[:, None], 0.0)
    z[cnt < 3] = 0.0
    S, Q = z.sum(axis=0), (z * z).sum(axis=0)
    Nt = W.sum(axis=0).astype("float64")
    den = float(np.sum(Nt * (Nt - 1)))
    return float(np.sum(S * S - Q) / den * n * (n - 1)) if den > 0 else 0.0

def score_sums(x: Float64Array) -> dict[str, Any]:
    """Additive sums of a combined (N, T + L) score matrix for :func:`daily_z_from_sums`."""
    total, n_t = column_sums(x)
    return {"total": total, "n_t": n_t, "cells": float(np.isfinite(x).sum())}


def day_sums(x: Float64Array, panel: TestPanel) -> tuple[Float64Array, Float64Array]:
    """Per day (column): sum over the securities present (or mean x N, ``day_sums='scaled'``)."""
    s = score_sums(x)
    return _scaled(s["total"], s["n_t"], x.shape[0], panel.conventions.day_sums)


def _scaled(total: Float64Array, n_t: Float64Array, n_rows: int, rule: str
            ) -> tuple[Float64Array, Float64Array]:
    if rule == "scaled":
        with np.errstate(invalid="ignore", divide="ignore"):
            total = total / n_t * n_rows
    return np.where(n_t > 0, total, np.nan), n_t


def daily_z(x: Float64Array, panel: TestPanel, power: float, *, sample: bool = False
            ) -> Float64Array:
    """Standardised daily sums of a combined (N, T + L) score matrix, for the event-window columns.

    z_t = (S_t / N_t^power) / s with s^2 = (1 / mean_i M_i^c) sum_t (S_t / N_t^power)^2 over all
    combined days, M_i^c the security's valid combined days (Corrado 1989; Corrado and Zivney 1992);
    with ``sample`` s is the sample standard deviation (n - 1) of the daily values over the days
    that have one (``conventions.rank_variance='sample'``, the EventStudy R package).
    """
    return daily_z_from_sums(score_sums(x), x.shape[0], panel.ar_est.shape[1],
                             panel.conventions.day_sums, power, sample=sample)


def daily_z_from_sums(sums: dict[str, Any], n_rows: int, n_est: int, rule: str, power: float,
                      *, sample: bool = False) -> Float64Array:
    """:func:`daily_z` from the :func:`score_sums` of the score matrix (merged over chunks).

    Parameters
    ----------
    sums : dict
        :func:`score_sums` or the :func:`merge_sums` of several.
    n_rows : int
        Security-events N.
    n_est : int
        Estimation-window columns T (the first T of the T + L).
    rule : str
        ``conventions.day_sums``.
    power : float
        Exponent of N_t in S_t / N_t^power.
    sample : bool
        Sample standard deviation of the daily values instead of the root mean square.
    """
    S, n_t = _scaled(sums["total"], sums["n_t"], n_rows, rule)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = S / n_t**power
    if sample:
        sd = float(np.nanstd(num, ddof=1))
    else:
        length = sums["cells"] / n_rows
        sd = float(np.sqrt(np.nansum(num**2) / length))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(num[n_est:] / sd, dtype="float64")


def build_panel(
    *,
    fit: Any,
    ar_evt: Float64Array,
    tau: IntArray,
    x_evt: Float64Array,
    est_day: IntArray,
    evt_day: IntArray,
    ret_evt: Float64Array,
    normal_evt: Float64Array,
    conventions: Conventions,
    x_est_all: Float64Array | None = None,
    valid_est_all: np.ndarray | None = None,
    missing_returns: str = "nan",
    kind: str = "simple",
    labels: np.ndarray | None = None,
    market_column: int | None = 1,
) -> TestPanel:
    """Assemble a :class:`TestPanel` from a :class:`~eventstudy.models.BatchFit` and event arrays.

    ``x_est_all``/``valid_est_all`` (the design on every estimation day with a market return) are
    used only with ``conventions.market_moments == 'all'``. ``kind`` is the return type of
    ``ret_evt`` and ``normal_evt`` ('simple' or 'log'); ``labels`` the (N,) cluster of each
    security-event (Ibragimov-Mueller test); ``market_column`` the market's column in the design
    for ``conventions.fe_regressors='market'`` (None: a model without one, left unchanged).
    """
    nobs = fit.nobs
    if conventions.sigma_ddof == "1":
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma2 = fit.sigma2 * fit.df / (nobs - 1.0)
    else:
        sigma2 = fit.sigma2
    use_all = conventions.market_moments == "all" and x_est_all is not None
    A = forecast_error_matrix(fit.xtx_inv, nobs, x_est_all if use_all else None,
                              valid_est_all if use_all else None)
    if conventions.fe_regressors == "market" and market_column is not None:
        A = market_forecast_error_matrix(A, market_column)
    return TestPanel(
        ar_est=fit.resid, ar_evt=ar_evt, tau=np.asarray(tau), sigma2=sigma2, nobs=nobs,
        df=fit.df, x_evt=x_evt, A=A, est_day=est_day, evt_day=evt_day, ret_evt=ret_evt,
        normal_evt=normal_evt, conventions=conventions, missing_returns=missing_returns,
        kind=kind, labels=None if labels is None else np.asarray(labels),
    )
