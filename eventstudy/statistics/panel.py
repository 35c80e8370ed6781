"""The arrays every cross-sectional test needs, for N security-events at once (no loop per event).

A :class:`TestPanel` holds the estimation-window residuals and the event-window abnormal returns of N
security-events aligned in event time (tau), their standardisation under the chosen
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

__all__ = ["TestPanel", "build_panel", "forecast_error_matrix"]


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
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Window-independent intermediate results of the tests (ranks, daily statistics)."""

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
                         missing_returns=self.missing_returns, kind=self.kind, **kw)

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
        from scipy.stats import rankdata

        return np.asarray(rankdata(self.combined, axis=1, nan_policy="omit"), dtype="float64")

    @cached_property
    def fe_quad(self) -> Float64Array:
        """(N, L) forecast-error term x_t' A x_t of each event day (0 without the correction)."""
        if not self.conventions.forecast_error:
            return np.zeros(self.ar_evt.shape)
        return np.einsum("etk,ekl,etl->et", self.x_evt, self.A, self.x_evt)

    # -- the variance engine: every AR/CAR variance and t statistic of the product comes from here

    @cached_property
    def ar_variance(self) -> Float64Array:
        """(N, L) Var(AR_it) = sigma_i^2 (1 + x_t'Ax_t) under the conventions.

        The forecast-error variance of MacKinlay (1997, eq. 10-11); sigma^2 alone with
        ``forecast_error=False``. Fixture F1 day 0: sigma^2 (1 + 1/6 + 0.1), t = 4.443.
        """
        return self.sigma2[:, None] * (1.0 + self.fe_quad)

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
        """(N, L_w) days whose AR enters the CAR over ``window``: None for all days (a missing AR
        makes the CAR NaN), the available days under ``missing_returns='skip'``."""
        if self.missing_returns != "skip":
            return None
        return np.isfinite(self.ar_evt[:, self.window_slice(window)])

    def car(self, window: Window) -> Float64Array:
        """(N,) CAR over ``window``; NaN when any AR in it is missing (never a partial sum), or
        with ``missing_returns='skip'`` the sum of the available ARs (NaN if none)."""
        x = self.ar_evt[:, self.window_slice(window)]
        if self.missing_returns == "skip":
            return np.where(np.isfinite(x).any(axis=1), np.nansum(x, axis=1), np.nan)
        return x.sum(axis=1)

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
        """(N,) standardised CAR, CAR / sqrt(Var(CAR)); equals SAR for a one-day window.

        Also the CAR t statistic of car.csv and ``res.car_table()``, against t(df).
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.car(window) / np.sqrt(self.car_variance(window))

    @cached_property
    def residual_correlation(self) -> float:
        r"""Average cross-correlation of the security-events' abnormal returns on the event days.

        Notes
        -----
        Kolari and Pynnonen (2010) adjust for the correlation of abnormal returns across securities
        whose event days coincide (clustering), measured on the estimation residuals. Security-events
        are grouped by the calendar date of day 0; within a cluster c of n_c events, with z_it the
        residual standardised by its own estimation standard deviation and S_t, Q_t, N_t the sum,
        sum of squares and count of z on calendar day t,

        .. math:: \bar r_c = \frac{\sum_t (S_t^2 - Q_t)}{\sum_t N_t (N_t - 1)},\qquad
           \bar r = \frac{\sum_c n_c (n_c - 1)\,\bar r_c}{N (N - 1)}

        so that (N - 1) r-bar is the average summed correlation the adjustment needs: pairs with
        different event dates count as uncorrelated. With one common event date this is the
        average pairwise correlation of KP (2010, eq. 9), a moment estimator that costs O(N T).
        The same security in two events of different dates does not count as a cluster.

        References
        ----------
        .. [1] Kolari, J. W., Pynnonen, S. (2010). Event study testing with cross-sectional
           correlation of abnormal returns. RFS 23(11), 3996-4025.
        """
        N = self.n
        if N < 2:
            return 0.0
        e = self.ar_est
        ok = np.isfinite(e) & (self.est_day >= 0)
        cnt = ok.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            dev = np.where(ok, e, 0.0)
            dev -= (dev.sum(axis=1) / cnt)[:, None]
            dev[~ok] = 0.0
            sd = np.sqrt((dev * dev).sum(axis=1) / (cnt - 1))
            z = dev / sd[:, None]
        ok &= np.isfinite(z)
        if not ok.any():
            return 0.0
        i0 = int(np.flatnonzero(self.tau == 0)[0]) if (self.tau == 0).any() else 0
        _, cluster = np.unique(self.evt_day[:, i0], return_inverse=True)
        n_c = np.bincount(cluster).astype("float64")
        size = int(self.est_day.max()) + 1
        key = (np.broadcast_to(cluster[:, None], e.shape)[ok].astype(np.int64) * size
               + self.est_day[ok])
        zz = z[ok]
        S = np.bincount(key, weights=zz)
        Q = np.bincount(key, weights=zz * zz)
        Nt = np.bincount(key).astype("float64")
        c_of_key = np.arange(len(S)) // size
        num = np.bincount(c_of_key, weights=S * S - Q, minlength=len(n_c))
        den = np.bincount(c_of_key, weights=Nt * (Nt - 1), minlength=len(n_c))
        with np.errstate(invalid="ignore", divide="ignore"):
            r_c = np.where(den > 0, num / den, 0.0)
        return float(np.sum(n_c * (n_c - 1) * r_c) / (N * (N - 1)))


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
) -> TestPanel:
    """Assemble a :class:`TestPanel` from a :class:`~eventstudy.models.BatchFit` and event arrays.

    ``x_est_all``/``valid_est_all`` (the design on every estimation day with a market return) are
    used only with ``conventions.market_moments == 'all'``. ``kind`` is the return type of
    ``ret_evt`` and ``normal_evt`` ('simple' or 'log').
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
    return TestPanel(
        ar_est=fit.resid, ar_evt=ar_evt, tau=np.asarray(tau), sigma2=sigma2, nobs=nobs,
        df=fit.df, x_evt=x_evt, A=A, est_day=est_day, evt_day=evt_day, ret_evt=ret_evt,
        normal_evt=normal_evt, conventions=conventions, missing_returns=missing_returns,
        kind=kind,
    )
