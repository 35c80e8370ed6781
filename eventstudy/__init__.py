"""eventstudy: market-reaction event studies.

Abnormal returns (AR), cumulative abnormal returns (CAR), their cross-sectional averages (AAR, CAAR)
and the standard tests, from a YAML study file (``eventstudy run``), a notebook or as a library.
Importing the package reads no data and imports neither matplotlib nor yfinance; the public names
are loaded on first use (PEP 562), so ``import eventstudy`` does not pay for pandas, scipy,
statsmodels, pydantic or ``importlib.metadata`` until they are needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from eventstudy.exceptions import (
    ConfigError,
    DataError,
    DataUnavailableError,
    EstimationError,
    EventStudyError,
    SpecificationError,
)

if TYPE_CHECKING:  # pragma: no cover - names for type checkers and IDEs
    from eventstudy.config import StudyConfig, load_config
    from eventstudy.provenance import Provenance
    from eventstudy.results import EventStudyResults
    from eventstudy.study import EventStudy

    __version__: str

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

_LAZY = {
    "EventStudy": "eventstudy.study",
    "EventStudyResults": "eventstudy.results",
    "StudyConfig": "eventstudy.config",
    "load_config": "eventstudy.config",
    "Provenance": "eventstudy.provenance",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("market-eventstudy")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    """Load a public name on first use (module attribute hook, PEP 562)."""
    if name == "__version__":
        value: Any = _version()
    elif name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'eventstudy' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this hook
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
