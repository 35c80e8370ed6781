r"""Preset ``eventstudy_r``: the numbers of the R package EventStudy on closed-form panels.

The R package EventStudy (S. Mueller, github.com/sipemu/eventstudy, behind EventStudyTools)
computes, in ``R/single_event_test_statistics.R``, ``R/multi_event_test_statistics.R`` and
``R/models.R``:

* ARTTest: t = AR / sigma, sigma the OLS residual standard deviation (``summary(lm)$sigma``, M - k);
* CARTTest: t = CAR / (sqrt(L) sigma) (Brown and Warner 1985);
* PatellZTest: SAR_it = AR_it / sigma_it^FE with the forecast-error corrected
  sigma_it^FE = sigma_i sqrt(1 + 1/M + (R_mt - mean R_m)^2 / S_mm), the market-model term also for
  factor models (``calculate_forecast_error_correction`` on ``index_returns``); daily
  Z_t = sum_i SAR_it / sqrt(sum_i Q_i), Q_i = (M - k) / (M - k - 2); over a window the CAAR Z is
  (1/sqrt(N)) sum_i CSAR_i / sqrt(L Q_i), i.e. sum_t Z_t / sqrt(L) when the Q_i are equal
  (Patell 1976);
* BMPTest / KolariPynnonenTest: SAR = AR / sigma (the model sigma, no forecast error), the window
  form a cross-sectional t of CSAR_i = CAR_i / sigma_i; KP multiplies by
  sqrt((1 - r) / (1 + (N - 1) r)), r the mean of ``cor(SAR, use = "pairwise.complete.obs")``
  (Boehmer, Musumeci and Poulsen 1991; Kolari and Pynnonen 2010);
* RankTest: U_it = rank / (T + 1) - 1/2 over the T combined days,
  z = mean_i U_i0 / sd_t(mean_i U_it) with R's ``sd`` (T - 1): sqrt((T - 1) / T) times Corrado's
  (1989) z, which divides by T;
* CSectT, SignT and GSignT as this project's ``t``, ``sign`` and ``generalized_sign`` (Cowan 1992's
  mean of the securities' estimation-window shares).

The conventions reproducing this: ``forecast_error=False`` and ``car_variance='sqrt_l'`` (ART, CART,
BMP and KP on the model sigma), ``patell='daily_fe'``, ``rank_variance='sample'``,
``fe_regressors='market'``. Each panel below has an exact OLS fit (residuals orthogonal to the
regressors by construction), so the expected values are derived from the formulas above by hand
(numbers in the test docstrings) or written out per security; the tolerance is rel 1e-9 (float
round-off of the fit; the issue asks 1e-6). Every panel runs through Python and through YAML (prices
written to files and read back, returns recomputed from them).

References
----------
Patell, J. M. (1976). JAR 14(2), 246-276. Brown, S. J., Warner, J. B. (1985). JFE 14(1), 3-31.
Corrado, C. J. (1989). JFE 23(2), 385-395. Boehmer, E., Musumeci, J., Poulsen, A. B. (1991). JFE
30(2), 253-272. Cowan, A. R. (1992). RQFA 2(4), 343-358. MacKinlay, A. C. (1997). JEL 35(1), 13-39.
Kolari, J. W., Pynnonen, S. (2010). RFS 23(11), 3996-4025.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import EventStudy
from eventstudy.statistics.battery import run_test

RTOL = 1e-9  # round-off of the OLS fit and of returns recomputed from written prices
ROUTES = ["python", "yaml"]


def _fit(route, tmp_path, returns, market, events, *, estimation_window, event_windows,
         conventions="eventstudy_r", tests=("t", "patell", "bmp", "kolari_pynnonen"),
         factors=None):
    """Fit through the Python API or through a YAML file with price files written from returns.

    With ``factors`` the model is ff3; through YAML they are written as a Ken French file
    (percent, YYYYMMDD, full precision).
    """
    if route == "python":
        extra = {"model": "ff3", "factors": factors} if factors is not None else {}
        return EventStudy(events, returns, market, estimation_window=estimation_window,
                          event_windows=event_windows, min_estimation_obs=5,
                          conventions=conventions, tests=list(tests), **extra).fit()
    folder = tmp_path / "prices"
    folder.mkdir()
    base = returns.index[0] - pd.offsets.BDay(1)
    for name, r in [*returns.items(), ("MKT", market)]:
        p = 100 * np.concatenate([[1.0], np.cumprod(1 + r.to_numpy())])
        pd.DataFrame({"date": [base, *returns.index], "close": p}).assign(
            date=lambda d: pd.DatetimeIndex(d["date"]).strftime("%Y-%m-%d")
        ).to_csv(folder / f"{name}.csv", index=False)
    ev = ", ".join(f"{{id: {e['event_id']}, date: {pd.Timestamp(e['date']):%Y-%m-%d}, "
                   f"tickers: [{e['ticker']}]}}" for e in events)
    conv = conventions if isinstance(conventions, str) else "{" + ", ".join(
        f"{k}: {v}" for k, v in conventions.items()) + "}"
    model = ""
    if factors is not None:
        lines = ["Daily factors written by the test", "", "," + ",".join(factors.columns)]
        lines += [f"{d:%Y%m%d}," + ",".join(repr(float(v) * 100) for v in row)
                  for d, row in zip(factors.index, factors.to_numpy(), strict=True)]
        (tmp_path / "ff3.csv").write_text("\n".join(lines) + "\n\n")
        model = "model: ff3\nfactors: [ff3.csv]\n"
    cfg = tmp_path / "study.yaml"
    cfg.write_text(
        "study: golden\ndata: {source: file, path: prices, calendar: XNYS}\nmarket: MKT\n"
        f"events: [{ev}]\nestimation_window: {list(estimation_window)}\n"
        f"event_windows: {[list(w) for w in event_windows]}\nmin_estimation_obs: 5\n"
        f"conventions: {conv}\ntests: {list(tests)}\n{model}")
    return EventStudy.from_yaml(cfg).fit()


# ------------------------------------------------------------------ F1: one event, 6 days
F1 = [(-0.020, -0.029), (-0.010, -0.004), (0.000, -0.009), (0.000, -0.009), (0.010, 0.026),
      (0.020, 0.031), (0.010, 0.016), (-0.010, 0.036), (0.000, 0.001)]  # (r_mkt, r_stock)


@pytest.fixture(params=ROUTES)
def f1(request, tmp_path):
    """Fixture F1 (shared/cases) under ``eventstudy_r``, through Python or YAML."""
    idx = pd.bdate_range("2024-03-01", periods=9)
    r = pd.DataFrame({"F1": [s for _, s in F1]}, index=idx)
    m = pd.Series([x for x, _ in F1], index=idx)
    return _fit(request.param, tmp_path, r, m, [{"event_id": "E1", "ticker": "F1",
                                                 "date": idx[7]}],
                estimation_window=(-7, -2), event_windows=[(-1, 1), (0, 0)])


def test_eventstudy_r_f1_ar_and_car_t(f1):
    r"""ART and CART of EventStudy on F1 (alpha 0.001, beta 1.5, sigma 0.01, df 4).

    AR(-1, 0, 1) = (0, 0.05, 0); ART = AR / sigma = (0, 5, 0); CART[-1, 1] = 0.05 / (sqrt(3) 0.01)
    = 2.886751; CART[0, 0] = 5 (the project's default would give 4.443 and 2.357).
    """
    np.testing.assert_allclose(f1.sar.iloc[:, 0].to_numpy(), [0.0, 5.0, 0.0], atol=1e-9)
    car = f1.car_table().set_index(["tau_start", "tau_end"])["t"]
    assert car[(-1, 1)] == pytest.approx(0.05 / (np.sqrt(3) * 0.01), rel=RTOL)
    assert car[(-1, 1)] == pytest.approx(2.886751, abs=1e-6)
    assert car[(0, 0)] == pytest.approx(5.0, rel=RTOL)


def test_eventstudy_r_f1_patell_forecast_error_daily_sum(f1):
    r"""Patell's Z of EventStudy on F1: forecast-error SARs, daily Z summed over sqrt(L).

    mean R_m = 0, S_mm = 0.001, M = 6, Q = df / (df - 2) = 4 / 2 = 2. Day 0 (R_m = -0.01):
    SAR = 5 / sqrt(1 + 1/6 + 0.0001/0.001) = 5 / sqrt(1.266667) = 4.442617, Z_0 = 4.442617 / sqrt(2)
    = 3.141404; days -1 and +1 have AR = 0, so Z[-1, 1] = 3.141404 / sqrt(3) = 1.813691.
    """
    sar0 = 5 / np.sqrt(1 + 1 / 6 + 0.1)
    assert f1.test("patell", (0, 0)).stat == pytest.approx(sar0 / np.sqrt(2), rel=RTOL)
    assert f1.test("patell", (0, 0)).stat == pytest.approx(3.141404, abs=1e-6)
    assert f1.test("patell", (-1, 1)).stat == pytest.approx(sar0 / np.sqrt(2) / np.sqrt(3),
                                                            rel=RTOL)
    assert f1.test("patell", (-1, 1)).stat == pytest.approx(1.813691, abs=1e-6)


# ------------------------------------------------------------------ three same-date events
M_EST = 0.01 * np.array([-2, -1, 0, 0, 0, 0, 1, 2])  # mean 0, S_mm = 0.001
M_EVT = np.array([0.01, -0.01, 0.0])  # tau -1, 0, 1
E = 0.01 * np.array([[1, -1, 1, -1, 1, -1, -1, 1],  # residuals orthogonal to 1 and M_EST,
                     [2, 2, -2, -2, -2, -2, 2, 2],  # no zero (a sign is never round-off)
                     [1.5, -1.5, -1.5, 1.5, 1.5, -1.5, -1.5, 1.5]])
AR = np.array([[0.002, 0.020, -0.004],
               [-0.003, 0.015, 0.001],
               [0.001, 0.030, 0.002]])
ALPHA, BETA = np.array([0.001, 0.0005, -0.0002]), np.array([0.8, 1.0, 1.2])


@pytest.fixture(params=ROUTES)
def three(request, tmp_path):
    """Three securities, one event date, 8 estimation days and event window tau -1..1."""
    idx = pd.bdate_range("2024-03-01", periods=11)
    m = np.concatenate([M_EST, M_EVT])
    eps = np.concatenate([E, AR], axis=1)
    r = pd.DataFrame({t: ALPHA[i] + BETA[i] * m + eps[i] for i, t in enumerate("ABC")}, index=idx)
    events = [{"event_id": f"E{t}", "ticker": t, "date": idx[9]} for t in "ABC"]
    return _fit(request.param, tmp_path, r, pd.Series(m, index=idx), events,
                estimation_window=(-9, -2), event_windows=[(-1, 1), (0, 0)],
                tests=("t", "patell", "bmp", "kolari_pynnonen", "corrado_rank", "sign",
                       "generalized_sign"))


def test_eventstudy_r_three_events_bmp_and_kp(three):
    r"""BMP and KP of EventStudy: SAR = AR / sigma; r-bar = 1/6.

    sigma_i^2 = e_i'e_i / 6 = (8, 32, 18) x 1e-4 / 6: sigma = (0.0115470, 0.0230940, 0.0173205).
    Day 0: SAR = (0.020, 0.015, 0.030) / sigma = (1.732051, 0.649519, 1.732051), mean 1.371207,
    sd 0.625, t = sqrt(3) 1.371207 / 0.625 = 3.8000. Window [-1, 1]: CSAR_i = CAR_i / sigma_i
    with CAR = (0.018, 0.013, 0.033). The residual correlations are r_12 = r_23 = 0 and
    r_13 = 4 x 1.5 / sqrt(8 x 18) = 0.5, so r-bar = 1/6 and KP = BMP sqrt((5/6)/(4/3)) =
    0.790569 BMP: 3.004164 on day 0.
    """
    sigma = np.sqrt((E * E).sum(axis=1) / 6)
    np.testing.assert_allclose(three.sigma.to_numpy(), sigma, rtol=RTOL)
    rbar = 1 / 6
    assert three.panel.residual_correlation == pytest.approx(rbar, rel=RTOL)
    for w, x in [((0, 0), AR[:, 1]), ((-1, 1), AR.sum(axis=1))]:
        csar = x / sigma
        t = np.sqrt(3) * csar.mean() / csar.std(ddof=1)
        assert three.test("bmp", w).stat == pytest.approx(t, rel=RTOL)
        assert three.test("kolari_pynnonen", w).stat == pytest.approx(
            t * np.sqrt((1 - rbar) / (1 + 2 * rbar)), rel=RTOL)
    assert three.test("bmp", (0, 0)).stat == pytest.approx(3.8, rel=RTOL)
    assert three.test("kolari_pynnonen", (0, 0)).stat == pytest.approx(3.004164, abs=1e-6)


def test_eventstudy_r_three_events_patell(three):
    r"""Patell Z of EventStudy: daily forecast-error SARs, Q = 6/4, window = sum_t Z_t / sqrt(3).

    Forecast-error factors 1 + 1/8 + R_m^2 / 0.001 = (1.225, 1.225, 1.125) on tau -1, 0, 1.
    """
    sigma = np.sqrt((E * E).sum(axis=1) / 6)
    fe = 1 + 1 / 8 + M_EVT**2 / 0.001
    sar = AR / (sigma[:, None] * np.sqrt(fe)[None, :])
    z_t = sar.sum(axis=0) / np.sqrt(3 * 1.5)
    assert three.test("patell", (0, 0)).stat == pytest.approx(z_t[1], rel=RTOL)
    assert three.test("patell", (-1, 1)).stat == pytest.approx(z_t.sum() / np.sqrt(3), rel=RTOL)


def test_eventstudy_r_three_events_rank_sign_and_t(three):
    r"""RankTest with R's sd (T - 1 = 10 of 11 combined days); CSectT, SignT and GSignT.

    U_it = rank_i(AR_it) / 12 - 1/2 over the 11 combined days; z = mean_i U_i0 / sd_t(mean_i U_it),
    sd with 10, which is sqrt(10/11) times Corrado's z (the project's default).
    """
    from dataclasses import replace

    full = three.panel.combined  # the fitted ARs, estimation then event days
    U = np.array([stats.rankdata(row) for row in full]) / 12 - 0.5
    u_t = U.mean(axis=0)
    z = u_t[8 + 1] / np.std(u_t, ddof=1)
    assert three.test("corrado_rank", (0, 0)).stat == pytest.approx(z, rel=RTOL)
    default = replace(three.panel, conventions=replace(three.panel.conventions,
                                                       rank_variance="mean_square"))
    assert run_test(default, "corrado_rank", (0, 0)).stat * np.sqrt(10 / 11) == pytest.approx(
        z, rel=RTOL)
    car = AR.sum(axis=1)
    assert three.test("t", (-1, 1)).stat == pytest.approx(
        np.sqrt(3) * car.mean() / car.std(ddof=1), rel=RTOL)
    assert three.test("sign", (-1, 1)).stat == pytest.approx((3 - 1.5) / (0.5 * np.sqrt(3)),
                                                             rel=RTOL)
    p_hat = np.mean((E > 0).mean(axis=1))  # Cowan: mean of the shares, 4/8 each
    assert three.test("generalized_sign", (-1, 1)).stat == pytest.approx(
        (3 - 3 * p_hat) / np.sqrt(3 * p_hat * (1 - p_hat)), rel=RTOL)  # = sqrt(3)


# ------------------------------------------------------------------ a factor model
@pytest.mark.parametrize("route", ROUTES)
def test_eventstudy_r_factor_model_market_forecast_error(route, tmp_path):
    r"""FF3 under ``eventstudy_r``: the forecast-error term uses the market factor only.

    One event, 10 estimation days, k = 4, df = 6, Q = 1.5. With constant RF, EventStudy's index-
    return term (R_m,t - mean R_m)^2 / S_mm equals the Mkt-RF one. Day 0 SAR =
    AR / (sigma sqrt(1 + 1/10 + (f_0 - mean f)^2 / S_ff)), Z = SAR / sqrt(1.5); AR t = AR / sigma;
    CAR t = CAR / (sqrt(3) sigma). The project's default (x'(X'X)^{-1}x over all four regressors)
    gives another Z.
    """
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2024-03-01", periods=13)
    fac = pd.DataFrame({"Mkt-RF": rng.normal(0, 0.01, 13), "SMB": rng.normal(0, 0.005, 13),
                        "HML": rng.normal(0, 0.005, 13), "RF": 0.0001}, index=idx)
    X = np.column_stack([np.ones(10), fac.iloc[:10, :3].to_numpy()])
    v = rng.normal(0, 0.01, 10)
    e = v - X @ np.linalg.lstsq(X, v, rcond=None)[0]  # orthogonal to the regressors
    ar_evt = np.array([0.004, 0.025, -0.006])
    y = 0.0001 + 0.0002 + fac.iloc[:, :3].to_numpy() @ [1.1, 0.3, -0.2] + np.concatenate(
        [e, ar_evt])
    r = pd.DataFrame({"FFF": y}, index=idx)
    ev = [{"event_id": "E1", "ticker": "FFF", "date": idx[11]}]
    kw = dict(estimation_window=(-11, -2), event_windows=[(-1, 1), (0, 0)], factors=fac)
    mkt = fac["Mkt-RF"] + fac["RF"]
    res = _fit(route, tmp_path, r, mkt, ev, **kw)
    sigma = np.sqrt(e @ e / 6)
    f = fac["Mkt-RF"].to_numpy()
    fbar, sff = f[:10].mean(), ((f[:10] - f[:10].mean()) ** 2).sum()
    sar = ar_evt / (sigma * np.sqrt(1 + 1 / 10 + (f[10:] - fbar) ** 2 / sff))
    np.testing.assert_allclose(res.ar.iloc[:, 0].to_numpy(), ar_evt, rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(res.sar.iloc[:, 0].to_numpy(), ar_evt / sigma, rtol=RTOL)
    car = res.car_table().set_index(["tau_start", "tau_end"])["t"]
    assert car[(-1, 1)] == pytest.approx(ar_evt.sum() / (np.sqrt(3) * sigma), rel=RTOL)
    assert res.test("patell", (0, 0)).stat == pytest.approx(sar[1] / np.sqrt(1.5), rel=RTOL)
    assert res.test("patell", (-1, 1)).stat == pytest.approx(
        sar.sum() / np.sqrt(1.5) / np.sqrt(3), rel=RTOL)
    full_x = _fit("python", tmp_path, r, mkt, ev, conventions={
        "preset": "eventstudy_r", "fe_regressors": "model"}, **kw)
    assert full_x.test("patell", (0, 0)).stat != pytest.approx(sar[1] / np.sqrt(1.5), rel=1e-4)


def test_eventstudy_r_preset_and_bad_options_name_the_option():
    """The preset's fields; a bad value or an impossible combination names the option."""
    from eventstudy.exceptions import ConfigError
    from eventstudy.statistics.conventions import get_conventions

    c = get_conventions("eventstudy_r")
    assert (c.forecast_error, c.car_variance, c.patell, c.rank_variance, c.fe_regressors) == (
        False, "sqrt_l", "daily_fe", "sample", "market")
    with pytest.raises(ConfigError, match="conventions.patell"):
        get_conventions({"patell": "sum"})
    with pytest.raises(ConfigError, match="conventions.rank_variance"):
        get_conventions({"rank_variance": "n"})
    with pytest.raises(ConfigError, match="fe_regressors"):
        get_conventions({"fe_regressors": "market", "market_moments": "all"})




@pytest.mark.parametrize("column", [1, 2])
def test_market_only_forecast_error_term_picks_the_market_column(column):
    r"""The market-only term 1/M + (R_m,t - mean R_m)^2 / S_mm, market in column 1 or 2.

    Dimson's design is [1, R_m,t-1, R_m,t, R_m,t+1]: the market is column 2, not the lag.
    """
    from eventstudy.statistics.panel import market_forecast_error_matrix

    rng = np.random.default_rng(0)
    X = np.column_stack([np.ones(20), rng.normal(size=(20, 3))])
    A = market_forecast_error_matrix(np.linalg.inv(X.T @ X)[None], column)[0]
    x = np.array([1.0, 0.3, -0.2, 0.5])
    m = X[:, column]
    assert x @ A @ x == pytest.approx(1 / 20 + (x[column] - m.mean()) ** 2
                                      / ((m - m.mean()) ** 2).sum(), rel=1e-12)
