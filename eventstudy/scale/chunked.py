"""The chunked path: fit and test a million security-events in bounded memory.

Security-events are processed in chunks of whole day-0 clusters (all security-events sharing a day
0 are in one chunk, so the residual correlation of Kolari and Pynnonen is summed exactly per
cluster), at most ``chunk_size`` security-events each unless one cluster is larger. Each chunk
gathers its windows by integer indexing into one security-major returns matrix, fits the model by
:func:`~eventstudy.models.fit_batch` (the batched normal equations of the in-memory path), builds
the chunk's :class:`~eventstudy.statistics.panel.TestPanel` with
:func:`~eventstudy.statistics.panel.build_panel` and reduces it to a
:class:`~eventstudy.scale.summary.ChunkStats`. The merge feeds the unchanged test functions.
Every number therefore comes from the formulas of the in-memory path.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from eventstudy._typing import IntArray, NonTradingDayPolicy, Window
from eventstudy.estimation import (
    PLAUSIBLE_AR,
    FactorData,
    _fill_lag_lead,
    _LazyKeys,
    _Panel,
    _screen,
    anchor_events,
    check_factor_cover,
    event_cover,
    model_inputs,
    other_event_run,
    warn_implausible,
)
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    EstimationError,
    EventStudyError,
    EventStudyWarning,
    EventWindowOverlapWarning,
    InsufficientEstimationDataWarning,
    SpecificationError,
)
from eventstudy.models import fit_batch
from eventstudy.scale.summary import (
    ChunkStats,
    PanelSummary,
    check_supported,
    merge_chunks,
    needs_rbar,
)
from eventstudy.specification import FitOptions, StudySpec, pools_events
from eventstudy.statistics._result import TestResult
from eventstudy.statistics.battery import TEST_COLUMNS, adjust_pvalues, run_test_unfiltered
from eventstudy.statistics.panel import TestPanel, build_panel, summed_cluster_correlation
from eventstudy.windows import span, taus

logger = logging.getLogger(__name__)

__all__ = ["LargeStudyResults", "StudyContext", "chunk_plan", "chunk_size_for", "default_workers",
           "fit_chunked", "prepare", "run_chunk", "finish"]

DEFAULT_MEMORY_BUDGET = 1.0e9
"""Bytes the working arrays of the chunks in flight may take by default (about 1 GB)."""

MAX_DEFAULT_WORKERS = 4
"""At most this many threads by default: past a few, the threads wait on memory bandwidth and the
GIL-held Python between numpy calls, and each holds one chunk's arrays."""


def default_workers() -> int:
    """Threads the chunked path uses by default: the CPUs this process may run on, at most 4.

    ``os.sched_getaffinity`` where the platform has it (a container or ``taskset`` limit), else
    ``os.cpu_count()``; at least 1, at most :data:`MAX_DEFAULT_WORKERS`.
    """
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_DEFAULT_WORKERS))


