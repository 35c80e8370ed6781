"""Cross-sectional regression of CARs (second stage) against statsmodels directly."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy import EventStudy
from eventstudy.config import load_config
from eventstudy.exceptions import ConfigError


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(3)
    n, k = 300, 30
    idx = pd.bdate_range("2023-01-02", periods=n)
    m = pd.Series(rng.normal(0, 0.01, n), index=idx)
    tickers = [f"T{i:02d}" for i in range(k)]
    size = pd.Series(rng.normal(10, 1, k), index=tickers)
    r = pd.DataFrame({t: 0.8 * m + rng.normal(0, 0.01, n) for t in tickers}, index=idx)
    r.iloc[260] += 0.01 * (size - 10).to_numpy() + rng.normal(0, 0.005, k)  # CAR rises with size
    events = [{"event_id": "ev", "ticker": t, "date": idx[260]} for t in tickers]
    chars = pd.DataFrame({"ticker": tickers, "size": size.to_numpy()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(events, r, m, estimation_window=(-200, -11), event_windows=[(0, 0), (0, 2)],
                         regression={"x": ["size", "beta"], "data": chars, "cov_type": "HC3"}).fit()
    return res, chars


def test_car_regression_equals_statsmodels_hc3(setup):
    res, chars = setup
    car = res.car_window(0, 0).droplevel("event_id")
    X = sm.add_constant(pd.DataFrame({"size": chars.set_index("ticker")["size"],
                                      "beta": res.params["beta"].droplevel("event_id")}))
    ols = sm.OLS(car, X.loc[car.index]).fit(cov_type="HC3")
    got = res.regression
    np.testing.assert_allclose(got.params.to_numpy(), ols.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(got.bse.to_numpy(), ols.bse.to_numpy(), rtol=1e-10)
    assert got.params["size"] == pytest.approx(0.01, abs=0.004)  # the planted slope
    assert got.nobs == 30


def test_hc1_and_window(setup):
    res, chars = setup
    fit = res.car_regression(["size"], data=chars, window=(0, 2), cov_type="HC1")
    car = res.car_window(0, 2).droplevel("event_id")
    ols = sm.OLS(car, sm.add_constant(chars.set_index("ticker")["size"].loc[car.index])).fit(
        cov_type="HC1")
    np.testing.assert_allclose(fit.bse.to_numpy(), ols.bse.to_numpy(), rtol=1e-10)


def test_missing_column_is_named(setup):
    res, chars = setup
    with pytest.raises(ConfigError, match=r"lack column\(s\) \['mcap'\]"):
        res.car_regression(["mcap"], data=chars)


def test_yaml_regression_key(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("study: s\nevents: [{id: e, date: 2025-01-27}]\ngroups: {g: [NVDA, AMD]}\n"
                 "regression: {x: [beta], window: [0, 0], cov_type: HC3}\n")
    c = load_config(p)
    assert c.regression.x == ["beta"] and c.regression.cov_type == "HC3"
    p.write_text("study: s\nevents: [{id: e, date: 2025-01-27}]\ngroups: {g: [NVDA]}\n"
                 "regression: {x: [beta], cov_type: HC9}\n")
    with pytest.raises(ConfigError, match="cov_type"):
        load_config(p)
