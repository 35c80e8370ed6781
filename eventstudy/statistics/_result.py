"""The result of one hypothesis test."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TestResult"]


@dataclass(frozen=True)
class TestResult:
    """A test statistic with its p-value and the distribution it was referred to.

    Attributes
    ----------
    test : str
        Test key (``"t"``, ``"patell"``, ...).
    stat : float
        The statistic.
    pvalue : float
        Two-sided p-value.
    dist : str
        Reference distribution, e.g. ``"t(49)"`` or ``"N(0,1)"``.
    nobs : int
        Number of security-events the statistic uses.
    null_hypothesis : str
    alternative_hypothesis : str
    """

    __test__ = False  # not a pytest class

    test: str
    stat: float
    pvalue: float
    dist: str
    nobs: int
    null_hypothesis: str = "mean abnormal return is zero"
    alternative_hypothesis: str = "mean abnormal return is not zero (two-sided)"

    def summary(self) -> str:
        """Return a one-paragraph text summary."""
        return (
            f"{self.test} test\n"
            f"  statistic {self.stat:.4f} ~ {self.dist}, p-value {self.pvalue:.4f}, "
            f"N = {self.nobs}\n"
            f"  H0: {self.null_hypothesis}\n  H1: {self.alternative_hypothesis}"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return (
            f"<table><caption>{self.test} test</caption>"
            f"<tr><th>statistic</th><td>{self.stat:.4f}</td></tr>"
            f"<tr><th>distribution</th><td>{self.dist}</td></tr>"
            f"<tr><th>p-value</th><td>{self.pvalue:.4f}</td></tr>"
            f"<tr><th>N</th><td>{self.nobs}</td></tr>"
            f"<tr><th>H0</th><td>{self.null_hypothesis}</td></tr></table>"
        )
