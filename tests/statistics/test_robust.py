"""Robust inference for one-date shocks (case C44) and sup-t bands, against hand computations.

placebo_dates: pseudo-event dates in the estimation window, whole cross-sections (Brown and Warner
1985); ibragimov_mueller: t across cluster means (Ibragimov and Mueller 2010); pre_event: joint F
test of the pre-event AARs on the portfolio variance (Brown and Warner 1985; Campbell, Lo and
MacKinlay 1997); caar_bands: sup-t band (Montiel Olea and Plagborg-Moller 2019).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import EventStudy
from eventstudy.exceptions import SpecificationError
from eventstudy.statistics.battery import TESTS, run_test
from eventstudy.statistics.robust import caar_bands, sign_flip_check

from ._panels import make_panel


def test_robust_tests_are_registered():
    """The three keys of issue 15 are in the battery; the dependence-robust list names tests."""
    from eventstudy.statistics.battery import DEPENDENCE_ROBUST_TESTS

    assert {"placebo_dates", "ibragimov_mueller", "pre_event"} <= set(TESTS)
    assert set(DEPENDENCE_ROBUST_TESTS) <= set(TESTS)
    assert DEPENDENCE_ROBUST_TESTS[0] == "kolari_pynnonen"


def test_placebo_dates_by_hand():
    r"""Two securities, 25 estimation days whose day means are 0.001 k, k = -12..12.

    One-day window with CAAR = 0.0105: the placebo CAARs at least as large in absolute value are
    k = +-11, +-12, so p = (1 + 4) / (1 + 25) = 5/26. A two-day window: the placebo CAARs are the
    24 sums of consecutive day means 0.001 (2k + 1), k = -12..11; CAAR 0.0205 is exceeded in
    absolute value by |2k + 1| >= 21: k = 10, 11, -11, -12, so p = 5/25.
    """
    k = np.arange(-12, 13) * 0.001
    est = np.vstack([k + 0.003, k - 0.003])  # means k, spread within the day
    p1 = make_panel(est, np.array([[0.0100], [0.0110]]))
    r = run_test(p1, "placebo_dates", (0, 0))
    assert r.stat == pytest.approx(0.0105, rel=1e-12)
    assert r.pvalue == pytest.approx(5 / 26, rel=1e-12)
    assert r.dist == "placebo(25)"
    p2 = make_panel(est, np.array([[0.010, 0.0105], [0.010, 0.0105]]))
    r2 = run_test(p2, "placebo_dates", (0, 1))
    assert r2.stat == pytest.approx(0.0205, rel=1e-12)
    assert r2.pvalue == pytest.approx(5 / 25, rel=1e-12)
    short = make_panel(est[:, :10], np.array([[0.01], [0.01]]))
    assert np.isnan(run_test(short, "placebo_dates", (0, 0)).pvalue)  # 10 dates: p >= 1/11


def test_placebo_dates_keeps_the_common_shock():
    """A common factor in every security: the naive t rejects, the placebo test does not.

    20 securities share a daily factor (sd 1%) plus own noise (sd 0.2%); the event day's factor
    draw is a 2-sd day but no event effect. Placebo dates compare it with the factor's other days.
    """
    rng = np.random.default_rng(11)
    f = rng.normal(0, 0.01, 121)
    f[-1] = 0.02
    e = f[None, :] + rng.normal(0, 0.002, (20, 121))
    p = make_panel(e[:, :120], e[:, 120:])
    assert run_test(p, "t", (0, 0)).pvalue < 1e-6
    assert run_test(p, "placebo_dates", (0, 0)).pvalue > 0.01


def test_ibragimov_mueller_by_hand():
    r"""CARs (0.01, 0.03 | 0.02, 0.00 | 0.05) in clusters a, b, c: theta = (0.02, 0.01, 0.05).

    mean 0.026667, s = 0.020817, t = 0.026667 / (0.020817 / sqrt(3)) = 2.218801 against t(2).
    """
    car = np.array([0.01, 0.03, 0.02, 0.00, 0.05])
    p = make_panel(np.zeros((5, 30)), car[:, None])
    from dataclasses import replace

    p = replace(p, labels=np.array(["a", "a", "b", "b", "c"]))
    r = run_test(p, "ibragimov_mueller", (0, 0))
    theta = np.array([0.02, 0.01, 0.05])
    t = theta.mean() / (theta.std(ddof=1) / np.sqrt(3))
    assert r.stat == pytest.approx(t, rel=1e-12)
    assert r.stat == pytest.approx(2.218801, abs=1e-6)
    assert r.pvalue == pytest.approx(2 * stats.t.sf(t, 2), rel=1e-10)
    assert r.dist == "t(2)"
    one = replace(p, labels=np.array(["a"] * 5))
    assert np.isnan(run_test(one, "ibragimov_mueller", (0, 0)).stat)


def test_pre_event_by_hand():
    r"""Window tau -2..1: the pre-event days are -2 and -1.

    AAR_-2 = 0.002, AAR_-1 = -0.004; the estimation AAR series (0.001, -0.001, 0.002, -0.002, 0)
    repeated 6 times (T = 30, mean 0) has s_p^2 = 6 x 1e-5 / 29; F = ((0.002/s_p)^2 +
    (0.004/s_p)^2) / 2 = 2e-5 x 29 / (6e-5 x 2) = 29/6 = 4.833333 against F(2, 29).
    """
    base = np.tile([0.001, -0.001, 0.002, -0.002, 0.0], 6)
    est = np.vstack([base + 0.0005, base - 0.0005])
    evt = np.array([[0.003, -0.003, 0.05, 0.0], [0.001, -0.005, 0.03, 0.0]])
    p = make_panel(est, evt, tau=np.array([-2, -1, 0, 1]))
    r = run_test(p, "pre_event", (-2, 1))
    s2 = np.var(base, ddof=1)
    F = (0.002**2 + 0.004**2) / s2 / 2
    assert r.stat == pytest.approx(F, rel=1e-12)
    assert r.stat == pytest.approx(29 / 6, rel=1e-12)
    assert r.pvalue == pytest.approx(stats.f.sf(F, 2, 29), rel=1e-10)
    assert r.dist == "F(2,29)"
    # a window after day 0 tests every pre-event day of the panel
    assert run_test(p, "pre_event", (0, 1)).stat == pytest.approx(F, rel=1e-12)


def test_caar_bands_pointwise_and_uniform():
    """Pointwise = t band; sup-t between it and Bonferroni; seeded; covers paths ~95%."""
    rng = np.random.default_rng(5)
    paths = np.cumsum(rng.normal(0, 0.01, (40, 10)), axis=1)
    b = caar_bands(paths, 0.95, n_boot=1999, seed=1)
    n = 40
    se = paths.std(axis=0, ddof=1) / np.sqrt(n)
    np.testing.assert_allclose(b["upper"] - b["caar"], stats.t.ppf(0.975, n - 1) * se, rtol=1e-10)
    c = b["critical_value"][0]
    assert stats.norm.ppf(0.975) < c < stats.norm.ppf(1 - 0.025 / 10)  # below Bonferroni
    np.testing.assert_allclose(b["upper_uniform"] - b["caar"], np.maximum(c * se, b["upper"]
                                                                          - b["caar"]))
    again = caar_bands(paths, 0.95, n_boot=1999, seed=1)
    assert again["critical_value"][0] == c
    # coverage of the whole path under H0 (random-walk CARs, 300 studies): near 95%
    hits = 0
    for rep in range(300):
        x = np.cumsum(np.random.default_rng(100 + rep).normal(0, 0.01, (40, 10)), axis=1)
        bb = caar_bands(x, 0.95, n_boot=199, seed=rep)
        hits += bool(np.all((bb["lower_uniform"] <= 0) & (0 <= bb["upper_uniform"])))
    assert 0.90 <= hits / 300 <= 0.99  # binomial sd ~1.3%, the multiplier c is approximate
    with pytest.raises(ValueError, match="ci"):
        caar_bands(paths, 1.5)


def test_caar_path_uniform_columns():
    """``caar_path(uniform=True)`` adds the sup-t columns and keeps the others unchanged."""
    rng = np.random.default_rng(0)
    idx = pd.bdate_range("2023-01-02", periods=200)
    m = pd.Series(rng.normal(0, 0.01, 200), index=idx)
    r = pd.DataFrame({t: m + rng.normal(0, 0.01, 200) for t in "ABCDE"}, index=idx)
    res = EventStudy([{"event_id": t, "ticker": t, "date": idx[180]} for t in "ABCDE"], r, m,
                     estimation_window=(-150, -11), event_windows=[(-3, 3)]).fit()
    plain = res.caar_path()
    wide = res.caar_path(uniform=True, seed=3)
    pd.testing.assert_frame_equal(wide[plain.columns], plain)
    assert (wide["upper_uniform"] >= wide["upper"] - 1e-15).all()
    assert (wide["lower_uniform"] <= wide["lower"] + 1e-15).all()


def test_sign_flip_refused_for_squared_or_absolute_residuals():
    """Flipping signs leaves e^2 and |e| unchanged: such a bootstrap is refused."""
    sign_flip_check("mean")
    for s in ("squared", "absolute"):
        with pytest.raises(SpecificationError, match=f"{s} residuals"):
            sign_flip_check(s)
    with pytest.raises(SpecificationError, match="sign_flip statistic"):
        sign_flip_check("var")


def test_kp_widening_by_hand():
    """sqrt((1 + (n - 1) r) / (1 - r)) (Kolari and Pynnonen 2010): 1 at r = 0; r = 0.1 gives
    sqrt(1 / 0.9) for n = 1 and sqrt(2 / 0.9) for n = 11; no band at the floor 1 + (n - 1) r = 0
    or at r = 1."""
    from eventstudy.statistics.parametric import kp_widening as _kp_widening

    got = _kp_widening(0.1, np.array([1.0, 11.0]))
    assert got == pytest.approx([np.sqrt(1 / 0.9), np.sqrt(2.0 / 0.9)], rel=1e-14)
    assert _kp_widening(0.0, np.array([5.0, 500.0])) == pytest.approx([1.0, 1.0], rel=1e-15)
    assert np.isnan(_kp_widening(-0.25, np.array([5.0]))).all()  # 1 + 4 (-0.25) = 0
    assert np.isnan(_kp_widening(1.0, np.array([5.0]))).all()


def test_caar_path_cross_correlation_widens_by_the_groups_rbar():
    """Five securities sharing day 0 with a common shock: the band's half-width is the plain
    one times sqrt((1 + (n - 1) r) / (1 - r)), r the group's residual correlation; the CAAR and
    n unchanged; the sup-t band widened by the same factor about the CAAR."""
    rng = np.random.default_rng(1)
    idx = pd.bdate_range("2023-01-02", periods=200)
    m = pd.Series(rng.normal(0, 0.01, 200), index=idx)
    common = rng.normal(0, 0.01, 200)
    r = pd.DataFrame({t: m + common + rng.normal(0, 0.01, 200) for t in "ABCDE"}, index=idx)
    res = EventStudy([{"event_id": "e", "ticker": t, "date": idx[180]} for t in "ABCDE"], r, m,
                     estimation_window=(-150, -11), event_windows=[(-3, 3)]).fit()
    plain = res.caar_path(uniform=True, seed=3)
    wide = res.caar_path(uniform=True, seed=3, cross_correlation=True)
    rbar = res.panel.residual_correlation
    assert 0.3 < rbar < 0.7  # the common shock: half its variance shared
    factor = np.sqrt((1 + 4 * rbar) / (1 - rbar))
    pd.testing.assert_series_equal(wide["caar"], plain["caar"])
    pd.testing.assert_series_equal(wide["n"], plain["n"])
    for lo, hi in (("lower", "upper"), ("lower_uniform", "upper_uniform")):
        np.testing.assert_allclose(wide[hi] - wide["caar"], (plain[hi] - plain["caar"]) * factor,
                                   rtol=1e-12)
        np.testing.assert_allclose(wide["caar"] - wide[lo], (plain["caar"] - plain[lo]) * factor,
                                   rtol=1e-12)
