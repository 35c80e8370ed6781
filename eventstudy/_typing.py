"""Type aliases shared across the package."""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

DateLike: TypeAlias = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64
Window: TypeAlias = tuple[int, int]
ModelName: TypeAlias = Literal["market", "market_adjusted", "constant_mean"]
ReturnType: TypeAlias = Literal["simple", "log"]
NonTradingDayPolicy: TypeAlias = Literal["next", "previous", "error"]
SourceName: TypeAlias = Literal["auto", "bundled", "yfinance", "file"]

Float64Array: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
IntArray: TypeAlias = npt.NDArray[np.int64]
