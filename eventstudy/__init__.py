"""eventstudy: market-reaction event studies.

Abnormal returns (AR), cumulative abnormal returns (CAR), their cross-sectional averages (AAR, CAAR)
and the standard tests, from a YAML study file (``eventstudy run``), a notebook or as a library.
Importing the package reads no data and imports neither matplotlib nor yfinance.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from eventstudy.config import StudyConfig, load_config
from eventstudy.exceptions import (
    ConfigError,
    DataError,
    DataUnavailableError,
    EstimationError,
    EventStudyError,
    SpecificationError,
)
from eventstudy.provenance import Provenance
from eventstudy.results import EventStudyResults
from eventstudy.study import EventStudy

try:
    __version__ = version("market-eventstudy")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "EventStudy",
    "EventStudyResults",
    "StudyConfig",
    "load_config",
    "EventStudyError",
    "ConfigError",
    "DataError",
    "DataUnavailableError",
    "EstimationError",
    "SpecificationError",
    "Provenance",
    "__version__",
]
