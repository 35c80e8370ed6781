"""The calendar-time portfolio test (Jaffe 1974; Mandelker 1974), against values computed by hand.

With the market-adjusted model the abnormal return is R - R_m exactly, on estimation and event days,
so the portfolio series can be rebuilt here from the raw returns with numpy alone.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import EventStudy

IDX = pd.bdate_range("2024-01-01", periods=80)
RNG = np.random.default_rng(44)
MKT = pd.Series(RNG.normal(0, 0.01, 80), index=IDX)
COMMON = RNG.normal(0, 0.01, 80)  # a shared shock: the members' ARs are correlated
R = pd.DataFrame({t: MKT + COMMON + RNG.normal(0, 0.005, 80) for t in ("A", "B", "C", "D")},
                 index=IDX)


def _fit(events):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy(events, R, MKT, model="market_adjusted", estimation_window=(-40, -6),
                          event_windows=[(0, 0), (-1, 1)], tests=["calendar_time"]).fit()


def _by_hand(tickers, day0, window):
    """t_c = sum of the portfolio AR over the window / (sqrt(L) s_c), s_c over the estimation days."""
    ar = (R[tickers].sub(MKT, axis=0)).mean(axis=1).to_numpy()
    p0 = IDX.get_loc(pd.Timestamp(day0))
    est = ar[p0 - 40: p0 - 6 + 1]
    car = ar[p0 + window[0]: p0 + window[1] + 1].sum()
    L = window[1] - window[0] + 1
    return car / (np.sqrt(L) * np.std(est, ddof=1)), len(est) - 1


@pytest.mark.parametrize("window", [(0, 0), (-1, 1)])
def test_one_date_is_the_portfolio_t_against_t_of_T_minus_1(window):
    day0 = IDX[60]
    res = _fit([{"event_id": "e", "ticker": t, "date": day0} for t in "ABC"])
    got = res.test("calendar_time", window=window)
    t, df = _by_hand(list("ABC"), day0, window)
    assert got.stat == pytest.approx(t, rel=1e-12)
    assert got.dist == f"t({df})" and df == 34
    assert got.pvalue == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-10)


def test_two_dates_combine_standardised_portfolios_as_normal():
    d1, d2 = IDX[50], IDX[70]
    events = ([{"event_id": "e1", "ticker": t, "date": d1} for t in "AB"]
              + [{"event_id": "e2", "ticker": t, "date": d2} for t in "CD"])
    got = _fit(events).test("calendar_time", window=(0, 0))
    t1, _ = _by_hand(["A", "B"], d1, (0, 0))
    t2, _ = _by_hand(["C", "D"], d2, (0, 0))
    z = (t1 + t2) / np.sqrt(2)
    assert got.stat == pytest.approx(z, rel=1e-12) and got.dist == "N(0,1)"
    assert got.pvalue == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-10)


def test_c44_correlated_same_date_events_are_not_overstated():
    """Case C44's fault: with correlated same-date ARs the cross-sectional t is far more
    'significant' than the calendar-time test, which measures the portfolio's own variance."""
    res = _fit([{"event_id": "e", "ticker": t, "date": IDX[60]} for t in "ABCD"])
    ct = res.test("calendar_time", window=(0, 0))
    t = res.test("t", window=(0, 0))
    assert abs(ct.stat) < abs(t.stat)
