"""Prices to returns, with each security aligned to the market on the sessions both traded."""

from __future__ import annotations

import logging
from typing import cast, overload

import numpy as np
import pandas as pd

from eventstudy._typing import ReturnType
from eventstudy.exceptions import ConfigError, DataShapeError

logger = logging.getLogger(__name__)

__all__ = ["aligned_returns", "simple_returns", "spans_sessions"]


def _period_returns(prices: pd.DataFrame, kind: ReturnType) -> pd.DataFrame:
    prev = prices.ffill().shift(1)
    ratio = prices / prev
    if kind == "simple":
        return ratio - 1.0
    if kind == "log":
        return cast(pd.DataFrame, np.log(ratio))  # a ufunc keeps the frame
    raise ConfigError(f"returns must be 'simple' or 'log', not {kind!r}")


def spans_sessions(priced: np.ndarray) -> np.ndarray:
    """Mark the returns that span more than one session: a close after a session without one.

    A session without a close (a filler row, a suspension) has no return and the next return
    covers both sessions (case C29, never a 0% day); a security's sessions before its first
    close are a later listing, not a gap.

    Parameters
    ----------
    priced : numpy.ndarray of bool, shape (n_sessions, n_securities)
        Whether each security has a close on each session, sessions in order.

    Returns
    -------
    numpy.ndarray of bool, same shape
        True where the close of that session follows a session without one (after the
        security's first close): the return ending there spans two or more sessions.
    """
    priced = np.asarray(priced, dtype=bool)
    seen = np.maximum.accumulate(priced, axis=0)
    gap = np.zeros_like(priced)
    gap[1:] = priced[1:] & ~priced[:-1] & seen[:-1]
    return gap


@overload
def simple_returns(prices: pd.DataFrame) -> pd.DataFrame: ...
@overload
def simple_returns(prices: pd.Series) -> pd.Series: ...
def simple_returns(prices: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Return simple returns R_t = P_t / P_{t-1} - 1 of one price series or of each column."""
    return prices / prices.shift(1) - 1.0


def aligned_returns(
    prices: pd.DataFrame, market: pd.Series, kind: ReturnType = "simple"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute security and market returns over the sessions each security shares with the market.

    For each security the prices are first restricted to the dates on which both it and the market
    have a price; returns are then taken between consecutive shared dates, so a security's return
    and the market return it is paired with always span the same interval (case C12). A date on
    which only one of the two traded yields no return (NaN) and is never forward-filled into a 0%
    return.

    Parameters
    ----------
    prices : pandas.DataFrame
        (n_dates, n_securities) closes indexed by session date, adjusted for splits and dividends.
    market : pandas.Series
        (n_dates,) market index level or price on the same index.
    kind : {'simple', 'log'}
        Simple returns P_t/P_s - 1 (default) or log returns ln(P_t/P_s), as decimals.

    Returns
    -------
    returns : pandas.DataFrame
        (n_dates, n_securities) decimal returns; NaN where the security or the market has no price
        and on each security's first shared date.
    market_returns : pandas.DataFrame
        (n_dates, n_securities) the market's return over the same interval as each security's
        return.

    Both frames record ``kind`` in ``attrs['returns']``; :class:`~eventstudy.EventStudy` refuses a
    mix of kinds.

    Raises
    ------
    DataShapeError
        When ``market`` is not indexed like ``prices``.
    """
    if not market.index.equals(prices.index):
        raise DataShapeError("market prices must share the index of the security prices")
    both = prices.notna() & market.notna().to_numpy()[:, None]
    stock = prices.where(both)
    mkt = pd.DataFrame(
        np.broadcast_to(market.to_numpy(dtype="float64")[:, None], prices.shape),
        index=prices.index,
        columns=prices.columns,
    ).where(both)
    r = _period_returns(stock, kind).where(both)
    rm = _period_returns(mkt, kind).where(both)
    r.attrs["returns"] = rm.attrs["returns"] = kind  # the kind travels with the numbers
    only_one = int((prices.notna() ^ market.notna().to_numpy()[:, None]).to_numpy().sum())
    if only_one:
        logger.info("%d security-dates dropped: only one of security and market traded", only_one)
    return r, rm
