"""Fixtures of the data-layer tests: synthetic prices on real exchange sessions, a fake yfinance."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from eventstudy.data.calendar import sessions


def session_prices(tickers, calendar="XNYS", start="2019-01-01", end="2020-12-31", seed=0):
    """Random-walk closes (positive) on the sessions of ``calendar``; columns ``tickers``."""
    idx = sessions(calendar, pd.Timestamp(start), pd.Timestamp(end))
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0005, 0.015, size=(len(idx), len(tickers)))
    return pd.DataFrame(100 * np.exp(np.cumsum(r, axis=0)), index=idx, columns=list(tickers))


def yf_frame(closes: pd.DataFrame, *, splits=None, dividends=None, adj_close=False):
    """Return a frame shaped exactly as ``yf.download(group_by='column', actions=True)`` does.

    yfinance 1.x concatenates per-ticker ``history()`` frames with keys (Ticker, Price), swaps the
    levels to (Price, Ticker) and sorts them: fields and tickers come back alphabetically.
    """
    parts = {}
    for t in closes.columns:
        c = closes[t]
        block = pd.DataFrame({"Open": c, "High": c * 1.01, "Low": c * 0.99, "Close": c,
                              "Volume": 1_000_000.0})
        if adj_close:
            block["Adj Close"] = c
        block["Dividends"] = 0.0 if dividends is None else dividends.get(t, 0.0)
        block["Stock Splits"] = 0.0 if splits is None else splits.get(t, 0.0)
        parts[t] = block
    data = pd.concat(parts.values(), axis=1, sort=True, keys=parts.keys(),
                     names=["Ticker", "Price"])
    data.columns = data.columns.swaplevel(0, 1)
    data = data.sort_index(level=0, axis=1)
    data.index.name = "Date"
    return data


class FakeYF:
    """Stand in for ``yfinance.download`` and record every call.

    End-exclusive, upper-cases and set-dedupes symbols, logs per-ticker failures on the
    ``yfinance`` logger as yfinance does.

    ``prices``: the closes it knows. ``fail``: ticker -> exception instance raised inside its
    per-ticker fetch (caught and logged, block all-NaN), or a callable(call_no) returning one or
    None. ``raise_on``: call numbers on which the whole call raises ``raise_exc``.
    """

    def __init__(self, prices, *, fail=None, raise_on=(), raise_exc=None, splits=None,
                 dividends=None):
        self.prices = prices
        self.fail = fail or {}
        self.raise_on = set(raise_on)
        self.raise_exc = raise_exc
        self.splits = splits
        self.dividends = dividends
        self.calls: list[dict] = []

    def __call__(self, tickers, start=None, end=None, **kwargs):
        self.calls.append({"tickers": list(tickers), "start": start, "end": end, **kwargs})
        n = len(self.calls)
        if n in self.raise_on:
            raise self.raise_exc
        syms = list({t.upper() for t in tickers})
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        rows = self.prices.loc[(self.prices.index >= lo) & (self.prices.index < hi)]
        cols = {}
        errors = {}
        for t in syms:
            err = self.fail.get(t)
            err = err(n) if callable(err) else err
            if err is not None or t not in rows.columns:
                errors[t] = repr(err) if err is not None else (
                    "YFTzMissingError('possibly delisted; no timezone found')")
                cols[t] = pd.Series(np.nan, index=rows.index)
            else:
                cols[t] = rows[t]
        if errors:
            log = logging.getLogger("yfinance")
            log.error("\n%.f Failed download%s:", len(errors), "s" if len(errors) > 1 else "")
            by_err: dict[str, list[str]] = {}
            for t, e in errors.items():
                by_err.setdefault(e, []).append(t)
            for e, ts in by_err.items():
                log.error(f"{ts}: " + e)
        return yf_frame(pd.DataFrame(cols, index=rows.index), splits=self.splits,
                        dividends=self.dividends)


@pytest.fixture
def fake_yf():
    return FakeYF