def chunk_size_for(memory_budget: float, n_days: int, workers: int = 1) -> int:
    """Security-events per chunk so that ``workers`` chunks' arrays fit in ``memory_budget`` bytes.

    A chunk holds about 16 float64 arrays of (chunk, T + L) at once (gathers, mask, residuals,
    combined ARs, ranks and their sort order), ``n_days`` = T + L; ``workers`` chunks are in
    flight at once, so each gets ``memory_budget / workers``.
    """
    per_chunk = memory_budget / max(int(workers), 1)
    return max(100, int(per_chunk // (16 * 8 * max(n_days, 1))))


@dataclass
class StudyContext:
    """What every chunk needs, built once: the gather matrices, day 0, the other-event cover."""

    spec: StudySpec
    panel: _Panel
    factors: FactorData | None
    pos0: IntArray
    cover: np.ndarray
    codes: IntArray
    est_tau: IntArray
    evt_tau: IntArray
    options: FitOptions
    tests: tuple[str, ...]
    kind: str
    market_column: int | None


def prepare(spec: StudySpec, returns: pd.DataFrame, market: pd.DataFrame, options: FitOptions,
            *, factors: FactorData | None = None, kind: str = "simple",
            sessions: Any = None) -> StudyContext:
    """Anchor the events and build the security-major matrices the chunks gather from.

    Raises
    ------
    SpecificationError
        For own sessions per exchange or ``market_moments='all'`` (not on the chunked path), a
        test it does not compute, named groups (it reports one group of all security-events), or
        ``pool_events=False`` with several events (it pools them; with auto and events holding
        several securities it warns that it pools them).
    DataUnavailableError
        When the data, or the factor returns, end before an event window does.
    """
    if sessions is not None:
        raise SpecificationError("own sessions per exchange (a global study's 'sessions') are "
                                 "not available on the chunked/dask backends; use backend "
                                 "'memory'")
    if options.conventions.market_moments == "all":
        raise SpecificationError("conventions.market_moments 'all' is not available on the "
                                 "chunked/dask backends; use backend 'memory'")
    if len(spec.groups) > 1:
        raise SpecificationError(
            f"groups ({', '.join(spec.groups)}) are not available on the chunked/dask backends, "
            "which report one group of all security-events; use backend 'memory', or run one "
            "study per group")
    n_events = spec.events["event_id"].nunique()
    if n_events > 1 and options.pool_events is False:
        raise SpecificationError(
            f"pool_events is false, but the chunked/dask backends average all {n_events} events "
            "together; use backend 'memory' to report each event apart")
    if n_events > 1 and not pools_events(options.pool_events, spec.events):
        warnings.warn(
            f"the chunked/dask backends average all {n_events} events together (AAR, CAAR and "
            "tests over every security-event); the memory backend would report events holding "
            "several securities apart (pool_events: auto). Set pool_events: true to say so",
            EventStudyWarning, stacklevel=3)
    tests = tuple(check_supported(options.tests))
    index = cast(pd.DatetimeIndex, returns.index)
    n_rows = len(index)
    policy = cast(NonTradingDayPolicy, spec.non_trading_day)
    pos0, _ = anchor_events(spec.events, index, policy, spec.calendar)
    lo, hi = span(list(spec.event_windows))
    if pos0.max() + hi >= n_rows:
        late = int(np.argmax(pos0))
        raise DataUnavailableError(
            f"event {spec.events['event_id'].iat[late]} needs {hi} sessions after "
            f"{index[pos0[late]].date()} but the data end {index[-1].date()}")
    check_factor_cover(factors, spec.events, index, pos0[:, None] + np.array([lo, hi]), (lo, hi))
    col = returns.columns.get_indexer(pd.Index(spec.events["ticker"])).astype(np.int64)
    panel = _Panel(returns, model_inputs(spec.model, market, factors), col)
    cover, codes = event_cover(spec, pos0 + lo, pos0 + hi, n_rows)
    m = spec.model
    inputs = list(getattr(m, "inputs", ()))
    market_column = 1 + inputs.index(m.market_input) if m.market_input in inputs else None
    return StudyContext(spec=spec, panel=panel, factors=factors, pos0=pos0, cover=cover,
                        codes=codes, est_tau=taus(spec.estimation_window),
                        evt_tau=taus((lo, hi)), options=options, tests=tests, kind=kind,
                        market_column=market_column)


def chunk_plan(pos0: IntArray, chunk_size: int) -> list[IntArray]:
    """Split security-events into chunks of whole day-0 clusters, in day-0 order.

    Clusters are added to a chunk while it stays within ``chunk_size`` security-events; a cluster
    larger than ``chunk_size`` is a chunk of its own.
    """
    order = np.argsort(pos0, kind="stable")
    _, starts = np.unique(pos0[order], return_index=True)
    bounds = list(starts) + [len(order)]
    chunks: list[IntArray] = []
    first = 0
    for b in range(1, len(bounds)):
        if bounds[b] - bounds[first] > chunk_size and b - 1 > first:
            chunks.append(order[bounds[first]:bounds[b - 1]])
            first = b - 1
    if len(order):
        chunks.append(order[bounds[first]:])
    return chunks


def run_chunk(ctx: StudyContext, rows: IntArray) -> ChunkStats:
    """Fit the security-events ``rows`` and reduce them to their sufficient statistics.

    A chunk that fails as a whole (an error in its data or fit) skips its security-events with
    the reason, as the in-memory path skips a security-event it cannot fit; the run goes on.
    """
    rows = np.sort(np.asarray(rows, dtype=np.int64))
    try:
        return _run_chunk(ctx, rows)
    except (EventStudyError, np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
        keys = _keys(ctx.spec.events, rows)
        logger.warning("chunk of %d security-events failed: %s", len(rows), exc)
        return ChunkStats.empty([(int(r), f"{k} skipped: its chunk failed ({exc})")
                                 for r, k in zip(rows, keys, strict=True)],
                                len(ctx.est_tau))


def _keys(events: pd.DataFrame, rows: IntArray) -> list[str]:
    ids = events["event_id"].to_numpy()[rows]
    tick = events["ticker"].to_numpy()[rows]
    return [f"{a}:{b}" for a, b in zip(ids, tick, strict=True)]


BLOCK_ROWS = 4000
"""Security-events fitted at once inside a chunk: arrays of a few MB stay in cache (a chunk of
whole day-0 clusters can hold 10,000 or more); only r-bar needs the whole chunk at once."""


def _run_chunk(ctx: StudyContext, rows: IntArray) -> ChunkStats:
    if len(rows) <= BLOCK_ROWS:
        return _fit_block(ctx, rows, True)[0]
    rbar = needs_rbar(ctx.tests)
    parts, est, est_day, evt_day = [], [], [], []
    for a in range(0, len(rows), BLOCK_ROWS):
        part, panel = _fit_block(ctx, rows[a:a + BLOCK_ROWS], False)
        parts.append(part)
        if rbar and panel is not None:
            est.append(panel.ar_est)
            est_day.append(panel.est_day)
            evt_day.append(panel.evt_day)
    out = merge_chunks(parts)
    if rbar and est:
        out.rbar_total = summed_cluster_correlation(
            np.concatenate(est), np.concatenate(est_day), np.concatenate(evt_day), ctx.evt_tau)
    return out


def _fit_block(ctx: StudyContext, rows: IntArray, rbar: bool
               ) -> tuple[ChunkStats, TestPanel | None]:
    """Fit the security-events ``rows``; their statistics (r-bar if ``rbar``) and panel."""
    spec, panel, model = ctx.spec, ctx.panel, ctx.spec.model
    sub_spec = dataclasses.replace(spec, events=spec.events.iloc[rows].reset_index(drop=True))
    sub_panel = copy.copy(panel)
    sub_panel.col = panel.col[rows]
    pos0 = ctx.pos0[rows]
    # tau runs over consecutive sessions in both windows: each row's window is one slice
    n_est, est_first = len(ctx.est_tau), pos0 + ctx.est_tau[0]
    est_pos = est_first[:, None] + np.arange(n_est)
    y_est = sub_panel.gather_run(panel.RT, est_first, n_est)
    m_est = sub_panel.gather_run(panel.MT, est_first, n_est)
    valid = np.isfinite(y_est) & (
        np.isfinite(m_est).all(axis=-1) if m_est.ndim == 3 else np.isfinite(m_est))
    overlap = other_event_run(ctx.cover, ctx.codes[rows], est_first, n_est)
    if spec.exclude_other_events:
        valid &= ~overlap
    evt_first = pos0 + ctx.evt_tau[0]
    evt_all = evt_first[:, None] + np.arange(len(ctx.evt_tau))
    # the event-window gathers serve the screen and, for the kept rows, the abnormal returns
    y_evt = sub_panel.gather_run(panel.RT, evt_first, len(ctx.evt_tau))
    m_evt = _fill_lag_lead(model, sub_panel.gather_run(panel.MT, evt_first, len(ctx.evt_tau)),
                           _LazyKeys(sub_spec.events), ctx.evt_tau, warn=False)
    reasons = _screen(sub_spec, sub_panel, ctx.factors, y_est, m_est, valid, evt_all,
                      evt=(y_evt, m_evt))
    keep = np.ones(len(rows), dtype=bool)
    keep[list(reasons)] = False
    dropped = [(int(rows[i]), msg) for i, (msg, _) in sorted(reasons.items())]
    n_overlap = int(overlap.any(axis=1).sum())
    if not keep.any():
        out = ChunkStats.empty(dropped, len(ctx.est_tau))
        out.n_overlap = n_overlap
        return out, None
    est_day = np.where(valid, est_pos, -1)
    if not reasons:  # every row kept (the usual case): no copies of the (n, T) arrays
        fit = fit_batch(model, y_est, m_est, valid)
        evt_pos, kept = evt_all, rows
    else:
        fit = fit_batch(model, y_est[keep], m_est[keep], valid[keep])
        evt_pos, kept, est_day = evt_all[keep], rows[keep], est_day[keep]
        y_evt, m_evt = y_evt[keep], m_evt[keep]
    del y_est, m_est
    x_evt = model.regressors(m_evt)
    normal = np.einsum("etk,ek->et", x_evt, fit.params) + model.offset(m_evt)
    ar_evt = y_evt - normal
    with np.errstate(invalid="ignore"):
        implausible = bool((np.abs(ar_evt) > PLAUSIBLE_AR).any())
    if implausible:  # named as on the memory path (keys built only then)
        names = _LazyKeys(spec.events)
        warn_implausible(ar_evt, panel.index.to_numpy()[np.clip(evt_pos, 0, panel.n_rows - 1)],
                         [names[int(r)] for r in kept])
    tp = build_panel(
        fit=fit, ar_evt=ar_evt, tau=ctx.evt_tau, x_evt=x_evt,
        est_day=est_day, evt_day=evt_pos, ret_evt=y_evt,
        normal_evt=normal, conventions=ctx.options.conventions,
        missing_returns=spec.missing_returns, kind=ctx.kind, market_column=ctx.market_column)
    out = ChunkStats.from_panel(tp, kept, spec.event_windows, ctx.tests, dropped,
                                fit.params, rbar=rbar)
    out.n_overlap = n_overlap
    return out, tp


@dataclass(frozen=True)
class LargeStudyResults:
    """The results of the chunked and Dask paths (the same object from both).

    Attributes
    ----------
    tests : pandas.DataFrame
        One row per window x test, the columns of
        :func:`~eventstudy.statistics.battery.run_tests` (group ``'all'``: every fitted
        security-event).
    aar : pandas.DataFrame
        tau, AAR (mean abnormal return over the security-events present) and n.
    caar : pandas.DataFrame
        tau_start, tau_end, CAAR (mean CAR over the complete CARs) and n.
    events : pandas.DataFrame
        One row per fitted security-event (event_id, ticker, and car/scar per window).
    dropped : pandas.DataFrame
        Skipped security-events: event_id, ticker, reason.
    n_chunks : int
        Chunks the security-events were processed in.
    backend : str
        'chunked' or 'dask'.
    residual_correlation : float
        r-bar of Kolari and Pynnonen (2010) (0 when no test needed it).
    """

    tests: pd.DataFrame
    aar: pd.DataFrame
    caar: pd.DataFrame
    events: pd.DataFrame
    dropped: pd.DataFrame
    n_chunks: int
    backend: str
    residual_correlation: float

    @property
    def nobs(self) -> int:
        """Fitted security-events."""
        return len(self.events)

    def write(self, directory: Any, *, csv: bool = False, overwrite: bool = False,
              files: Any = None) -> Any:
        """Write the tables as Parquet (CSV too when asked); see :func:`eventstudy.scale.io`."""
        from eventstudy.scale.io import write_results

        return write_results(self, directory, csv=csv, overwrite=overwrite, files=files)


def finish(ctx: StudyContext, chunks: Iterable[ChunkStats], n_chunks: int,
           backend: str, workers: int = 1) -> LargeStudyResults:
    """Merge the chunks' statistics and run the tests on the merge.

    With ``workers`` > 1 the (window, test) pairs run on that many threads (the bootstrap's
    replicates dominate); the table keeps its order and numbers.

    Raises
    ------
    EstimationError
        When every security-event was skipped (the message gives the first reasons).
    """
    merged = merge_chunks(list(chunks))
    spec = ctx.spec
    events = spec.events
    if merged.dropped:
        warnings.warn(
            f"{len(merged.dropped)} of {len(events)} security-events skipped (res.dropped), "
            f"e.g. {merged.dropped[0][1]}", InsufficientEstimationDataWarning, stacklevel=3)
    if merged.n_overlap:
        warnings.warn(
            f"{merged.n_overlap} security-events have another event of the same security inside "
            "their estimation window; those sessions are "
            + ("left out of the fit" if spec.exclude_other_events else "kept in the fit"),
            EventWindowOverlapWarning, stacklevel=3)
    dropped = pd.DataFrame(
        [(events["event_id"].iat[r], events["ticker"].iat[r], msg) for r, msg in merged.dropped],
        columns=["event_id", "ticker", "reason"])
    if not len(merged.rows):
        raise EstimationError("every security-event was skipped: "
                              + "; ".join(dropped["reason"].head(5)))
    summary = PanelSummary(merged, tau=ctx.evt_tau, conventions=ctx.options.conventions,
                           missing_returns=spec.missing_returns, kind=ctx.kind)
    results = _run_tests(cast(TestPanel, summary), spec.event_windows, ctx.tests,
                         {"n_boot": ctx.options.n_boot, "seed": ctx.options.seed}, workers)
    rows = [("all", int(w[0]), int(w[1]), name, r.stat, r.pvalue, r.nobs)
            for (w, name), r in results]
    tests = pd.DataFrame(rows, columns=TEST_COLUMNS)
    if ctx.options.p_adjust:
        tests = adjust_pvalues(tests, ctx.options.p_adjust)
    ar = merged.per_event["ar_evt"]
    ok = np.isfinite(ar)
    with np.errstate(invalid="ignore", divide="ignore"):
        aar = pd.DataFrame({"tau": ctx.evt_tau, "aar": np.where(ok, ar, 0.0).sum(axis=0)
                            / ok.sum(axis=0), "n": ok.sum(axis=0)})
    caar_rows = []
    table = {"event_id": events["event_id"].to_numpy()[merged.rows],
             "ticker": events["ticker"].to_numpy()[merged.rows]}
    for w in spec.event_windows:
        car, scar = summary.car(w), summary.scar(w)
        good = np.isfinite(car)
        caar_rows.append((int(w[0]), int(w[1]),
                          float(car[good].mean()) if good.any() else np.nan, int(good.sum())))
        table[f"car_{w[0]}_{w[1]}"] = car
        table[f"scar_{w[0]}_{w[1]}"] = scar
    caar = pd.DataFrame(caar_rows, columns=["tau_start", "tau_end", "caar", "n"])
    return LargeStudyResults(
        tests=tests, aar=aar, caar=caar, events=pd.DataFrame(table), dropped=dropped,
        n_chunks=n_chunks, backend=backend, residual_correlation=summary.residual_correlation)


def _run_tests(panel: TestPanel, windows: Sequence[Window], tests: Sequence[str],
               boot: dict[str, Any], workers: int) -> list[tuple[tuple[Window, str], TestResult]]:
    """Each test over each window, in that order; on ``workers`` threads when more than one."""
    jobs = [(w, name) for w in windows for name in tests]

    def one(job: tuple[Window, str]) -> TestResult:
        w, name = job
        return run_test_unfiltered(panel, name, w, **(boot if name == "bootstrap_t" else {}))

    with warnings.catch_warnings():  # once, here: it is not thread-safe (see run_test_unfiltered)
        warnings.simplefilter("ignore", RuntimeWarning)
        if workers > 1 and sum(name == "bootstrap_t" for _, name in jobs) > 1:
            from concurrent.futures import ThreadPoolExecutor

            # the bootstrap's windows first: they are most of the time
            order = sorted(range(len(jobs)), key=lambda i: jobs[i][1] != "bootstrap_t")
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = {i: pool.submit(one, jobs[i]) for i in order}
                out = [futures[i].result() for i in range(len(jobs))]
        else:
            out = [one(job) for job in jobs]
    return list(zip(jobs, out, strict=True))


def _stream(ctx: StudyContext, plan: Sequence[IntArray],
            progress: Callable[[int, int], None] | None) -> Iterator[ChunkStats]:
    for i, rows in enumerate(plan):
        yield run_chunk(ctx, rows)
        if progress is not None:
            progress(i + 1, len(plan))


def fit_chunked(ctx: StudyContext, *, chunk_size: int | None = None,
                memory_budget: float = DEFAULT_MEMORY_BUDGET, workers: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> LargeStudyResults:
    """Fit and test every security-event of ``ctx`` chunk by chunk, in this process.

    Parameters
    ----------
    ctx : StudyContext
        From :func:`prepare`.
    chunk_size : int, optional
        Security-events per chunk (whole day-0 clusters); default from ``memory_budget`` and
        ``workers`` (:func:`chunk_size_for`).
    memory_budget : float
        Bytes for the working arrays of the chunks in flight when ``chunk_size`` is not given:
        ``workers`` chunks are fitted at once, each sized to ``memory_budget / workers``, so the
        peak stays about the same whatever the number of threads.
    workers : int, optional
        Threads fitting chunks at once (numpy releases the GIL in the heavy steps). Default
        :func:`default_workers`: the CPUs this process may use, at most 4; 1 fits the chunks
        one after the other in this thread. The merge is in the plan's order, so the numbers do
        not depend on it.
    progress : callable, optional
        Called with (chunks done, chunks) after each chunk (in the order they finish).

    Returns
    -------
    LargeStudyResults

    Raises
    ------
    ConfigError
        When ``workers`` is below 1.
    """
    n_workers = default_workers() if workers is None else int(workers)
    if n_workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers!r}")
    size = chunk_size or chunk_size_for(memory_budget, len(ctx.est_tau) + len(ctx.evt_tau),
                                        n_workers)
    plan = chunk_plan(ctx.pos0, size)
    if n_workers > 1 and len(plan) > 1:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=min(n_workers, len(plan))) as pool:
            futures = [pool.submit(run_chunk, ctx, rows) for rows in plan]
            for done, _ in enumerate(as_completed(futures), start=1):
                if progress is not None:
                    progress(done, len(plan))
            stats = [f.result() for f in futures]  # the plan's order, whatever finished first
        return finish(ctx, stats, len(plan), "chunked", n_workers)
    return finish(ctx, _stream(ctx, plan, progress), len(plan), "chunked", n_workers)


def supported_default(options: FitOptions) -> FitOptions:
    """``options`` less the tests the chunked path does not compute, with a log line."""
    from eventstudy.scale.summary import SUPPORTED_TESTS

    kept = tuple(t for t in options.tests if t in SUPPORTED_TESTS)
    if kept != options.tests:
        logger.info("tests %s need the in-memory path; left out",
                    [t for t in options.tests if t not in kept])
    return dataclasses.replace(options, tests=kept)

