"""Ticker symbol normalisation (Yahoo conventions)."""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable

from eventstudy.exceptions import ConfigError, EventStudyWarning, name_list

logger = logging.getLogger(__name__)

__all__ = ["normalize_ticker", "normalize_tickers"]

_CLASS_SHARE = re.compile(r"^([A-Z0-9]+)[./]([ABC])$")
_VALID = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=^&]*$")


def normalize_ticker(symbol: str) -> str:
    """Return the canonical Yahoo symbol for a user-typed ticker.

    Upper-cases and strips the symbol, and rewrites a trailing single-letter share class A/B/C on a
    symbol without an exchange suffix to Yahoo's dash form (``brk.b`` -> ``BRK-B``); ``VOD.L`` is
    left alone (case C06).

    Raises
    ------
    ConfigError
        When the symbol is empty or holds characters no Yahoo symbol has.
    """
    if not isinstance(symbol, str):
        raise ConfigError(f"ticker {symbol!r} is not a string (quote it in YAML: '{symbol}')")
    s = symbol.strip().upper()
    m = _CLASS_SHARE.match(s)
    if m:
        s = f"{m.group(1)}-{m.group(2)}"
    if not s or not _VALID.match(s):
        raise ConfigError(f"ticker {symbol!r} is not a valid Yahoo symbol")
    return s


def normalize_tickers(symbols: Iterable[str]) -> list[str]:
    """Return canonical symbols in the user's order with duplicates dropped (case C06).

    Warns
    -----
    EventStudyWarning
        Once, with the mapping of every symbol written differently from its Yahoo symbol
        ("tickers read as Yahoo symbols: brk.b -> BRK-B, aapl -> AAPL": the run log shows it,
        C06); and when duplicates were dropped.
    """
    out: list[str] = []
    dropped: list[str] = []
    mapped: dict[str, str] = {}
    for sym in symbols:
        canon = normalize_ticker(sym)
        if canon != sym:
            logger.info("ticker %r -> Yahoo symbol %r", sym, canon)
            mapped.setdefault(sym, canon)
        if canon in out:
            dropped.append(sym)
        else:
            out.append(canon)
    if mapped:
        pairs = [f"{k} -> {v}" for k, v in mapped.items()]
        warnings.warn(f"tickers read as Yahoo symbols: {name_list(pairs, brackets=False)}",
                      EventStudyWarning, stacklevel=2)
    if dropped:
        warnings.warn(
            f"{len(dropped)} duplicate ticker{'s' if len(dropped) > 1 else ''} dropped: {dropped}",
            EventStudyWarning,
            stacklevel=2,
        )
    return out
