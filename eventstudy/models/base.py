"""The normal-return model interface and a batched least-squares fit across events.

Every linear normal-return model R_it = x_it' b_i + e_it (market model, constant-mean, factor
models) is fitted for all security-events at once: the estimation-window design of event i is a
slice of a (n_events, n_days, k) array, missing days are masked out, and the normal equations are
solved in one batched call. The same quantities give the exact forecast-error variance of every
AR and CAR.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from eventstudy._typing import BoolArray, Float64Array

__all__ = ["NormalReturnModel", "BatchFit", "fit_batch"]


class NormalReturnModel(ABC):
    """A model of normal (expected) returns, linear in its regressors.

    A model names the series it needs in ``inputs`` (``"market"``, ``"market_lag"``,
    ``"market_lead"``, or Fama-French factors ``"mkt_rf"``, ``"smb"``, ``"hml"``, ``"rmw"``,
    ``"cma"``, ``"mom"``, ``"rf"``). With one input, :meth:`regressors` receives an array of any
    shape ``s``; with several, shape ``s + (n_inputs,)`` in ``inputs`` order. Models with fixed
    coefficients (market-adjusted) set ``fixed_params`` and are not estimated; excess-return models
    return the risk-free rate from :meth:`offset`, which is part of the normal return but not
    estimated.
    """

    name: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]
    fixed_params: ClassVar[tuple[float, ...] | None] = None
    inputs: ClassVar[tuple[str, ...]] = ("market",)
    market_input: ClassVar[str | None] = "market"
    """The input whose zero variance makes the betas unidentifiable (None: no such check)."""

    @abstractmethod
    def regressors(self, market: Float64Array) -> Float64Array:
        """Return the design ``x_t``, ``s + (k,)``, for inputs ``s`` or ``s + (n_inputs,)``."""

    def columns(self, market: Float64Array) -> list[Float64Array]:
        """Return the k regressor columns, each shaped like the returns.

        The default splits :meth:`regressors`; models override it to avoid the stacked copy.
        """
        X = self.regressors(market)
        return [X[..., a] for a in range(X.shape[-1])]

    def offset(self, market: Float64Array) -> Float64Array | float:
        """Return the fixed part of the normal return (risk-free rate of excess-return models)."""
        return 0.0

    def estimate(
        self, y: Float64Array, market: Float64Array, valid: BoolArray
    ) -> BatchFit | None:
        """Return a custom batched fit, or None for OLS of y - offset on :meth:`regressors`."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@dataclass(frozen=True)
class BatchFit:
    """Estimation-window fit of one model for many security-events.

    Attributes
    ----------
    params : ndarray
        (n_events, k) coefficients (alpha, beta for the market model).
    xtx_inv : ndarray
        (n_events, k, k) inverse of X'X over the valid estimation days (zeros for fixed-parameter
        models, which carry no estimation error).
    sigma2 : ndarray
        (n_events,) residual variance, sum of squared residuals / df.
    nobs : ndarray
        (n_events,) number of valid estimation-window returns.
    df : ndarray
        (n_events,) residual degrees of freedom (nobs - k; nobs - 1 for fixed-parameter models).
    resid : ndarray
        (n_events, n_days) estimation-window abnormal returns (residuals), NaN on invalid days.
    """

    params: Float64Array
    xtx_inv: Float64Array
    sigma2: Float64Array
    nobs: Float64Array
    df: Float64Array
    resid: Float64Array

    @property
    def sigma(self) -> Float64Array:
        """(n_events,) residual standard deviation."""
        return np.sqrt(self.sigma2)


