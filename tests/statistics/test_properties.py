"""Properties of the statistics (hypothesis, derandomised so the suite is deterministic)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy import EventStudy
from eventstudy.statistics.battery import TESTS

SETTINGS = settings(derandomize=True, max_examples=15, deadline=None)
TICKERS = [f"S{i:02d}" for i in range(12)]
N_DAYS = 320


def _data(seed: int = 11, noise: float = 0.012):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2023-01-02", periods=N_DAYS)
    m = pd.Series(rng.normal(0.0003, 0.01, N_DAYS), index=idx)
    betas = rng.uniform(0.5, 1.5, len(TICKERS))
    r = pd.DataFrame(0.0002 + np.outer(m, betas) + rng.normal(0, noise, (N_DAYS, len(TICKERS))),
                     index=idx, columns=TICKERS)
    return r, m


R, M = _data()
EVENTS = [{"event_id": f"e{i}", "ticker": t, "date": R.index[260 + (i % 4) * 7]}
          for i, t in enumerate(TICKERS)]


def _fit(events, returns=R, market=M, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy(events, returns, market, estimation_window=(-200, -11),
                          event_windows=[(0, 0), (-1, 1), (0, 5)], tests=list(TESTS),
                          bootstrap={"n_boot": 199, "seed": 1}, **kw).fit()


BASE = _fit(EVENTS).tests.set_index(["group", "tau_start", "tau_end", "test"])


@SETTINGS
@given(st.permutations(range(len(EVENTS))))
def test_statistics_invariant_to_event_order(order):
    table = _fit([EVENTS[i] for i in order]).tests.set_index(["group", "tau_start", "tau_end",
                                                             "test"])
    pd.testing.assert_frame_equal(table.loc[BASE.index], BASE, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(st.integers(0, len(TICKERS) - 1), st.floats(-0.3, 0.3, allow_nan=False))
def test_planted_return_moves_ar_by_exactly_that_amount(i, delta):
    # Day 0 is outside the estimation window, so the fit is unchanged and AR(0) moves by delta:
    # its sign follows the planted move whenever |delta| exceeds the AR without it.
    base = _fit(EVENTS)
    bumped = R.copy()
    day0 = EVENTS[i]["date"]
    bumped.loc[day0, TICKERS[i]] += delta
    res = _fit(EVENTS, returns=bumped)
    key = (EVENTS[i]["event_id"], TICKERS[i])
    assert res.ar.loc[0, key] - base.ar.loc[0, key] == pytest.approx(delta, abs=1e-12)
    if abs(delta) > abs(base.ar.loc[0, key]):
        assert np.sign(res.ar.loc[0, key]) == np.sign(delta)
    np.testing.assert_allclose(res.params.to_numpy(), base.params.to_numpy(), rtol=1e-12)


@SETTINGS
@given(st.floats(0.02, 0.10), st.integers(0, 3))
def test_planted_abnormal_return_is_recovered(size, seed):
    # Without noise the market model fits exactly: every AR is the planted size, to round-off.
    r, m = _data(seed=seed, noise=0.0)
    planted = r.copy()
    for ev in EVENTS:
        planted.loc[ev["date"], ev["ticker"]] += size
    res = _fit(EVENTS, returns=planted, market=m)
    np.testing.assert_allclose(res.ar.loc[0].to_numpy(), size, atol=1e-12)
    assert res.caar_table().query("tau_start == 0 and tau_end == 0")["caar"].iloc[0] == \
        pytest.approx(size, abs=1e-12)
    # With noise (sd 1.2%), a planted 5%+ day-0 AR is detected by every parametric test.
    r, m = _data(seed=seed)
    noisy = r.copy()
    for ev in EVENTS:
        noisy.loc[ev["date"], ev["ticker"]] += size + 0.03
    t = _fit(EVENTS, returns=noisy, market=m).tests.query("tau_start == 0 and tau_end == 0")
    caar = t.set_index("test")
    for name in ("t", "patell", "bmp", "crude_dependence"):
        assert caar.loc[name, "statistic"] > 3, name
