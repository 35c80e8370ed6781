"""The DeepSeek study on the bundled real data, checked against independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy import EventStudy, datasets


@pytest.fixture(scope="module")
def deepseek(repo):
    return EventStudy.from_yaml(repo / "configs" / "deepseek_2025.yaml").fit()


def test_nvda_return_on_event_day(deepseek):
    row = deepseek.to_frame().query("ticker == 'NVDA' and tau == 0").iloc[0]
    assert row["date"] == "2025-01-27"
    assert row["ret"] * 100 == pytest.approx(-16.97, abs=0.01)  # published close-to-close move


def test_gspc_move_matches_published_closes():
    close = datasets.load(["^GSPC"])["^GSPC"]
    assert close.loc["2025-01-24"] == pytest.approx(6101.24, abs=0.01)
    assert close.loc["2025-01-27"] == pytest.approx(6012.28, abs=0.01)


def test_nvda_market_model_equals_statsmodels_ols(deepseek):
    # Independent computation: raw closes from the bundle, returns by hand, statsmodels OLS over the
    # 240 sessions tau = -250..-11 before 2025-01-27, then AR, its forecast-error variance and t.
    close = datasets.load(["NVDA", "^GSPC"])
    r = (close / close.shift(1) - 1).dropna()
    day0 = r.index.get_loc(pd.Timestamp("2025-01-27"))
    est = r.iloc[day0 - 250 : day0 - 10]
    assert len(est) == 240
    X = sm.add_constant(est["^GSPC"])
    ols = sm.OLS(est["NVDA"], X).fit()
    x0 = np.array([[1.0, r["^GSPC"].iloc[day0]]])
    ar0 = r["NVDA"].iloc[day0] - ols.predict(x0)[0]
    # forecast-error variance = residual variance + variance of the predicted mean
    var0 = ols.scale + ols.get_prediction(x0).var_pred_mean[0]
    t0 = ar0 / np.sqrt(var0)

    key = ("app_store", "NVDA")
    np.testing.assert_allclose(deepseek.params.loc[key].to_numpy(), ols.params.to_numpy(), rtol=1e-10)
    assert deepseek.sigma.loc[key] == pytest.approx(np.sqrt(ols.scale), rel=1e-10)
    assert deepseek.ar.loc[0, key] == pytest.approx(ar0, rel=1e-10)
    row = deepseek.to_frame().query("ticker == 'NVDA' and tau == 0").iloc[0]
    assert row["t"] == pytest.approx(t0, rel=1e-10)


def test_group_caar_equals_mean_of_cars(deepseek):
    cars = deepseek.car_table().query("tau_start == 0 and tau_end == 0 and group == 'ai_hardware'")
    caar = deepseek.caar_table().query("group == 'ai_hardware' and tau_start == 0 and tau_end == 0")
    assert caar["n"].iloc[0] == 10
    assert caar["caar"].iloc[0] == pytest.approx(cars["car"].mean(), rel=1e-12)
    sd = cars["car"].std(ddof=1)
    assert caar["t"].iloc[0] == pytest.approx(cars["car"].mean() / (sd / np.sqrt(10)), rel=1e-12)


def test_universe_resolves_all_sp500_members(deepseek):
    caar = deepseek.caar_table().query("group == 'sp500'")
    assert (caar["n"] == 503).all()
