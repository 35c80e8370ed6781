"""GARCH(1,1) market model against ``arch`` run directly; abnormal volatility by hand."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from eventstudy.exceptions import ConfigError
from eventstudy.models import MarketGarchModel, get_model
from eventstudy.models.garch import GarchBatchFit, forecast_variance, import_arch
from eventstudy.statistics.volatility import squared_t_moments
from eventstudy.volatility import abnormal_volatility, garch_abnormal_returns

arch = pytest.importorskip("arch")


def _garch_series(n: int = 300, seed: int = 7) -> tuple[pd.DataFrame, pd.Series]:
    """Two securities whose market-model errors follow a GARCH(1,1) (decimal returns)."""
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0004, 0.01, n)
    out = {}
    for name, (omega, a, b, beta) in {"A": (2e-6, 0.08, 0.9, 1.2),
                                       "B": (5e-6, 0.12, 0.8, 0.7)}.items():
        h = omega / (1 - a - b)
        e = np.empty(n)
        for t in range(n):
            e[t] = np.sqrt(h) * rng.standard_normal()
            h = omega + a * e[t] ** 2 + b * h
        out[name] = 0.0002 + beta * m + e
    idx = pd.bdate_range("2023-01-02", periods=n, name="date")
    return pd.DataFrame(out, index=idx), pd.Series(m, index=idx, name="MKT")


def test_forecast_variance_by_hand():
    """h_{T+1} = omega + a e_T^2 + b h_T; then h_{T+s} = omega + (a + b) h_{T+s-1}.

    omega 0.1, a 0.1, b 0.8, e_T = 1, h_T = 2: h_{T+1} = 0.1 + 0.1 + 1.6 = 1.8,
    h_{T+2} = 0.1 + 0.9 * 1.8 = 1.72, h_{T+3} = 0.1 + 0.9 * 1.72 = 1.648.
    Integrated (a + b = 1, omega 0.1): h_{T+s} = h_{T+1} + (s - 1) omega = 1.9, 2.0, 2.1.
    """
    z = np.zeros((2, 1))
    fit = GarchBatchFit(z, np.zeros((2, 2, 2)), np.ones(2), np.ones(2), np.ones(2), z,
                        garch_params=np.array([[0.1, 0.1, 0.8], [0.1, 0.2, 0.8]]),
                        last_resid=np.array([1.0, 1.0]), last_var=np.array([2.0, 2.0]))
    h = forecast_variance(fit, np.array([[1, 2, 3], [1, 2, 3]]))
    assert_allclose(h, [[1.8, 1.72, 1.648], [1.9, 2.0, 2.1]], rtol=1e-12)
    assert np.isnan(forecast_variance(fit, np.array([[0], [0]]))).all()


def test_market_garch_matches_arch_directly():
    """The model's fit of one security-event equals ``arch_model(...).fit()`` on the same data.

    The multi-step variance forecast equals ``ARCHModelResult.forecast``.

    Tolerances: the same optimiser on the same numbers, so parameters agree to rounding (1e-8
    relative); the forecasts follow the same recursion (1e-8).
    """
    ret, mkt = _garch_series()
    y, m = ret["A"].to_numpy()[:250], mkt.to_numpy()[:250]
    fit = MarketGarchModel().estimate(y[None, :], m[None, :], np.ones((1, 250), dtype=bool))
    ref = arch.arch_model(y * 100, x=m[:, None] * 100, mean="LS", vol="GARCH", p=1, q=1,
                          dist="normal", rescale=False).fit(disp="off")
    p = ref.params.to_numpy()
    assert_allclose(fit.params[0], [p[0] / 100, p[1]], rtol=1e-8)
    assert_allclose(fit.garch_params[0], [p[2] / 1e4, p[3], p[4]], rtol=1e-8)
    assert_allclose(fit.cond_var[0], (ref.conditional_volatility / 100) ** 2, rtol=1e-8)
    assert_allclose(fit.resid[0], ref.resid / 100, rtol=1e-8, atol=1e-14)
    assert fit.converged[0]
    fc = ref.forecast(horizon=12, x=np.zeros((1, 12)), reindex=False).variance.to_numpy()[0]
    assert_allclose(forecast_variance(fit, np.arange(1, 13)[None, :])[0], fc / 1e4, rtol=1e-8)


def test_garch_abnormal_returns_standardise_by_forecast():
    """SAR = AR / sqrt(h) with h the arch forecast from the last estimation day (gap included)."""
    ret, mkt = _garch_series()
    day0 = ret.index[270]
    res = garch_abnormal_returns([{"event_id": "e", "ticker": "A", "date": day0}], ret, mkt,
                                 estimation_window=(-260, -11), event_windows=[(0, 0), (-1, 1)],
                                 tests=("t", "bmp", "patell", "corrado_rank"))
    y, m = ret["A"].to_numpy()[10:260], mkt.to_numpy()[10:260]
    ref = arch.arch_model(y * 100, x=m[:, None] * 100, mean="LS", vol="GARCH", p=1, q=1,
                          dist="normal", rescale=False).fit(disp="off")
    p = ref.params.to_numpy()
    h = ref.forecast(horizon=12, x=np.zeros((1, 12)), reindex=False).variance.to_numpy()[0] / 1e4
    # tau -1, 0, 1 are sessions 269, 270, 271: 10, 11 and 12 steps after session 259
    ar = ret["A"].iloc[269:272].to_numpy() - p[0] / 100 - p[1] * mkt.iloc[269:272].to_numpy()
    assert_allclose(res.ar[("e", "A")].to_numpy(), ar, rtol=1e-7)
    assert_allclose(res.cond_var[("e", "A")].to_numpy(), h[9:12], rtol=1e-8)
    assert_allclose(res.sar[("e", "A")].to_numpy(), ar / np.sqrt(h[9:12]), rtol=1e-7)
    assert set(res.tests["test"]) == {"t", "bmp", "patell", "corrado_rank"}
    assert res.params.loc[("e", "A"), "persistence"] < 1


def test_market_garch_in_the_registry():
    """'market_garch' is a model key; EventStudy runs it through the batched-fit interface."""
    from eventstudy import EventStudy

    assert isinstance(get_model("market_garch"), MarketGarchModel)
    ret, mkt = _garch_series()
    events = [{"event_id": "e", "ticker": t, "date": ret.index[270]} for t in ("A", "B")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(events, ret, mkt, model="market_garch", estimation_window=(-260, -11),
                         event_windows=[(0, 0)], tests=["t", "bmp"]).fit()
    direct = garch_abnormal_returns(events, ret, mkt, estimation_window=(-260, -11),
                                    event_windows=[(0, 0)])
    assert_allclose(res.ar.to_numpy(), direct.ar.to_numpy(), rtol=1e-9)


def test_market_garch_is_a_config_model(tmp_path):
    """``model: market_garch`` validates in a study file."""
    from eventstudy.config import load_config

    cfg = tmp_path / "g.yaml"
    cfg.write_text("study: g\nmarket: ^GSPC\nevents: [{id: e, date: 2025-01-27}]\n"
                   "groups: {a: [NVDA]}\nmodel: market_garch\n")
    assert load_config(cfg).model == "market_garch"


def test_missing_arch_names_the_extra(monkeypatch):
    """Without arch the error says which extra to install."""
    monkeypatch.setitem(sys.modules, "arch", None)
    with pytest.raises(ImportError, match=r"market-eventstudy\[garch\]"):
        import_arch("model 'market_garch'")


DAYS = pd.bdate_range("2024-01-01", periods=9, name="date")


def _vol_panel() -> tuple[pd.DataFrame, pd.Series]:
    """Return R = m + e, m = 0.01 * (1..9), e orthogonal to [1, m] on the estimation days."""
    m = 0.01 * np.arange(1.0, 10.0)
    pattern = np.array([1, -1, -1, 1, 1, -1, -1, 1], dtype=float)
    a = m + np.r_[0.01 * pattern, 0.03]
    b = m + np.r_[0.02 * pattern, 0.02]
    return pd.DataFrame({"A": a, "B": b}, index=DAYS), pd.Series(m, index=DAYS)


def test_abnormal_volatility_closed_form():
    """Squared ARs over the market model's forecast-error variance, by hand.

    Estimation days tau -8..-1: m = 0.01 * (1..8) and e = c * (1, -1, -1, 1, 1, -1, -1, 1), which
    sums to zero and is orthogonal to m, so alpha = 0, beta = 1 and s^2 = 8 c^2 / 6 = 4 c^2 / 3.
    Day 0: m = 0.09; x'(X'X)^{-1}x = 1/8 + (0.09 - 0.045)^2 / (42e-4) = 0.125 + 0.482143 = 0.607143.
    A: c = 0.01, AR = 0.03: r = 9e-4 / (1.3333e-4 * 1.607143) = 4.2.
    B: c = 0.02, AR = 0.02: r = 4e-4 / (5.3333e-4 * 1.607143) = 0.466667.
    Mean ratio 2.333333. t on r - 1 = (3.2, -0.533333): mean 1.333333, s = 3.733333 / sqrt 2,
    t = 1.333333 / (s / sqrt 2) = 0.714286.
    variance_ratio with df = 6: E = 6/4 = 1.5, Var = 2 * 36 * 5 / (16 * 2) = 11.25;
    z = (4.2 + 0.466667 - 3) / sqrt(22.5) = 0.351364.
    """
    ret, mkt = _vol_panel()
    events = [{"event_id": "e", "ticker": t, "date": DAYS[8]} for t in ("A", "B")]
    res = abnormal_volatility(events, ret, mkt, estimation_window=(-8, -1), event_windows=[(0, 0)],
                              tests=("t", "variance_ratio", "corrado_rank"), min_estimation_obs=8)
    assert_allclose(res.ratio.loc[0].to_numpy(), [4.2, 0.7 / 1.5], rtol=1e-9)
    assert_allclose(res.mean_ratio.loc[0], (4.2 + 0.7 / 1.5) / 2, rtol=1e-9)
    stats = res.tests.set_index("test")["statistic"]
    assert_allclose(stats["t"], 1.333333333 / 1.866666667, rtol=1e-8)
    assert_allclose(stats["variance_ratio"], (4.2 + 0.7 / 1.5 - 3.0) / np.sqrt(22.5), rtol=1e-9)
    assert_allclose(squared_t_moments(np.array([6.0, np.inf])), [[1.5, 1.0], [11.25, 2.0]])
    assert res.test("variance_ratio", (0, 0)).stat == pytest.approx(stats["variance_ratio"])


def test_volatility_refuses_sign_flip_and_symmetric_tests():
    """A sign-flip bootstrap and the tests built for symmetric ARs are refused with the reason."""
    ret, mkt = _vol_panel()
    events = [{"event_id": "e", "ticker": "A", "date": DAYS[8]}]
    kw = {"estimation_window": (-8, -1), "event_windows": [(0, 0)], "min_estimation_obs": 8}
    with pytest.raises(ConfigError, match="sign-flip bootstrap .* symmetric about zero"):
        abnormal_volatility(events, ret, mkt, tests=("sign_flip",), **kw)
    with pytest.raises(ConfigError, match="does not apply to squared abnormal returns"):
        abnormal_volatility(events, ret, mkt, tests=("bmp",), **kw)
    res = abnormal_volatility(events, ret, mkt, tests=("t",), **kw)
    with pytest.raises(ConfigError, match="sign-flip"):
        res.test("wild_bootstrap")
    with pytest.raises(ConfigError, match="variance must be"):
        abnormal_volatility(events, ret, mkt, variance="egarch", **kw)  # type: ignore[arg-type]


def test_garch_volatility_is_squared_garch_sar():
    """variance='garch': the ratio is the squared GARCH-standardised AR (one standardisation)."""
    ret, mkt = _garch_series()
    events = [{"event_id": "e", "ticker": t, "date": ret.index[270]} for t in ("A", "B")]
    kw = {"estimation_window": (-260, -11), "event_windows": [(0, 0), (0, 3)]}
    vol = abnormal_volatility(events, ret, mkt, variance="garch",
                              tests=("t", "variance_ratio", "bootstrap_t"), **kw)
    sar = garch_abnormal_returns(events, ret, mkt, **kw).sar
    assert_allclose(vol.ratio.to_numpy(), sar.to_numpy() ** 2, rtol=1e-12)
    assert np.isfinite(vol.tests["statistic"]).all()


def test_failed_garch_fit_is_skipped_with_reason(monkeypatch):
    """A security whose arch fit raises is dropped with the reason; the others keep their fit."""
    ret, mkt = _garch_series()
    events = [{"event_id": "e", "ticker": t, "date": ret.index[270]} for t in ("A", "B")]
    kw = {"estimation_window": (-260, -11), "event_windows": [(0, 0)], "tests": ("bmp",)}
    both = garch_abnormal_returns(events, ret, mkt, **kw)
    real = arch.arch_model
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        model = real(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:  # the first security-event (A)
            def boom(*a, **k):
                raise ValueError("optimizer failed")
            monkeypatch.setattr(model, "fit", boom)
        return model

    monkeypatch.setattr(arch, "arch_model", flaky)
    with pytest.warns(UserWarning, match="A skipped: the GARCH"):
        res = garch_abnormal_returns(events, ret, mkt, **kw)
    assert list(res.dropped["ticker"]) == ["A"]
    assert "GARCH(1,1) fit failed" in res.dropped["reason"].iat[0]
    assert_allclose(res.ar[("e", "B")].to_numpy(), both.ar[("e", "B")].to_numpy(), rtol=1e-12)
    assert_allclose(res.cond_var.to_numpy(), both.cond_var[[("e", "B")]].to_numpy(), rtol=1e-12)
