"""Back-adjustment of raw closes for splits and cash dividends (total-return prices)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["adjust_prices"]


def adjust_prices(
    close: pd.Series,
    dividends: pd.Series | None = None,
    splits: pd.Series | None = None,
) -> pd.Series:
    r"""Return split- and dividend-adjusted closes from raw closes (case C02b, C09).

    Parameters
    ----------
    close : pandas.Series
        (n_sessions,) raw closes indexed by sorted, unique session date.
    dividends : pandas.Series, optional
        Cash dividend per share on its ex-date (same index or a subset; 0 or NaN = none), in the
        currency of ``close``.
    splits : pandas.Series, optional
        Split ratio k on its ex-date (4.0 for a 4-for-1 split; 0, 1 or NaN = none).

    Returns
    -------
    pandas.Series
        Adjusted closes on the index of ``close``; the last close is unchanged and earlier closes
        are scaled so that P_t / P_{t-1} - 1 is the total return (dividend reinvested on its
        ex-date).

    Notes
    -----
    The multiplicative back-adjustment Yahoo Finance applies to its adjusted close ("split and
    dividend multipliers, adhering to CRSP standards"), so that closes from a file with a dividend
    column give the same returns as yfinance's ``auto_adjust=True``: for an ex-date t with dividend
    D_t every close before t is multiplied by (1 - D_t / P_{t-1}), and for a k-for-1 split by 1/k,
    P_{t-1} being the previous raw close. The simple return on an ex-date is then

    .. math:: R_t = \frac{k_t P_t}{P_{t-1} - D_t} - 1,

    the return measured from the previous close less the dividend, P_{t-1} - D_t. CRSP's holding
    period return (P_t + D_t) / P_{t-1} - 1 differs from it by (D_t / P_{t-1}) R_t (the dividend
    yield times the day's return); both are 0.00% in case C02 (100.00 -> 98.00, 2.00 dividend).

    References
    ----------
    .. [1] CRSP, "Data Descriptions Guide": cumulative factor to adjust prices (CFACPR) and
       holding period return (RET).
    .. [2] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39
       (returns include dividends).
    """
    factor = np.ones(len(close))
    prev = close.ffill().shift(1).to_numpy(dtype="float64")
    for series, kind in ((dividends, "div"), (splits, "split")):
        if series is None:
            continue
        events = series.reindex(close.index).fillna(0.0).to_numpy(dtype="float64")
        for i in np.flatnonzero(events):
            if i == 0 or not np.isfinite(prev[i]):
                continue
            if kind == "div":
                step = 1.0 - events[i] / prev[i]
            elif events[i] > 0 and events[i] != 1.0:
                step = 1.0 / events[i]
            else:
                continue
            factor[:i] *= step
    out = close * factor
    out.name = close.name
    return out