def fit_batch(
    model: NormalReturnModel, y: Float64Array, market: Float64Array, valid: BoolArray
) -> BatchFit:
    """Fit ``model`` by OLS for every security-event over its estimation window.

    Parameters
    ----------
    model : NormalReturnModel
    y : ndarray
        (n_events, n_days) security returns over the estimation window, decimals.
    market : ndarray
        (n_events, n_days) market returns on the same days, or (n_events, n_days, n_inputs) inputs
        of a multi-input model (see :class:`NormalReturnModel`).
    valid : ndarray of bool
        (n_events, n_days) days on which the return and every input are finite.

    Returns
    -------
    BatchFit
        Events whose design is singular (e.g. a constant market return) get NaN coefficients.

    Notes
    -----
    OLS per event, b = (X'X)^{-1} X'y, s^2 = e'e / (n - k) (MacKinlay 1997, eq. 7-9). For a
    fixed-parameter model the residual variance is the sample variance of the estimation-window
    abnormal returns with an n - 1 denominator (Brown and Warner 1985).

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    .. [2] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    """
    custom = model.estimate(y, market, valid)
    if custom is not None:
        return custom
    w = valid.astype("float64")
    vm = valid[..., None] if market.ndim > valid.ndim else valid
    m0 = np.where(vm, market, 0.0)
    off = model.offset(m0)
    # y - 0.0 is y bit for bit: skip that pass when the model has no offset
    y0 = np.where(valid, y if isinstance(off, float) and off == 0.0 else y - off, 0.0)
    nobs = w.sum(axis=1)
    if model.fixed_params is not None:
        X = model.regressors(m0) * w[..., None]
        k = X.shape[-1]
        fixed = np.asarray(model.fixed_params, dtype="float64")
        params = np.broadcast_to(fixed, (len(y), k)).copy()
        resid = (y0 - np.einsum("etk,ek->et", X, params)) * w
        df = nobs - 1.0
        mean = resid.sum(axis=1) / np.where(nobs > 0, nobs, np.nan)
        ss = (((resid - mean[:, None]) * w) ** 2).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma2 = ss / df
        return BatchFit(params, np.zeros((len(y), k, k)), sigma2, nobs, df,
                        np.where(valid, resid, np.nan))

    # Normal equations from row-wise dot products of the k regressor columns: for the small k of
    # event studies this beats batched matmul/einsum over (n, T, k) by a wide margin.
    # k contiguous arrays (n, T), zero on invalid days; a column the model made afresh is masked
    # in place (w is 0 or 1, so masking twice, should the model return one array twice, is
    # harmless), a view is copied
    Xk = [np.multiply(c, w, out=c) if _own(c, w) else c * w for c in model.columns(m0)]
    k = len(Xk)
    n = len(y0)
    xtx = np.empty((n, k, k))
    for a in range(k):
        for b in range(a, k):
            xtx[:, a, b] = xtx[:, b, a] = np.einsum("et,et->e", Xk[a], Xk[b])
    xty = np.stack([np.einsum("et,et->e", Xk[a], y0) for a in range(k)], axis=1)
    # A singular X'X (too few days, constant regressor) gives NaN rather than an exception;
    # the study reports such events as skipped with the reason.
    det_ok = np.abs(np.linalg.det(xtx)) > 1e-300
    safe = np.where(det_ok[:, None, None], xtx, np.eye(k))
    xtx_inv = np.linalg.inv(safe)
    params = (xtx_inv @ xty[..., None])[..., 0]
    params[~det_ok] = np.nan
    xtx_inv[~det_ok] = np.nan
    # y0 is not read again: the residuals overwrite it. They are exactly 0 (or NaN with NaN
    # coefficients) on invalid days, where y0 and every Xk are 0, so no mask by w is needed
    # before the sum of squares.
    resid = y0
    tmp = np.empty_like(resid)
    for a in range(k):
        np.multiply(Xk[a], params[:, a, None], out=tmp)
        resid -= tmp
    df = nobs - k
    np.square(resid, out=tmp)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = tmp.sum(axis=1) / df
    np.copyto(resid, np.nan, where=~valid)
    return BatchFit(params, xtx_inv, sigma2, nobs, df, resid)


def _own(column: np.ndarray, w: Float64Array) -> bool:
    """Whether ``column`` is a writeable float64 array of its own, shaped like ``w``."""
    return (isinstance(column, np.ndarray) and column.flags.owndata and column.flags.writeable
            and column.dtype == np.float64 and column.shape == w.shape)
