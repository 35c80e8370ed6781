"""Type aliases shared across the package."""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

DateLike: TypeAlias = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64
Window: TypeAlias = tuple[int, int]
ModelName: TypeAlias = Literal["market", "market_adjusted", "constant_mean", "scholes_williams",
                               "dimson", "ff3", "carhart", "ff5", "market_garch"]
"""Keys of :data:`eventstudy.models.MODELS` (a test checks that the two agree)."""
MissingReturnsPolicy: TypeAlias = Literal["nan", "skip"]
EventTime: TypeAlias = Literal["", "before_open", "during", "after_close"]
EVENT_TIMES: tuple[str, ...] = ("", "before_open", "during", "after_close")
"""Values of an event's ``time`` (empty: the date is day 0 unless it is no session)."""
ReturnType: TypeAlias = Literal["simple", "log"]
NonTradingDayPolicy: TypeAlias = Literal["next", "previous", "error"]
SourceName: TypeAlias = Literal["auto", "bundled", "yfinance", "file"]

Float64Array: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
IntArray: TypeAlias = npt.NDArray[np.int64]
