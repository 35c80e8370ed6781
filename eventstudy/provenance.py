"""Where a study's numbers came from: a frozen, typed record carried from loading to the reports.

:class:`Provenance` replaces the untyped ``metadata`` dict of earlier versions. The pipeline
(:func:`eventstudy.inputs.load_study_inputs`) fills it from the data it loaded; a study built in
Python gets a minimal one. Results hold it unchanged, and every report and the manifest read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import pandas as pd

__all__ = ["Provenance", "SERIES_COLUMNS", "empty_series_table"]

SERIES_COLUMNS = ("ticker", "source", "vintage", "adjusted", "symbol", "currency", "unit")
"""Columns of :attr:`Provenance.series` (sources.csv)."""


def empty_series_table() -> pd.DataFrame:
    """Return an empty per-series provenance table (a study built from returns in memory)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in SERIES_COLUMNS})


def _empty_quality() -> pd.DataFrame:
    return pd.DataFrame(columns=["ticker", "date", "check", "severity", "message"])


@dataclass(frozen=True)
class Provenance:
    """Typed provenance of a study: data source per series, calendar, shifts, findings, notes.

    Attributes
    ----------
    study : str
        Study id (reports go to ``reports/<study>/``); ``'api'`` for a study built in Python.
    title, description : str
    market : str
        The market (benchmark) symbol, e.g. ``'^GSPC'``, or the name of a benchmark built from the
        securities (``'cap-weighted ex ai_hardware+power'``).
    market_built : bool
        Whether the market is built from the securities (``market: {weighting: ...}``).
    benchmarks : tuple of str
        Study across exchanges (``market:`` as a mapping): every benchmark symbol in use; ``market``
        is then the default one.
    source : str
        Name of the price source (``'auto'``, ``'bundled'``, a file; ``'user-supplied'`` for a study
        from returns).
    vintage : str
        Vintage of the data (bundle build, fetch date or ``'n/a'``).
    adjusted : bool
        Whether closes are adjusted for splits and dividends.
    returns : {'simple', 'log'}
        Return type of the study.
    calendar : str
        Exchange calendar tau counts (e.g. ``'XNYS'``).
    universe : str or None
        Name of the universe group (``universe:`` in the config), if any.
    series : pandas.DataFrame
        One row per price series whose numbers the study reports (the securities, the market
        and the ``context:`` series): ticker (the study's label), source, vintage, adjusted,
        symbol (the data symbol, another than the label under ``aliases:``), currency and unit
        (``GBp``, ``pence (1/100 GBP)``) (sources.csv).
    quality : pandas.DataFrame
        Data-quality findings: ticker, date, check, severity, message.
    notes : tuple of str
        Decisions worth telling a reader (symbol mappings, calendar, other group, ...).
    warnings : tuple of dict
        The run's warnings, ``{'category': ..., 'message': ...}``, once each (filled by ``fit``).
    price_range : tuple of datetime.date or None
        First and last session of the loaded prices.
    prices : pandas.DataFrame or None
        Price levels by session (market included) as loaded; None for a study from returns.
    config_yaml : str or None
        The resolved study file (config.resolved.yaml); None for a study built in Python.
    base_dir : str or None
        Folder of the study file (relative paths in claims resolve against it).
    excluded : tuple of (str, str, str)
        Security-events left out before fitting, (event_id, ticker, reason): no price data
        (delisted or merged?) or a data-quality error of that security (``quality_errors:
        skip``); listed with the skipped security-events of the results.
    """

    study: str = "api"
    title: str = ""
    description: str = ""
    market: str = "market"
    market_built: bool = False
    benchmarks: tuple[str, ...] = ()
    source: str = "user-supplied"
    vintage: str = "n/a"
    adjusted: bool = True
    returns: str = "simple"
    calendar: str = "XNYS"
    universe: str | None = None
    series: pd.DataFrame = field(default_factory=empty_series_table, compare=False)
    quality: pd.DataFrame = field(default_factory=_empty_quality, compare=False)
    notes: tuple[str, ...] = ()
    warnings: tuple[dict[str, str], ...] = ()
    price_range: tuple[Any, Any] | None = None
    prices: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    config_yaml: str | None = field(default=None, repr=False)
    base_dir: str | None = None
    excluded: tuple[tuple[str, str, str], ...] = ()

    def with_notes(self, *notes: str) -> Provenance:
        """Return a copy with ``notes`` appended."""
        return replace(self, notes=(*self.notes, *notes))

    def with_warnings(self, items: list[dict[str, str]]) -> Provenance:
        """Return a copy whose :attr:`warnings` are ``items``."""
        return replace(self, warnings=tuple(dict(w) for w in items))

    @property
    def sources(self) -> dict[str, str]:
        """Ticker -> source of its series (from :attr:`series`)."""
        return dict(zip(self.series["ticker"], self.series["source"], strict=True))

    def as_mapping(self) -> Mapping[str, Any]:
        """Return a read-only mapping view (the former ``metadata`` keys)."""
        return _ProvenanceView(self)


class _ProvenanceView(Mapping[str, Any]):
    """Read-only ``res.metadata`` view of a :class:`Provenance` (keys of earlier versions)."""

    def __init__(self, prov: Provenance) -> None:
        self._d: dict[str, Any] = {f.name: getattr(prov, f.name) for f in fields(prov)}
        self._d["sources"] = prov.sources
        self._d["notes"] = list(prov.notes)
        self._d["warnings"] = [dict(w) for w in prov.warnings]

    def __getitem__(self, key: str) -> Any:
        return self._d[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)
