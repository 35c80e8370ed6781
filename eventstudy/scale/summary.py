"""Sufficient statistics of a chunk of security-events, their merge, and the merged panel.

A :class:`ChunkStats` holds what the cross-sectional tests need from one chunk: the per-event
scalars of each window (CAR, SCAR, BHAR) and the (n, L) event-window abnormal returns, which are
small and concatenated (an exact merge), and the additive sums over security-events of the
(T + L) combined days (AAR of the estimation window, the rank and sign scores, the generalized
sign's counts) and the summed residual correlation of its day-0 clusters. :class:`PanelSummary`
is the merge: it offers the members of :class:`~eventstudy.statistics.panel.TestPanel` that the
supported tests read, computed by the same functions of the sums, so that the test functions of
:mod:`eventstudy.statistics` run on it unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from eventstudy._typing import Float64Array, IntArray, Window
from eventstudy.exceptions import ConfigError
from eventstudy.statistics.conventions import Conventions
from eventstudy.statistics.panel import (
    TestPanel,
    car_of,
    column_sums,
    corrado_sign_scores,
    daily_z_from_sums,
    gsign_p_hat_from_sums,
    gsign_sums,
    mean_from_sums,
    merge_sums,
    rank_sums,
    rank_window_from_sums,
    score_sums,
    summed_cluster_correlation,
    uniform_ranks,
)

__all__ = ["ChunkStats", "PanelSummary", "SUPPORTED_TESTS", "check_supported", "merge_chunks"]

SUPPORTED_TESTS: tuple[str, ...] = (
    "t", "brown_warner_1980", "crude_dependence", "lamb", "patell", "adjusted_patell", "bmp",
    "kolari_pynnonen", "skewness_adjusted_t", "bootstrap_t", "sign", "generalized_sign",
    "corrado_sign", "corrado_rank", "modified_rank", "wilcoxon", "pre_event",
)
"""Tests the chunked and Dask paths compute (16 of the 17 of issue 4, and ``pre_event``).

