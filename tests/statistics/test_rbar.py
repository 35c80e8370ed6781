"""Kolari-Pynnonen r-bar: the average pairwise correlation of estimation residuals (issue 15).

Kolari, J. W., Pynnonen, S. (2010). Event study testing with cross-sectional correlation of abnormal
returns. RFS 23(11), 3996-4025: t_KP = t_BMP sqrt((1 - r) / (1 + (N - 1) r)) and the adjusted Patell
Z_adj = Z sqrt(1 / (1 + (N - 1) r)), r the average of the N(N - 1)/2 sample correlations of the
estimation-window residuals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.statistics import panel as panel_mod
from eventstudy.statistics.battery import run_test

from ._panels import equicorrelated, make_panel


def _mean_corr(e: np.ndarray) -> float:
    """Average over pairs of np.corrcoef on the days both have."""
    out = []
    for i in range(len(e)):
        for j in range(i + 1, len(e)):
            both = np.isfinite(e[i]) & np.isfinite(e[j])
            out.append(np.corrcoef(e[i, both], e[j, both])[0, 1])
    return float(np.mean(out))


def test_rbar_equals_corrcoef_three_events_eight_days():
    """The measured bug: three same-date events, 8 estimation days; r-bar was 7/8 of corrcoef."""
    rng = np.random.default_rng(1)
    common = rng.normal(size=8)
    e = common + rng.normal(size=(3, 8))
    p = make_panel(e, np.zeros((3, 1)))
    expected = np.mean(np.corrcoef(e)[np.triu_indices(3, 1)])
    assert abs(expected) > 0.1  # not trivially 0, so the 7/8 error would show
    assert p.residual_correlation == pytest.approx(expected, rel=1e-12)
    assert p.residual_correlation != pytest.approx(7 / 8 * expected, rel=1e-3)


def test_rbar_unbalanced_equals_pairwise_complete_corrcoef():
    """Missing estimation days: each pair's correlation over the days both have (pandas .corr)."""
    rng = np.random.default_rng(2)
    e = rng.normal(size=(6, 40)) + rng.normal(size=40)
    e[1, :12] = np.nan  # listed later
    e[3, [5, 9, 30]] = np.nan
    e[5, 25:] = np.nan
    p = make_panel(e, np.zeros((6, 1)))
    assert p.residual_correlation == pytest.approx(_mean_corr(e), rel=1e-10)
    c = pd.DataFrame(e.T).corr(min_periods=3).to_numpy()
    assert p.residual_correlation == pytest.approx(np.mean(c[np.triu_indices(6, 1)]), rel=1e-10)


def test_rbar_big_n_path_is_the_moment_estimator(monkeypatch):
    """Above PAIRWISE_MAX an unbalanced cluster uses the O(N T) moment estimator.

    Balanced it is exact; with a few missing days it stays close to the pairwise value.
    """
    rng = np.random.default_rng(3)
    e = rng.normal(size=(8, 60)) + 0.8 * rng.normal(size=60)
    exact_balanced = make_panel(e, np.zeros((8, 1))).residual_correlation
    e_miss = e.copy()
    e_miss[2, :5] = np.nan
    exact = make_panel(e_miss, np.zeros((8, 1))).residual_correlation
    monkeypatch.setattr(panel_mod, "PAIRWISE_MAX", 2)
    assert make_panel(e, np.zeros((8, 1))).residual_correlation == pytest.approx(
        exact_balanced, rel=1e-12)
    approx = make_panel(e_miss, np.zeros((8, 1))).residual_correlation
    assert approx != exact  # another estimator...
    assert approx == pytest.approx(exact, abs=0.02)  # ...close with 5 of 480 days missing


def test_rbar_counts_only_pairs_on_the_same_date():
    """Two dates: pairs across dates count as uncorrelated; r-bar = sum within / (N (N - 1))."""
    e = equicorrelated(4, 10, 0.6)
    p = make_panel(e, np.zeros((4, 1)), day0=np.array([500, 500, 900, 900]))
    # two pairs (ordered: 4 terms) of correlation 0.6 among 4 x 3 ordered pairs
    assert p.residual_correlation == pytest.approx(4 * 0.6 / 12, rel=1e-12)


