"""Events CSV column mapping, date_format, Excel serial dates and ambiguous dates (issue 13)."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.data.dates import ambiguity, date_hint, excel_serial
from eventstudy.data.files import parse_dates
from eventstudy.exceptions import ConfigError, DataShapeError
from eventstudy.inputs import read_events_csv


def _csv(tmp_path, text: str):
    p = tmp_path / "events.csv"
    p.write_text(text)
    return p


def test_event_columns_map_other_names(tmp_path):
    p = _csv(tmp_path, "id,symbol,event_date\ne1,nvda,2025-01-27\n")
    got = read_events_csv(p, columns={"event_id": "id", "ticker": "symbol", "date": "event_date"})
    assert got[["event_id", "ticker"]].values.tolist() == [["e1", "NVDA"]]
    assert got["date"].iat[0] == pd.Timestamp("2025-01-27")


def test_unmapped_columns_say_how_to_map_them(tmp_path):
    p = _csv(tmp_path, "event_id,symbol,event_date\ne1,NVDA,2025-01-27\n")
    with pytest.raises(ConfigError, match=r"events.csv: events CSV lacks column\(s\) \['ticker', "
                       r"'date'\].*map other names with event_columns:"):
        read_events_csv(p)
    with pytest.raises(ConfigError, match=r"event_columns names column\(s\) the file lacks "
                       r"\(ticker: sym\)"):
        read_events_csv(p, columns={"ticker": "sym"})


def test_ambiguous_event_date_names_both_readings_and_the_option(tmp_path):
    p = _csv(tmp_path, "event_id,ticker,date\ne1,NVDA,03/05/2024\n")
    with pytest.raises(ConfigError, match=r"line 2: bad date '03/05/2024': ambiguous: 03 May 2024 "
                       r"\(day first\) or March 05, 2024 \(month first\); set date_format: "
                       r"'%d/%m/%Y' or '%m/%d/%Y'"):
        read_events_csv(p)
    assert read_events_csv(p, date_format="%d/%m/%Y")["date"].iat[0] == pd.Timestamp("2024-05-03")
    assert read_events_csv(p, date_format="%m/%d/%Y")["date"].iat[0] == pd.Timestamp("2024-03-05")


def test_day_first_dates_need_date_format(tmp_path):
    p = _csv(tmp_path, "event_id,ticker,date\ne1,NVDA,15.03.2024\ne2,AMD,2024-03-18\n")
    with pytest.raises(ConfigError, match=r"bad date '15.03.2024': not ISO; set date_format: "
                       r"'%d.%m.%Y'"):
        read_events_csv(p)
    got = read_events_csv(p, date_format="%d.%m.%Y")
    assert got["date"].tolist() == [pd.Timestamp("2024-03-15"), pd.Timestamp("2024-03-18")]
    with pytest.raises(ConfigError, match=r"date '15.03.2024' does not match date_format "
                       r"'%m.%d.%Y'"):
        read_events_csv(p, date_format="%m.%d.%Y")


def test_excel_serial_dates_only_under_the_option(tmp_path):
    p = _csv(tmp_path, "event_id,ticker,date\ne1,NVDA,45366\n")
    with pytest.raises(ConfigError, match=r"bad date '45366': an Excel serial date "
                       r"\(2024-03-15\)\? set excel_dates: true"):
        read_events_csv(p)
    assert read_events_csv(p, excel_dates=True)["date"].iat[0] == pd.Timestamp("2024-03-15")
    assert excel_serial("45366") == pd.Timestamp("2024-03-15")
    assert excel_serial("20240315") is None  # YYYYMMDD is not a serial


def test_price_file_dates_take_the_same_options():
    text = pd.Series(["03/05/2024", "04/05/2024"])
    with pytest.raises(DataShapeError, match=r"ambiguous dates such as '03/05/2024'.*03 May 2024 \(day first\) or "
                       r"March 05, 2024 \(month first\); set date_format: '%d/%m/%Y'"):
        parse_dates(text, label="p.csv")
    got = parse_dates(text, label="p.csv", date_format="%d/%m/%Y")
    assert list(got) == [pd.Timestamp("2024-05-03"), pd.Timestamp("2024-05-04")]
    got = parse_dates(pd.Series(["45366", "45369"]), label="p.csv", excel_dates=True)
    assert list(got) == [pd.Timestamp("2024-03-15"), pd.Timestamp("2024-03-18")]


def test_ambiguity_readings():
    assert ambiguity("15/03/2024")[1] is None  # no month 15
    assert ambiguity("2024-03-15") is None
    assert "ambiguous" not in date_hint("15/03/2024")
