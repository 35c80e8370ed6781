"""Fixture F1 of shared/cases/README.md through the public API: exact market-model answers.

F1 (6 estimation days, 3 event days) has an exact OLS solution, so tolerances are float round-off only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy

F1 = [  # phase, rel_day, r_mkt, r_stock
    ("est", -10, -0.020, -0.029),
    ("est", -9, -0.010, -0.004),
    ("est", -8, 0.000, -0.009),
    ("est", -7, 0.000, -0.009),
    ("est", -6, 0.010, 0.026),
    ("est", -5, 0.020, 0.031),
    ("evt", -1, 0.010, 0.016),
    ("evt", 0, -0.010, 0.036),
    ("evt", 1, 0.000, 0.001),
]


@pytest.fixture(scope="module")
def f1_results():
    # The nine F1 rows are consecutive sessions; day 0 is row 7, so the estimation days (rows 0-5)
    # are tau -7..-2 in session counting and the event window is tau -1..+1.
    idx = pd.bdate_range("2024-01-01", periods=len(F1))
    returns = pd.DataFrame({"F1": [r[3] for r in F1]}, index=idx)
    market = pd.Series([r[2] for r in F1], index=idx)
    events = [{"event_id": "E1", "ticker": "F1", "date": idx[7]}]
    study = EventStudy(events, returns, market, estimation_window=(-7, -2),
                       event_windows=[(-1, 1), (0, 0)], min_estimation_obs=5)
    return study.fit()


def test_f1_fit_alpha_beta(f1_results):
    np.testing.assert_allclose(f1_results.params.iloc[0].to_numpy(), [0.0010, 1.5000], atol=1e-12)


def test_c24_sigma_from_estimation_residuals_only(f1_results):
    # sigma from the 6 estimation residuals with df = 4; pooling all 9 days would give ~0.0204.
    assert f1_results.sigma.iloc[0] == pytest.approx(0.0100, abs=1e-12)
    assert f1_results.nobs.iloc[0] == 6
    day0 = f1_results.to_frame().set_index("tau").loc[0]
    assert day0["t"] != pytest.approx(2.46, abs=0.05)


def test_c25_abnormal_returns_and_car(f1_results):
    np.testing.assert_allclose(f1_results.ar.iloc[:, 0].to_numpy(), [0.0, 0.05, 0.0], atol=1e-12)
    car = f1_results.car_window(-1, 1).iloc[0]
    assert car == pytest.approx(0.0500, abs=1e-12)  # not 0.0167 (mean instead of sum)


def test_c25_day0_t_forecast_error_corrected(f1_results):
    # sigma^2 (1 + 1/n + (Rm0 - mean Rm)^2 / Smm) = sigma^2 (1 + 1/6 + 0.1)
    day0 = f1_results.to_frame().set_index("tau").loc[0]
    assert day0["t"] == pytest.approx(0.05 / (0.01 * np.sqrt(1 + 1 / 6 + 0.1)), rel=1e-12)
    assert day0["t"] == pytest.approx(4.443, abs=5e-4)


def test_c25_car_t_full_variance(f1_results):
    # sigma^2 (L + L^2/n + (sum(Rm - mean Rm))^2 / Smm) = 4.5 sigma^2, t = 2.357 (naive 2.887).
    cars = f1_results.car_table().set_index(["tau_start", "tau_end"])
    t = cars.loc[(-1, 1), "t"]
    assert t == pytest.approx(0.05 / (0.01 * np.sqrt(4.5)), rel=1e-12)
    assert t == pytest.approx(2.357, abs=5e-4)
    assert t != pytest.approx(2.887, abs=0.01)


def _f1_csv_study(tmp_path, conventions: str):
    """F1 as a study file with a file source: ar.csv and car.csv come from the CLI."""
    idx = pd.bdate_range("2024-01-01", periods=len(F1))
    prices = pd.DataFrame({"F1": np.cumprod([1 + r[3] for r in F1]) * 100,
                           "MKT": np.cumprod([1 + r[2] for r in F1]) * 100}, index=idx)
    base = pd.DataFrame({"F1": [100.0], "MKT": [100.0]}, index=[idx[0] - pd.offsets.BDay(1)])
    pd.concat([base, prices]).rename_axis("date").to_csv(tmp_path / "prices.csv")
    (tmp_path / "f1.yaml").write_text(
        f"study: f1\ndata: {{source: file, path: prices.csv, calendar: XNYS}}\nmarket: MKT\n"
        f"events: [{{id: E1, date: {idx[7].date()}, tickers: [F1]}}]\n"
        "estimation_window: [-7, -2]\nevent_windows: [[-1, 1], [0, 0]]\nmin_estimation_obs: 5\n"
        f"conventions: {conventions}\n")
    return tmp_path / "f1.yaml"


@pytest.mark.parametrize(("conventions", "t0", "t_car"), [
    ("eventstudy", 4.443, 2.357),                          # forecast-error AR, exact CAR variance
    ("{forecast_error: false}", 5.000, 2.887),             # AR / sigma; CAR / (sqrt(L) sigma)
    ("{car_variance: sqrt_l}", 4.443, 2.887),              # the CAR option alone
])
def test_f1_ar_and_car_csv_honour_conventions(tmp_path, conventions, t0, t_car):
    """Issue 10: ar.csv's t and car.csv's t come from the one variance engine and follow
    ``conventions`` (before, ar.csv kept the forecast-error t whatever was asked)."""
    from typer.testing import CliRunner

    from eventstudy.cli import app

    cfg = _f1_csv_study(tmp_path, conventions)
    out = CliRunner().invoke(app, ["run", str(cfg), "-o", str(tmp_path / "r")])
    assert out.exit_code == 0, out.output
    ar = pd.read_csv(tmp_path / "r" / "f1" / "ar.csv").set_index("tau")
    car = pd.read_csv(tmp_path / "r" / "f1" / "car.csv").set_index(["tau_start", "tau_end"])
    assert ar.loc[0, "ar"] == pytest.approx(0.05, abs=1e-12)
    assert ar.loc[0, "t"] == pytest.approx(t0, abs=5e-4)  # F1 values are given to 3 decimals
    assert car.loc[(-1, 1), "t"] == pytest.approx(t_car, abs=5e-4)


def test_results_are_a_frozen_snapshot():
    """Changing or deleting the study after fit() changes nothing in its results (issue 10)."""
    import dataclasses
    import gc

    idx = pd.bdate_range("2024-01-01", periods=len(F1))
    returns = pd.DataFrame({"F1": [r[3] for r in F1]}, index=idx)
    market = pd.Series([r[2] for r in F1], index=idx)
    study = EventStudy([{"event_id": "E1", "ticker": "F1", "date": idx[7]}], returns, market,
                       estimation_window=(-7, -2), event_windows=[(-1, 1), (0, 0)],
                       min_estimation_obs=5)
    first = study.fit()
    before = (first.to_frame(), first.car_table(), first.tests, first.price_levels())
    res = study.fit()  # nothing computed yet: every value below is computed after the edits
    study.returns.iloc[:, :] = 0.5          # the study's own data, edited in place
    study.market.iloc[:, :] = -0.5
    returns.iloc[:, :] = 0.9                # and the caller's
    del study
    gc.collect()
    fresh = (res.to_frame(), res.car_table(), res.tests, res.price_levels())
    for a, b in zip(before, fresh, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert not hasattr(res, "study")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.spec = None  # type: ignore[misc]
