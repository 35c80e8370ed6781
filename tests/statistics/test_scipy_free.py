"""The scipy.special versions of scipy.stats functions give scipy.stats's numbers exactly.

Issue 12: importing scipy.stats costs about 0.7 s, so the claims, the rank tests and the CAAR bands
compute with scipy.special (and numpy) instead. These tests compare them with scipy.stats itself on
seeded random samples, with ties, constant samples, NaN and -0.0, and ask for equality, not
closeness: the report's CSVs must not change by one digit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from eventstudy.statistics.panel import average_ranks, row_ranks
from eventstudy.statistics.twosample import mann_whitney_u, welch_t
from eventstudy.statistics.variance import binomial_sf, normal_sf, t_quantile


def _same(x: float, y: float) -> bool:
    return x == y or (np.isnan(x) and np.isnan(y))


def _samples(seed: int):
    rng = np.random.default_rng(seed)
    for i in range(400):
        n1, n2 = int(rng.integers(2, 40)), int(rng.integers(2, 600))
        a = rng.standard_t(3, n1) * rng.uniform(0.001, 0.2)
        b = rng.normal(rng.normal(0, 0.02), rng.uniform(0.001, 0.1), n2)
        if i % 4 == 1:  # ties
            a, b = np.round(a, 2), np.round(b, 2)
        elif i % 4 == 2:  # both constant: zero variances, every value tied
            a, b = np.full(n1, 0.01), np.full(n2, 0.01)
        elif i % 4 == 3:  # small integers, many ties
            a, b = np.round(a * 1000), np.round(b * 1000)
        yield a, b


@pytest.mark.parametrize("seed", [0, 1])
def test_welch_t_is_scipy_ttest_ind(seed):
    for a, b in _samples(seed):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            ref = stats.ttest_ind(a, b, equal_var=False)
        t, p = welch_t(a, b)
        assert _same(t, float(ref.statistic)) and _same(p, float(ref.pvalue)), (len(a), len(b))


@pytest.mark.parametrize("seed", [0, 1])
def test_mann_whitney_u_is_scipy_mannwhitneyu(seed):
    for a, b in _samples(seed):
        ref = stats.mannwhitneyu(a, b, alternative="two-sided")
        u, p = mann_whitney_u(a, b)
        assert _same(u, float(ref.statistic)) and _same(p, float(ref.pvalue)), (len(a), len(b))


def test_mann_whitney_u_small_samples_use_the_exact_distribution():
    a, b = np.array([0.1, 0.5, 0.7]), np.array([0.2, 0.3, 0.4, 0.9, 1.1])  # no ties, n1 <= 8
    ref = stats.mannwhitneyu(a, b, alternative="two-sided", method="exact")
    assert mann_whitney_u(a, b) == (float(ref.statistic), float(ref.pvalue))


def test_binomial_sf_is_binomtest_greater():
    rng = np.random.default_rng(2)
    for _ in range(3000):
        n = int(rng.integers(1, 3000))
        k, p = int(rng.integers(0, n + 1)), float(rng.uniform(0.001, 0.999))
        assert binomial_sf(k, n, p) == float(stats.binomtest(k, n, p, alternative="greater").pvalue)


def test_normal_sf_is_norm_sf():
    for z in [*np.random.default_rng(3).normal(0, 3, 3000), 0.0, -0.0, 40.0, -40.0]:
        assert normal_sf(float(z)) == float(stats.norm.sf(float(z)))


@pytest.mark.parametrize("q", [0.0, 0.5, 0.7, 0.95, 0.975, 0.995, 1.0, 1.2, np.nan])
def test_t_quantile_is_t_ppf(q):
    df = np.concatenate([np.random.default_rng(4).integers(-2, 600, 2000).astype(float),
                         [np.nan, 0.0, 0.5, 1.0, np.inf]])
    assert np.array_equal(t_quantile(q, df), stats.t.ppf(q, df), equal_nan=True)


def test_average_ranks_is_rankdata_omit():
    rng = np.random.default_rng(5)
    for i in range(600):
        n, m = int(rng.integers(1, 30)), int(rng.integers(1, 300 if i % 5 else 600))
        x = rng.normal(size=(n, m))
        if i % 2:
            x = np.round(x, 1)
        if i % 3 == 0:
            x[rng.random((n, m)) < 0.2] = np.nan
        if i % 7 == 0:
            x[rng.random((n, m)) < 0.3] = -0.0
        if i % 13 == 0:
            x[rng.random((n, m)) < 0.1] = np.inf
        ref = stats.rankdata(x, axis=1, nan_policy="omit")
        assert np.array_equal(average_ranks(x), ref, equal_nan=True)
        assert np.array_equal(row_ranks(x), ref, equal_nan=True)
