"""Study-level properties (hypothesis, derandomised): event order, AR sign, scale of returns.

The statistics developer checks the test statistics themselves (tests/statistics/test_properties.py);
these check what a user sees in the tables: ar, car and caar from ``EventStudy.fit()`` and from a
config whose events CSV is shuffled.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy import EventStudy

PROPS = settings(derandomize=True, max_examples=8, deadline=None, database=None)
TICKERS = ["AAA", "BBB", "CCC", "DDD", "EEE"]
N = 300


def _panel(seed: int = 7) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2023-01-02", periods=N)
    m = pd.Series(rng.normal(0.0004, 0.011, N), index=idx)
    beta = rng.uniform(0.4, 1.6, len(TICKERS))
    r = pd.DataFrame(np.outer(m, beta) + rng.normal(0.0001, 0.015, (N, len(TICKERS))),
                     index=idx, columns=TICKERS)
    return r, m


R, M = _panel()
EVENTS = [{"event_id": f"e{i}", "ticker": t, "date": R.index[200 + 9 * i].strftime("%Y-%m-%d")}
          for i, t in enumerate(TICKERS)]
EVENTS.append({"event_id": "e9", "ticker": "AAA", "date": R.index[270].strftime("%Y-%m-%d")})
GROUPS = {"first": ["AAA", "BBB"], "rest": ["CCC", "DDD", "EEE"]}
KEY = ["event_id", "ticker", "tau"]
models = st.sampled_from(["market", "market_adjusted", "constant_mean"])


def _fit(events=EVENTS, returns=R, market=M, model="market"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy(events, returns, market, groups=GROUPS, estimation_window=(-150, -11),
                          event_windows=[(0, 0), (-1, 1), (0, 5)], model=model).fit()


def _tables(res):
    ar = res.to_frame().sort_values(KEY).reset_index(drop=True)
    car = res.car_table().sort_values(["event_id", "ticker", "tau_start", "tau_end"])
    return ar, car.reset_index(drop=True), res.caar_table()


@PROPS
@given(order=st.permutations(range(len(EVENTS))), model=models)
def test_tables_invariant_to_event_order(order, model):
    base = _tables(_fit(model=model))
    shuffled = _tables(_fit([EVENTS[i] for i in order], model=model))
    for a, b in zip(base, shuffled, strict=True):
        pd.testing.assert_frame_equal(a, b, rtol=1e-12, atol=1e-15)


@PROPS
@given(model=models)
def test_negating_stock_returns_negates_ar_car_caar(model):
    """R -> -R with the market unchanged: the normal return flips with it (alpha, beta and the
    constant mean are linear in R; market_adjusted is not, so there only AR(-R, -Rm) = -AR)."""
    if model == "market_adjusted":
        a, b = _fit(model=model), _fit(returns=-R, market=-M, model=model)
    else:
        a, b = _fit(model=model), _fit(returns=-R, model=model)
    (ar_a, car_a, caar_a), (ar_b, car_b, caar_b) = _tables(a), _tables(b)
    np.testing.assert_allclose(ar_b["ar"], -ar_a["ar"], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(ar_b["t"], -ar_a["t"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ar_b["p_value"], ar_a["p_value"], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(car_b["car"], -car_a["car"], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(caar_b["caar"], -caar_a["caar"], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(caar_b["t"], -caar_a["t"], rtol=1e-9, atol=1e-12)


@PROPS
@given(scale=st.floats(1e-3, 1e3), model=models)
def test_scaling_returns_scales_ar_and_keeps_t(scale, model):
    """R, Rm -> cR, cRm: AR, CAR, CAAR scale by c; t statistics and p-values do not move."""
    a, b = _fit(model=model), _fit(returns=R * scale, market=M * scale, model=model)
    (ar_a, car_a, caar_a), (ar_b, car_b, caar_b) = _tables(a), _tables(b)
    np.testing.assert_allclose(ar_b["ar"], scale * ar_a["ar"], rtol=1e-8, atol=1e-14 * scale)
    np.testing.assert_allclose(car_b["car"], scale * car_a["car"], rtol=1e-8, atol=1e-14 * scale)
    np.testing.assert_allclose(caar_b["caar"], scale * caar_a["caar"], rtol=1e-8)
    for x, y in ((ar_a, ar_b), (car_a, car_b), (caar_a, caar_b)):
        np.testing.assert_allclose(y["t"], x["t"], rtol=1e-7)
        np.testing.assert_allclose(y["p_value"], x["p_value"], rtol=1e-6, atol=1e-15)


def test_unrelated_security_changes_nothing():
    """A returns column no event names must not change any number."""
    extra = R.assign(ZZZ=np.linspace(-0.01, 0.01, N))
    for a, b in zip(_tables(_fit()), _tables(_fit(returns=extra)), strict=True):
        pd.testing.assert_frame_equal(a, b)
