"""Price data: sources (bundled, yfinance, local files, cache), calendars, quality screen."""

from __future__ import annotations

from pathlib import Path

from eventstudy.data.base import PriceData, PriceSource, sanitize_prices
from eventstudy.data.bundled import BundledSource

__all__ = ["PriceData", "PriceSource", "BundledSource", "sanitize_prices", "get_source", "SOURCES"]

SOURCES = ("auto", "bundled", "yfinance", "file")


def get_source(
    name: str,
    *,
    path: str | Path | None = None,
    price_field: str = "adj_close",
    cache_dir: str | Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    date_format: str | None = None,
    excel_dates: bool = False,
) -> PriceSource:
    """Return the price source registered under ``name``.

    Parameters
    ----------
    name : {'auto', 'bundled', 'yfinance', 'file'}
        ``auto`` serves each ticker from the download cache, else the bundled data set, else
        yfinance; ``yfinance`` skips the bundle; ``bundled`` never touches the network; ``file``
        reads ``path``.
    path : str or pathlib.Path, optional
        The price file or folder of ``file`` (required there); with ``auto``, the tickers it holds
        come from it and the rest from the cache, the bundle or yfinance.
    price_field : {'adj_close', 'close'}, default 'adj_close'
        Adjusted closes (``auto_adjust=True``) or raw closes.
    cache_dir : str or pathlib.Path, optional
        Cache folder (``$EVENTSTUDY_CACHE_DIR`` wins).
    offline : bool, default False
        Forbid downloads (``--offline``).
    refresh : bool, default False
        Download again, ignoring the cache and the bundle (``--refresh``).
    date_format : str, optional
        strptime format of the dates in price files (``date_format:`` of the study).
    excel_dates : bool, default False
        Read integer dates of price files as Excel serial dates (``excel_dates:``).

    Raises
    ------
    ConfigError
        When ``name`` is not a known source, ``file`` has no path, ``bundled`` is asked for raw
        closes, or ``refresh`` is asked of a source that never downloads.
    """
    from eventstudy.exceptions import ConfigError

    if name not in SOURCES:
        raise ConfigError(f"unknown data source {name!r}; choose one of {list(SOURCES)}")
    adjusted = price_field != "close"
    if refresh and name in ("bundled", "file"):
        raise ConfigError(f"--refresh downloads again, but data.source: {name} never downloads; "
                          "use auto or yfinance")
    if name == "bundled":
        if not adjusted:
            raise ConfigError("data.source: bundled holds adjusted closes only; "
                              "price_field: close needs yfinance or a file")
        return BundledSource()
    if name == "file":
        from eventstudy.data.files import FileSource

        if path is None:
            raise ConfigError("data.source: file needs data.path (a price file or folder)")
        return FileSource(path, price_field=price_field, date_format=date_format,
                          excel_dates=excel_dates)
    from eventstudy.data.auto import AutoSource
    from eventstudy.data.cache import PriceCache
    from eventstudy.data.cache import cache_dir as default_dir

    files = None
    if path is not None:
        from eventstudy.data.files import FileSource

        if name != "auto":
            raise ConfigError(f"data.path is read with source: file or auto, not {name}")
        files = FileSource(path, price_field=price_field, date_format=date_format,
                           excel_dates=excel_dates)
    return AutoSource(PriceCache(default_dir(cache_dir)), bundled=name == "auto",
                      offline=offline, refresh=refresh, adjusted=adjusted, files=files)
