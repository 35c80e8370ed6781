"""Large studies: a million security-events in bounded memory, and past one machine on Dask.

:func:`fit_chunked` processes the security-events in chunks of whole day-0 clusters and merges
their sufficient statistics (:mod:`eventstudy.scale.summary`); :func:`fit_dask` runs the same
chunks as tasks on a Dask cluster (optional extra ``[distributed]``); :mod:`eventstudy.scale.io`
reads returns from a long Parquet file and events from Parquet or CSV, and writes the results in
Parquet. ``EventStudy.fit(backend='chunked' | 'dask')`` is the usual entry point.
"""

from __future__ import annotations

from eventstudy.scale.chunked import (
    DEFAULT_MEMORY_BUDGET,
    LargeStudyResults,
    StudyContext,
    chunk_plan,
    chunk_size_for,
    default_workers,
    fit_chunked,
    prepare,
)
from eventstudy.scale.summary import SUPPORTED_TESTS, PanelSummary

__all__ = ["DEFAULT_MEMORY_BUDGET", "LargeStudyResults", "StudyContext", "PanelSummary",
           "SUPPORTED_TESTS", "chunk_plan", "chunk_size_for", "default_workers", "fit_chunked",
           "fit_dask", "prepare"]


def fit_dask(*args, **kwargs):  # type: ignore[no-untyped-def]
    """See :func:`eventstudy.scale.cluster.fit_dask` (imported on use: dask is optional)."""
    from eventstudy.scale.cluster import fit_dask as _fit_dask

    return _fit_dask(*args, **kwargs)