def test_rbar_zero_leaves_bmp_and_one_gives_zero():
    """r-bar = 0: KP t = BMP t and adjusted Patell = Patell; r-bar = 1: KP t = 0."""
    rng = np.random.default_rng(4)
    scar = rng.normal(1.0, 1.0, size=(5, 1))
    zero = make_panel(equicorrelated(5, 9, 0.0), scar)
    assert zero.residual_correlation == pytest.approx(0.0, abs=1e-12)
    w = (0, 0)
    assert run_test(zero, "kolari_pynnonen", w).stat == pytest.approx(
        run_test(zero, "bmp", w).stat, rel=1e-12)
    assert run_test(zero, "adjusted_patell", w).stat == pytest.approx(
        run_test(zero, "patell", w).stat, rel=1e-12)
    one = make_panel(np.tile(np.arange(9.0) ** 1.5, (5, 1)), scar)
    assert one.residual_correlation == pytest.approx(1.0, rel=1e-12)
    assert run_test(one, "kolari_pynnonen", w).stat == pytest.approx(0.0, abs=1e-7)


def test_c44_kolari_pynnonen_and_adjusted_patell():
    r"""Case C44: 6 securities, one date, r-bar 0.70, BMP t = 4.00 (df 5), Patell Z = 5.00.

    Built by hand: residuals sqrt(0.7) f + sqrt(0.3) u_i over 8 estimation days with f, u_i
    orthonormal and centred, so every pairwise correlation is 0.70; sigma = 1, no regressors, so
    SCAR_i = AR_i; df = 6 gives Var(t(6)) = 1.5 and sqrt(6 x 1.5) = 3, so SCARs summing to 15 give
    Z = 5, and SCARs 2.5 + s d_i (d centred, sample sd 1) with s = 2.5 sqrt(6) / 4 give t = 4.

    .. math:: t_{KP} = 4\sqrt{0.30 / (1 + 5 \times 0.70)} = 4\sqrt{0.30/4.50} = 1.033,\quad
       p = 0.349\ (t_5);\qquad Z_{adj} = 5/\sqrt{4.5} = 2.357,\quad p = 0.0184.
    """
    e = equicorrelated(6, 8, 0.70)
    d = np.array([-1.0, -0.6, -0.2, 0.2, 0.6, 1.0])
    d = (d - d.mean()) / d.std(ddof=1)
    scar = 2.5 + 2.5 * np.sqrt(6) / 4 * d
    p = make_panel(e, scar[:, None], df=np.full(6, 6.0))
    w = (0, 0)
    assert p.residual_correlation == pytest.approx(0.70, rel=1e-12)
    assert run_test(p, "bmp", w).stat == pytest.approx(4.00, rel=1e-12)
    assert run_test(p, "patell", w).stat == pytest.approx(5.00, rel=1e-12)
    kp = run_test(p, "kolari_pynnonen", w)
    assert kp.stat == pytest.approx(4 * np.sqrt(0.30 / 4.50), rel=1e-12)
    assert kp.stat == pytest.approx(1.033, abs=5e-4)
    assert kp.pvalue == pytest.approx(0.349, abs=5e-4)
    assert kp.pvalue != pytest.approx(0.0103, abs=1e-3)  # the unadjusted BMP p-value
    ap = run_test(p, "adjusted_patell", w)
    assert ap.stat == pytest.approx(5 / np.sqrt(4.5), rel=1e-12)
    assert ap.pvalue == pytest.approx(0.0184, abs=5e-5)


def test_rbar_at_its_floor_gives_nan_not_a_crash():
    """Reviewer's case: two securities whose residuals move exactly opposite (r-bar = -1 = the
    floor -1/(N-1) for N = 2) make 1 + (N-1) r-bar = 0; the adjustment is undefined, so the KP t
    and adjusted Patell are NaN (was a ZeroDivisionError)."""
    e = np.arange(9.0) ** 1.5
    opposite = make_panel(np.vstack([e, -e]), np.array([[0.02], [0.01]]))
    assert opposite.residual_correlation == pytest.approx(-1.0, rel=1e-12)
    for name in ("kolari_pynnonen", "adjusted_patell"):
        r = run_test(opposite, name, (0, 0))
        assert np.isnan(r.stat) and np.isnan(r.pvalue)
