"""Normal-return models: market model, market-adjusted, constant-mean."""

from __future__ import annotations

from eventstudy.models.base import BatchFit, NormalReturnModel, fit_batch
from eventstudy.models.market import ConstantMeanModel, MarketAdjustedModel, MarketModel

__all__ = [
    "NormalReturnModel",
    "MarketModel",
    "MarketAdjustedModel",
    "ConstantMeanModel",
    "BatchFit",
    "fit_batch",
    "get_model",
]

MODELS: dict[str, type[NormalReturnModel]] = {
    "market": MarketModel,
    "market_adjusted": MarketAdjustedModel,
    "constant_mean": ConstantMeanModel,
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
        raise ValueError(f"unknown model {model!r}; choose one of {sorted(MODELS)}") from None
