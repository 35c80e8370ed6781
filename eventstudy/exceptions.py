"""Errors and warnings raised by eventstudy.

Every error a user can cause derives from :class:`EventStudyError`, so the CLI can turn it into a
one-line message and a non-zero exit code, and library users can catch one type.
"""

from __future__ import annotations

__all__ = [
    "EventStudyError",
    "ConfigError",
    "SpecificationError",
    "DataError",
    "DataShapeError",
    "DataQualityError",
    "DataUnavailableError",
    "EstimationError",
    "ReportError",
    "EventStudyWarning",
    "NonSynchronousWarning",
    "MissingReturnsWarning",
    "InsufficientEstimationDataWarning",
    "EventWindowOverlapWarning",
    "EventDateShiftedWarning",
    "ConfounderWarning",
    "name_list",
]


class EventStudyError(Exception):
    """Base class of every error caused by input (config, data, specification)."""


class SpecificationError(EventStudyError, ValueError):
    """A study specified in Python is invalid (events, windows, groups, options, a bad call)."""


class ConfigError(SpecificationError):
    """A study configuration file is invalid; the message names the file and key at fault.

    A :class:`SpecificationError` too: the same mistake made in a YAML file rather than in Python.
    """


class DataError(EventStudyError):
    """Price or return data cannot be used as given."""


class DataShapeError(DataError, ValueError):
    """A frame does not have the shape a loader expects (columns, index, tickers)."""


class DataQualityError(DataError, ValueError):
    """Prices fail a quality check (non-positive price, duplicate dates, ...)."""


class DataUnavailableError(DataError):
    """Data needed by a study is not available from the selected source.

    Parameters
    ----------
    message : str
    missing : sequence of str, optional
        The symbols the source has no data for, when the error is about some symbols only (the
        study names renamed ones).
    delisted : bool, default False
        True when a download returned no rows for ``missing`` while serving the others (delisted
        or merged?): the study then excludes their security-events with the reason and goes on
        (case C46). A file or the bundle lacking a symbol is a mistake to fix instead.
    """

    def __init__(self, message: str = "", *, missing: tuple[str, ...] | list[str] = (),
                 delisted: bool = False) -> None:
        super().__init__(message)
        self.missing: tuple[str, ...] = tuple(missing)
        self.delisted = delisted


class EstimationError(EventStudyError, ValueError):
    """A normal-return model cannot be estimated for any event (all events were skipped)."""


class ReportError(EventStudyError, OSError):
    """A report cannot be written where asked.

    No permission, disk full, or the target folder exists and is not an eventstudy report (it is
    never replaced then).
    """


class EventStudyWarning(UserWarning):
    """Base class of eventstudy warnings."""


class MissingReturnsWarning(EventStudyWarning):
    """Returns are missing inside an event window; the affected CARs are reported as NaN."""


class InsufficientEstimationDataWarning(EventStudyWarning):
    """An event was skipped because its estimation window has too few valid returns."""


class EventWindowOverlapWarning(EventStudyWarning):
    """Events of the same security overlap, or events cluster on the same calendar date."""


class EventDateShiftedWarning(EventStudyWarning):
    """An event date was not a trading session and was moved by the non-trading-day policy."""


class NonSynchronousWarning(EventStudyWarning):
    """A security's exchange and its benchmark's exchange have no trading hours in common."""


def name_list(names: object, limit: int = 10, *, brackets: bool = True) -> str:
    """Return ``names`` for a one-line message: the first ``limit`` and how many more.

    ``['A', 'B', 'C']`` or ``['A', 'B'] and 498 more`` (``A, B and 498 more`` without brackets):
    an error about the 500 tickers of a universe stays one readable line.
    """
    items = list(names)  # type: ignore[call-overload]
    more = len(items) - limit
    head = f"{items[:limit]}" if brackets else ", ".join(map(str, items[:limit]))
    return head + (f" and {more} more" if more > 0 else "")


insufficient_estimation_msg = "{key} skipped: {n} of {L} estimation returns (< {min_obs})"
zero_variance_msg = (
    "{key} skipped: stock return has zero variance in estimation window (stale/suspended prices?)"
)
beta_not_identifiable_msg = (
    "{key} skipped: market return has zero variance in estimation window; beta not identifiable"
)


class ConfounderWarning(EventStudyWarning):
    """A dated event other than the one studied (``confounders:``) falls inside an event window."""
