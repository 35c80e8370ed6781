"""Normal-return models against independent per-event computations (statsmodels, numpy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy import EventStudy, datasets
from eventstudy.data.french import read_french
from eventstudy.exceptions import SpecificationError

EST = (-120, -11)


def _synthetic(seed: int = 7, n_days: int = 300, tickers=("AAA", "BBB", "CCC")):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2023-01-02", periods=n_days)
    f = pd.DataFrame(rng.normal(0, 0.01, (n_days, 5)), index=idx,
                     columns=["Mkt-RF", "SMB", "HML", "RMW", "CMA"])
    f["Mom"] = rng.normal(0, 0.008, n_days)
    f["RF"] = 0.0002
    mkt = f["Mkt-RF"] + f["RF"]
    rets = {}
    for j, t in enumerate(tickers):
        b = rng.normal(1, 0.3, 6)
        rets[t] = (f["RF"] + 0.0003 * j + f[["Mkt-RF", "SMB", "HML", "RMW", "CMA", "Mom"]] @ b
                   + rng.normal(0, 0.015, n_days))
    return pd.DataFrame(rets), mkt, f


def _events(returns, day=250):
    d = returns.index[day]
    return [{"event_id": f"e{t}", "ticker": t, "date": d} for t in returns.columns]


@pytest.mark.parametrize("model,cols", [
    ("ff3", ["Mkt-RF", "SMB", "HML"]),
    ("carhart", ["Mkt-RF", "SMB", "HML", "Mom"]),
    ("ff5", ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]),
])
def test_factor_models_equal_statsmodels_on_excess_returns(model, cols):
    returns, mkt, f = _synthetic()
    res = EventStudy(_events(returns), returns, mkt, estimation_window=EST,
                     event_windows=[(0, 2)], model=model, factors=f).fit()
    for t in returns.columns:
        est = slice(250 + EST[0], 250 + EST[1] + 1)
        y = returns[t].iloc[est] - f["RF"].iloc[est]
        X = sm.add_constant(f[cols].iloc[est])
        ols = sm.OLS(y, X).fit()
        got = res.params.loc[(f"e{t}", t)].to_numpy()
        np.testing.assert_allclose(got, ols.params.to_numpy(), rtol=1e-9, atol=1e-12)
        assert res.sigma.loc[(f"e{t}", t)] == pytest.approx(np.sqrt(ols.scale), rel=1e-9)
        # AR = R - RF - x'b on day 0
        x0 = np.r_[1.0, f[cols].iloc[250].to_numpy()]
        ar0 = returns[t].iloc[250] - f["RF"].iloc[250] - x0 @ ols.params.to_numpy()
        assert res.ar.loc[0, (f"e{t}", t)] == pytest.approx(ar0, rel=1e-9, abs=1e-14)


def test_c24_factor_model_sigma_uses_estimation_days_only():
    # Planting a 10% AR on day 0 must not move sigma (C24 holds for every model).
    returns, mkt, f = _synthetic()
    base = EventStudy(_events(returns), returns, mkt, estimation_window=EST,
                      event_windows=[(0, 0)], model="ff3", factors=f).fit()
    bumped = returns.copy()
    bumped.iloc[250] += 0.10
    res = EventStudy(_events(bumped), bumped, mkt, estimation_window=EST,
                     event_windows=[(0, 0)], model="ff3", factors=f).fit()
    np.testing.assert_allclose(res.sigma.to_numpy(), base.sigma.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(res.ar.to_numpy() - base.ar.to_numpy(), 0.10, rtol=1e-9)


def test_factor_model_without_factors_is_a_specification_error():
    returns, mkt, _ = _synthetic()
    with pytest.raises(SpecificationError, match="ff3.*factor returns"):
        EventStudy(_events(returns), returns, mkt, estimation_window=EST, model="ff3")


def test_dimson_equals_statsmodels_with_lag_and_lead():
    returns, mkt, _ = _synthetic()
    res = EventStudy(_events(returns), returns, mkt, estimation_window=EST,
                     event_windows=[(0, 1)], model="dimson").fit()
    X_all = pd.DataFrame({"lag": mkt.shift(1), "m": mkt, "lead": mkt.shift(-1)})
    for t in returns.columns:
        est = slice(250 + EST[0], 250 + EST[1] + 1)
        ols = sm.OLS(returns[t].iloc[est], sm.add_constant(X_all.iloc[est])).fit()
        np.testing.assert_allclose(res.params.loc[(f"e{t}", t)].to_numpy(), ols.params.to_numpy(),
                                   rtol=1e-9)
        x1 = np.r_[1.0, X_all.iloc[251].to_numpy()]
        ar1 = returns[t].iloc[251] - x1 @ ols.params.to_numpy()
        assert res.ar.loc[1, (f"e{t}", t)] == pytest.approx(ar1, rel=1e-9)


def test_scholes_williams_beta_by_hand():
    returns, mkt, _ = _synthetic()
    res = EventStudy(_events(returns), returns, mkt, estimation_window=EST,
                     event_windows=[(0, 0)], model="scholes_williams").fit()
    for t in returns.columns:
        est = slice(250 + EST[0], 250 + EST[1] + 1)
        y, m = returns[t].iloc[est].to_numpy(), mkt.iloc[est].to_numpy()
        lag, lead = mkt.shift(1).iloc[est].to_numpy(), mkt.shift(-1).iloc[est].to_numpy()
        slopes = [np.polyfit(x, y, 1)[0] for x in (lag, m, lead)]
        rho = np.corrcoef(m, lag)[0, 1]
        beta = sum(slopes) / (1 + 2 * rho)
        alpha = y.mean() - beta * m.mean()
        np.testing.assert_allclose(res.params.loc[(f"e{t}", t)].to_numpy(), [alpha, beta],
                                   rtol=1e-9)


def test_nvda_ff5_on_real_data_equals_statsmodels(shared_data):
    # Real data: NVDA around the DeepSeek day, FF5 from Ken French's file, against statsmodels.
    close = datasets.load(["NVDA", "^GSPC"])
    r = (close / close.shift(1) - 1).iloc[1:]
    f = read_french(shared_data / "factors" / "F-F_Research_Data_5_Factors_2x3_daily.CSV")
    res = EventStudy([{"event_id": "ds", "ticker": "NVDA", "date": "2025-01-27"}], r[["NVDA"]],
                     r["^GSPC"], estimation_window=(-250, -11), event_windows=[(0, 0)],
                     model="ff5", factors=f).fit()
    day0 = r.index.get_loc(pd.Timestamp("2025-01-27"))
    est = r.index[day0 - 250: day0 - 10]
    ff = f.reindex(est)
    cols = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
    ols = sm.OLS(r.loc[est, "NVDA"] - ff["RF"], sm.add_constant(ff[cols])).fit()
    np.testing.assert_allclose(res.params.iloc[0].to_numpy(), ols.params.to_numpy(), rtol=1e-9)
    x0 = np.r_[1.0, f.loc["2025-01-27", cols].to_numpy()]
    ar0 = r.loc["2025-01-27", "NVDA"] - f.loc["2025-01-27", "RF"] - x0 @ ols.params.to_numpy()
    assert res.ar.iloc[0, 0] == pytest.approx(ar0, rel=1e-9)
    assert -0.12 < ar0 < -0.05  # NVDA -17% on a day the factors (Mkt-RF -1.5%, HML +2.5%) explain part
