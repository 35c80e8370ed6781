"""Ticker symbol normalisation (Yahoo conventions)."""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable

from eventstudy.exceptions import ConfigError, EventStudyWarning, name_list

logger = logging.getLogger(__name__)

__all__ = ["normalize_ticker", "normalize_tickers", "currency_and_unit", "EXCHANGE_CURRENCY"]

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


#: Currency of the prices of each exchange as Yahoo quotes them (ISO 4217; Yahoo's GBp and ZAc
#: are pence and cents: London and Johannesburg listings are quoted in 1/100 of the currency).
EXCHANGE_CURRENCY: dict[str, str] = {
    "XNYS": "USD", "XETR": "EUR", "XFRA": "EUR", "XDUS": "EUR", "XHAM": "EUR", "XSTU": "EUR",
    "XLON": "GBp", "XAMS": "EUR", "XPAR": "EUR", "XBRU": "EUR", "XLIS": "EUR", "XMIL": "EUR",
    "XMAD": "EUR", "XSWX": "CHF", "XWBO": "EUR", "XSTO": "SEK", "XCSE": "DKK", "XHEL": "EUR",
    "XOSL": "NOK", "XDUB": "EUR", "XWAR": "PLN", "XPRA": "CZK", "XBUD": "HUF", "XIST": "TRY",
    "XBOM": "INR", "XTKS": "JPY", "XHKG": "HKD", "XSHG": "CNY", "XKRX": "KRW", "XTAI": "TWD",
    "XSES": "SGD", "XASX": "AUD", "XNZE": "NZD", "XTSE": "CAD", "BVMF": "BRL", "XMEX": "MXN",
    "XJSE": "ZAc", "XBKK": "THB", "XIDX": "IDR", "XKLS": "MYR", "XSAU": "SAR",
}
_SUBUNITS = {"GBp": "pence (1/100 GBP)", "GBX": "pence (1/100 GBP)", "ZAc": "cents (1/100 ZAR)",
             "ILA": "agorot (1/100 ILS)"}


def currency_and_unit(symbol: str, currency: str | None = None) -> tuple[str, str]:
    """Return (currency, unit) of a price series, e.g. ('GBp', 'pence (1/100 GBP)').

    Parameters
    ----------
    symbol : str
        Yahoo symbol; an index (``^GSPC``) is in index points.
    currency : str, optional
        Given by the data (a file's column, ``data.currency``); otherwise the currency Yahoo quotes
        the symbol's exchange in, marked ``(from the symbol)``.
    """
    from eventstudy.data.calendar import exchange_for_symbol

    if symbol.startswith("^"):
        return (currency or "n/a"), "index points"
    if currency:
        return currency, _SUBUNITS.get(currency, f"{currency} per share")
    cur = EXCHANGE_CURRENCY.get(exchange_for_symbol(symbol), "n/a")
    return f"{cur} (from the symbol)", _SUBUNITS.get(cur, f"{cur} per share")
