"""Filler rows: a close repeated from the previous row with zero volume, screened out as missing.

Some vendors write a row on every weekday, repeating the last close with zero volume when the
security did not trade or the feed was down (ENR.DE in the shared international data: 25 such rows,
among them 2025-01-17, 01-20, 01-21 and 01-24, just before the DeepSeek shock). Kept, they turn a
missing day into a 0% return and move the previous day's close onto the next real session. The
screen marks them missing (NaN) and reports them, so the study shows a missing return rather than
a made-up one.
"""

from __future__ import annotations

import pandas as pd

from eventstudy.data.quality import QualityLog

__all__ = ["filler_mask", "screen_fillers"]

#: Dates listed per ticker in the quality message (the count is always given).
MAX_LISTED = 8


def filler_mask(close: pd.DataFrame, volume: pd.DataFrame) -> pd.DataFrame:
    """Return True where a row repeats the previous close of its series with zero volume.

    Only series that report volume (a positive median) are screened: an index with no volume
    (0 on every row) has no filler signal.

    Parameters
    ----------
    close, volume : pandas.DataFrame
        Closes and share volume on the same rows; columns of ``close`` missing from ``volume`` are
        never flagged.
    """
    vol = volume.reindex(index=close.index, columns=close.columns)
    prev = close.ffill().shift(1)
    has_volume = (vol.median() > 0).to_numpy()
    mask = (close == prev) & (vol == 0) & close.notna()
    return mask & has_volume[None, :]


def screen_fillers(close: pd.DataFrame, volume: pd.DataFrame | None,
                   log: QualityLog) -> pd.DataFrame:
    """Set filler rows to NaN and record one ``filler_rows`` warning per affected ticker.

    Parameters
    ----------
    close : pandas.DataFrame
        (n_dates, n_tickers) closes.
    volume : pandas.DataFrame or None
        Share volume of the same rows (None: nothing to screen).
    log : QualityLog
        Receives the findings (severity ``warning``, check ``filler_rows``).

    Returns
    -------
    pandas.DataFrame
        ``close`` with the filler cells set to NaN (a missing return on that session and the next).
    """
    if volume is None:
        return close
    mask = filler_mask(close, volume)
    if not mask.to_numpy().any():
        return close
    for ticker in close.columns[mask.any().to_numpy()]:
        days = close.index[mask[ticker].to_numpy()]
        listed = ", ".join(str(d.date()) for d in days[:MAX_LISTED])
        more = f" and {len(days) - MAX_LISTED} more" if len(days) > MAX_LISTED else ""
        log.add(ticker, days[0], "filler_rows", "warning",
                f"{ticker}: {len(days)} filler rows (the previous close repeated with zero "
                f"volume) treated as missing: {listed}{more}")
    return close.mask(mask)
