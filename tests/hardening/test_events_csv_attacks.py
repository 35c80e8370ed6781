"""Events CSV files as users really write them: every bad row is a ConfigError naming file and line.

Found by attacking ``eventstudy run`` with broken events files: an empty event_id ran silently, a
row with extra fields was shifted into the index by pandas (its date read from the wrong column),
01/02/2025 was read month-first without a word, and a date with a UTC offset crashed the run with a
tz-naive/tz-aware TypeError.
"""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError, EventStudyWarning
from eventstudy.inputs import read_events_csv

HEADER = b"event_id,ticker,date\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "events CSV is empty"),
        (HEADER, "events CSV has no rows"),
        (b"id,symbol,when\ne1,NVDA,2025-01-27\n", "lacks column(s) ['event_id', 'ticker', 'date']"),
        (b"event_id;ticker;date\ne1;NVDA;2025-01-27\n", "lacks column(s)"),
        (HEADER + b"e1,NVDA,2025-13-27\n", "line 2: bad date '2025-13-27' (use YYYY-MM-DD)"),
        (HEADER + b"e1,NVDA,NaN\n", "line 2: bad date 'NaN'"),
        (HEADER + b"e1,NVDA,01/02/2025\n", "line 2: bad date '01/02/2025'"),  # ambiguous
        (HEADER + b"e1,NVDA,99999-01-01\n", "line 2: bad date"),
        (HEADER + b"e1,NVDA,2099-01-27\n", "line 2: date 2099-01-27 is in the future"),
        (HEADER + b"e1,,2025-01-27\n", "line 2: ticker '' is not a valid Yahoo symbol"),
        (HEADER + b"e1,NV DA,2025-01-27\n", "line 2: ticker 'NV DA'"),
        (HEADER + b",NVDA,2025-01-27\n", "line 2: empty event_id"),
        (HEADER + b"e1,NVDA,2025-01-27,x,y\n", "line 2: 5 fields, the header has 3"),
        (HEADER + b"e1,NVDA\n", "line 2: 2 fields, the header has 3"),
        (HEADER + b"e1,NVDA,2025-01-27\n\ne1,nvda,2025-01-28\n",
         "line 4: event e1 lists NVDA again (first on line 2)"),
        (HEADER + b'"e1,NVDA,2025-01-27\n', "line"),  # an unclosed quote
        (b"event_id,ticker,date,label\ne1,NVDA,2025-01-27,caf\xe9\n", "not a UTF-8 text file"),
        (b"\x00\x01\x02\xff\xfe", "not a UTF-8 text file"),
    ],
)
def test_bad_events_csv_names_file_and_line(tmp_path, content, expected):
    p = tmp_path / "events.csv"
    p.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        read_events_csv(p)
    assert str(p) in str(info.value)
    assert expected in str(info.value)


def test_missing_and_unreadable_events_file(tmp_path):
    with pytest.raises(ConfigError, match="no such events file"):
        read_events_csv(tmp_path / "nope.csv")
    with pytest.raises(ConfigError, match="cannot read events CSV"):
        read_events_csv(tmp_path)


def test_messy_but_valid_file_is_read(tmp_path):
    """BOM, CRLF, padded and capitalised header, blank lines, a quoted label with a comma."""
    p = tmp_path / "events.csv"
    p.write_bytes(b'\xef\xbb\xbfEvent_ID, Ticker ,Date,label\r\n'
                  b'e1, brk.b ,2025-01-27,"DeepSeek, app store"\r\n\r\n'
                  b"e2,NVDA,2025-01-28 16:30,\r\n")
    with pytest.warns(EventStudyWarning, match="line 4: a time from 16:00"):
        frame = read_events_csv(p)
    assert frame["event_id"].tolist() == ["e1", "e2"]
    assert frame["ticker"].tolist() == ["BRK-B", "NVDA"]
    assert frame["label"].tolist() == ["DeepSeek, app store", ""]
    assert frame["date"].tolist() == [pd.Timestamp("2025-01-27"), pd.Timestamp("2025-01-28")]


def test_offset_dates_keep_the_local_calendar_date(tmp_path):
    """23:00 in New York is 04:00 UTC the next day; the event date is the New York date (C11)."""
    p = tmp_path / "events.csv"
    p.write_bytes(HEADER + b"e1,NVDA,2025-01-27T23:00:00-05:00\ne2,AMD,2025-01-27\n")
    with pytest.warns(EventStudyWarning, match="line 2: a time from 16:00"):
        frame = read_events_csv(p)
    assert frame["date"].tolist() == [pd.Timestamp("2025-01-27")] * 2
    assert frame["date"].dt.tz is None


def test_group_with_no_event_is_flagged(tmp_path):
    """Per-event tickers that miss a whole group left its CAAR row 'n/a' without a word."""
    from eventstudy.config import load_config
    from eventstudy.data import BundledSource
    from eventstudy.exceptions import EventStudyWarning
    from eventstudy.inputs import load_study_inputs

    p = tmp_path / "c.yaml"
    p.write_text("study: x\ndata: {source: bundled}\n"
                 "events: [{id: e, date: 2025-01-27, tickers: [XOM]}]\n"
                 "groups: {chips: [NVDA, AMD], energy: [XOM]}\n")
    with pytest.warns(EventStudyWarning, match=r"group chips: none of its securities \(NVDA, AMD\)"):
        load_study_inputs(load_config(p), source=BundledSource())


def test_timestamp_after_the_close_without_time_column_warns(tmp_path):
    """`2025-01-24 17:30` (after Friday's close) silently made Friday day 0."""
    from eventstudy.exceptions import EventStudyWarning

    p = tmp_path / "events.csv"
    p.write_bytes(HEADER + b"e1,NVDA,2025-01-24 17:30\ne2,AMD,2025-01-24 10:00\n"
                  b"e3,AVGO,2025-01-24T16:05:00-05:00\n")
    with pytest.warns(EventStudyWarning, match=r"lines 2, 4: a time from 16:00 .*after_close"):
        frame = read_events_csv(p)
    assert frame["date"].tolist() == [pd.Timestamp("2025-01-24")] * 3  # as written, flagged
    p.write_bytes(b"event_id,ticker,date,time\ne1,NVDA,2025-01-24 17:30,after_close\n")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_events_csv(p)  # the time column says what to do: no warning
