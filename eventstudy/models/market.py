"""Market-based normal-return models (MacKinlay 1997, section 4)."""

from __future__ import annotations

import numpy as np

from eventstudy._typing import Float64Array
from eventstudy.models.base import NormalReturnModel

__all__ = ["MarketModel", "MarketAdjustedModel", "ConstantMeanModel"]


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

    def regressors(self, market: Float64Array) -> Float64Array:
        """Return [1] per day."""
        return np.ones_like(market)[..., None]
