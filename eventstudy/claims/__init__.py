"""Claims about an event, tested against the data.

A claim is a statement, the tests that would support or refute it, and a verdict (supported / not
supported / inconclusive) with the numbers behind it.

Tests: ``market_wide`` (the market's move against its own history), ``breadth`` (how many members of
a universe moved), ``concentration`` (an exposed group against the rest), ``persistence`` (did the
move last) and ``comparison`` (against other named dates). See :mod:`eventstudy.claims.spec` for the
thresholds and their defaults.
"""

from __future__ import annotations

from eventstudy.claims.evaluate import ClaimsEvaluation, evaluate_claims
from eventstudy.claims.spec import (
    BreadthTest,
    ClaimSpec,
    ClaimTestSpec,
    ComparisonDate,
    ComparisonTest,
    ConcentrationTest,
    MarketWideTest,
    PersistenceTest,
    check_claims,
    parse_claims,
)

__all__ = [
    "ClaimSpec",
    "ClaimTestSpec",
    "MarketWideTest",
    "BreadthTest",
    "ConcentrationTest",
    "PersistenceTest",
    "ComparisonTest",
    "ComparisonDate",
    "check_claims",
    "parse_claims",
    "evaluate_claims",
    "ClaimsEvaluation",
]
