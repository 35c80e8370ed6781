"""Local price files, and the messages bad files get.

Every file in ../shared/data/formats and prices/, long, wide, folders, Parquet, raw closes with
dividends and splits.
"""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from eventstudy import datasets
from eventstudy.config import load_config
from eventstudy.data.calendar import sessions
from eventstudy.data.files import FileSource
from eventstudy.exceptions import (
    ConfigError,
    DataQualityError,
    DataShapeError,
    DataUnavailableError,
    EventStudyWarning,
)
from eventstudy.inputs import load_study_inputs

from .conftest import session_prices

JAN = (pd.Timestamp("2025-01-02"), pd.Timestamp("2025-02-28"))
DAY = "2025-01-27"


def _ret(s: pd.Series, day: str = DAY) -> float:
    return float(s.loc[day] / s.shift(1).loc[day] - 1)


@pytest.mark.parametrize("name,ticker,expected", [
    ("yfinance_download_multiheader_NVDA.csv", "NVDA", -0.1697),
    ("yfinance_download_multiheader_IXIC.csv", "^IXIC", -0.0307),
    ("yfinance_bom_adjclose_SOX.csv", "^SOX", -0.0915),
])
def test_formats_checked_facts(shared_data, name, ticker, expected):
    data = FileSource(shared_data / "formats" / name).get_prices([ticker], *JAN)
    assert round(_ret(data.close[ticker]), 4) == expected
    assert data.close.index.isin(sessions("XNYS", *JAN)).all()


def test_formats_ixic_levels(shared_data):
    close = FileSource(shared_data / "formats" / "yfinance_download_multiheader_IXIC.csv"
                       ).get_prices(["^IXIC"], *JAN).close["^IXIC"]
    assert round(close.loc["2025-01-24"], 2) == 19954.30
    assert round(close.loc[DAY], 2) == 19341.83


@pytest.mark.parametrize("name,ticker", [
    ("yfinance_junk_second_line_UNH.csv", "UNH"),
    ("yfinance_history_tz_suffix_ANSS.csv", "ANSS"),
])
def test_formats_match_the_bundled_returns(shared_data, name, ticker):
    # an independent source of the same facts: the bundled data set (another yfinance vintage;
    # returns of different vintages agree to ~1e-6, shared/data/README.md)
    data = FileSource(shared_data / "formats" / name).get_prices([ticker], *JAN)
    mine = data.close[ticker].pct_change(fill_method=None).dropna()
    ref = datasets.load([ticker])[ticker].pct_change(fill_method=None).reindex(mine.index)
    np.testing.assert_allclose(mine.to_numpy(), ref.to_numpy(), atol=2e-6)
    assert len(mine) == len(sessions("XNYS", *JAN)) - 1


def test_formats_tz_suffix_keeps_the_wall_clock_date(shared_data):
    path = shared_data / "formats" / "yfinance_history_tz_suffix_ANSS.csv"
    with path.open() as f:
        raw = {r["Date"][:10]: float(r["Close"]) for r in csv.DictReader(f)}
    close = FileSource(path).get_prices(["ANSS"], pd.Timestamp("2015-01-01"),
                                        pd.Timestamp("2025-12-31")).close["ANSS"]
    assert len(close) == len(raw) == 2515
    assert close.loc[DAY] == raw[DAY]  # 00:00-05:00 stays 2025-01-27, not 05:00 UTC
    assert close.index.isin(sessions("XNYS", close.index[0], close.index[-1])).all()


