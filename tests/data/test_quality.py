"""Price adjustment, sanitising and the quality screen.

Cases C02b, C09, C11, C13 and the checks the issue lists (unit switches, spike-and-revert, stale
prices, missing sessions).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.data.adjust import adjust_prices
from eventstudy.data.base import sanitize_prices
from eventstudy.data.calendar import anchor_dates, sessions
from eventstudy.data.quality import QualityLog, screen_prices
from eventstudy.exceptions import DataQualityError, EventStudyWarning


def _ret(s: pd.Series, day: str) -> float:
    return float(s.loc[day] / s.shift(1).loc[day] - 1)


def test_c02_dividend_day_total_return_is_zero():
    idx = pd.DatetimeIndex(["2024-03-07", "2024-03-08"])
    close = pd.Series([100.00, 98.00], index=idx)
    adj = adjust_prices(close, dividends=pd.Series([0.0, 2.00], index=idx))
    assert _ret(adj, "2024-03-08") == pytest.approx(0.0, abs=1e-15)
    assert _ret(close, "2024-03-08") == pytest.approx(-0.02, abs=1e-15)  # raw: the drop stays
    assert adj.iloc[-1] == 98.00  # the last close is unchanged


def _aapl_split():
    idx = pd.DatetimeIndex(["2020-08-27", "2020-08-28", "2020-08-31"], name="date")
    close = pd.DataFrame({"AAPL": [500.04, 499.23, 129.04]}, index=idx)
    splits = pd.DataFrame({"AAPL": [0.0, 0.0, 4.0]}, index=idx)
    return close, splits


def test_c09_recorded_split_is_back_adjusted():
    close, splits = _aapl_split()
    log = QualityLog()
    out = screen_prices(close, splits=splits, log=log)
    r = _ret(out["AAPL"], "2020-08-31")
    assert r == pytest.approx(4 * 129.04 / 499.23 - 1, rel=1e-12)
    assert round(r * 100, 2) == 3.39
    assert log.frame()["check"].tolist() == ["split_applied"]
    # the note says what was found: the prices were not split-adjusted (a file's "close" is
    # taken as adjusted by default, and the review read "taken as adjusted" beside "applied")
    assert "not split-adjusted" in log.frame()["message"].iat[0]


def test_c09_unrecorded_split_raises_naming_ticker_and_date():
    close, _ = _aapl_split()
    assert round(_ret(close["AAPL"], "2020-08-31") * 100, 2) == -74.15
    log = QualityLog()
    screen_prices(close, log=log)  # the screen collects every finding first
    with pytest.raises(DataQualityError, match="^possible unadjusted split in AAPL on 2020-08-31"):
        log.raise_errors()


@pytest.mark.parametrize("ratio,kind", [(1 / 2, "split"), (1 / 3, "split"), (1 / 10, "split"),
                                        (10.0, "reverse split")])
def test_c09_every_split_like_ratio_is_flagged(ratio, kind):
    idx = pd.bdate_range("2024-01-01", periods=4)
    close = pd.DataFrame({"XYZ": [50.0, 50.5, 50.5 * ratio * 1.01, 50.5 * ratio]}, index=idx)
    log = QualityLog()
    screen_prices(close, log=log)
    errors = log.frame().query("severity == 'error'")
    assert errors["check"].tolist() == ["unrecorded_split"]
    assert errors["message"].iat[0].startswith(f"possible unadjusted {kind} in XYZ on "
                                               f"{idx[2].date()}")


def test_c09_large_real_moves_are_not_splits():
    # NVDA -16.97% (2025-01-27) and a -35% day are not split-like
    idx = pd.bdate_range("2024-01-01", periods=4)
    close = pd.DataFrame({"XYZ": [142.62, 118.42, 118.42 * 0.65, 78.0]}, index=idx)
    log = QualityLog()
    out = screen_prices(close, log=log)
    assert log.frame().empty
    pd.testing.assert_frame_equal(out, close)


@pytest.mark.parametrize("after,severity", [(5466.75, "error"), (1500.0, "warning"),
                                            (6.0, "warning"), (400.0, None), (12.0, None)])
def test_implausible_permanent_jump_is_flagged_naming_ticker_and_date(after, severity):
    # x54 that stays (the new-user test: 100 -> 5466.75) gave CAAR +6397% unflagged; x15 and
    # -94% are warnings; +300% (x4, a takeover or a biotech readout) and -88% pass
    idx = pd.bdate_range("2024-07-01", periods=5)
    close = pd.DataFrame({"DUP": [100.0, 100.5, after, after * 1.001, after * 0.999]}, index=idx)
    log = QualityLog()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        screen_prices(close, log=log)
    found = log.frame()
    if severity is None:
        assert found.empty
        return
    assert found[["ticker", "check", "severity"]].values.tolist() == [
        ["DUP", "implausible_jump", severity]]
    assert str(found["date"].iat[0]) == "2024-07-03"
    assert found["message"].iat[0].startswith(
        f"implausible one-day move in DUP on 2024-07-03: price x{after / 100.5:.4g}")


def test_quality_errors_are_not_also_logged_at_error_level(caplog):
    # finding 10: the screen logged each error, then the raised error said it again (even under
    # quality_errors: warn, where nothing is raised)
    close, _ = _aapl_split()
    log = QualityLog()
    with caplog.at_level(logging.WARNING):
        screen_prices(close, log=log)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert log.frame()["severity"].tolist() == ["error"]


def test_unit_switch_pence_to_pounds_is_an_error():
    idx = pd.bdate_range("2024-01-01", periods=4)
    close = pd.DataFrame({"VOD.L": [71.2, 71.5, 0.716, 0.72]}, index=idx)
    log = QualityLog()
    screen_prices(close, log=log)
    with pytest.raises(DataQualityError, match=r"possible unit switch .* in VOD.L on 2024-01-03"):
        log.raise_errors()


def test_spike_and_revert_is_a_warning_not_a_split():
    idx = pd.bdate_range("2024-01-01", periods=5)
    close = pd.DataFrame({"XYZ": [20.0, 20.2, 40.4, 20.3, 20.4]}, index=idx)  # x2 and back
    log = QualityLog()
    with pytest.warns(EventStudyWarning, match="spike-and-revert in XYZ on 2024-01-03"):
        screen_prices(close, log=log)
    assert log.frame()["check"].tolist() == ["spike_and_revert"]
    log.raise_errors()  # no error


def test_c11_tz_is_dropped_not_converted():
    idx = pd.DatetimeIndex(["2023-08-10 00:00", "2023-08-11 00:00", "2023-08-14 00:00"],
                           tz="Europe/Berlin")
    frame = pd.DataFrame({"^GDAXI": [15900.0, 15800.0, 15900.0]}, index=idx)
    out = sanitize_prices(frame)
    assert list(out.index) == list(pd.to_datetime(["2023-08-10", "2023-08-11", "2023-08-14"]))
    # the event date, parsed as a naive local date, is found
    assert anchor_dates(pd.DatetimeIndex(["2023-08-10"]), out.index).tolist() == [0]
    # invariant: no date falls on a day XETR is closed
    log = QualityLog()
    screen_prices(out, sessions=sessions("XETR", out.index[0], out.index[-1]), calendar="XETR",
                  log=log)
    assert log.frame().empty


def test_c11_a_utc_conversion_is_caught_by_the_session_check():
    days = sessions("XETR", pd.Timestamp("2023-08-01"), pd.Timestamp("2023-08-31"))
    idx = days.tz_localize("Europe/Berlin")
    shifted = idx.tz_convert("UTC").tz_localize(None).normalize()  # the bug: each a day early
    assert shifted[days.get_loc("2023-08-14")] == pd.Timestamp("2023-08-13")  # a Sunday
    frame = pd.DataFrame({"^GDAXI": np.linspace(15000, 16000, len(days))}, index=shifted)
    log = QualityLog()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EventStudyWarning)
        screen_prices(frame, calendar="XETR", log=log, sessions=sessions(
            "XETR", pd.Timestamp("2023-07-01"), pd.Timestamp("2023-09-30")))
    with pytest.raises(DataQualityError, match=r"^4 of 23 price dates are not XETR sessions "
                                               r"\(e.g. 2023-08-06, a Sunday\): dates shifted"):
        log.raise_errors()


def test_c11_one_stray_row_is_only_a_warning():
    days = sessions("XETR", pd.Timestamp("2023-08-01"), pd.Timestamp("2023-08-31"))
    idx = days.append(pd.DatetimeIndex(["2023-08-13"])).sort_values()
    frame = pd.DataFrame({"^GDAXI": np.linspace(15000, 16000, len(idx))}, index=idx)
    log = QualityLog()
    with pytest.warns(EventStudyWarning,
                      match=r"1 of 24 price dates are not XETR sessions \(e.g. 2023-08-13"):
        screen_prices(frame, sessions=days, calendar="XETR", log=log)
    log.raise_errors()  # no error


def test_c13_duplicate_date_keeps_last_non_nan(caplog):
    idx = pd.DatetimeIndex(["2021-07-08", "2021-07-09", "2021-07-09"])
    frame = pd.DataFrame({"DRREDDY.NS": [5466.75, np.nan, 5460.30]}, index=idx)
    log = QualityLog()
    with pytest.warns(EventStudyWarning, match="^1 duplicate date removed for DRREDDY.NS$"), \
            caplog.at_level(logging.WARNING):
        out = sanitize_prices(frame, log=log)
    assert caplog.records == []  # said once (the warning), not also as a WARNING log line
    assert len(out) == 2  # the trading-day count does not change
    r = _ret(out["DRREDDY.NS"], "2021-07-09")
    assert round(r * 100, 3) == -0.118
    assert r == pytest.approx(5460.30 / 5466.75 - 1, rel=1e-12)
    assert log.frame()["check"].tolist() == ["duplicate_dates"]


def test_c13_equal_prices_on_different_dates_are_kept():
    idx = pd.DatetimeIndex(["2021-07-08", "2021-07-09", "2021-07-12"])
    frame = pd.DataFrame({"X": [10.0, 10.0, 10.0]}, index=idx)
    assert len(sanitize_prices(frame)) == 3


def test_missing_sessions_inside_a_series_are_flagged():
    idx = sessions("XNYS", pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-29"))
    frame = pd.DataFrame({"X": np.linspace(10, 11, len(idx))}, index=idx).drop(idx[5])
    log = QualityLog()
    with pytest.warns(EventStudyWarning, match=f"X has no price on 1 XNYS session .*first "
                                               f"{idx[5].date()}"):
        screen_prices(frame, sessions=idx, log=log)


def test_non_positive_price_names_ticker_and_date():
    idx = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04"])
    frame = pd.DataFrame({"XYZ": [0.00, 10.00, 10.50]}, index=idx)
    with pytest.raises(DataQualityError, match="non-positive price 0.00 for XYZ on 2024-01-02"):
        sanitize_prices(frame)


@settings(max_examples=60, deadline=None)
@given(
    prices=st.lists(st.floats(5.0, 500.0), min_size=4, max_size=30),
    events=st.lists(st.tuples(st.integers(1, 29), st.floats(0.0, 0.04),
                              st.sampled_from([0.0, 2.0, 3.0, 0.5])), max_size=4),
)
def test_adjusted_returns_match_the_ex_date_formula(prices, events):
    idx = pd.bdate_range("2024-01-01", periods=len(prices))
    close = pd.Series(prices, index=idx)
    div = pd.Series(0.0, index=idx)
    split = pd.Series(0.0, index=idx)
    for i, yld, k in events:
        if i < len(prices):
            div.iat[i] = yld * prices[i - 1]  # a dividend yield below 4% of the previous close
            split.iat[i] = k
    adj = adjust_prices(close, dividends=div, splits=split)
    r = (adj / adj.shift(1) - 1).to_numpy()[1:]
    p = np.asarray(prices)
    k = np.where(split.to_numpy() > 0, split.to_numpy(), 1.0)
    expected = k[1:] * p[1:] / (p[:-1] - div.to_numpy()[1:]) - 1  # independent, day by day
    np.testing.assert_allclose(r, expected, rtol=1e-9, atol=1e-12)
    assert adj.iat[-1] == close.iat[-1]


def test_adjusted_return_differs_from_crsp_by_yield_times_return():
    idx = pd.DatetimeIndex(["2024-03-07", "2024-03-08"])
    adj = adjust_prices(pd.Series([100.0, 99.0], index=idx),
                        dividends=pd.Series([0.0, 2.0], index=idx))
    r = _ret(adj, "2024-03-08")
    assert r == pytest.approx(99.0 / 98.0 - 1, rel=1e-14)  # 1.0204%
    crsp = (99.0 + 2.0) / 100.0 - 1  # 1.00%
    assert r - crsp == pytest.approx(2.0 / 100.0 * r, rel=1e-12)


def test_stale_prices_are_a_warning():
    idx = pd.bdate_range("2024-01-01", periods=12)
    px = [10.0, 10.1, 10.2, 10.2, 10.2, 10.2, 10.2, 10.2, 10.3, 10.2, 10.2, 10.4]
    frame = pd.DataFrame({"XYZ": px, "OK": np.linspace(10, 11, 12)}, index=idx)
    log = QualityLog()
    with pytest.warns(EventStudyWarning, match="stale prices: XYZ unchanged on 5 sessions in a "
                                               "row from 2024-01-04"):
        screen_prices(frame, log=log)
    assert log.frame()[["ticker", "check"]].values.tolist() == [["XYZ", "stale_prices"]]
