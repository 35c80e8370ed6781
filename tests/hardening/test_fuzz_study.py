"""Fuzzing the study itself: hostile returns (NaN runs, constants, zeros, huge values, few rows) and
event dates anywhere. ``fit()`` gives results or an EventStudyError; tables (ar, car, caar, tests)
never hold +-inf, and a CAR is NaN exactly when an AR of its window is missing (never a partial sum,
case C20b)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from eventstudy import EventStudy
from eventstudy.exceptions import EventStudyError

from .fuzzing import FUZZ

TICKERS = ["AAA", "BBB", "CCC"]


@st.composite
def hostile_study(draw):
    n = draw(st.integers(5, 200))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2024-01-01", periods=n)
    r = rng.normal(0, 0.02, (n, len(TICKERS)))
    m = rng.normal(0, 0.01, n)
    for _ in range(draw(st.integers(0, 4))):  # damage: NaN runs, constants, zeros, huge values
        kind = draw(st.sampled_from(["nan", "const", "zero", "huge", "tiny", "mkt_nan", "mkt_const"]))
        j = draw(st.integers(0, len(TICKERS) - 1))
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(a, n))
        if kind == "nan":
            r[a:b, j] = np.nan
        elif kind == "const":
            r[a:b, j] = 0.0013
        elif kind == "zero":
            r[a:b, j] = 0.0
        elif kind == "huge":
            r[a:b, j] = draw(st.sampled_from([1e6, -0.999999, 50.0]))
        elif kind == "tiny":
            r[a:b, j] *= 1e-12
        elif kind == "mkt_nan":
            m[a:b] = np.nan
        else:
            m[a:b] = 0.0
    returns = pd.DataFrame(r, index=idx, columns=TICKERS)
    market = pd.Series(m, index=idx)
    n_events = draw(st.integers(1, 4))
    events = []
    for i in range(n_events):
        if draw(st.integers(0, 4)) == 0:  # before, inside or after the data, any weekday
            date = idx[0] + pd.Timedelta(days=int(draw(st.integers(-30, n + 30)) * 1.4))
        else:  # a session late enough for an estimation window
            date = idx[draw(st.integers(n // 2, n - 1))]
        events.append({"event_id": f"e{i}", "ticker": draw(st.sampled_from(TICKERS)),
                       "date": date.strftime("%Y-%m-%d")})
    est_start = draw(st.one_of(st.integers(-120, -3), st.integers(-90, -10)))
    est_end = draw(st.integers(est_start, -2))
    t1 = draw(st.integers(est_end + 1, 2))
    t2 = draw(st.integers(t1, 6))
    kwargs = {"estimation_window": (est_start, est_end), "event_windows": list(dict.fromkeys([(t1, t2), (t1, t1)])),
              "model": draw(st.sampled_from(["market", "market_adjusted", "constant_mean"])),
              "non_trading_day": draw(st.sampled_from(["next", "previous", "error"]))}
    return events, returns, market, kwargs


@FUZZ
@given(case=hostile_study())
def test_fuzz_study_fit(case):
    events, returns, market, kwargs = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = EventStudy(events, returns, market, **kwargs).fit()
        except EventStudyError:
            return
        ar, car, caar = res.to_frame(), res.car_table(), res.caar_table()
        tests = res.tests
    for frame in (ar, car, caar, tests):
        numbers = frame.select_dtypes("number").to_numpy(dtype="float64")
        assert not np.isinf(numbers).any(), frame[np.isinf(numbers).any(axis=1)]
    for w in kwargs["event_windows"]:
        in_w = ar[(ar["tau"] >= w[0]) & (ar["tau"] <= w[1])]
        missing = in_w.groupby(["event_id", "ticker"])["ar"].apply(lambda s: s.isna().any())
        rows = car[(car["tau_start"] == w[0]) & (car["tau_end"] == w[1])]
        got = rows.set_index(["event_id", "ticker"])["car"].isna()
        assert got.reindex(missing.index).to_numpy().tolist() == missing.to_numpy().tolist()


def test_session_before_the_data_is_reported_as_outside_the_data():
    """Found by the fuzzer: with non_trading_day: error, Monday 2023-11-20 (an XNYS session) before
    the first row was reported as "not a XNYS session", sending the user after the wrong mistake."""
    import pytest

    from eventstudy.exceptions import DataUnavailableError

    idx = pd.bdate_range("2024-01-01", periods=120)
    rng = np.random.default_rng(3)
    returns = pd.DataFrame(rng.normal(0, 0.02, (120, 1)), index=idx, columns=["AAA"])
    market = pd.Series(rng.normal(0, 0.01, 120), index=idx)
    events = [{"event_id": "e1", "ticker": "AAA", "date": "2023-11-20"}]
    with pytest.raises(DataUnavailableError, match=r"2023-11-20 is outside the data \(2024-01-01"):
        EventStudy(events, returns, market, estimation_window=(-60, -11), event_windows=[(0, 0)],
                   non_trading_day="error").fit()


def test_one_security_event_under_two_ids_warns_and_gives_no_infinite_t():
    """Found by the fuzzer: identical CARs gave s = 0 and a CAAR t of -inf with p = 0."""
    import pytest

    from eventstudy.exceptions import EventWindowOverlapWarning

    idx = pd.bdate_range("2024-01-01", periods=120)
    rng = np.random.default_rng(3)
    returns = pd.DataFrame(rng.normal(0, 0.02, (120, 1)), index=idx, columns=["AAA"])
    market = pd.Series(rng.normal(0, 0.01, 120), index=idx)
    events = [{"event_id": i, "ticker": "AAA", "date": "2024-05-01"} for i in ("a", "b")]
    with pytest.warns(EventWindowOverlapWarning, match="events a and b both hold AAA on 2024-05-01"):
        res = EventStudy(events, returns, market, estimation_window=(-60, -11),
                         event_windows=[(0, 0)]).fit()
    caar = res.caar_table()
    assert caar["n"].iat[0] == 2 and np.isfinite(caar["caar"].iat[0])
    assert np.isnan(caar["t"].iat[0]) and np.isnan(caar["p_value"].iat[0])
