"""Normal-return models, each fitted for all security-events at once.

Market model (OLS, Scholes-Williams, Dimson), market-adjusted, constant-mean, Fama-French 3,
Carhart 4 and Fama-French 5; the market model with GARCH(1,1) errors (optional ``arch``).
"""

from __future__ import annotations

from eventstudy.exceptions import ConfigError
from eventstudy.models.base import BatchFit, NormalReturnModel, fit_batch
from eventstudy.models.factor import Carhart4Model, FamaFrench3Model, FamaFrench5Model
from eventstudy.models.garch import MarketGarchModel
from eventstudy.models.market import (
    ConstantMeanModel,
    DimsonModel,
    MarketAdjustedModel,
    MarketModel,
    ScholesWilliamsModel,
)

__all__ = [
    "NormalReturnModel",
    "MarketModel",
    "MarketAdjustedModel",
    "ConstantMeanModel",
    "ScholesWilliamsModel",
    "DimsonModel",
    "FamaFrench3Model",
    "Carhart4Model",
    "FamaFrench5Model",
    "MarketGarchModel",
    "BatchFit",
    "fit_batch",
    "get_model",
]

MODELS: dict[str, type[NormalReturnModel]] = {
    "market": MarketModel,
    "market_adjusted": MarketAdjustedModel,
    "constant_mean": ConstantMeanModel,
    "scholes_williams": ScholesWilliamsModel,
    "dimson": DimsonModel,
    "ff3": FamaFrench3Model,
    "carhart": Carhart4Model,
    "ff5": FamaFrench5Model,
    "market_garch": MarketGarchModel,
}


def get_model(model: str | NormalReturnModel) -> NormalReturnModel:
    """Return a model instance from its key or pass an instance through.

    Raises
    ------
    ValueError
        When the key is unknown; the message lists the known keys.
    """
    if isinstance(model, NormalReturnModel):
        return model
    try:
        return MODELS[model]()
    except (KeyError, TypeError):
        raise ConfigError(f"unknown model {model!r}; choose one of {sorted(MODELS)}") from None
