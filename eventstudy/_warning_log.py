"""Collect the eventstudy warnings of a run (loading and fitting) so the report can list them."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from eventstudy.exceptions import EventStudyWarning

__all__ = ["WarningLog", "merge_warnings"]


def merge_warnings(*lists: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Concatenate warning records ``{category, message}``, dropping repeats, first order kept."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for items in lists:
        for w in items:
            seen.setdefault((w["category"], w["message"]), {"category": w["category"],
                                                             "message": w["message"]})
    return list(seen.values())


class WarningLog:
    """Record the :class:`~eventstudy.exceptions.EventStudyWarning` s raised inside ``capture()``.

    Every warning is passed on unchanged after the block (to the terminal, a notebook or an outer
    ``catch_warnings``), so recording never hides one; the filters in force still apply (an
    ``error`` filter raises at the warning, an ``ignore`` filter drops it from the log too).

    Attributes
    ----------
    items : list of dict
        ``{"category": class name, "message": text}`` per distinct warning, in the order raised.
    """

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    @contextmanager
    def capture(self) -> Iterator[WarningLog]:
        """Record the warnings raised in the block, then re-issue them."""
        pending: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                try:
                    yield self
                finally:
                    pending = list(caught)
        finally:  # an error in the block still lets the warnings before it through
            self.items = merge_warnings(self.items, [
                {"category": w.category.__name__, "message": str(w.message)}
                for w in pending if issubclass(w.category, EventStudyWarning)])
            for w in pending:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno,
                                       source=w.source)
