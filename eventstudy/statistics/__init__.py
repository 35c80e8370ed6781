"""Test statistics for abnormal returns (parametric; nonparametric tests follow the same layout)."""

from __future__ import annotations

from eventstudy.statistics._result import TestResult
from eventstudy.statistics.parametric import (
    car_variance,
    cross_sectional_t,
    forecast_error_variance,
    t_pvalue,
)

__all__ = [
    "TestResult",
    "car_variance",
    "cross_sectional_t",
    "forecast_error_variance",
    "t_pvalue",
]
