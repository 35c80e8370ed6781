"""Verdicts: how a test's finding and a claim's tests become a verdict.

A verdict is supported / not supported / inconclusive.

Each claim test reports a *finding* about the data (``extreme`` or ``ordinary`` market move,
``broad`` or ``narrow`` decline, ...) or ``unclear`` when its own thresholds disagree or the data
are too thin. The test's verdict compares the finding with what the claim expects; the claim's
verdict combines its tests by the claim's ``rule``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from eventstudy.exceptions import ConfigError

__all__ = ["SUPPORTED", "NOT_SUPPORTED", "INCONCLUSIVE", "UNCLEAR", "Metric", "TestOutcome",
           "finding_verdict", "claim_verdict", "state_finding"]

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
INCONCLUSIVE = "inconclusive"
UNCLEAR = "unclear"
"""The finding of a test whose thresholds disagree, or whose data are too few to decide."""


@dataclass(frozen=True)
class Metric:
    """One number behind a verdict.

    A name, a value (decimal, count or statistic), a p-value or NaN.
    """

    name: str
    value: float
    p_value: float = math.nan


@dataclass(frozen=True)
class TestOutcome:
    """What one claim test found.

    Attributes
    ----------
    test : str
        The test key (``market_wide``, ``breadth``, ...).
    finding : str
        What the data show (one of the test's two findings, or ``unclear``).
    expect : str
        The finding that would support the claim.
    reason : str
        One sentence with the numbers behind the finding.
    metrics : list of Metric
    details : dict of str to pandas.DataFrame
        Context tables (e.g. ``worst_sessions``).
    """

    __test__ = False  # not a pytest class

    test: str
    finding: str
    expect: str
    reason: str
    metrics: list[Metric]
    details: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """``supported``, ``not supported`` or ``inconclusive``; see :func:`finding_verdict`."""
        return finding_verdict(self.finding, self.expect)


def finding_verdict(finding: str, expect: str) -> str:
    """Return a test's verdict from its finding.

    Supported when the finding is the expected one, inconclusive when it is unclear, not supported
    otherwise.
    """
    if finding == UNCLEAR:
        return INCONCLUSIVE
    return SUPPORTED if finding == expect else NOT_SUPPORTED


def state_finding(finding: str, expect: str, words: Mapping[str, str], details: str) -> str:
    """Lead a test's reason with what it found, in words, relative to what the claim expects.

    Two claims can expect opposite findings of one test (``broad`` and ``narrow``); the numbers
    behind the finding are then the same, and this sentence is what tells the reasons apart.

    Parameters
    ----------
    finding : str
        The test's finding (one of its two findings, or ``unclear``).
    expect : str
        The finding that would support the claim.
    words : mapping of str to str
        The test's findings (and ``unclear``) in words, e.g. ``{'narrow': 'a narrow fall'}``.
    details : str
        The numbers behind the finding.

    Returns
    -------
    str
        ``'found a narrow fall, as the claim expects: <details>'``, ``'found a narrow fall, but
        the claim expects a broad fall: <details>'`` or, for ``unclear``, ``'found neither ...
        (the claim expects a broad fall): <details>'``.
    """
    found, wanted = words.get(finding, finding), words.get(expect, expect)
    if finding == UNCLEAR:
        lead = f"found {found} (the claim expects {wanted})"
    elif finding == expect:
        lead = f"found {found}, as the claim expects"
    else:
        lead = f"found {found}, but the claim expects {wanted}"
    return f"{lead}: {details}"


def claim_verdict(verdicts: Sequence[str], rule: Literal["all", "majority"] = "all") -> str:
    """Combine test verdicts into the claim's verdict.

    Parameters
    ----------
    verdicts : sequence of str
        One verdict per test of the claim.
    rule : {'all', 'majority'}
        ``all``: supported when every test is supported; not supported when any test is not
        supported; inconclusive otherwise. ``majority``: supported (not supported) when more than
        half of the tests are supported (not supported); inconclusive otherwise.

    Returns
    -------
    str
    """
    n = len(verdicts)
    yes = sum(v == SUPPORTED for v in verdicts)
    no = sum(v == NOT_SUPPORTED for v in verdicts)
    if rule == "all":
        if n and yes == n:
            return SUPPORTED
        return NOT_SUPPORTED if no else INCONCLUSIVE
    if rule == "majority":
        if yes * 2 > n:
            return SUPPORTED
        return NOT_SUPPORTED if no * 2 > n else INCONCLUSIVE
    raise ConfigError(f"unknown rule {rule!r}; use 'all' or 'majority'")