Not ``grank`` (it ranks each event's window SCAR, scaled by the cross-sectional standard deviation
of all SCARs, among that event's estimation SARs: a second pass over the chunks), nor the tests
that need every residual or the calendar (``calendar_time``, ``placebo_dates``,
``ibragimov_mueller``): use the in-memory path for those."""

def needs_rbar(tests: Sequence[str]) -> bool:
    """Whether any of ``tests`` needs the residual cross-correlation r-bar."""
    return "kolari_pynnonen" in tests or "adjusted_patell" in tests


def check_supported(tests: Sequence[str]) -> list[str]:
    """Return ``tests`` as a list, or raise for a test the chunked path does not compute.

    Raises
    ------
    ConfigError
        Naming the test and the supported ones.
    """
    bad = [t for t in tests if t not in SUPPORTED_TESTS]
    if bad:
        raise ConfigError(
            f"test(s) {bad} are not available on the chunked/dask backends (they need every "
            f"residual at once); use backend 'memory' or choose from {list(SUPPORTED_TESTS)}")
    return list(tests)


@dataclass
class ChunkStats:
    """The sufficient statistics of one chunk of whole day-0 clusters.

    Attributes
    ----------
    rows : ndarray of int
        (n,) positions of the chunk's fitted security-events among the study's N.
    per_event : dict of str to ndarray
        Arrays over the n fitted security-events (first axis): ``ar_evt`` (n, L), ``df``,
        ``nobs``, ``sigma2``, ``est_var``, ``params`` (n, k), ``car``/``scar``/``bhar`` per window
        as ``car:t1:t2``, and ``fe_quad``/``sar_fe`` (n, L) when a test needs them.
    sums : dict of str to dict
        Additive sums: ``aar_est`` (:func:`column_sums` as total/count), ``crank``, ``mrank``,
        ``csign`` (:func:`score_sums`), ``rank`` (:func:`rank_sums`), ``gsign``
        (:func:`gsign_sums`); only those the tests need.
    rbar_total : float
        Summed pairwise residual correlation of the chunk's clusters.
    dropped : list of tuple
        (row, reason) of the chunk's skipped security-events.
    n_est : int
        Estimation-window columns T.
    """

    rows: IntArray
    per_event: dict[str, np.ndarray]
    sums: dict[str, dict[str, Any]]
    rbar_total: float
    dropped: list[tuple[int, str]]
    n_est: int
    n_overlap: int = 0

    @classmethod
    def from_panel(cls, panel: TestPanel, rows: IntArray, windows: Sequence[Window],
                   tests: Sequence[str], dropped: list[tuple[int, str]],
                   params: Float64Array, *, rbar: bool = True) -> ChunkStats:
        """Reduce the :class:`TestPanel` of a chunk to what ``tests`` over ``windows`` need.

        ``rbar=False`` leaves the residual correlation to the caller (a block of a chunk whose
        day-0 clusters are split between blocks).
        """
        per: dict[str, np.ndarray] = {
            "ar_evt": panel.ar_evt, "df": panel.df, "nobs": panel.nobs, "sigma2": panel.sigma2,
            "params": params}
        if "brown_warner_1980" in tests:
            per["est_var"] = panel.est_var
        for w in windows:
            key = f"{w[0]}:{w[1]}"
            per["car:" + key] = panel.car(w)
            per["scar:" + key] = panel.scar(w)
            if "skewness_adjusted_t" in tests:
                per["bhar:" + key] = panel.bhar(w)
        if "lamb" in tests:
            per["fe_quad"] = panel.fe_quad
        if "patell" in tests or "adjusted_patell" in tests:
            per["sar_fe"] = panel.sar_fe
        sums: dict[str, dict[str, Any]] = {}
        total, count = column_sums(panel.ar_est)
        sums["aar_est"] = {"total": total, "count": count}
        if "generalized_sign" in tests:
            sums["gsign"] = gsign_sums(panel.ar_est)
        if "corrado_rank" in tests:
            sums["rank"] = rank_sums(panel.combined_ranks)
            # the column sums of the centred ranks are those of rank_sums: the same matrix
            sums["crank"] = {"total": sums["rank"]["k"], "n_t": sums["rank"]["n"],
                             "cells": sums["rank"]["cells"]}
        if "modified_rank" in tests:
            sums["mrank"] = score_sums(uniform_ranks(panel.combined_ranks, panel.combined))
        if "corrado_sign" in tests:
            sums["csign"] = score_sums(corrado_sign_scores(panel.combined))
        rbar_sum = 0.0
        if rbar and needs_rbar(tests):
            rbar_sum = summed_cluster_correlation(panel.ar_est, panel.est_day, panel.evt_day,
                                                  panel.tau)
        return cls(rows=np.asarray(rows, dtype=np.int64), per_event=per, sums=sums,
                   rbar_total=rbar_sum, dropped=dropped, n_est=int(panel.ar_est.shape[1]))

    @classmethod
    def empty(cls, dropped: list[tuple[int, str]], n_est: int) -> ChunkStats:
        """Return the statistics of a chunk none of whose security-events was fitted."""
        return cls(rows=np.zeros(0, dtype=np.int64), per_event={}, sums={}, rbar_total=0.0,
                   dropped=dropped, n_est=n_est)


def merge_chunks(chunks: Sequence[ChunkStats]) -> ChunkStats:
    """Merge chunk statistics: concatenate the per-event arrays, add the sums.

    Per-event arrays are put back in the study's order of security-events (``rows``), the order
    of the in-memory path, so that order-dependent tests (the bootstrap's draws) agree.
    """
    out = ChunkStats.empty([], max((c.n_est for c in chunks), default=0))
    # Concatenate once per key rather than pairwise (linear, not quadratic, in the chunks).
    full = [c for c in chunks if len(c.rows) or c.per_event]
    if full:
        keys = full[0].per_event
        rows = np.concatenate([c.rows for c in full])
        order = np.argsort(rows, kind="stable")
        per = {k: np.concatenate([c.per_event[k] for c in full])[order] for k in keys}
        sums = dict(full[0].sums)
        for c in full[1:]:
            sums = {k: merge_sums(sums[k], c.sums[k]) for k in sums}
        out = ChunkStats(rows[order], per, sums, 0.0, [], full[0].n_est)
    out.rbar_total = float(sum(c.rbar_total for c in chunks))
    out.dropped = sorted(d for c in chunks for d in c.dropped)
    out.n_overlap = sum(c.n_overlap for c in chunks)
    return out


@dataclass
class PanelSummary:
    """The merged statistics of every chunk, read by the test functions like a TestPanel.

    Only the members the :data:`SUPPORTED_TESTS` read exist; each is computed from the merged
    sums by the function that :class:`~eventstudy.statistics.panel.TestPanel` itself uses.
    """

    stats: ChunkStats
    tau: IntArray
    conventions: Conventions = field(default_factory=Conventions)
    missing_returns: str = "nan"
    kind: str = "simple"
    labels: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of fitted security-events N."""
        return len(self.stats.rows)

    def __getattr__(self, name: str) -> Any:
        per = self.__dict__["stats"].per_event
        if name in per:
            return per[name]
        raise AttributeError(name)

    def window_slice(self, window: Window) -> slice:
        """Column slice of ``ar_evt`` for an inclusive tau window (see TestPanel)."""
        return TestPanel.window_slice(self, window)  # type: ignore[arg-type]

    def _window(self, what: str, window: Window) -> np.ndarray:
        key = f"{what}:{int(window[0])}:{int(window[1])}"
        per = self.stats.per_event
        if key in per:
            return per[key]
        if what == "car":  # a window that is not a study window: from the event-window ARs
            return car_of(per["ar_evt"][:, self.window_slice(window)], self.missing_returns)
        raise ConfigError(f"window {list(window)} is not an event window of the study")

    def car(self, window: Window) -> np.ndarray:
        """(N,) CAR over ``window``."""
        return self._window("car", window)

    def scar(self, window: Window) -> np.ndarray:
        """(N,) standardised CAR over a study window."""
        return self._window("scar", window)

    def bhar(self, window: Window) -> np.ndarray:
        """(N,) buy-and-hold abnormal return over a study window."""
        return self._window("bhar", window)

    @property
    def aar_est(self) -> Float64Array:
        """(T,) estimation-window AAR in event time."""
        s = self.stats.sums["aar_est"]
        return mean_from_sums(s["total"], s["count"])

    @property
    def residual_correlation(self) -> float:
        """r-bar from the summed cluster correlations of the chunks."""
        N = self.n
        return 0.0 if N < 2 else float(self.stats.rbar_total / (N * (N - 1)))

    @property
    def gsign_p_hat(self) -> float:
        """p-hat of the generalized sign test from the merged counts."""
        return gsign_p_hat_from_sums(self.stats.sums["gsign"], self.conventions.gsign_p)

    def _daily(self, key: str, power: float, sample: bool = False) -> Float64Array:
        return daily_z_from_sums(self.stats.sums[key], self.n, self.stats.n_est,
                                 self.conventions.day_sums, power, sample=sample)

    @property
    def corrado_rank_z(self) -> Float64Array:
        """(L,) daily Corrado (1989) rank statistics."""
        return self._daily("crank", 1.0, self.conventions.rank_variance == "sample")

    @property
    def modified_rank_z(self) -> Float64Array:
        """(L,) daily standardised-rank statistics."""
        return self._daily("mrank", 0.5)

    @property
    def corrado_sign_z(self) -> Float64Array:
        """(L,) daily Corrado-Zivney sign statistics."""
        return self._daily("csign", 0.5)

    @property
    def rank_window(self) -> tuple[Float64Array, Float64Array, float]:
        """Sums and counts of the centred ranks and s_k (Cowan 1992)."""
        return rank_window_from_sums(self.stats.sums["rank"], self.n,
                                     self.conventions.rank_centering,
                                     self.conventions.rank_variance)
