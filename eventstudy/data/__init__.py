"""Price data: sources (bundled, yfinance), trading calendars and sanitising."""

from __future__ import annotations

from eventstudy.data.base import PriceData, PriceSource, sanitize_prices
from eventstudy.data.bundled import BundledSource

__all__ = ["PriceData", "PriceSource", "BundledSource", "sanitize_prices", "get_source"]


def get_source(name: str) -> PriceSource:
    """Return the price source registered under ``name``.

    Parameters
    ----------
    name : {'auto', 'bundled', 'yfinance'}
        ``bundled`` reads the data set shipped in the package; ``yfinance`` downloads from Yahoo
        Finance; ``auto`` serves each ticker from the bundle when it has it and from yfinance otherwise.

    Raises
    ------
    ValueError
        When ``name`` is not a known source.
    """
    from eventstudy.data.yahoo import AutoSource, YahooSource

    sources: dict[str, type[PriceSource]] = {
        "bundled": BundledSource,
        "yfinance": YahooSource,
        "auto": AutoSource,
    }
    if name not in sources:
        raise ValueError(f"unknown data source {name!r}; choose one of {sorted(sources)}")
    return sources[name]()
