"""The registry of cross-sectional tests and the table of every test x window x group.

Test keys are the names used in YAML (``tests: [t, bmp, ...]``), in ``tests.csv`` and in
``EventStudyResults.test(name, ...)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import Window
from eventstudy.exceptions import ConfigError
from eventstudy.statistics import nonparametric as npar
from eventstudy.statistics import parametric as par
from eventstudy.statistics import robust
from eventstudy.statistics._result import TestResult
from eventstudy.statistics.calendar_time import calendar_time
from eventstudy.statistics.panel import TestPanel

__all__ = ["TESTS", "DEFAULT_TESTS", "DEPENDENCE_ROBUST_TESTS", "TEST_COLUMNS", "TEST_REFERENCES",
           "run_test", "run_test_unfiltered", "run_tests", "adjust_pvalues"]

TestFunction = Callable[..., TestResult]

TESTS: dict[str, TestFunction] = {
    "t": par.t_test,
    "brown_warner_1980": par.brown_warner_1980,
    "crude_dependence": par.crude_dependence,
    "lamb": par.lamb,
    "patell": par.patell,
    "adjusted_patell": par.adjusted_patell,
    "bmp": par.bmp,
    "kolari_pynnonen": par.kolari_pynnonen,
    "calendar_time": calendar_time,
    "skewness_adjusted_t": par.skewness_adjusted_t,
    "bootstrap_t": par.bootstrap_t,
    "sign": npar.sign,
    "generalized_sign": npar.generalized_sign,
    "corrado_sign": npar.corrado_sign,
    "corrado_rank": npar.corrado_rank,
    "modified_rank": npar.modified_rank,
    "wilcoxon": npar.wilcoxon,
    "grank": npar.grank,
    "placebo_dates": robust.placebo_dates,
    "ibragimov_mueller": robust.ibragimov_mueller,
    "pre_event": robust.pre_event,
}
"""Test key -> function(panel, window) -> TestResult."""

DEFAULT_TESTS: tuple[str, ...] = ("t", "patell", "bmp", "kolari_pynnonen", "corrado_rank",
                                  "generalized_sign")
"""Tests run when a study does not choose: the parametric standards and two nonparametric checks."""

DEPENDENCE_ROBUST_TESTS: tuple[str, ...] = ("kolari_pynnonen", "adjusted_patell", "placebo_dates",
                                            "ibragimov_mueller")
"""Tests whose inference allows for cross-correlated ARs on a common event date (case C44): what a
report of a one-date shock should lead with, Kolari-Pynnonen first (size 4.8% at 5% on same-date
S&P 500 placebo events, docs/benchmarks.md)."""

TEST_COLUMNS = ["group", "tau_start", "tau_end", "test", "statistic", "p_value", "n"]

ADJUST_METHODS = ("holm", "fdr_bh")


def check_test_names(names: Sequence[str]) -> list[str]:
    """Return ``names`` as a list after checking each is a known test key.

    Raises
    ------
    ValueError
        For an unknown key; the message lists the known keys.
    """
    unknown = [n for n in names if n not in TESTS]
    if unknown:
        raise ConfigError(f"unknown test(s) {unknown}; choose from {sorted(TESTS)}")
    return list(names)


def run_test(panel: TestPanel, name: str, window: Window, **options: Any) -> TestResult:
    """Run one test on one panel and window (see :data:`TESTS`).

    Raises
    ------
    ValueError
        For an unknown test or a window outside the event windows.
    """
    # Degenerate groups (N = 1, all-NaN days) give NaN statistics, not warnings.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return run_test_unfiltered(panel, name, window, **options)


def run_test_unfiltered(panel: TestPanel, name: str, window: Window,
                        **options: Any) -> TestResult:
    """:func:`run_test` without its filter of RuntimeWarnings, for threads.

    ``warnings.catch_warnings`` changes the process's filters and is not thread-safe: a caller
    running tests on threads enters it once around them (numpy's ``errstate``, set here, is
    per thread).

    Raises
    ------
    ValueError
        For an unknown test or a window outside the event windows.
    """
    check_test_names([name])
    if panel.n == 0:
        return TestResult(name, np.nan, np.nan, "-", 0)
    with np.errstate(all="ignore"):
        if name == "bootstrap_t":
            return TESTS[name](panel, window, **options)
        return TESTS[name](panel, window)


def run_tests(
    panel: TestPanel,
    windows: Sequence[Window],
    groups: Mapping[str, np.ndarray],
    tests: Sequence[str] = DEFAULT_TESTS,
    *,
    bootstrap: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Return one row per group x window x test.

    Parameters
    ----------
    panel : TestPanel
        All security-events of the study.
    windows : sequence of tuple of int
        Inclusive tau windows.
    groups : mapping of str to boolean ndarray
        Group name -> (N,) mask of its security-events.
    tests : sequence of str
        Keys of :data:`TESTS`.
    bootstrap : mapping, optional
        ``n_boot`` and ``seed`` for ``bootstrap_t``.

    Returns
    -------
    pandas.DataFrame
        Columns group, tau_start, tau_end, test, statistic, p_value, n.
    """
    names = check_test_names(tests)
    rows = []
    for g, mask in groups.items():
        sub = panel.subset(np.asarray(mask, dtype=bool))
        for w in windows:
            for name in names:
                r = run_test(sub, name, w, **dict(bootstrap or {}))
                rows.append((g, int(w[0]), int(w[1]), name, r.stat, r.pvalue, r.nobs))
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def adjust_pvalues(table: pd.DataFrame, method: str) -> pd.DataFrame:
    """Add ``p_value_adjusted``: p-values adjusted across the windows of each group and test.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`run_tests` table.
    method : {'holm', 'fdr_bh'}
        Holm (1979) step-down family-wise error control, or Benjamini and Hochberg (1995) false
        discovery rate, via :func:`statsmodels.stats.multitest.multipletests`.

    Returns
    -------
    pandas.DataFrame
        A copy with the extra column; NaN p-values stay NaN and do not count.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
       Journal of Statistics 6(2), 65-70.
    .. [2] Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57(1),
       289-300.
    """
    from statsmodels.stats.multitest import multipletests

    if method not in ADJUST_METHODS:
        raise ConfigError(f"p_adjust must be one of {list(ADJUST_METHODS)}, not {method!r}")
    out = table.copy()
    out["p_value_adjusted"] = np.nan
    for _, idx in out.groupby(["group", "test"], sort=False).groups.items():
        p = out.loc[idx, "p_value"].to_numpy(dtype="float64")
        ok = np.isfinite(p)
        if ok.any():
            adj = np.full(len(p), np.nan)
            adj[ok] = multipletests(p[ok], method=method)[1]
            out.loc[idx, "p_value_adjusted"] = adj
    return out

