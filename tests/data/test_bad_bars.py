"""Bad bars: one-session spikes of ~10x or more that the next close undoes (issue 13).

A real feed comes back near, not exactly to, the pre-spike level; a power-of-ten slip is repaired,
anything else is excluded; every repaired or excluded day is listed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.data.quality import QualityLog, screen_prices
from eventstudy.exceptions import EventStudyWarning


def _screen(close: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    log = QualityLog()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        out = screen_prices(close, log=log)
    return out, log.frame()


@pytest.mark.parametrize("factor", [10.0, 100.0, 1000.0, 0.01, 0.1])
@pytest.mark.parametrize("back", [1.0, 0.97, 1.035])  # next close within a few percent
def test_bad_bar_power_of_ten_is_repaired_and_listed(factor, back):
    idx = pd.bdate_range("2024-07-01", periods=6)
    close = pd.DataFrame({"ABC": [50.0, 50.4, 50.9 * factor, 50.4 * back, 50.6, 50.2]}, index=idx)
    out, found = _screen(close)
    assert out["ABC"].iat[2] == pytest.approx(50.9)  # the slip undone exactly
    assert out["ABC"].drop(idx[2]).equals(close["ABC"].drop(idx[2]))  # nothing else touched
    assert found[["ticker", "check", "severity"]].values.tolist() == [
        ["ABC", "bad_bar_repaired", "warning"]]
    assert str(found["date"].iat[0]) == "2024-07-03"
    assert f"divided by {factor:g}" in found["message"].iat[0]
    QualityLog().raise_errors()  # no error: the study runs on


@pytest.mark.parametrize("factor", [37.0, 0.03, 430.0])
def test_bad_bar_without_power_of_ten_is_excluded_and_listed(factor):
    idx = pd.bdate_range("2024-07-01", periods=5)
    close = pd.DataFrame({"ABC": [50.0, 50.4, 50.4 * factor, 51.0, 50.6]}, index=idx)
    out, found = _screen(close)
    assert np.isnan(out["ABC"].iat[2])
    assert found["check"].tolist()[0] == "bad_bar_excluded"
    assert "ABC on 2024-07-03 excluded" in found["message"].iat[0]
    assert (found["severity"] != "error").all()


def test_bad_bar_that_does_not_come_back_is_not_repaired():
    # x100 that stays: a unit switch (an error naming the day), never silently divided
    idx = pd.bdate_range("2024-07-01", periods=5)
    close = pd.DataFrame({"ABC": [50.0, 50.4, 5040.0, 5100.0, 5080.0]}, index=idx)
    out, found = _screen(close)
    assert out["ABC"].equals(close["ABC"])
    assert found["check"].tolist() == ["unit_switch"]


def test_bad_bar_warning_is_issued():
    idx = pd.bdate_range("2024-07-01", periods=5)
    close = pd.DataFrame({"ABC": [50.0, 50.4, 5040.0, 49.9, 50.6]}, index=idx)
    with pytest.warns(EventStudyWarning, match=r"bad price in ABC on 2024-07-03 repaired"):
        screen_prices(close, log=QualityLog())


def test_genuine_large_moves_are_not_bad_bars():
    # +300% that stays (a takeover), -60% that recovers half: real moves, left alone
    idx = pd.bdate_range("2024-07-01", periods=5)
    close = pd.DataFrame({"TGT": [10.0, 10.1, 40.4, 40.0, 40.2],
                          "BIO": [10.0, 10.1, 4.0, 7.0, 7.1]}, index=idx)
    out, found = _screen(close)
    assert out.equals(close)
    assert not found["check"].str.startswith("bad_bar").any()


@pytest.mark.parametrize("factor", [0.01, 100.0])
def test_unit_switch_rescale_converts_earlier_prices_with_a_warning(factor):
    idx = pd.bdate_range("2024-01-01", periods=5)
    close = pd.DataFrame({"VOD.L": [71.2, 71.5, 71.6 * factor, 72.0 * factor, 71.9 * factor]},
                         index=idx)
    log = QualityLog()
    with pytest.warns(EventStudyWarning, match=r"unit switch in VOD.L on 2024-01-03 .* "
                      rf"multiplied by {factor:g}"):
        out = screen_prices(close, log=log, unit_switch="rescale")
    np.testing.assert_allclose(out["VOD.L"].to_numpy(),
                               np.array([71.2, 71.5, 71.6, 72.0, 71.9]) * factor)
    assert log.frame()["check"].tolist() == ["unit_switch_rescaled"]
    log.raise_errors()  # a warning, no error


def test_unit_switch_error_names_the_option():
    idx = pd.bdate_range("2024-01-01", periods=4)
    close = pd.DataFrame({"VOD.L": [71.2, 71.5, 0.716, 0.72]}, index=idx)
    log = QualityLog()
    screen_prices(close, log=log)
    assert "data.unit_switch: rescale" in log.frame()["message"].iat[0]


def test_power_of_ten_slip_on_a_day_with_a_real_move_is_repaired():
    # AAPL 2025-01-27 (+3.2%) and 01-28 (+3.7%): the slip day x100, the path after repair is real
    idx = pd.bdate_range("2025-01-22", periods=5)
    close = pd.DataFrame({"AAPL": [223.8, 222.6, 229.9 * 100, 238.3, 239.4]}, index=idx)
    out, found = _screen(close)
    assert out["AAPL"].iat[2] == pytest.approx(229.9)
    assert found["check"].tolist() == ["bad_bar_repaired"]


def test_non_power_spike_that_does_not_come_back_near_is_not_excluded():
    # x37 then 12% away from the old level: not a bad bar by the 5% rule; the jump checks apply
    idx = pd.bdate_range("2024-07-01", periods=5)
    close = pd.DataFrame({"ABC": [50.0, 50.4, 50.4 * 37, 56.5, 56.0]}, index=idx)
    out, found = _screen(close)
    assert not found["check"].str.startswith("bad_bar").any()
    assert "implausible_jump" in found["check"].tolist()


def test_no_bad_bar_in_the_584_real_bundled_series():
    # real data: the screen must not repair or exclude a genuine close (NVDA -17% on 2025-01-27,
    # takeover jumps, the -53.6% largest one-day move of the set)
    from eventstudy import datasets

    close = datasets.load()
    out, found = _screen(close)
    assert not found["check"].str.startswith("bad_bar").any()
    pd.testing.assert_frame_equal(out, close)
