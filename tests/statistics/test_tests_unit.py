"""Each test against an independent by-hand computation on a small synthetic panel.

The estudy2 reference covers the tests it implements; the others (adjusted Patell, Kolari-Pynnonen,
GRANK, skewness-adjusted t, bootstrap, generalized sign with Cowan's p, Corrado rank CAR form,
Wilcoxon) are checked here against straightforward per-security formulas written independently of
the vectorised code.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import EventStudy
from eventstudy.statistics.battery import adjust_pvalues, run_test, run_tests

TICKERS = ["A", "B", "C", "D", "E", "F", "G", "H"]


@pytest.fixture(scope="module")
def res():
    rng = np.random.default_rng(42)
    n = 300
    idx = pd.bdate_range("2023-01-02", periods=n)
    m = pd.Series(rng.normal(0, 0.01, n), index=idx)
    common = rng.normal(0, 0.006, n)  # cross-correlation
    r = pd.DataFrame({t: 0.0003 + (0.6 + 0.1 * k) * m + common + rng.normal(0, 0.012, n)
                      for k, t in enumerate(TICKERS)}, index=idx)
    r.iloc[:40, 1] = np.nan  # B starts later (missing estimation days)
    r.iloc[260, :] += rng.normal(0.02, 0.02, len(TICKERS))  # an event-day effect
    events = [{"event_id": "ev", "ticker": t, "date": idx[260]} for t in TICKERS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy(events, r, m, estimation_window=(-200, -11),
                          event_windows=[(-2, 2), (0, 0)]).fit()


W = (-1, 1)


def test_adjusted_patell_and_kolari_pynnonen(res):
    p = res.panel
    e = p.ar_est
    n = p.n
    # all on one date: r-bar is the mean over pairs i != j of the Pearson correlation of their
    # residuals on the days both have (B misses its first 40 days: pairwise complete)
    r_ij = []
    for i in range(n):
        for j in range(i + 1, n):
            both = np.isfinite(e[i]) & np.isfinite(e[j])
            r_ij.append(np.corrcoef(e[i, both], e[j, both])[0, 1])
    assert p.residual_correlation == pytest.approx(np.mean(r_ij), rel=1e-10)
    assert 0.1 < p.residual_correlation < 0.5  # the planted common factor
    r = p.residual_correlation
    scar = p.scar(W)
    df = p.df
    zp = scar.sum() / np.sqrt(np.sum(df / (df - 2)))
    assert run_test(p, "adjusted_patell", W).stat == pytest.approx(
        zp / np.sqrt(1 + (n - 1) * r), rel=1e-12)
    tb = scar.mean() / (scar.std(ddof=1) / np.sqrt(n))
    assert run_test(p, "kolari_pynnonen", W).stat == pytest.approx(
        tb * np.sqrt((1 - r) / (1 + (n - 1) * r)), rel=1e-12)


@pytest.mark.parametrize("missing", [False, True])
def test_grank_against_joint_ranking(res, missing):
    from dataclasses import replace

    p = res.panel
    if missing:  # one security-event without a CAR over the window drops out of the test
        ar = p.ar_evt.copy()
        ar[0, 2] = np.nan
        p = replace(p, ar_evt=ar)  # a new panel: nothing cached
    has_car = np.isfinite(p.scar(W))
    scar = p.scar(W)[has_car]
    sar = (p.ar_est / np.sqrt(p.sigma2)[:, None])[has_car]
    gsar = np.concatenate([sar, (scar / scar.std(ddof=1))[:, None]], axis=1)
    U = np.full(gsar.shape, np.nan)
    for i in range(len(gsar)):  # per security, plain scipy ranks
        ok = np.isfinite(gsar[i])
        U[i, ok] = stats.rankdata(gsar[i, ok]) / (ok.sum() + 1) - 0.5
    n_t = np.isfinite(U).sum(axis=0)
    u_bar = np.nansum(U, axis=0) / np.where(n_t > 0, n_t, np.nan)
    days = n_t > 0
    T = days.sum()
    s2 = np.sum(n_t[days] / len(U) * u_bar[days] ** 2) / T
    Z = u_bar[-1] / np.sqrt(s2)
    t = Z * np.sqrt((T - 2) / (T - 1 - Z**2))
    got = run_test(p, "grank", W)
    assert got.nobs == has_car.sum() == (7 if missing else 8)
    assert got.stat == pytest.approx(t, rel=1e-12)
    assert got.dist == f"t({T - 2})"


def test_skewness_adjusted_t_on_bhar(res):
    p = res.panel
    sl = slice(1, 4)  # tau -1..1 inside -2..2
    bhar = np.prod(1 + p.ret_evt[:, sl], axis=1) - np.prod(1 + p.normal_evt[:, sl], axis=1)
    n = len(bhar)
    S = bhar.mean() / bhar.std(ddof=1)
    g = np.sum((bhar - bhar.mean()) ** 3) / (n * bhar.std(ddof=1) ** 3)
    assert run_test(p, "skewness_adjusted_t", W).stat == pytest.approx(
        np.sqrt(n) * (S + g * S**2 / 3 + g / (6 * n)), rel=1e-12)


def test_bootstrap_t_is_seeded_and_consistent(res):
    p = res.panel
    a = run_test(p, "bootstrap_t", W, n_boot=999, seed=5)
    b = run_test(p, "bootstrap_t", W, n_boot=999, seed=5)
    t = run_test(p, "t", W)
    assert a.stat == pytest.approx(t.stat, rel=1e-12) and a.pvalue == b.pvalue
    # a bootstrap p-value of the same t is near the Student-t p-value (8 events: within 0.1)
    assert abs(a.pvalue - t.pvalue) < 0.1
    # naive re-implementation with the same generator and the same sorted, centred sample
    x = np.sort(p.car(W))
    rng = np.random.default_rng(5)
    d = (x - x.mean())[rng.integers(0, len(x), size=(999, len(x)))]
    ts = d.mean(1) / (d.std(1, ddof=1) / np.sqrt(len(x)))
    assert a.pvalue == pytest.approx((np.sum(np.abs(ts) >= abs(t.stat)) + 1) / 1000)


def test_generalized_sign_cowan_p(res):
    p = res.panel
    e = p.ar_est
    share = [np.mean(row[np.isfinite(row)] > 0) for row in e]
    ph = np.mean(share)
    car = p.car(W)
    w, n = np.sum(car > 0), len(car)
    assert run_test(p, "generalized_sign", W).stat == pytest.approx(
        (w - n * ph) / np.sqrt(n * ph * (1 - ph)), rel=1e-12)


def test_corrado_rank_window_form(res):
    p = res.panel
    full = np.concatenate([p.ar_est, p.ar_evt], axis=1)
    K = np.full(full.shape, np.nan)
    for i in range(len(full)):
        ok = np.isfinite(full[i])
        K[i, ok] = stats.rankdata(full[i, ok]) - (ok.sum() + 1) / 2  # centred on own mean rank
    k_t = np.nanmean(K, axis=0)
    M = np.isfinite(full).sum(axis=1).mean()
    T = p.ar_est.shape[1]
    evt = K[:, T + 1: T + 4]
    z = np.sqrt(3) * evt.mean() / np.sqrt(np.nansum(k_t**2) / M)
    assert run_test(p, "corrado_rank", W).stat == pytest.approx(z, rel=1e-12)


def test_wilcoxon_matches_scipy(res):
    car = res.panel.car(W)
    got = run_test(res.panel, "wilcoxon", W)
    ranks = stats.rankdata(np.abs(car))
    assert got.stat == ranks[car > 0].sum()
    assert got.pvalue == pytest.approx(stats.wilcoxon(car).pvalue, rel=1e-12)


def test_fdr_bh_matches_statsmodels(res):
    from statsmodels.stats.multitest import multipletests

    table = run_tests(res.panel, [(0, 0), (-1, 1), (-2, 2)], {"all": np.ones(8, bool)},
                      ["t", "bmp"])
    adj = adjust_pvalues(table, "fdr_bh")
    for _, g in adj.groupby("test"):
        np.testing.assert_allclose(g["p_value_adjusted"],
                                   multipletests(g["p_value"], method="fdr_bh")[1])
    with pytest.raises(ValueError, match="p_adjust"):
        adjust_pvalues(table, "bonferroni")


def test_grank_with_tied_returns_equals_joint_ranking(res):
    # Stale prices give equal ARs: a tie of three between event and estimation days.
    from dataclasses import replace

    p = res.panel
    ar_est, ar_evt = p.ar_est.copy(), p.ar_evt.copy()
    ar_est[2, 50] = ar_est[2, 60] = ar_evt[2, 1]
    p = replace(p, ar_est=ar_est, ar_evt=ar_evt)
    scar = p.scar(W)
    sar = p.ar_est / np.sqrt(p.sigma2)[:, None]
    gsar = np.concatenate([sar, (scar / scar.std(ddof=1))[:, None]], axis=1)
    U = np.full(gsar.shape, np.nan)
    for i in range(len(gsar)):
        v = np.isfinite(gsar[i])
        U[i, v] = stats.rankdata(gsar[i, v]) / (v.sum() + 1) - 0.5
    n_t = np.isfinite(U).sum(axis=0)
    u_bar = np.nansum(U, axis=0) / np.where(n_t > 0, n_t, np.nan)
    days = n_t > 0
    T = days.sum()
    Z = u_bar[-1] / np.sqrt(np.sum(n_t[days] / len(U) * u_bar[days] ** 2) / T)
    assert run_test(p, "grank", W).stat == pytest.approx(
        Z * np.sqrt((T - 2) / (T - 1 - Z**2)), rel=1e-12)
