"""An events file may be Parquet: read and checked row by row as a CSV is (review, 2026-12-03).

It was read as text and refused as "not a UTF-8 text file", while the README's large-study
section recommends Parquet events.
"""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.inputs import read_events_csv


def test_parquet_events_equal_the_same_csv(tmp_path):
    frame = pd.DataFrame({"event_id": ["e", "e", "f"], "ticker": ["NVDA", "amd", "AAPL"],
                          "date": pd.to_datetime(["2025-01-27", "2025-01-27", "2025-04-03"])})
    frame.to_parquet(tmp_path / "ev.parquet")
    frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(tmp_path / "ev.csv",
                                                                     index=False)
    got = read_events_csv(tmp_path / "ev.parquet")
    pd.testing.assert_frame_equal(got, read_events_csv(tmp_path / "ev.csv"))
    assert got["ticker"].tolist() == ["NVDA", "AMD", "AAPL"]


def test_parquet_events_rows_are_checked(tmp_path):
    pd.DataFrame({"event_id": ["e", "e"], "ticker": ["NVDA", "NVDA"],
                  "date": pd.to_datetime(["2025-01-27", "2025-01-28"])}).to_parquet(
        tmp_path / "t.parquet")
    with pytest.raises(ConfigError, match=r"t\.parquet: line 3: event e lists NVDA again"):
        read_events_csv(tmp_path / "t.parquet")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ConfigError, match="bad.parquet: cannot read the events Parquet file"):
        read_events_csv(tmp_path / "bad.parquet")
    with pytest.raises(ConfigError, match="no such events file"):
        read_events_csv(tmp_path / "missing.parquet")
