"""The pipeline: from a study file to loaded inputs, fitted results and a written report.

The commands of :mod:`eventstudy.cli` call these functions and only print what they return. Each
step is the library's own: :func:`eventstudy.config.load_config`,
:func:`eventstudy.inputs.load_study_inputs`, :meth:`eventstudy.EventStudy.fit` and
:func:`eventstudy.reporting.export.write_report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy._paths import check_replaceable_report, child_path
from eventstudy.config import MarketMap, StudyConfig, load_config
from eventstudy.exceptions import DataUnavailableError
from eventstudy.inputs import (
    StudyInputs,
    load_return_history,
    load_study_inputs,
    market_symbol,
    price_source,
    read_events_csv,
    resolve_securities,
    study_events,
)
from eventstudy.markets import plan_benchmarks
from eventstudy.power import PowerResults, power, write_power
from eventstudy.reporting.export import FORMATS, check_output_folder, write_report
from eventstudy.reporting.workers import prewarm, release, report_workers
from eventstudy.results import EventStudyResults
from eventstudy.scale import LargeStudyResults
from eventstudy.study import EventStudy

__all__ = ["StudyRun", "LargeRun", "Validation", "run_study", "validate_study", "fetch_study",
           "power_study"]


@dataclass(frozen=True)
class StudyRun:
    """A finished run: the config, the fitted results and the report folder."""

    config: StudyConfig
    results: EventStudyResults
    report: Path


@dataclass(frozen=True)
class Validation:
    """What ``validate`` found in a study file (nothing was downloaded).

    Attributes
    ----------
    config : StudyConfig
    n_events : int
        Events (inline or rows of the events CSV).
    tickers : list of str
        Securities of the groups and the universe.
    groups : dict of str to list of str
    """

    config: StudyConfig
    n_events: int
    tickers: list[str]
    groups: dict[str, list[str]]


def run_study(config: str | Path, output_dir: str | Path = "reports", *,
              offline: bool = False, refresh: bool = False,
              formats: tuple[str, ...] | list[str] | None = None,
              figures: bool = True) -> StudyRun | LargeRun:
    """Load, fit and report the study of ``config`` into ``output_dir/<study>/``.

    Parameters
    ----------
    config : str or pathlib.Path
        The study YAML file.
    output_dir : str or pathlib.Path, default 'reports'
    offline : bool, default False
        Never download (cache and bundle only).
    refresh : bool, default False
        Download every ticker again.
    formats : sequence of str, optional
        Report outputs (:data:`eventstudy.reporting.export.FORMATS`; default all).
    figures : bool, default True
        Write the standalone charts (figures/).

    Returns
    -------
    StudyRun or LargeRun
        ``LargeRun`` with ``backend: chunked`` or ``dask``: the tables as Parquet, no report.

    Raises
    ------
    EventStudyError
        For a bad config, data or an output folder that cannot be written (the folder is checked
        before anything is fitted; earlier reports stay as they were on any failure).
    """
    cfg = load_config(config)
    target = child_path(Path(output_dir).expanduser(), cfg.study)
    check_output_folder(target)  # before the fit: `-o afile` fails at once
    source = price_source(cfg, offline=True if offline else None, refresh=refresh)
    charts = (cfg.backend == "memory" and figures
              and bool({"pdf", "html"} & set(FORMATS if formats is None else formats)))
    if charts:  # a chart worker imports matplotlib on the core the fit leaves idle (and forks
        from eventstudy.reporting.pdf import warm  # the others when it gets the charts)

        prewarm(min(report_workers(), 1), warm)
    try:
        study = EventStudy.from_config(cfg, source=source)
        if cfg.backend != "memory":
            check_replaceable_report(target)  # never replace a folder that is not a report
            return LargeRun(cfg, *_fit_large(study, cfg, target))
        res = study.fit()
        options: dict[str, Any] = {}  # only what differs from a full report
        if formats is not None and tuple(formats) != FORMATS:
            options["formats"] = tuple(formats)
        if not figures:
            options["figures"] = False
        return StudyRun(cfg, res, write_report(res, target, **options))
    finally:
        release()  # the workers no chart was given to (a failed fit, fewer charts)


@dataclass(frozen=True)
class LargeRun:
    """A finished run of the chunked or Dask backend: the tables as Parquet in ``folder``."""

    config: StudyConfig
    results: LargeStudyResults
    folder: Path


def _fit_large(study: EventStudy, cfg: StudyConfig, target: Path
               ) -> tuple[LargeStudyResults, Path]:
    """Fit ``study`` on ``cfg.backend`` and write its tables (Parquet) into ``target``."""
    if cfg.backend == "dask":
        from distributed import Client, LocalCluster

        if cfg.scheduler:
            with Client(cfg.scheduler) as client:
                res = study.fit(backend="dask", client=client, chunk_size=cfg.chunk_size)
        else:
            with LocalCluster(dashboard_address=None) as cluster, Client(cluster) as client:
                res = study.fit(backend="dask", client=client, chunk_size=cfg.chunk_size)
    else:
        res = study.fit(backend="chunked", chunk_size=cfg.chunk_size, workers=cfg.workers)
    resolved = study.provenance.config_yaml or cfg.to_yaml()
    return res, res.write(target, overwrite=True, files={"config.resolved.yaml": resolved})


def validate_study(config: str | Path) -> Validation:
    """Check a study file without fetching data: keys, windows, events, tickers, the bundle.

    Raises
    ------
    ConfigError
        For a bad key, window, events file or ticker (naming the file and line).
    DataUnavailableError
        With ``data.source: bundled``, when a ticker is not in the bundled data set.
    """
    cfg = load_config(config)
    tickers, groups = resolve_securities(cfg)
    if cfg.events_path is not None:
        n_events = len(read_events_csv(cfg.events_path,
                                       columns={str(k): v for k, v in cfg.event_columns.items()},
                                       date_format=cfg.date_format,
                                       excel_dates=cfg.excel_dates))
    else:
        n_events = len(cfg.events)  # type: ignore[arg-type]
    if isinstance(cfg.market, MarketMap):  # every security needs an exchange and a benchmark
        named = study_events(cfg, tickers)["ticker"]
        plan_benchmarks(cfg, list(dict.fromkeys([*tickers, *named])), groups)
    if cfg.data.path is not None:
        from eventstudy.data.files import FileSource

        FileSource(cfg.resolve_path(cfg.data.path)).files()  # exists, holds price files
    if cfg.data.source == "bundled":  # offline, so every ticker must be in the bundle
        from eventstudy.data.bundled import BundledSource

        wanted = list(dict.fromkeys([*tickers, *study_events(cfg, tickers)["ticker"],
                                     *cfg.market_symbols]))
        from eventstudy.data.symbols import normalize_ticker
        from eventstudy.datasets import rename_hint

        aliases = {normalize_ticker(k): normalize_ticker(v) for k, v in cfg.aliases.items()}
        have = set(BundledSource().available([aliases.get(t, t) for t in wanted]))
        missing = [t for t in wanted if aliases.get(t, t) not in have]
        if missing:
            raise DataUnavailableError(
                f"{config}: not in the bundled data set: {missing[:10]}"
                f"{' ...' if len(missing) > 10 else ''} (data.source: bundled never "
                f"downloads; use auto or yfinance){rename_hint(missing[:10])}")
    return Validation(cfg, n_events, tickers, groups)


def fetch_study(config: str | Path, *, offline: bool = False, refresh: bool = False
                ) -> tuple[StudyConfig, StudyInputs]:
    """Load (and cache) a study's prices and screen them, without fitting anything."""
    cfg = load_config(config)
    source = price_source(cfg, offline=True if offline else None, refresh=refresh)
    return cfg, load_study_inputs(cfg, source=source)


