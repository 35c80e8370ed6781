"""Market-based normal-return models (MacKinlay 1997, section 4)."""

from __future__ import annotations

import numpy as np

from eventstudy._typing import BoolArray, Float64Array
from eventstudy.models.base import BatchFit, NormalReturnModel

__all__ = ["MarketModel", "MarketAdjustedModel", "ConstantMeanModel", "ScholesWilliamsModel",
           "DimsonModel"]


class MarketModel(NormalReturnModel):
    """Market model R_it = alpha_i + beta_i R_mt + e_it, fitted by OLS (MacKinlay 1997, eq. 6).

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    """

    name = "market"
    param_names = ("alpha", "beta")

    def regressors(self, market: Float64Array) -> Float64Array:
        """Return [1, R_m] per day."""
        return np.stack([np.ones_like(market), market], axis=-1)

    def columns(self, market: Float64Array) -> list[Float64Array]:
        """Return [1, R_m] as two arrays (no stacked copy in the batched fit)."""
        return [np.ones_like(market), market]


class MarketAdjustedModel(NormalReturnModel):
    """Market-adjusted returns: normal return = market return (alpha 0, beta 1, not estimated).

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    """

    name = "market_adjusted"
    param_names = ("alpha", "beta")
    fixed_params = (0.0, 1.0)

    def regressors(self, market: Float64Array) -> Float64Array:
        """Return [1, R_m] per day."""
        return np.stack([np.ones_like(market), market], axis=-1)


class ConstantMeanModel(NormalReturnModel):
    """Constant-mean-return model R_it = mu_i + e_it (MacKinlay 1997, eq. 5).

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    """

    name = "constant_mean"
    param_names = ("mu",)
    market_input = None

    def regressors(self, market: Float64Array) -> Float64Array:
        """Return [1] per day."""
        return np.ones_like(market)[..., None]


def _masked_moments(
    a: Float64Array, b: Float64Array, w: Float64Array, n: Float64Array
) -> tuple[Float64Array, Float64Array, Float64Array]:
    """Per event: mean of a, mean of b, covariance of a and b over the days with weight w (0/1)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ma = (a * w).sum(axis=1) / n
        mb = (b * w).sum(axis=1) / n
        cov = ((a - ma[:, None]) * (b - mb[:, None]) * w).sum(axis=1) / n
    return ma, mb, cov


class ScholesWilliamsModel(NormalReturnModel):
    r"""Market model with the Scholes-Williams (1977) beta for non-synchronous trading.

    Notes
    -----
    With b_{-1}, b_0, b_{+1} the OLS slopes of R_it on R_m,t-1, R_m,t and R_m,t+1 (one regression
    each) and rho_m the first-order autocorrelation of the market over the same days,

    .. math:: \hat\beta^{SW} = \frac{b_{-1} + b_0 + b_{+1}}{1 + 2\hat\rho_m},\qquad
       \hat\alpha^{SW} = \bar R_i - \hat\beta^{SW} \bar R_m

    AR_it = R_it - alpha - beta R_mt; sigma^2 = e'e / (M - 2). The forecast-error terms use the
    market-model (X'X)^{-1} of [1, R_m], an approximation (the SW estimator is not OLS).

    References
    ----------
    .. [1] Scholes, M., Williams, J. (1977). Estimating betas from nonsynchronous data. JFE 5(3),
       309-327.
    """

    name = "scholes_williams"
    param_names = ("alpha", "beta")
    inputs = ("market_lag", "market", "market_lead")

    def regressors(self, market: Float64Array) -> Float64Array:
        """Return [1, R_m,t] per day (the lag and lead enter only the beta estimate)."""
        m = market[..., 1]
        return np.stack([np.ones_like(m), m], axis=-1)

    def estimate(self, y: Float64Array, market: Float64Array, valid: BoolArray) -> BatchFit:
        """Return the Scholes-Williams fit of every security-event (vectorised)."""
        w = valid.astype("float64")
        n = w.sum(axis=1)
        y0 = np.where(valid, y, 0.0)
        m = np.where(valid[..., None], market, 0.0)
        lag, m0, lead = m[..., 0], m[..., 1], m[..., 2]
        slopes = []
        for x in (lag, m0, lead):
            _, _, cov = _masked_moments(y0, x, w, n)
            _, _, var = _masked_moments(x, x, w, n)
            with np.errstate(invalid="ignore", divide="ignore"):
                slopes.append(cov / var)
        _, _, c_lag = _masked_moments(m0, lag, w, n)
        _, _, v0 = _masked_moments(m0, m0, w, n)
        _, _, v_lag = _masked_moments(lag, lag, w, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = c_lag / np.sqrt(v0 * v_lag)
            beta = (slopes[0] + slopes[1] + slopes[2]) / (1.0 + 2.0 * rho)
            alpha = (y0 * w).sum(axis=1) / n - beta * (m0 * w).sum(axis=1) / n
        params = np.stack([alpha, beta], axis=1)
        X = self.regressors(m) * w[..., None]
        xtx = np.einsum("etk,etl->ekl", X, X)
        ok = np.abs(np.linalg.det(xtx)) > 1e-300
        xtx_inv = np.linalg.inv(np.where(ok[:, None, None], xtx, np.eye(2)))
        xtx_inv[~ok] = np.nan
        params[~ok] = np.nan
        resid = (y0 - np.einsum("etk,ek->et", X, params)) * w
        df = n - 2.0
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma2 = (resid**2).sum(axis=1) / df
        return BatchFit(params, xtx_inv, sigma2, n, df, np.where(valid, resid, np.nan))


class DimsonModel(NormalReturnModel):
    """Market model with Dimson (1979) aggregated coefficients: one lag and one lead.

    Notes
    -----
    OLS of R_it = alpha + b_{-1} R_m,t-1 + b_0 R_mt + b_{+1} R_m,t+1 + e_it; the Dimson beta is
    b_{-1} + b_0 + b_{+1}. Normal returns use all three terms, so AR and CAR variances are the exact
    OLS forecast-error variances of this regression.

    References
    ----------
    .. [1] Dimson, E. (1979). Risk measurement when shares are subject to infrequent trading. JFE
       7(2), 197-226.
    """

    name = "dimson"
    param_names = ("alpha", "beta_lag", "beta_0", "beta_lead")
    inputs = ("market_lag", "market", "market_lead")

    def regressors(self, market: Float64Array) -> Float64Array:
        """Return [1, R_m,t-1, R_m,t, R_m,t+1] per day."""
        return np.concatenate([np.ones_like(market[..., :1]), market], axis=-1)