def test_formats_junk_second_line_is_skipped_and_noted(shared_data):
    data = FileSource(shared_data / "formats" / "yfinance_junk_second_line_UNH.csv").get_prices(
        ["UNH"], pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-10"))
    assert data.close.index[0] == pd.Timestamp("2020-01-02")
    assert round(data.close["UNH"].iat[0], 4) == 265.2431
    assert any("without a date skipped" in n for n in data.notes)


def test_formats_bom_file_prefers_adj_close_and_close_on_request(shared_data):
    path = shared_data / "formats" / "yfinance_bom_adjclose_SOX.csv"
    adj = FileSource(path).get_prices(["^SOX"], *JAN)
    raw = FileSource(path, price_field="close").get_prices(["^SOX"], *JAN)
    assert "'Adj Close'" in adj.notes[0] and adj.adjusted
    assert "'Close'" in raw.notes[0] and not raw.adjusted


FACTS = {"NVDA": -16.97, "AVGO": -17.40, "VST": -28.27, "CEG": -20.85, "^GSPC": -1.46,
         "^SOX": -9.15}


@pytest.fixture(scope="module")
def long_close(shared_data):
    return FileSource(shared_data / "prices" / "us_daily_close.csv.gz").get_prices(
        list(FACTS), *JAN).close


@pytest.mark.parametrize("ticker", list(FACTS))
def test_long_file_checked_facts(long_close, ticker):
    assert round(_ret(long_close[ticker]) * 100, 2) == FACTS[ticker]


def test_long_file_levels_and_ohlcv(shared_data, long_close):
    gspc = long_close["^GSPC"]
    assert (round(gspc.loc["2025-01-24"], 2), round(gspc.loc[DAY], 2)) == (6101.24, 6012.28)
    ohlcv = FileSource(shared_data / "prices" / "us_daily_ohlcv.csv.gz").get_prices(["NVDA"], *JAN)
    assert round(_ret(ohlcv.close["NVDA"]) * 100, 2) == -16.97


def test_wide_csv_parquet_and_folder_agree(tmp_path):
    prices = session_prices(["AAA", "BRK-B"], start="2024-01-01", end="2024-03-29")
    rng = (pd.Timestamp("2024-01-02"), pd.Timestamp("2024-03-28"))
    prices.rename_axis("date").to_csv(tmp_path / "wide.csv")
    prices.rename_axis("date").to_parquet(tmp_path / "wide.parquet")
    long = prices.rename_axis("date").reset_index().melt("date", var_name="ticker",
                                                         value_name="close")
    long.to_parquet(tmp_path / "long.parquet", index=False)
    folder = tmp_path / "folder"
    folder.mkdir()
    for t in prices.columns:
        prices[[t]].rename(columns={t: "Close"}).rename_axis("Date").to_csv(folder / f"{t}.csv")
    expected = prices.loc[rng[0]:rng[1]].to_numpy()
    for path in ("wide.csv", "wide.parquet", "long.parquet", "folder"):
        got = FileSource(tmp_path / path).get_prices(["BRK-B", "AAA"], *rng).close
        assert list(got.columns) == ["BRK-B", "AAA"], path
        np.testing.assert_allclose(got.to_numpy(), expected[:, ::-1], rtol=1e-12, err_msg=path)


def test_c13_duplicate_dates_in_a_file(tmp_path):
    (tmp_path / "DRREDDY.NS.csv").write_text(
        "date,close\n2021-07-08,5466.75\n2021-07-09,\n2021-07-09,5460.30\n")
    with pytest.warns(EventStudyWarning, match="1 duplicate date removed for DRREDDY.NS"):
        close = FileSource(tmp_path / "DRREDDY.NS.csv").get_prices(
            ["DRREDDY.NS"], pd.Timestamp("2021-07-01"), pd.Timestamp("2021-07-09")).close
    assert round(_ret(close["DRREDDY.NS"], "2021-07-09") * 100, 3) == -0.118


def _raw_study(tmp_path, price_field: str):
    """XYZ with raw closes: a 2.00 dividend on 2024-03-08 (100 -> 98) and a 4:1 split."""
    prices = session_prices(["XYZ", "^GSPC"], start="2023-01-03", end="2024-04-30", seed=2)
    prices.loc[:"2024-03-07", "XYZ"] *= 100.0 / prices.loc["2024-03-07", "XYZ"]
    prices.loc["2024-03-08":, "XYZ"] *= 98.0 / prices.loc["2024-03-08", "XYZ"]
    prices.loc[:"2023-11-30", "XYZ"] *= 4.0  # a 4:1 split on 2023-12-01 not applied earlier
    long = prices.rename_axis("date").reset_index().melt("date", var_name="ticker",
                                                         value_name="close")
    long["dividend"] = np.where((long["ticker"] == "XYZ") & (long["date"] == "2024-03-08"),
                                2.0, 0.0)
    long["stock_split"] = np.where((long["ticker"] == "XYZ") & (long["date"] == "2023-12-01"),
                                   4.0, 0.0)
    long.to_csv(tmp_path / "prices.csv", index=False)
    cfg = {"study": "div", "data": {"source": "file", "path": "prices.csv",
                                    "price_field": price_field},
           "market": "^GSPC", "events": [{"id": "e1", "date": "2024-03-07", "tickers": ["XYZ"]}],
           "estimation_window": [-120, -11], "event_windows": [[0, 1]]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    return load_config(tmp_path / "s.yaml")


def test_c02_adjusted_file_gives_total_return(tmp_path):
    inputs = load_study_inputs(_raw_study(tmp_path, "adj_close"))
    assert inputs.returns.loc["2024-03-08", "XYZ"] == pytest.approx(0.0, abs=1e-12)
    assert inputs.metadata["adjusted"] is True
    assert abs(inputs.returns.loc["2023-12-01", "XYZ"]) < 0.1  # split adjusted too


def test_c02_raw_mode_warns_on_dividend_in_window_and_c09_applies_the_split(tmp_path):
    with pytest.warns(EventStudyWarning,
                      match="ex-dividend date 2024-03-08 inside event window; raw prices used"):
        inputs = load_study_inputs(_raw_study(tmp_path, "close"))
    assert inputs.returns.loc["2024-03-08", "XYZ"] == pytest.approx(-0.02, abs=1e-12)
    assert inputs.metadata["adjusted"] is False
    q = inputs.metadata["quality"]
    assert set(q["check"]) == {"dividend_in_window", "split_applied"}
    assert abs(inputs.returns.loc["2023-12-01", "XYZ"]) < 0.1  # C09: back-adjusted, no cliff


def test_c09_unrecorded_split_in_a_file_stops_the_study(tmp_path):
    cfg = _raw_study(tmp_path, "close")
    text = (tmp_path / "prices.csv").read_text().replace(",4.0\n", ",0.0\n")
    (tmp_path / "prices.csv").write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EventStudyWarning)
        with pytest.raises(DataQualityError,
                           match="possible unadjusted split in XYZ on 2023-12-01"):
            load_study_inputs(cfg)


@pytest.mark.parametrize("content,message", [
    ("", "the file is empty"),
    ("date,close\n2024-01-02,abc\n", "'abc' (row 2) is not a number"),
    ("date,close\n2024-13-45,10\n", "'2024-13-45' (row 1) is not a date"),
    ("date,open,volume\n2024-01-02,10,100\n", "no price column"),
])
def test_bad_files_get_a_clear_message(tmp_path, content, message):
    (tmp_path / "X.csv").write_text(content)
    with pytest.raises(DataShapeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        FileSource(tmp_path / "X.csv").get_prices(["X"], pd.Timestamp("2024-01-01"),
                                                  pd.Timestamp("2024-01-31"))


def test_missing_path_and_ticker(tmp_path):
    with pytest.raises(DataUnavailableError, match="no such price file or folder"):
        FileSource(tmp_path / "nope.csv").get_prices(["X"], pd.Timestamp("2024-01-01"),
                                                     pd.Timestamp("2024-01-31"))
    session_prices(["AAA"]).rename_axis("date").to_csv(tmp_path / "p.csv")
    with pytest.raises(DataUnavailableError, match=r"no prices for \['BBB'\] .*\['AAA'\]"):
        FileSource(tmp_path / "p.csv").get_prices(["BBB"], pd.Timestamp("2020-01-01"),
                                                  pd.Timestamp("2020-01-31"))


def test_config_source_file_needs_a_path(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "study: s\ndata: {source: file}\nevents: [{id: e, date: 2024-01-10, tickers: [X]}]\n")
    with pytest.raises(ConfigError, match="source: file needs path"):
        load_config(tmp_path / "s.yaml")


@pytest.mark.parametrize("name,content,message", [
    ("X.xlsx", "PK", "unsupported file type '.xlsx'; save the prices as CSV or Parquet"),
    ("X.csv", "close\n10\n11\n", "no date column (the first column is 'close')"),
    ("X.csv", "Date,Close\n01/02/2024,10\n01/03/2024,11\n",
     "ambiguous dates such as '01/02/2024' (day/month or month/day?)"),
    ("X.csv", "Date,Close\n13/01/2024,10\n01/16/2024,11\n",
     "dates mix day/month and month/day order"),
])
def test_dates_and_file_types_are_never_guessed(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    with pytest.raises(DataShapeError) as err:
        FileSource(tmp_path / name).get_prices(["X"], pd.Timestamp("2024-01-01"),
                                               pd.Timestamp("2024-01-31"))
    assert message in str(err.value)


@pytest.mark.parametrize("content", [
    "Date,Close\n02/01/2024,10.5\n03/01/2024,10.6\n15/01/2024,11\n",  # day first (15 > 12)
    "Date,Close\n01/02/2024,10.5\n01/03/2024,10.6\n01/15/2024,11\n",  # month first
    "date;close\n2024-01-02;10,5\n2024-01-03;10,6\n2024-01-15;11\n",  # European export
])
def test_day_first_month_first_and_semicolon_files(tmp_path, content):
    (tmp_path / "X.csv").write_text(content)
    close = FileSource(tmp_path / "X.csv").get_prices(
        ["X"], pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-31")).close["X"]
    assert close.to_dict() == {pd.Timestamp("2024-01-02"): 10.5, pd.Timestamp("2024-01-03"): 10.6,
                               pd.Timestamp("2024-01-15"): 11.0}


def test_c06_symbol_mapping_reaches_the_study_notes(tmp_path):
    prices = session_prices(["BRK-B", "AAPL", "^GSPC"], start="2023-06-01", end="2024-04-30")
    prices.rename_axis("date").to_csv(tmp_path / "prices.csv")
    cfg = {"study": "c06", "data": {"source": "file", "path": "prices.csv"}, "market": "^gspc",
           "events": [{"id": "e", "date": "2024-03-15"}],
           "groups": {"g": ["brk.b", "aapl", "AAPL"]},
           "estimation_window": [-120, -11], "event_windows": [[0, 0]]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    with pytest.warns(EventStudyWarning, match="1 duplicate ticker dropped"), \
            pytest.warns(EventStudyWarning, match="tickers read as Yahoo symbols: brk.b -> BRK-B"):
        inputs = load_study_inputs(load_config(tmp_path / "s.yaml"))
    assert list(inputs.returns.columns) == ["BRK-B", "AAPL"]
    assert inputs.metadata["notes"][1:4] == ["ticker brk.b -> Yahoo symbol BRK-B",
                                            "ticker aapl -> Yahoo symbol AAPL",
                                            "ticker ^gspc -> Yahoo symbol ^GSPC"]


def test_quality_errors_warn_lets_a_genuine_crash_through(tmp_path):
    _raw_study(tmp_path, "close")  # writes prices.csv and s.yaml
    text = (tmp_path / "prices.csv").read_text().replace(",4.0\n", ",0.0\n")
    (tmp_path / "prices.csv").write_text(text)
    raw = yaml.safe_load((tmp_path / "s.yaml").read_text())
    raw["data"]["quality_errors"] = "warn"
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(raw))
    with pytest.warns(EventStudyWarning, match="possible unadjusted split in XYZ on 2023-12-01 .* "
                                               r"\(ignored: data.quality_errors is warn\)"), \
            pytest.warns(EventStudyWarning, match="ex-dividend date 2024-03-08"):
        inputs = load_study_inputs(load_config(tmp_path / "s.yaml"))
    q = inputs.metadata["quality"].set_index("check")
    assert q.loc["unrecorded_split", "severity"] == "error (ignored)"
    assert inputs.returns.loc["2023-12-01", "XYZ"] < -0.7  # the move is kept as it is


def test_one_series_file_is_named_after_its_ticker(tmp_path):
    body = "Date,Close\n2024-01-02,10\n2024-01-03,11\n"
    (tmp_path / "prices.csv").write_text(body)
    hint = r"holds: \['PRICES'\]\); a file with one series and no ticker column is named after"
    with pytest.raises(DataUnavailableError, match=hint):
        FileSource(tmp_path / "prices.csv").get_prices(["NVDA"], pd.Timestamp("2024-01-01"),
                                                       pd.Timestamp("2024-01-31"))
    (tmp_path / "prices_NVDA.csv").write_text(body)
    data = FileSource(tmp_path / "prices_NVDA.csv").get_prices(
        ["NVDA"], pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-31"))
    assert data.close["NVDA"].tolist() == [10.0, 11.0]
    assert "read as NVDA (from the file name)" in data.notes[0]


def test_c13_duplicates_in_a_raw_file_with_dividends_are_reported_too(tmp_path):
    (tmp_path / "XYZ.csv").write_text("date,close,dividend\n2024-03-07,100.00,0\n"
                                      "2024-03-08,,0\n2024-03-08,98.00,2.00\n")
    with pytest.warns(EventStudyWarning, match="1 duplicate date removed for XYZ"):
        close = FileSource(tmp_path / "XYZ.csv").get_prices(
            ["XYZ"], pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-08")).close["XYZ"]
    assert _ret(close, "2024-03-08") == pytest.approx(0.0, abs=1e-12)  # C02b total return


# ------------------------------------------------------------------ C03/C46: an all-NaN block
def _blank_nvda(tmp_path, layout="wide"):
    """A price file listing NVDA with every close empty (a failed download), AMD with data."""
    prices = datasets.load()[["NVDA", "AMD"]].loc["2024-06-01":"2025-03-31"].copy()
    prices["NVDA"] = np.nan
    prices.index.name = "date"
    if layout == "wide":
        prices.to_csv(tmp_path / "nan.csv")
    else:
        prices.reset_index().melt("date", var_name="ticker", value_name="close").to_csv(
            tmp_path / "nan.csv", index=False)
    return tmp_path / "nan.csv"


def _blank_study(tmp_path, source):
    cfg = {"study": "nan", "data": {"source": source, "path": "nan.csv"}, "market": "^GSPC",
           "events": [{"id": "e1", "date": DAY}], "groups": {"g": ["NVDA", "AMD"]},
           "estimation_window": [-120, -11], "event_windows": [[0, 0]]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    return load_config(tmp_path / "s.yaml")


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_c03_c46_all_nan_column_in_a_file_is_no_data(tmp_path, layout):
    src = FileSource(_blank_nvda(tmp_path, layout))
    assert src.available(["NVDA", "AMD"]) == ["AMD"]
    assert list(src.blank(["NVDA", "AMD"])) == ["NVDA"]
    with pytest.raises(DataUnavailableError,
                       match=r"nan\.csv: no prices for NVDA: the file lists NVDA but every close "
                             r"is empty") as info:
        src.get_prices(["NVDA", "AMD"], *JAN)
    assert info.value.missing == ("NVDA",)
    assert src.get_prices(["AMD"], *JAN).close["AMD"].notna().all()


def test_c03_c46_all_nan_column_with_source_file_stops_naming_file_and_ticker(tmp_path):
    # Before: "e1:NVDA skipped: 0 of 110 estimation returns (< 55)", hiding why.
    _blank_nvda(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EventStudyWarning)
        with pytest.raises(DataUnavailableError, match=r"nan\.csv: no prices for NVDA"):
            load_study_inputs(_blank_study(tmp_path, "file"))


def test_c03_c46_all_nan_column_with_source_auto_falls_back_to_the_next_source(tmp_path):
    # auto: a ticker the file does not hold comes from the cache, bundle or yfinance (README,
    # Data); an all-NaN column is not held, so NVDA comes from the bundle, with a warning.
    _blank_nvda(tmp_path)
    with pytest.warns(EventStudyWarning, match=r"nan\.csv: no prices for NVDA: the file lists "
                                               r"NVDA but every close is empty .* served from "
                                               r"the next source"):
        inputs = load_study_inputs(_blank_study(tmp_path, "auto"))
    assert inputs.returns.loc[DAY, "NVDA"] == pytest.approx(-0.1697, abs=5e-5)
    assert inputs.metadata["series"].set_index("ticker").loc["NVDA", "source"].startswith(
        "bundled")
    assert inputs.metadata["series"].set_index("ticker").loc["AMD", "source"].startswith("file")
