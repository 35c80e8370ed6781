"""Evaluate a study's claims.

Run each claim's tests on the fitted results and combine the verdicts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from eventstudy.claims._context import ClaimContext
from eventstudy.claims.cross_section import breadth, concentration
from eventstudy.claims.market import comparison, market_wide
from eventstudy.claims.persistence import persistence
from eventstudy.claims.spec import ClaimSpec
from eventstudy.claims.verdict import NOT_SUPPORTED, SUPPORTED, TestOutcome, claim_verdict
from eventstudy.results import CLAIM_COLUMNS, EventStudyResults

__all__ = ["ClaimResult", "ClaimsEvaluation", "evaluate_claims", "CLAIM_COLUMNS", "CLAIM_TESTS"]

CLAIM_TESTS: dict[str, Callable[[Any, ClaimContext], TestOutcome]] = {
    "market_wide": market_wide,
    "breadth": breadth,
    "concentration": concentration,
    "persistence": persistence,
    "comparison": comparison,
}


@dataclass(frozen=True)
class ClaimResult:
    """One claim with its tests' outcomes and the combined verdict."""

    spec: ClaimSpec
    event_id: str
    day0: pd.Timestamp
    outcomes: list[TestOutcome]

    @property
    def verdict(self) -> str:
        """The claim's verdict by its ``rule``.

        See :func:`eventstudy.claims.verdict.claim_verdict`.
        """
        return claim_verdict([o.verdict for o in self.outcomes], self.spec.rule)

    @property
    def reason(self) -> str:
        """One line saying which tests decided the verdict, and what the others found.

        E.g. "not supported: decided by breadth, concentration, persistence, comparison (not
        supported); market_wide inconclusive (rule: all)". Under ``all`` a single test that does
        not support a claim decides it: the tests that do support it are named, so a strong
        finding is never hidden by the rule.
        """
        by: dict[str, list[str]] = {}
        for o in self.outcomes:
            by.setdefault(o.verdict, []).append(o.test)
        yes, no = by.get(SUPPORTED, []), by.get(NOT_SUPPORTED, [])
        other = [f"{t} {v}" for v, ts in by.items() if v not in (SUPPORTED, NOT_SUPPORTED)
                 for t in ts]
        v = self.verdict
        if v == SUPPORTED:
            parts = [f"supported by {', '.join(yes)}"]
            if no:
                parts.append(f"not by {', '.join(no)}")
        elif v == NOT_SUPPORTED:
            parts = [f"decided by {', '.join(no)} (not supported)"]
            if yes:
                parts.append(f"but supported by {', '.join(yes)}")
        else:
            parts = ["no test decides it"]
            if yes:
                parts.append(f"supported by {', '.join(yes)}")
            if no:
                parts.append(f"not by {', '.join(no)}")
        if other:
            parts.append("; ".join(other))
        return f"{v}: " + "; ".join(parts) + f" (rule: {self.spec.rule})"

    def heading(self) -> str:
        """``[NOT SUPPORTED] id: statement (by, date)``."""
        who = ", ".join(x for x in (self.spec.by, str(self.spec.date or "")) if x)
        return (f"[{self.verdict.upper()}] {self.spec.id}: {self.spec.claim}"
                + (f" ({who})" if who else ""))


@dataclass(frozen=True)
class ClaimsEvaluation:
    """Every claim of a study, evaluated; ``to_frame()`` is ``res.claims``."""

    claims: list[ClaimResult]

    def __len__(self) -> int:
        return len(self.claims)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per claim verdict and per test metric.

        Returns
        -------
        pandas.DataFrame
            Columns claim_id, claim, test, metric, value, p_value, verdict. Each claim starts with
            its own row (test ``claim``, metric ``verdict (rule: all)``); the rows of a test carry
            that test's verdict. Values are decimals (returns, shares), statistics or ranks; p_value
            is NaN where no test applies.
        """
        rows: list[tuple[Any, ...]] = []
        for c in self.claims:
            s = c.spec
            rows.append((s.id, s.claim, "claim", f"verdict (rule: {s.rule}; event {c.event_id}, "
                         f"day 0 {c.day0.date()})", math.nan, math.nan, c.verdict))
            for o in c.outcomes:
                rows += [(s.id, s.claim, o.test, m.name, float(m.value), float(m.p_value),
                          o.verdict) for m in o.metrics]
        return pd.DataFrame(rows, columns=CLAIM_COLUMNS)

    def verdicts(self) -> pd.DataFrame:
        """Return the verdicts only: claim_id, claim, test, verdict, reason.

        One row per claim and per test, the claim first.
        """
        rows = []
        for c in self.claims:
            rows.append((c.spec.id, c.spec.claim, "claim", c.verdict, c.reason))
            rows += [(c.spec.id, c.spec.claim, o.test, o.verdict, o.reason) for o in c.outcomes]
        return pd.DataFrame(rows, columns=["claim_id", "claim", "test", "verdict", "reason"])

    def text(self) -> str:
        """Return the verdicts as plain text.

        Each claim's verdict, then each test's with its numbers.
        """
        lines = []
        for c in self.claims:
            lines.append(c.heading())
            lines.append(f"  {c.reason}")
            lines += [f"  - {o.test}: {o.verdict}: {o.reason}" for o in c.outcomes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def evaluate_claims(
    results: EventStudyResults,
    specs: Sequence[ClaimSpec],
    market_history: pd.Series | None = None,
    *,
    base_dir: str | None = None,
) -> ClaimsEvaluation:
    """Test claims against fitted results.

    Parameters
    ----------
    results : EventStudyResults
        The fitted study.
    specs : sequence of ClaimSpec
        The claims (:func:`~eventstudy.claims.spec.parse_claims`).
    market_history : pandas.Series, optional
        The market's own daily returns (decimals) by session date, for the market-based tests (a
        lookback before each event, comparison dates, persistence).
    base_dir : str, optional
        Folder that relative paths in the claims (``market_caps`` files) resolve against.

    Returns
    -------
    ClaimsEvaluation
        Empty when there are no claims.

    Raises
    ------
    ConfigError
        When a claim names an unknown event or group, or a comparison date without market data.
    DataUnavailableError
        When the market's returns do not cover what a test needs.
    """
    out = []
    for i, spec in enumerate(specs):
        ctx = ClaimContext(results, spec, i, market_history=market_history, base_dir=base_dir)
        outcomes = [CLAIM_TESTS[t.test](t, ctx) for t in spec.tests]
        out.append(ClaimResult(spec, ctx.event_id, ctx.day0, outcomes))
    return ClaimsEvaluation(out)