TEST_REFERENCES: dict[str, str] = {
    "t": "cross-sectional t, Brown and Warner (1985)",
    "brown_warner_1980": "Brown and Warner (1980)",
    "crude_dependence": "crude dependence adjustment, Brown and Warner (1985)",
    "lamb": "Lamb (1995)",
    "patell": "Patell (1976)",
    "adjusted_patell": "adjusted Patell, Kolari and Pynnönen (2010)",
    "bmp": "Boehmer, Musumeci and Poulsen (1991)",
    "kolari_pynnonen": "Kolari and Pynnönen (2010)",
    "calendar_time": "calendar-time portfolio, Jaffe (1974) and Mandelker (1974)",
    "skewness_adjusted_t": "skewness-adjusted t, Hall (1992) and Lyon, Barber and Tsai (1999)",
    "bootstrap_t": "bootstrap t, Lyon, Barber and Tsai (1999)",
    "sign": "sign test, Brown and Warner (1985)",
    "generalized_sign": "Cowan (1992)",
    "corrado_sign": "Corrado and Zivney (1992)",
    "corrado_rank": "Corrado (1989)",
    "modified_rank": "Corrado and Zivney (1992); Kolari and Pynnönen (2011)",
    "wilcoxon": "Wilcoxon signed-rank",
    "grank": "Kolari and Pynnönen (2011)",
    "placebo_dates": "pseudo-event dates of the estimation window",
    "ibragimov_mueller": "Ibragimov and Müller (2010)",
    "pre_event": "joint test of the pre-event AARs",
}
"""Test key -> the paper a report cites for it (one entry per key of :data:`TESTS`)."""
