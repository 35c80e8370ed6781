r"""Per-event BHAR with its t statistic, and the skewness-adjusted t across events.

Barber, B. M., Lyon, J. D. (1997). JFE 43(3), 341-372; Lyon, J. D., Barber, B. M., Tsai, C.-L.
(1999). Improved methods for tests of long-run abnormal stock returns. JF 54(1), 165-201.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.statistics.battery import run_test

from ._panels import make_panel

F1 = [(-0.020, -0.029), (-0.010, -0.004), (0.000, -0.009), (0.000, -0.009), (0.010, 0.026),
      (0.020, 0.031), (0.010, 0.016), (-0.010, 0.036), (0.000, 0.001)]  # (r_mkt, r_stock)


def _f1(conventions=None):
    idx = pd.bdate_range("2024-03-01", periods=9)
    r = pd.DataFrame({"F1": [s for _, s in F1]}, index=idx)
    m = pd.Series([x for x, _ in F1], index=idx)
    return EventStudy([{"event_id": "E1", "ticker": "F1", "date": idx[7]}], r, m,
                      estimation_window=(-7, -2), event_windows=[(-1, 1)], min_estimation_obs=5,
                      conventions=conventions).fit()


@pytest.mark.parametrize("conventions,var_factor", [(None, 4.5), ("eventstudy_r", 3.0)])
def test_bhar_t_on_f1(conventions, var_factor):
    r"""F1 over [-1, 1]: R = (0.016, 0.036, 0.001), normal 0.001 + 1.5 R_m = (0.016, -0.014, 0.001).

    BHAR = 1.016 x 1.036 x 1.001 - 1.016 x 0.986 x 1.001 = 1.053628576 - 1.002777776 = 0.0508508;
    t = BHAR / sqrt(Var(CAR)) with Var(CAR) = 4.5 sigma^2 (exact, MacKinlay 1997) = 2.397130, or
    3 sigma^2 under ``eventstudy_r`` (sqrt(L) sigma); sigma = 0.01, df = 4.
    """
    res = _f1(conventions)
    row = res.bhar_table().iloc[0]
    assert row["bhar"] == pytest.approx(0.0508508, rel=1e-9)
    assert row["t"] == pytest.approx(0.0508508 / (0.01 * np.sqrt(var_factor)), rel=1e-9)
    if conventions is None:
        assert row["t"] == pytest.approx(2.397130, abs=1e-6)
    from scipy import stats

    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(row["t"]), 4), rel=1e-9)
    assert res.bhar_window(-1, 1).iloc[0] == pytest.approx(row["bhar"], rel=1e-12)


def test_bhar_log_returns_compound_simple():
    """Log returns are turned into simple ones before compounding: 100 -> 150 -> 100 is 0."""
    up, down = np.log(1.5), np.log(1 / 1.5)
    p = make_panel(np.zeros((1, 5)), np.zeros((1, 2)), ret_evt=[[up, down]],
                   normal_evt=[[0.0, 0.0]])
    from dataclasses import replace

    assert replace(p, kind="log").bhar((0, 1))[0] == pytest.approx(0.0, abs=1e-15)
    assert p.bhar((0, 1))[0] == pytest.approx((1 + up) * (1 + down) - 1, rel=1e-12)


def test_skewness_adjusted_t_by_hand():
    r"""t_sa = sqrt(N) (S + gamma S^2 / 3 + gamma / (6N)) (Lyon, Barber and Tsai 1999, eq. 5).

    BHARs (0.10, 0.02, -0.01, 0.05, 0.30): mean 0.092, s = 0.123167, S = 0.746956,
    gamma = sum (x - mean)^3 / (N s^3) = 0.801834, t_sa = sqrt(5) (0.746956 + 0.149126 + 0.026728)
    = 2.063465 against t(4).
    """
    x = np.array([0.10, 0.02, -0.01, 0.05, 0.30])
    p = make_panel(np.zeros((5, 5)), np.zeros((5, 1)), ret_evt=x[:, None])
    got = run_test(p, "skewness_adjusted_t", (0, 0))
    s = x.std(ddof=1)
    S, g = x.mean() / s, np.sum((x - x.mean()) ** 3) / (5 * s**3)
    assert got.stat == pytest.approx(np.sqrt(5) * (S + g * S**2 / 3 + g / 30), rel=1e-12)
    assert got.stat == pytest.approx(2.063465, abs=1e-6)
    assert got.dist == "t(4)"
