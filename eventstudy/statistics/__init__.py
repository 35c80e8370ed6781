"""Test statistics for abnormal returns: the panel of security-events, the tests and conventions."""

from __future__ import annotations

from eventstudy.statistics._result import TestResult
from eventstudy.statistics.battery import DEFAULT_TESTS, TESTS, adjust_pvalues, run_test, run_tests
from eventstudy.statistics.conventions import CONVENTIONS, Conventions, get_conventions
from eventstudy.statistics.panel import TestPanel, build_panel
from eventstudy.statistics.parametric import (
    car_variance,
    cross_sectional_t,
    forecast_error_variance,
    normal_pvalue,
    t_pvalue,
)
from eventstudy.statistics.regression import car_regression

__all__ = [
    "TestResult",
    "TestPanel",
    "build_panel",
    "Conventions",
    "CONVENTIONS",
    "get_conventions",
    "TESTS",
    "DEFAULT_TESTS",
    "run_test",
    "run_tests",
    "adjust_pvalues",
    "car_regression",
    "car_variance",
    "cross_sectional_t",
    "forecast_error_variance",
    "normal_pvalue",
    "t_pvalue",
]
