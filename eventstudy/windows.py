"""Estimation and event windows in event time (tau, trading sessions relative to day 0)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eventstudy._typing import IntArray, Window
from eventstudy.exceptions import ConfigError

__all__ = ["check_windows", "span", "taus", "window_length"]


def window_length(window: Window) -> int:
    """Return the number of sessions in an inclusive window: t2 - t1 + 1 (case C22c)."""
    return int(window[1]) - int(window[0]) + 1


def taus(window: Window) -> IntArray:
    """Return the inclusive tau values t1..t2 of a window."""
    return np.arange(int(window[0]), int(window[1]) + 1, dtype=np.int64)


def span(windows: Sequence[Window]) -> Window:
    """Return the smallest window holding every window of ``windows``."""
    return (min(int(w[0]) for w in windows), max(int(w[1]) for w in windows))


def check_windows(
    estimation_window: Window, event_windows: Sequence[Window], *, gap: int = 0
) -> None:
    """Validate an estimation window against the event windows.

    Parameters
    ----------
    estimation_window : tuple of int
        (T0, T1), inclusive, in sessions relative to the event.
    event_windows : sequence of tuple of int
        Each (t1, t2), inclusive.
    gap : int, default 0
        Sessions required between the end of the estimation window and the start of the widest event
        window.

    Raises
    ------
    ConfigError
        When a window is reversed, no event window is given, or the estimation window does not end
        before the event windows start (case C22a: "estimation window must end before the event
        window starts (0 >= -5)").
    """
    T0, T1 = int(estimation_window[0]), int(estimation_window[1])
    if T0 > T1:
        raise ConfigError(f"estimation_window {list(estimation_window)} is reversed (start > end)")
    if not event_windows:
        raise ConfigError("event_windows is empty: give at least one window, e.g. [[0, 0]]")
    for w in event_windows:
        if int(w[0]) > int(w[1]):
            raise ConfigError(f"event window {list(w)} is reversed (start > end)")
    first = span(event_windows)[0]
    if T1 + gap >= first:
        raise ConfigError(
            f"estimation window must end before the event window starts ({T1} >= {first})"
            + (f" with a gap of {gap} sessions" if gap else "")
        )
