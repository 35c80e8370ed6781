"""Failure cases C19-C25 of shared/cases/README.md for the statistics core (exact expected values)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.exceptions import (
    EstimationError,
    EventWindowOverlapWarning,
    InsufficientEstimationDataWarning,
    MissingReturnsWarning,
    SpecificationError,
)
from eventstudy.statistics.battery import run_test

F1 = [(-0.020, -0.029), (-0.010, -0.004), (0.000, -0.009), (0.000, -0.009), (0.010, 0.026),
      (0.020, 0.031), (0.010, 0.016), (-0.010, 0.036), (0.000, 0.001)]  # (r_mkt, r_stock)


def _f1(**kw):
    idx = pd.bdate_range("2024-01-01", periods=9)
    r = pd.DataFrame({"F1": [s for _, s in F1]}, index=idx)
    m = pd.Series([x for x, _ in F1], index=idx)
    kw.setdefault("event_windows", [(-1, 1), (0, 0)])
    return EventStudy([{"event_id": "E1", "ticker": "F1", "date": idx[7]}], r, m,
                      estimation_window=(-7, -2), min_estimation_obs=5, **kw).fit()


def _market(n=400, seed=0, tickers=("AAA", "BBB", "CCC")):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2023-06-01", periods=n)
    m = pd.Series(rng.normal(0, 0.01, n), index=idx)
    r = pd.DataFrame({t: 0.0005 + (0.8 + 0.2 * k) * m + rng.normal(0, 0.012, n)
                      for k, t in enumerate(tickers)}, index=idx)
    return r, m


# ------------------------------------------------------------------ C19
def test_c19_short_history_skipped_with_reason():
    r, m = _market()
    day0 = r.index[300]
    r.loc[: r.index[240], "BBB"] = np.nan  # listed 60 sessions before day 0: 49 usable returns
    events = [{"event_id": "E7", "ticker": "BBB", "date": day0},
              {"event_id": "E1", "ticker": "AAA", "date": day0}]
    with pytest.warns(InsufficientEstimationDataWarning,
                      match=r"E7:BBB skipped: 49 of 240 estimation returns \(< 120\)"):
        res = EventStudy(events, r, m, estimation_window=(-250, -11),
                         min_estimation_obs=120).fit()
    assert res.dropped["event_id"].tolist() == ["E7"]
    assert res.tests.query("test == 't'")["n"].eq(1).all()  # the skipped event is not counted


def test_c19_all_skipped_fails():
    r, m = _market()
    r.loc[: r.index[280], "AAA"] = np.nan
    with pytest.raises(EstimationError, match="every security-event was skipped"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            EventStudy([{"event_id": "E1", "ticker": "AAA", "date": r.index[300]}], r, m,
                       estimation_window=(-250, -11), min_estimation_obs=120).fit()


# ------------------------------------------------------------------ C20
def test_c20_missing_event_return_makes_car_nan_and_drops_from_tests():
    r, m = _market()
    day0 = r.index[300]
    r.loc[r.index[300], "AAA"] = np.nan  # ARs [x, NaN, y] over [-1, 1]
    events = [{"event_id": f"E{t}", "ticker": t, "date": day0} for t in r.columns]
    with pytest.warns(MissingReturnsWarning, match="EAAA:AAA: 1 of 3 event-window returns missing"):
        res = EventStudy(events, r, m, estimation_window=(-250, -11), event_windows=[(-1, 1)],
                         tests=["t", "patell", "bmp", "sign", "corrado_rank"]).fit()
    car = res.car_window(-1, 1)
    assert np.isnan(car[("EAAA", "AAA")])  # never the partial sum of the two others
    assert np.isfinite(car[("EBBB", "BBB")])
    assert res.tests["n"].eq(2).all()
    assert np.isfinite(res.tests["statistic"]).all()


def test_c20b_skip_sums_available_days_and_shows_n():
    # F1 with AR(0) missing: ARs [0.000, NaN, 0.000] -> CAR NaN by default, 0.000 with n = 2 on skip.
    idx = pd.bdate_range("2024-01-01", periods=9)
    stock = [s for _, s in F1]
    stock[7] = np.nan
    r = pd.DataFrame({"F1": stock}, index=idx)
    m = pd.Series([x for x, _ in F1], index=idx)
    ev = [{"event_id": "E1", "ticker": "F1", "date": idx[7]}]
    kw = dict(estimation_window=(-7, -2), event_windows=[(-1, 1)], min_estimation_obs=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a second, complete window: a study whose every CAR is NaN fails (findings 5)
        nan = EventStudy(ev, r, m, **{**kw, "event_windows": [(-1, 1), (-1, -1)]}).fit()
        skip = EventStudy(ev, r, m, missing_returns="skip", **kw).fit()
    assert np.isnan(nan.car_window(-1, 1).iloc[0])
    row = skip.car_table().iloc[0]
    assert row["car"] == pytest.approx(0.0, abs=1e-12) and row["n_days"] == 2
    # variance over the two available days: sigma^2 (2 + s'(X'X)^-1 s), s = (2, 0.010)
    s = np.array([2.0, 0.010])
    m_est = np.array([x for x, _ in F1[:6]])
    X = np.column_stack([np.ones(6), m_est])
    xtx_inv = np.linalg.inv(X.T @ X)
    var = 1e-4 * (2 + s @ xtx_inv @ s)
    assert skip.panel.car_variance((-1, 1))[0] == pytest.approx(var, rel=1e-12)
    assert skip.tests.query("test == 't'")["n"].iloc[0] == 1
    with pytest.raises(SpecificationError, match="missing_returns"):  # Python API: not a file
        EventStudy(ev, r, m, missing_returns="drop", **kw)


def test_c20_nan_estimation_returns_are_dropped_and_counted():
    r, m = _market()
    r.iloc[100:110, 0] = np.nan
    res = EventStudy([{"event_id": "E", "ticker": "AAA", "date": r.index[300]}], r, m,
                     estimation_window=(-250, -11)).fit()
    assert res.nobs.iloc[0] == 230


# ------------------------------------------------------------------ C21
def test_c21_constant_stock_and_constant_market():
    r, m = _market()
    day0 = r.index[300]
    r.iloc[170:300, 1] = 0.0  # close stuck at 10.00 for 130 sessions
    events = [{"event_id": "E1", "ticker": "BBB", "date": day0},
              {"event_id": "E2", "ticker": "AAA", "date": day0}]
    with pytest.warns(InsufficientEstimationDataWarning, match="zero variance in estimation window"):
        res = EventStudy(events, r, m, estimation_window=(-120, -11)).fit()
    assert res.dropped["event_id"].tolist() == ["E1"]
    assert np.isfinite(res.tests["statistic"].dropna()).all()
    m2 = m.copy()
    m2.iloc[170:300] = 0.001  # forward-filled index outage
    with pytest.warns(InsufficientEstimationDataWarning, match="beta not identifiable"):
        with pytest.raises(EstimationError):
            EventStudy(events, r, m2, estimation_window=(-120, -11)).fit()


# ------------------------------------------------------------------ C22
def test_c22a_estimation_window_overlapping_event_window():
    r, m = _market()
    with pytest.raises(SpecificationError, match=r"estimation window must end before the event window "
                                          r"starts \(0 >= -5\)"):
        EventStudy([{"event_id": "E", "ticker": "AAA", "date": r.index[300]}], r, m,
                   estimation_window=(-120, 0), event_windows=[(-5, 5)])


def test_c22b_other_event_excluded_with_warning():
    r, m = _market()
    d1, d2 = r.index[250], r.index[280]
    events = [{"event_id": "e1", "ticker": "AAA", "date": d1},
              {"event_id": "e2", "ticker": "AAA", "date": d2}]
    with pytest.warns(EventWindowOverlapWarning, match=r"event e2 \(AAA\): 11 sessions of event e1"):
        res = EventStudy(events, r, m, estimation_window=(-250, -11),
                         event_windows=[(-5, 5)]).fit()
    assert res.nobs.loc[("e2", "AAA")] == 240 - 11
    # alpha and beta of e2 equal OLS without those 11 sessions
    est = r.index[280 - 250: 280 - 10]
    keep = est[(est < r.index[245]) | (est > r.index[255])]
    beta, alpha = np.polyfit(m[keep], r.loc[keep, "AAA"], 1)
    np.testing.assert_allclose(res.params.loc[("e2", "AAA")], [alpha, beta], rtol=1e-9)


def test_c22b_keeping_other_events_is_an_option_and_reported():
    r, m = _market()
    events = [{"event_id": "e1", "ticker": "AAA", "date": r.index[250]},
              {"event_id": "e2", "ticker": "AAA", "date": r.index[280]}]
    with pytest.warns(EventWindowOverlapWarning, match="kept in the fit"):
        res = EventStudy(events, r, m, estimation_window=(-250, -11), event_windows=[(-5, 5)],
                         exclude_other_events=False).fit()
    assert res.nobs.loc[("e2", "AAA")] == 240


def test_c22c_inclusive_bounds():
    r, m = _market()
    res = EventStudy([{"event_id": "E", "ticker": "AAA", "date": r.index[300]}], r, m,
                     estimation_window=(-130, -11)).fit()
    assert res.nobs.iloc[0] == 120


# ------------------------------------------------------------------ C23
def test_c23_events_keyed_by_event_id_and_clustering_warning():
    r, m = _market(tickers=("AAA", "BBB"))
    events = [{"event_id": "E1", "ticker": "AAA", "date": "2024-01-10"},
              {"event_id": "E2", "ticker": "AAA", "date": "2024-06-12"},
              {"event_id": "E3", "ticker": "BBB", "date": "2024-06-12"}]
    with pytest.warns(EventWindowOverlapWarning, match="E2:AAA and E3:BBB on 2024-06-12"):
        res = EventStudy(events, r, m, estimation_window=(-120, -11),
                         event_windows=[(-1, 1), (0, 0)],
                         tests=["t", "patell", "bmp", "kolari_pynnonen"]).fit()
    assert res.ar.shape[1] == 3
    assert res.tests["n"].eq(3).all()  # not 5 (2 x 2 + 1)
    # Patell and BMP with sqrt(3): by hand from the standardised CARs
    scar = res.panel.scar((-1, 1))
    df = res.panel.df
    z = run_test(res.panel, "patell", (-1, 1)).stat
    assert z == pytest.approx(scar.sum() / np.sqrt(np.sum(df / (df - 2))), rel=1e-12)
    t = run_test(res.panel, "bmp", (-1, 1)).stat
    assert t == pytest.approx(scar.mean() / (scar.std(ddof=1) / np.sqrt(3)), rel=1e-12)
    # E2 and E3 form the only cluster: r-bar = 2 r_23 / (3 x 2), r_23 the Pearson correlation
    # of their estimation residuals (Kolari and Pynnonen 2010); E1 (another date) adds nothing
    e2, e3 = res.panel.ar_est[1], res.panel.ar_est[2]
    both = np.isfinite(e2) & np.isfinite(e3)
    r23 = np.corrcoef(e2[both], e3[both])[0, 1]
    assert abs(r23) > 0.01  # a test that can fail: the pair is not trivially uncorrelated
    assert res.panel.residual_correlation == pytest.approx(2 * r23 / 6, rel=1e-9)


# ------------------------------------------------------------------ C24 / C25
def test_c24_sigma_from_six_estimation_residuals():
    res = _f1()
    assert res.sigma.iloc[0] == pytest.approx(0.0100, abs=1e-12)
    assert res.panel.sigma2[0] == pytest.approx(1e-4, rel=1e-12)
    sar0 = res.panel.sar[0, 1]
    assert sar0 == pytest.approx(4.443, abs=5e-4)
    assert sar0 != pytest.approx(2.46, abs=0.05)  # pooled-sigma bug


def test_c24_constant_mean_sigma_excludes_event_days():
    res = _f1(model="constant_mean")
    est = np.array([s for _, s in F1[:6]])
    assert res.sigma.iloc[0] == pytest.approx(est.std(ddof=1), rel=1e-12)
    assert res.ar.iloc[1, 0] == pytest.approx(0.036 - est.mean(), rel=1e-12)


def test_c25_sar_with_and_without_forecast_error():
    with_fe = _f1()
    without = _f1(conventions={"forecast_error": False})
    assert without.panel.sar[0, 1] == pytest.approx(5.000, rel=1e-12)   # not 0.50 (sqrt sigma)
    assert with_fe.panel.sar[0, 1] == pytest.approx(0.05 / (0.01 * np.sqrt(1 + 1 / 6 + 0.1)),
                                                    rel=1e-12)


def test_c25_car_and_its_standardisation():
    res = _f1()
    assert res.panel.car((-1, 1))[0] == pytest.approx(0.0500, abs=1e-12)  # not 0.0167
    assert res.panel.scar((-1, 1))[0] == pytest.approx(2.357, abs=5e-4)  # full variance 4.5 s^2
    naive = _f1(conventions={"forecast_error": False}).panel.scar((-1, 1))[0]
    assert naive == pytest.approx(2.887, abs=5e-4)  # sqrt(L) sigma, documented as an option


def test_sar_and_bhar_per_event():
    res = _f1()
    assert res.sar.loc[0].iloc[0] == pytest.approx(0.05 / (0.01 * np.sqrt(1 + 1 / 6 + 0.1)),
                                                   rel=1e-12)
    # BHAR by hand: prod(1 + R) - prod(1 + alpha + beta R_m) over tau -1..1
    r = np.array([0.016, 0.036, 0.001])
    normal = 0.001 + 1.5 * np.array([0.010, -0.010, 0.000])
    assert res.bhar_window(-1, 1).iloc[0] == pytest.approx(np.prod(1 + r) - np.prod(1 + normal),
                                                           rel=1e-12)


def test_c20a_infinite_return_never_reaches_the_fit():
    from eventstudy.exceptions import DataQualityError

    r, m = _market()
    r.iloc[120, 0] = np.inf  # price 0.00 -> 10.00
    with pytest.raises(DataQualityError, match=r"non-finite return inf for AAA on 2023-11-16"):
        EventStudy([{"event_id": "E", "ticker": "AAA", "date": r.index[300]}], r, m,
                   estimation_window=(-250, -11))
