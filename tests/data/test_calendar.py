"""Calendars, alignment and event time: cases C12, C15, C16 and C10 (data end) on full studies."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from eventstudy import EventStudy
from eventstudy.config import load_config
from eventstudy.data.auto import AutoSource
from eventstudy.data.cache import PriceCache
from eventstudy.data.calendar import anchor_dates, exchange_for_symbol, sessions
from eventstudy.data.quality import QualityLog, screen_prices
from eventstudy.data.yahoo import YahooSource
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    EventStudyWarning,
    MissingReturnsWarning,
)
from eventstudy.returns import aligned_returns

from .conftest import FakeYF, session_prices


def test_c12_align_on_common_dates_before_returns(caplog):
    idx = pd.DatetimeIndex(["2024-05-24", "2024-05-27", "2024-05-28"])
    prices = pd.DataFrame({"ASML.AS": [100.0, 102.0, 101.0]}, index=idx)
    market = pd.Series([5000.0, np.nan, 5050.0], index=idx)
    with caplog.at_level(logging.INFO, logger="eventstudy.returns"):
        r, rm = aligned_returns(prices, market)
    pairs = pd.concat([r["ASML.AS"], rm["ASML.AS"]], axis=1).dropna()
    assert len(pairs) == 1  # n = 1
    assert pairs.index[0] == pd.Timestamp("2024-05-28")
    assert pairs.iloc[0].tolist() == pytest.approx([0.01, 0.01], abs=1e-15)  # not -0.98%
    assert "1 security-dates dropped" in caplog.text


def _c15_returns():
    idx = sessions("XNYS", pd.Timestamp("2023-06-01"), pd.Timestamp("2024-04-30"))
    rng = np.random.default_rng(15)
    m = rng.normal(0, 0.01, len(idx))
    r = 0.0002 + 1.2 * m + rng.normal(0, 0.01, len(idx))
    return pd.DataFrame({"AAA": r}, index=idx), pd.Series(m, index=idx)


def test_c15_anchor_policies():
    idx = pd.DatetimeIndex(["2024-03-14", "2024-03-15", "2024-03-18"])
    sat = pd.DatetimeIndex(["2024-03-16"])
    assert idx[anchor_dates(sat, idx, "next")][0] == pd.Timestamp("2024-03-18")
    assert idx[anchor_dates(sat, idx, "previous")][0] == pd.Timestamp("2024-03-15")
    with pytest.raises(ConfigError, match="2024-03-16 is not a XNYS session"):
        anchor_dates(sat, idx, "error")
    with pytest.raises(DataUnavailableError, match="outside the data"):
        anchor_dates(pd.DatetimeIndex(["2024-03-01"]), idx, "next")  # never wraps to the end


def test_c15_shift_gives_the_same_fit_as_the_anchored_date():
    returns, market = _c15_returns()
    kw = dict(estimation_window=(-120, -11), event_windows=[(0, 0), (-1, 1)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shifted = EventStudy([{"event_id": "e", "ticker": "AAA", "date": "2024-03-16"}],
                             returns, market, **kw).fit()
    manual = EventStudy([{"event_id": "e", "ticker": "AAA", "date": "2024-03-18"}],
                        returns, market, **kw).fit()
    np.testing.assert_array_equal(np.asarray(shifted.params), np.asarray(manual.params))
    ar0 = shifted.to_frame().query("tau == 0")
    assert str(ar0["date"].iat[0]) == "2024-03-18"
    assert shifted.shifted[["date", "anchored_date"]].astype(str).values.tolist() == [
        ["2024-03-16", "2024-03-18"]]
    assert any("2024-03-16 is not a XNYS session" in str(w.message) for w in caught)


def _write_study(tmp_path, prices: pd.DataFrame, body: dict) -> str:
    prices.rename_axis("date").to_csv(tmp_path / "prices.csv")
    cfg = {"study": "t", "data": {"source": "file", "path": "prices.csv"}, **body}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return str(tmp_path / "study.yaml")


def test_c16_german_sessions_from_the_symbol(tmp_path):
    assert exchange_for_symbol("SAP.DE") == "XETR" and exchange_for_symbol("^GDAXI") == "XETR"
    prices = session_prices(["SAP.DE", "^GDAXI"], "XETR", "2008-06-02", "2009-06-30", seed=16)
    path = _write_study(tmp_path, prices, {
        "market": "^GDAXI",
        "events": [{"id": "q1", "date": "2009-04-30", "tickers": ["SAP.DE"]}],
        "estimation_window": [-120, -11], "event_windows": [[-1, 1]]})
    res = EventStudy.from_yaml(path).fit()
    assert res.metadata["calendar"] == "XETR"
    assert "calendar XETR: the exchange of the market ^GDAXI (data.calendar: auto)" in \
        res.metadata["notes"]
    days = res.to_frame().sort_values("tau")["date"].astype(str).tolist()
    assert days == ["2009-04-29", "2009-04-30", "2009-05-04"]  # no row for 05-01
    assert res.metadata["quality"].empty


def test_c16_us_window_over_a_weekend():
    returns, market = _c16_us()
    res = EventStudy([{"event_id": "e", "ticker": "AAA", "date": "1990-01-08"}], returns, market,
                     estimation_window=(-100, -11), event_windows=[(-2, 2)]).fit()
    days = res.to_frame().sort_values("tau")["date"].astype(str).tolist()
    assert days == ["1990-01-04", "1990-01-05", "1990-01-08", "1990-01-09", "1990-01-10"]


def _c16_us():
    idx = sessions("XNYS", pd.Timestamp("1989-06-01"), pd.Timestamp("1990-01-31"))
    rng = np.random.default_rng(1990)
    m = rng.normal(0, 0.01, len(idx))
    return (pd.DataFrame({"AAA": m + rng.normal(0, 0.01, len(idx))}, index=idx),
            pd.Series(m, index=idx))


def test_c16_calendar_covers_sessions_before_1990():
    days = sessions("XNYS", pd.Timestamp("1989-12-20"), pd.Timestamp("1990-01-03"))
    assert days.astype(str).tolist() == ["1989-12-20", "1989-12-21", "1989-12-22", "1989-12-26",
                                         "1989-12-27", "1989-12-28", "1989-12-29", "1990-01-02",
                                         "1990-01-03"]  # 12-25 and 01-01 are holidays
    old = sessions("XNYS", pd.Timestamp("1970-01-01"), pd.Timestamp("1970-01-09"))
    assert old[0] == pd.Timestamp("1970-01-02") and len(old) == 6


def test_c16_us_study_with_an_estimation_window_before_1990(tmp_path):
    prices = session_prices(["OLD", "^GSPC"], "XNYS", "1989-01-03", "1990-03-30", seed=1989)
    path = _write_study(tmp_path, prices, {
        "market": "^GSPC", "events": [{"id": "ev", "date": "1990-01-08", "tickers": ["OLD"]}],
        "estimation_window": [-200, -11], "event_windows": [[-2, 2]]})
    res = EventStudy.from_yaml(path).fit()
    assert res.metadata["quality"].empty  # no false "dates shifted by a time-zone conversion"
    days = res.to_frame().sort_values("tau")["date"].astype(str).tolist()
    assert days == ["1990-01-04", "1990-01-05", "1990-01-08", "1990-01-09", "1990-01-10"]
    assert len(res.dropped) == 0 and res.car_table()["car"].notna().all()


def test_c11_dates_before_a_calendars_first_rule_are_not_called_shifted():
    days = sessions("XBOM", pd.Timestamp("1996-10-01"), pd.Timestamp("1997-03-31"))
    assert days[0] == pd.Timestamp("1997-01-01")  # XBOM holidays are recorded from 1997 on
    idx = pd.bdate_range("1996-10-01", "1996-12-31").append(days)
    close = pd.DataFrame({"X.NS": np.linspace(100.0, 110.0, len(idx))}, index=idx)
    log = QualityLog()
    with pytest.warns(EventStudyWarning, match="dates before 1997-01-01 not checked against the "
                                               "XBOM calendar"):
        screen_prices(close, sessions=days, calendar="XBOM", log=log)
    assert "error" not in set(log.frame()["severity"])


def test_c16_missing_session_in_the_window_is_flagged(tmp_path):
    prices = session_prices(["SAP.DE", "^GDAXI"], "XETR", "2008-06-02", "2009-06-30", seed=16)
    prices.loc["2009-05-04", "SAP.DE"] = np.nan
    path = _write_study(tmp_path, prices, {
        "market": "^GDAXI",
        "events": [{"id": "q1", "date": "2009-04-30", "tickers": ["SAP.DE"]}],
        # [-1, -1] is complete: a study whose every CAR is NaN fails (findings 5)
        "estimation_window": [-120, -11], "event_windows": [[-1, 1], [-1, -1]]})
    with pytest.warns(MissingReturnsWarning), \
            pytest.warns(EventStudyWarning, match="SAP.DE has no price on 1 XETR session"):
        res = EventStudy.from_yaml(path).fit()
    q = res.metadata["quality"]
    assert q["check"].tolist() == ["missing_sessions"]
    assert str(q["date"].iat[0]) == "2009-05-04"  # a date, printed without 00:00:00
    assert np.isnan(res.car_table()["car"].iat[0])  # never a partial sum over 2 of 3 days


def test_c10_data_ending_before_the_window_is_an_error(tmp_path):
    prices = session_prices(["AAPL", "^GSPC"], start="2019-06-01", end="2020-08-28")
    cfg = {"study": "c10", "data": {"source": "yfinance"}, "market": "^GSPC",
           "events": [{"id": "e", "date": "2020-08-26", "tickers": ["AAPL"]}],
           "estimation_window": [-60, -3], "event_windows": [[-2, 3]]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    fake = FakeYF(prices)
    src = AutoSource(PriceCache(tmp_path / "cache"), YahooSource(download=fake), bundled=False)
    with pytest.raises(DataUnavailableError) as err:
        EventStudy.from_yaml(tmp_path / "s.yaml", source=src)
    assert str(err.value).startswith("event window needs 2020-08-31 but data ends 2020-08-28")
    assert pd.Timestamp(fake.calls[0]["end"]) > pd.Timestamp("2020-08-31")


def test_c10_the_last_needed_session_is_fetched(tmp_path):
    prices = session_prices(["AAPL", "^GSPC"], start="2019-06-01", end="2020-10-30")
    cfg = {"study": "c10", "data": {"source": "yfinance"}, "market": "^GSPC",
           "events": [{"id": "e", "date": "2020-08-26", "tickers": ["AAPL"]}],
           "estimation_window": [-60, -3], "event_windows": [[-2, 3]]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    fake = FakeYF(prices)
    src = AutoSource(PriceCache(tmp_path / "cache"), YahooSource(download=fake), bundled=False)
    res = EventStudy.from_config(load_config(tmp_path / "s.yaml"), source=src).fit()
    assert str(res.to_frame()["date"].max()) == "2020-08-31"
    assert len(fake.calls) == 1 and sorted(fake.calls[0]["tickers"]) == ["AAPL", "^GSPC"]


def test_c12_foreign_listing_against_a_us_index(tmp_path):
    # ASML.AS (Amsterdam) against ^GSPC: 2024-05-27 is a US holiday, Amsterdam traded
    ams = session_prices(["ASML.AS"], "XAMS", "2023-06-01", "2024-06-28", seed=12)
    nys = session_prices(["^GSPC"], "XNYS", "2023-06-01", "2024-06-28", seed=13)
    path = _write_study(tmp_path, pd.concat([ams, nys], axis=1, sort=True), {
        "market": "^GSPC", "events": [{"id": "e", "date": "2024-05-28", "tickers": ["ASML.AS"]}],
        "estimation_window": [-120, -11], "event_windows": [[-1, 0]]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy.from_yaml(path).fit()
    assert any(n.startswith("1 securities trade on XAMS (ASML.AS): tau counts XNYS sessions")
               for n in res.metadata["notes"])
    day0 = res.to_frame().set_index("tau")
    assert str(day0.loc[-1, "date"]) == "2024-05-24"  # 05-27 is no XNYS session: not a row
    # the day-0 return spans 05-24 -> 05-28 for both the stock and the market
    p = pd.concat([ams, nys], axis=1, sort=True)
    expected = p.loc["2024-05-28", "ASML.AS"] / p.loc["2024-05-24", "ASML.AS"] - 1
    assert day0.loc[0, "ret"] == pytest.approx(expected, rel=1e-12)


def test_c16_german_stock_against_a_us_index_is_flagged(tmp_path):
    de = session_prices(["SAP.DE"], "XETR", "2008-06-02", "2009-06-30", seed=16)
    us = session_prices(["^GSPC"], "XNYS", "2008-06-02", "2009-06-30", seed=17)
    path = _write_study(tmp_path, pd.concat([de, us], axis=1, sort=True), {
        "market": "^GSPC",
        "events": [{"id": "q1", "date": "2009-04-30", "tickers": ["SAP.DE"]}],
        # [-1, -1] is complete: a study whose every CAR is NaN fails (findings 5)
        "estimation_window": [-120, -11], "event_windows": [[-1, 1], [-1, -1]]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = EventStudy.from_yaml(path).fit()
    frame = res.to_frame().sort_values("tau")
    assert frame["date"].astype(str).tolist() == ["2009-04-29", "2009-04-30", "2009-05-01"]
    assert np.isnan(frame["ar"].iat[2])  # 05-01: XETR closed, no return, never a 0%
    assert np.isnan(res.car_table()["car"].iat[0])
    assert any(issubclass(w.category, MissingReturnsWarning) for w in caught)
    assert any(n.startswith("1 securities trade on XETR (SAP.DE)") for n in res.metadata["notes"])


def test_c03_one_batched_request_per_study_not_per_event(tmp_path):
    prices = session_prices(["AAPL", "MSFT", "^GSPC"], start="2019-01-01", end="2020-12-31")
    cfg = {"study": "many", "data": {"source": "yfinance"}, "market": "^GSPC",
           "events": [{"id": "e1", "date": "2020-03-10", "tickers": ["AAPL", "MSFT"]},
                      {"id": "e2", "date": "2020-08-26", "tickers": ["AAPL"]},
                      {"id": "e3", "date": "2020-11-09", "tickers": ["MSFT"]}],
           "estimation_window": [-120, -11], "event_windows": [[0, 1]]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    fake = FakeYF(prices)
    src = AutoSource(PriceCache(tmp_path / "cache"), YahooSource(download=fake), bundled=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EventStudyWarning)  # clustering, overlap: not this test
        res = EventStudy.from_yaml(tmp_path / "s.yaml", source=src).fit()
    assert len(res.events) == 4
    assert len(fake.calls) == 1 and sorted(fake.calls[0]["tickers"]) == ["AAPL", "MSFT", "^GSPC"]
    # the range comes from the windows: from ~120 sessions before the first event, not a period
    assert pd.Timestamp("2019-08-01") < pd.Timestamp(fake.calls[0]["start"]) < \
        pd.Timestamp("2019-10-01")


def test_c16_a_range_the_bundle_does_not_hold_names_both_ranges():
    # the calendar covers 1980 now, so the bundle, not the calendar, must say the data end there
    from eventstudy.data.bundled import BundledSource

    with pytest.raises(DataUnavailableError, match=r"^the bundled data set covers 2023-01-03\.\."
                                                   r"2026-08-03, not the 1979-01-29\.\.1980-02-05 "
                                                   r"the windows need \(for NVDA, \^GSPC\)"):
        BundledSource().get_prices(["NVDA", "^GSPC"], pd.Timestamp("1979-01-29"),
                                   pd.Timestamp("1980-02-05"))


def test_c29_spans_sessions_marks_a_close_after_a_session_without_one():
    """C29: a missing close makes the next return span two sessions; a later listing does not."""
    import numpy as np

    from eventstudy.returns import spans_sessions

    priced = np.array([[False, True], [True, True], [True, False], [False, False],
                       [True, True], [False, True], [True, True]])
    got = spans_sessions(priced)
    want = np.array([[False, False], [False, False], [False, False], [False, False],
                     [True, True], [False, False], [True, False]])
    assert got.dtype == bool and (got == want).all()
    assert not spans_sessions(np.ones((3, 2), dtype=bool)).any()
