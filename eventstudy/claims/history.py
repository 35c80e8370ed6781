"""The span of the market's own return history that the market-based claim tests need.

The pipeline, :func:`eventstudy.inputs.load_study_inputs`, loads it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from eventstudy.claims.spec import (
    ClaimSpec,
    ComparisonTest,
    MarketWideTest,
    PersistenceTest,
)

__all__ = ["market_history_range"]


def market_history_range(
    claims: Sequence[ClaimSpec],
    event_dates: pd.Series | pd.DatetimeIndex,
    estimation_window: tuple[int, int],
    event_windows: Sequence[tuple[int, int]],
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the calendar dates the market history must span for ``claims``.

    It covers, for every event: the longest ``lookback_years`` of its claims' ``market_wide`` tests
    (default two years) and the estimation window before day 0; the widest event window and
    persistence horizon after it; and every ``comparison`` date. Trading sessions are converted to
    calendar days generously (x 1.5 + 30 days); the series is trimmed to what the source holds.
    """
    dates = pd.DatetimeIndex(pd.to_datetime(event_dates))
    years = max([t.lookback_years for c in claims for t in c.tests
                 if isinstance(t, MarketWideTest | ComparisonTest)], default=0.0)
    after = max([w[1] for w in event_windows]
                + [max(t.horizons) for c in claims for t in c.tests
                   if isinstance(t, PersistenceTest)])
    before = int(abs(min(estimation_window[0], 0)) * 1.5) + 30
    start = min(dates.min() - pd.DateOffset(days=int(np.ceil(years * 366)) + 7),
                dates.min() - pd.Timedelta(days=before))
    end = dates.max() + pd.Timedelta(days=int(abs(after) * 1.5) + 30)
    named = [pd.Timestamp(d.date) for c in claims for t in c.tests if isinstance(t, ComparisonTest)
             for d in t.dates]
    if named:
        start, end = min(start, min(named) - pd.Timedelta(days=7)), max(end, max(named))
    return pd.Timestamp(start), pd.Timestamp(end)