def power_study(
    config: str | Path,
    output_dir: str | Path = "reports",
    *,
    offline: bool = False,
    history_start: str | None = None,
    **simulation: Any,
) -> tuple[PowerResults, Path, Path, str | None]:
    """Simulate the size and power of a study's tests on placebo events from its own data.

    Loads the study, then the return history of its securities and market from ``history_start``
    (default two years before the first event) to its last session, runs
    :func:`eventstudy.power.power` and writes ``output_dir/<study>/power/power.csv`` and ``.png``.

    Parameters
    ----------
    config : str or pathlib.Path
    output_dir : str or pathlib.Path, default 'reports'
    offline : bool, default False
    history_start : str, optional
        First date of the placebo history (an ISO date).
    **simulation
        Passed to :func:`eventstudy.power.power` (ar_sizes, n_events, reps, tests, window,
        variance_multiple, alpha, seed, dates).

    Returns
    -------
    results, csv, png, note
        The simulation, the two files written, and a note when the history could not be loaded
        (the study's own sessions were used).
    """
    cfg = load_config(config)
    target = child_path(Path(output_dir).expanduser(), cfg.study) / "power"
    source = price_source(cfg, offline=True if offline else None)
    study = EventStudy.from_config(cfg, source=source)
    first = pd.Timestamp(study.events["date"].min())
    lo = pd.Timestamp(history_start) if history_start else first - pd.DateOffset(years=2)
    note = None
    returns: pd.DataFrame | None
    market: pd.DataFrame | None
    try:
        if market_symbol(cfg) is None:
            raise DataUnavailableError(f"the market ({study.provenance.market}) is built from the "
                                       "study's securities, not loaded")
        returns, market = load_return_history(
            source, list(study.returns.columns), study.provenance.market, lo,
            pd.Timestamp(study.returns.index[-1]), kind=cfg.data.returns)
    except DataUnavailableError as exc:
        if history_start:
            raise
        returns = market = None
        note = f"placebo events from the study's own sessions only ({exc})"
    res = power(study, returns=returns, market=market, **simulation)
    csv, png = write_power(res, target)
    return res, csv, png, note
