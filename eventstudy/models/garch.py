r"""Market model with GARCH(1,1) errors, fitted by maximum likelihood with the ``arch`` package.

.. math:: R_{it} = \alpha_i + \beta_i R_{mt} + \epsilon_{it},\qquad
   \epsilon_{it} = \sqrt{h_{it}}\,z_{it},\qquad
   h_{it} = \omega_i + a_i \epsilon_{i,t-1}^2 + b_i h_{i,t-1}

(Bollerslev 1986), estimated jointly per security-event over its estimation window. ``arch`` is an
optional dependency (``pip install "market-eventstudy[garch]"``), imported when a model is
fitted.

Registered as ``model: market_garch``: through :class:`~eventstudy.EventStudy` the normal returns
use the GARCH mean equation and the tests standardise by the residual variance, like every model.
The abnormal returns standardised by the conditional variance (Savickas 2003) come from
:func:`eventstudy.volatility.garch_abnormal_returns`, which forecasts h_t for each event day with
:func:`forecast_variance` and runs the same tests on that standardised panel.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from eventstudy._typing import BoolArray, Float64Array, IntArray
from eventstudy.models.base import BatchFit, NormalReturnModel

__all__ = ["MarketGarchModel", "GarchBatchFit", "forecast_variance", "import_arch"]

SCALE = 100.0
"""Returns are fitted in percent (``arch`` optimises poorly on decimals), then scaled back."""


def import_arch(caller: str) -> Any:
    """Return the ``arch`` module, or raise an ImportError naming ``caller`` and the extra."""
    try:
        import arch
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"{caller} needs the 'arch' package: pip install 'market-eventstudy[garch]' "
            "(or pip install arch)") from None
    return arch


@dataclass(frozen=True)
class GarchBatchFit(BatchFit):
    """A :class:`~eventstudy.models.BatchFit` with the GARCH(1,1) variance of each security-event.

    Attributes
    ----------
    garch_params : ndarray
        (n_events, 3) omega (decimal returns squared), alpha[1] and beta[1].
    cond_var : ndarray
        (n_events, n_days) conditional variance h_t of each estimation day (decimals squared), NaN
        on invalid days.
    last_resid, last_var : ndarray
        (n_events,) residual and conditional variance of the last valid estimation day.
    last_day : ndarray of int
        (n_events,) column of the last valid estimation day.
    converged : ndarray of bool
        (n_events,) the optimiser converged (``arch``'s ``convergence_flag == 0``).
    loglik : ndarray
        (n_events,) log-likelihood (returns in percent, as ``arch`` reports it).
    """

    garch_params: Float64Array | None = None
    cond_var: Float64Array | None = None
    last_resid: Float64Array | None = None
    last_var: Float64Array | None = None
    last_day: IntArray | None = None
    converged: BoolArray | None = None
    loglik: Float64Array | None = None


def forecast_variance(fit: GarchBatchFit, steps: IntArray) -> Float64Array:
    r"""Return the GARCH(1,1) conditional-variance forecast ``steps`` sessions after the fit.

    Parameters
    ----------
    fit : GarchBatchFit
    steps : ndarray of int
        (n_events, L) horizons s >= 1 in sessions after each security-event's last valid
        estimation day.

    Returns
    -------
    ndarray
        (n_events, L) E[h_{T+s} | information at T], decimals squared; NaN where s < 1.

    Raises
    ------
    ValueError
        When ``fit`` holds no GARCH parameters.

    Notes
    -----
    With phi = a + b and h_{T+1} = omega + a e_T^2 + b h_T (Bollerslev 1986),

    .. math:: h_{T+s} = \omega \sum_{j=0}^{s-2}\phi^j + \phi^{s-1} h_{T+1}

    the forecasts ``arch``'s ``ARCHModelResult.forecast`` gives (checked in the tests).

    References
    ----------
    .. [1] Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity.
       Journal of Econometrics 31(3), 307-327.
    """
    if fit.garch_params is None or fit.last_var is None or fit.last_resid is None:
        raise ValueError("forecast_variance needs the fit of MarketGarchModel (a GarchBatchFit)")
    omega, a, b = (fit.garch_params[:, j, None] for j in range(3))
    h1 = omega + a * fit.last_resid[:, None] ** 2 + b * fit.last_var[:, None]
    phi = a + b
    s = np.asarray(steps, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        power = phi ** (s - 1.0)
        geometric = np.where(np.abs(1.0 - phi) > 1e-12, (1.0 - power) / (1.0 - phi), s - 1.0)
        out = omega * geometric + power * h1
    return np.where(s >= 1, out, np.nan)


class MarketGarchModel(NormalReturnModel):
    """Market model with GARCH(1,1) errors, fitted by maximum likelihood (``arch``).

    Notes
    -----
    ``arch.arch_model(y, x=R_m, mean='LS', vol='GARCH', p=1, q=1, dist='normal')`` on the valid
    estimation days in percent, one security-event at a time (missing days are dropped, so the
    variance recursion runs over consecutive valid days). The :class:`GarchBatchFit` holds the
    mean coefficients (alpha, beta), the OLS ``xtx_inv`` of [1, R_m] for the forecast-error term
    (an approximation: the coefficients are ML, not OLS), s^2 = e'e / (M - 2) of the ML residuals,
    and the GARCH parameters and conditional variances. A security-event whose fit fails gets NaN
    coefficients (skipped downstream); one that does not converge is kept and flagged.

    References
    ----------
    .. [1] Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity.
       Journal of Econometrics 31(3), 307-327.
    .. [2] Savickas, R. (2003). Event-induced volatility and tests for abnormal performance.
       Journal of Financial Research 26(2), 165-178.
    """

    name = "market_garch"
    param_names = ("alpha", "beta")

    def regressors(self, market: Float64Array) -> Float64Array:
        """Return [1, R_m] per day."""
        return np.stack([np.ones_like(market), market], axis=-1)

    def columns(self, market: Float64Array) -> list[Float64Array]:
        """Return [1, R_m] as two arrays."""
        return [np.ones_like(market), market]

    def estimate(self, y: Float64Array, market: Float64Array, valid: BoolArray) -> GarchBatchFit:
        """Fit the GARCH(1,1) market model of every security-event (one ``arch`` fit each)."""
        arch = import_arch("model 'market_garch'")
        n, T = y.shape
        params = np.full((n, 2), np.nan)
        gparams = np.full((n, 3), np.nan)
        cond = np.full((n, T), np.nan)
        resid = np.full((n, T), np.nan)
        converged = np.zeros(n, dtype=bool)
        loglik = np.full(n, np.nan)
        last_day = np.full(n, -1, dtype=np.int64)
        for i in range(n):
            days = np.flatnonzero(valid[i])
            if len(days) < 10:  # too few days for five parameters; skipped downstream
                continue
            yi, mi = y[i, days] * SCALE, market[i, days] * SCALE
            am = arch.arch_model(yi, x=mi[:, None], mean="LS", vol="GARCH", p=1, q=1,
                                 dist="normal", rescale=False)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence and scaling warnings: flagged below
                try:
                    r = am.fit(disp="off", show_warning=False)
                except (ValueError, np.linalg.LinAlgError):
                    continue
            p = np.asarray(r.params, dtype="float64")
            params[i] = (p[0] / SCALE, p[1])
            gparams[i] = (p[2] / SCALE**2, p[3], p[4])
            cond[i, days] = (np.asarray(r.conditional_volatility) / SCALE) ** 2
            resid[i, days] = np.asarray(r.resid) / SCALE
            converged[i] = r.convergence_flag == 0
            loglik[i] = r.loglikelihood
            last_day[i] = days[-1]
        w = valid.astype("float64")
        nobs = w.sum(axis=1)
        X0 = np.where(valid, market, 0.0)
        xtx = np.empty((n, 2, 2))
        xtx[:, 0, 0] = nobs
        xtx[:, 0, 1] = xtx[:, 1, 0] = X0.sum(axis=1)
        xtx[:, 1, 1] = (X0 * X0).sum(axis=1)
        ok = np.abs(np.linalg.det(xtx)) > 1e-300
        xtx_inv = np.linalg.inv(np.where(ok[:, None, None], xtx, np.eye(2)))
        xtx_inv[~ok] = np.nan
        params[~ok] = np.nan
        df = nobs - 2.0
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma2 = np.nansum(resid**2, axis=1) / df
        sigma2[np.isnan(params[:, 0])] = np.nan
        rows = np.arange(n)
        safe = np.clip(last_day, 0, T - 1)
        last_resid = np.where(last_day >= 0, resid[rows, safe], np.nan)
        last_var = np.where(last_day >= 0, cond[rows, safe], np.nan)
        return GarchBatchFit(params, xtx_inv, sigma2, nobs, df, resid, garch_params=gparams,
                             cond_var=cond, last_resid=last_resid, last_var=last_var,
                             last_day=last_day, converged=converged, loglik=loglik)
