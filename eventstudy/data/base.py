"""The price-source interface and the sanitising every source's output goes through."""

from __future__ import annotations

import logging
import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy.data.quality import QualityLog
from eventstudy.exceptions import DataQualityError, DataShapeError, EventStudyWarning

logger = logging.getLogger(__name__)

__all__ = ["PriceData", "PriceSource", "sanitize_prices"]


@dataclass(frozen=True)
class PriceData:
    """Daily closing prices with their provenance.

    Attributes
    ----------
    close : pandas.DataFrame
        (n_sessions, n_tickers) closing prices indexed by tz-naive session date (``date``), one
        column per requested ticker in request order.
    adjusted : bool
        True when ``close`` is adjusted for splits and dividends (total-return prices).
    source : dict of str to str
        Ticker -> where its series came from (source name, repository or request).
    vintage : str
        When the data were fetched or built (e.g. ``"2026-08"``).
    notes : tuple of str
        Decisions taken while loading (aliases resolved, duplicates removed, ...), for the run log.
    splits : pandas.DataFrame, optional
        Split ratio k (4.0 for 4-for-1) per ticker on its ex-date, NaN or 0 elsewhere, when the
        source reports corporate actions (yfinance ``Stock Splits``, a file's split column).
    dividends : pandas.DataFrame, optional
        Cash dividend per share on its ex-date, NaN or 0 elsewhere, when the source reports them.
    volume : pandas.DataFrame, optional
        Share volume on the rows of ``close`` when the source has it (the bundled international
        series): the quality screen reads it to find filler rows (a repeated close, zero volume).
    """

    close: pd.DataFrame
    adjusted: bool
    source: dict[str, str]
    vintage: str
    notes: tuple[str, ...] = field(default=())
    splits: pd.DataFrame | None = None
    dividends: pd.DataFrame | None = None
    volume: pd.DataFrame | None = None


class PriceSource(ABC):
    """A source of daily closing prices (bundled file, yfinance, local files)."""

    name: str = "abstract"

    @abstractmethod
    def get_prices(
        self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp
    ) -> PriceData:
        """Return closes of ``tickers`` for sessions ``start..end`` (both inclusive).

        Parameters
        ----------
        tickers : sequence of str
            Canonical Yahoo symbols.
        start, end : pandas.Timestamp
            First and last session needed, inclusive.

        Returns
        -------
        PriceData

        Raises
        ------
        DataUnavailableError
            When a ticker has no data in the range; the message names the tickers.
        """


def sanitize_prices(
    frame: pd.DataFrame, *, label: str = "prices", log: QualityLog | None = None
) -> pd.DataFrame:
    """Return prices with a clean session index: tz-naive, sorted, one row per date.

    Parameters
    ----------
    frame : pandas.DataFrame
        (n_rows, n_tickers) closes indexed by dates (any tz); may be unsorted or hold duplicates.
    label : str
        Name used in messages (a file or source).
    log : QualityLog, optional
        Data-quality log that receives unsorted and duplicate dates.

    Returns
    -------
    pandas.DataFrame
        Same columns; the index is the wall-clock session date in the exchange's time zone (tz
        dropped, not converted, case C11), sorted, named ``date``; of duplicated dates the last
        non-NaN value per column is kept (case C13).

    Raises
    ------
    DataShapeError
        When the index cannot be read as dates.
    DataQualityError
        When a price is zero, negative or infinite (case C20a); the message names ticker and date.

    Warns
    -----
    EventStudyWarning
        When duplicate dates were removed ("1 duplicate date removed for DRREDDY.NS").
    """
    out = frame.copy()
    idx = out.index
    if not isinstance(idx, pd.DatetimeIndex):
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(idx.astype(str), format="mixed"))
        except (ValueError, TypeError) as exc:
            raise DataShapeError(f"{label}: index is not a date column ({exc})") from None
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    if idx.hasnans:  # 'NaN', '' or None where a date belongs: no session to put the price on
        i = int(np.flatnonzero(idx.isna())[0])
        raise DataShapeError(f"{label}: row {i + 1} has no date ({frame.index[i]!r})")
    out.index = idx.normalize().rename("date")
    if not (out.dtypes == "float64").all():  # float64 columns are numbers already
        out = out.apply(pd.to_numeric, errors="coerce").astype("float64")
    names = ", ".join(map(str, out.columns))
    if not out.index.is_monotonic_increasing:
        if log is not None:
            log.add(names, None, "unsorted_dates", "info", f"{label}: dates of {names} sorted")
        out = out.sort_index(kind="stable")
    dup = out.index.duplicated(keep=False)
    if dup.any():
        first = out.index[out.index.duplicated()][0]
        n_dup = int(out.index.duplicated().sum())
        out = out.groupby(level=0, sort=True).last()
        msg = f"{n_dup} duplicate date{'s' if n_dup > 1 else ''} removed for {names}"
        warnings.warn(msg, EventStudyWarning, stacklevel=2)
        logger.debug(msg)  # the warning is what the user sees; a WARNING log line said it twice
        if log is not None:
            log.rows.append((names, first, "duplicate_dates", "warning", msg))
    values = out.to_numpy()
    bad = ~np.isnan(values) & ((values <= 0) | ~np.isfinite(values))
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataQualityError(
            f"non-positive price {values[r, c]:.2f} for {out.columns[c]} on "
            f"{str(out.index[r])[:10]} ({label})"  # str: .date() fails outside years 1..9999
        )
    return out
