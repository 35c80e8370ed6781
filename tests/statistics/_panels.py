"""Build a :class:`TestPanel` by hand for tests of the statistics (no model fit)."""

from __future__ import annotations

import numpy as np

from eventstudy.statistics.conventions import Conventions
from eventstudy.statistics.panel import TestPanel


def make_panel(ar_est, ar_evt, *, tau=None, sigma2=None, df=None, day0=None, k=2,
               conventions=None, ret_evt=None, normal_evt=None) -> TestPanel:
    """Return a panel with zero regressors (Var(CAR) = L sigma^2 under every convention).

    ``day0`` gives each security-event's calendar position of day 0 (default: all the same date,
    the estimation days just before it); est_day and evt_day follow from it.
    """
    ar_est = np.asarray(ar_est, dtype="float64")
    ar_evt = np.asarray(ar_evt, dtype="float64")
    n, T = ar_est.shape
    L = ar_evt.shape[1]
    tau = np.arange(L) if tau is None else np.asarray(tau)
    i0 = int(np.flatnonzero(tau == 0)[0]) if (tau == 0).any() else 0
    day0 = np.full(n, 1000) if day0 is None else np.asarray(day0)
    est_day = day0[:, None] - i0 - T + np.arange(T)[None, :]
    evt_day = day0[:, None] - i0 + np.arange(L)[None, :]
    nobs = np.isfinite(ar_est).sum(axis=1).astype("float64")
    return TestPanel(
        ar_est=ar_est, ar_evt=ar_evt, tau=tau,
        sigma2=np.ones(n) if sigma2 is None else np.asarray(sigma2, dtype="float64"),
        nobs=nobs, df=nobs - k if df is None else np.asarray(df, dtype="float64"),
        x_evt=np.zeros((n, L, k)), A=np.zeros((n, k, k)), est_day=est_day, evt_day=evt_day,
        ret_evt=np.zeros((n, L)) if ret_evt is None else np.asarray(ret_evt, dtype="float64"),
        normal_evt=(np.zeros((n, L)) if normal_evt is None
                    else np.asarray(normal_evt, dtype="float64")),
        conventions=conventions or Conventions(),
    )


def equicorrelated(n: int, T: int, rho: float) -> np.ndarray:
    """(n, T) series with mean zero whose pairwise Pearson correlations all equal ``rho`` exactly.

    sqrt(rho) f + sqrt(1 - rho) u_i with f, u_1..u_n orthonormal and orthogonal to the constant
    (needs T >= n + 2).
    """
    basis = np.linalg.qr(np.column_stack([np.ones(T), np.eye(T)[:, : n + 1]]))[0][:, 1:]
    f, u = basis[:, 0], basis[:, 1: n + 1].T
    return np.sqrt(rho) * f[None, :] + np.sqrt(1.0 - rho) * u
