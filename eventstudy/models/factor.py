"""Fama-French factor models of excess returns: FF3, Carhart four-factor, FF5.

The regression is on excess returns, R_it - RF_t = alpha + b' f_t + e_it, with factor returns from
Ken French's daily files (decimals, see :mod:`eventstudy.data.french`); the normal return is
RF_t + alpha + b' f_t, so AR_it = R_it - RF_t - alpha - b' f_t.
"""

from __future__ import annotations

import numpy as np

from eventstudy._typing import Float64Array
from eventstudy.models.base import NormalReturnModel

__all__ = ["FamaFrench3Model", "Carhart4Model", "FamaFrench5Model", "FACTOR_COLUMNS"]

FACTOR_COLUMNS = {"mkt_rf": "Mkt-RF", "smb": "SMB", "hml": "HML", "rmw": "RMW", "cma": "CMA",
                  "mom": "Mom", "rf": "RF"}
"""Model input name -> column of Ken French's files."""


class _FactorModel(NormalReturnModel):
    market_input = "mkt_rf"

    def regressors(self, market: Float64Array) -> Float64Array:
        """Return [1, f_1, ..., f_K] per day (the factors, without RF)."""
        return np.concatenate([np.ones_like(market[..., :1]), market[..., :-1]], axis=-1)

    def offset(self, market: Float64Array) -> Float64Array:
        """Return RF_t, the last input."""
        return market[..., -1]


class FamaFrench3Model(_FactorModel):
    """Fama-French three-factor model: excess return on Mkt-RF, SMB, HML.

    References
    ----------
    .. [1] Fama, E. F., French, K. R. (1993). Common risk factors in the returns on stocks and
       bonds. JFE 33(1), 3-56.
    """

    name = "ff3"
    param_names = ("alpha", "mkt_rf", "smb", "hml")
    inputs = ("mkt_rf", "smb", "hml", "rf")


class Carhart4Model(_FactorModel):
    """Carhart four-factor model: FF3 plus momentum (Mom).

    References
    ----------
    .. [1] Carhart, M. M. (1997). On persistence in mutual fund performance. JF 52(1), 57-82.
    """

    name = "carhart"
    param_names = ("alpha", "mkt_rf", "smb", "hml", "mom")
    inputs = ("mkt_rf", "smb", "hml", "mom", "rf")


class FamaFrench5Model(_FactorModel):
    """Fama-French five-factor model: Mkt-RF, SMB, HML, RMW, CMA.

    References
    ----------
    .. [1] Fama, E. F., French, K. R. (2015). A five-factor asset pricing model. JFE 116(1), 1-22.
    """

    name = "ff5"
    param_names = ("alpha", "mkt_rf", "smb", "hml", "rmw", "cma")
    inputs = ("mkt_rf", "smb", "hml", "rmw", "cma", "rf")
