"""Recovery: how long a price took to regain its pre-event close, and how deep it fell first.

A reader's question after a sell-off is not only "how much" but "for how long". For a price series P
and an event's day 0, the pre-event level is the close of day -1. The recovery session is the first
session from day 0 on whose close is at or above it; the drawdown is the lowest close before that,
relative to the pre-event close. Pure functions of price levels (or of an equal-weighted group of
them, normalised to day -1 = 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataUnavailableError

__all__ = ["Recovery", "recovery", "recovery_table"]


@dataclass(frozen=True)
class Recovery:
    """Recovery of one series after an event.

    Attributes
    ----------
    name : str
    day0 : pandas.Timestamp
    level_before : float
        Close of day -1 (the pre-event level).
    recovered : bool
        Whether a close at or above it came within the data.
    sessions : int or None
        Sessions from day 0 to the recovery session (0 when day 0 itself closed at or above it).
    date : pandas.Timestamp or None
        The recovery session.
    drawdown : float
        Lowest close from day 0 until the recovery (or the end of the data), relative to the
        pre-event close (decimal, <= 0 unless day 0 rose); a fall after the recovery is not in it
        (see ``ret_end``).
    drawdown_date : pandas.Timestamp
    last_date : pandas.Timestamp
        Last session of the data searched.
    ret_end : float
        Return from the pre-event close to the close of ``last_date`` (decimal): where the series
        stood at the end, after a recovery too.
    base_date : pandas.Timestamp or None
        The session whose close ``level_before`` is: the last close before day 0, which is not
        day -1 when that session has no close (a holiday of the series' exchange, a filler row).
    """

    name: str
    day0: pd.Timestamp
    level_before: float
    recovered: bool
    sessions: int | None
    date: pd.Timestamp | None
    drawdown: float
    drawdown_date: pd.Timestamp
    last_date: pd.Timestamp
    ret_end: float = float("nan")
    base_date: pd.Timestamp | None = None

    def text(self) -> str:
        """Return one line for readers.

        E.g. '^GSPC regained its pre-event close on 2025-02-13 (day +13) after a low of -1.75%
        on 2025-02-03'.
        """
        low = f"a low of {self.drawdown * 100:+.2f}% on {self.drawdown_date.date()}"
        if self.recovered and self.date is not None:
            return (f"{self.name} regained its pre-event close on {self.date.date()} (day "
                    f"+{self.sessions}) after {low}")
        return (f"{self.name} had not regained its pre-event close by {self.last_date.date()} "
                f"({low})")


def recovery(levels: pd.Series, day0: pd.Timestamp, name: str | None = None) -> Recovery:
    """Measure the recovery of ``levels`` after ``day0``.

    Parameters
    ----------
    levels : pandas.Series
        Price (or index) levels by session date, sorted; NaN rows are dropped.
    day0 : pandas.Timestamp
        The event's day 0 (a session of ``levels``).
    name : str, optional
        Default ``levels.name``.

    Returns
    -------
    Recovery

    Raises
    ------
    DataUnavailableError
        When day 0 is not in the series or there is no close before it.
    """
    s = levels.dropna().astype("float64")
    label = str(name if name is not None else levels.name)
    day0 = pd.Timestamp(day0)
    if day0 not in s.index:
        raise DataUnavailableError(f"recovery: {label} has no close on day 0 ({day0.date()})")
    p0 = int(cast(int, s.index.get_loc(day0)))  # a unique index: one position
    if p0 == 0:
        raise DataUnavailableError(f"recovery: {label} has no close before day 0 ({day0.date()})")
    before = float(s.iloc[p0 - 1])
    after = s.iloc[p0:].to_numpy()
    hit = np.flatnonzero(after >= before)
    k = int(hit[0]) if len(hit) else None
    upto = after[: k] if k is not None and k > 0 else (after if k is None else after[:1])
    low = int(np.argmin(upto))
    return Recovery(
        name=label, day0=day0, level_before=before, recovered=k is not None, sessions=k,
        date=s.index[p0 + k] if k is not None else None,
        # a series that never closed below its pre-event level has no drawdown (0, not a gain)
        drawdown=min(0.0, float(upto[low] / before - 1.0)), drawdown_date=s.index[p0 + low],
        last_date=s.index[-1], ret_end=float(after[-1] / before - 1.0),
        base_date=pd.Timestamp(s.index[p0 - 1]),
    )


def recovery_table(levels: pd.DataFrame, day0: pd.Timestamp) -> pd.DataFrame:
    """Return one row of :func:`recovery` per column of ``levels``.

    Returns
    -------
    pandas.DataFrame
        Columns name, day0, level_before, recovered, sessions, date, drawdown, drawdown_date,
        last_date, ret_end, base_date (dates as Timestamps; ``sessions`` and ``date`` empty when not
        recovered).
    """
    rows = [recovery(levels[c], day0, str(c)).__dict__ for c in levels.columns]
    return pd.DataFrame(rows)
