"""The Dask backend: the chunks of the chunked path as tasks on a Dask cluster.

The study's context (the security-major return matrices, day 0 of every security-event, the
other-event cover) is sent to each worker once (:meth:`distributed.Client.scatter` with
``broadcast=True``); each task fits one chunk of whole day-0 clusters and returns its
:class:`~eventstudy.scale.summary.ChunkStats` (sums and per-event scalars, never residuals); the
client merges them in the plan's order, so the result does not depend on which worker finished
first, and runs the tests on the merge exactly as :func:`~eventstudy.scale.fit_chunked` does.
Dask is the optional extra ``[distributed]``; no scheduler of our own.
"""

from __future__ import annotations

from typing import Any

from eventstudy.exceptions import ConfigError
from eventstudy.scale.chunked import (
    DEFAULT_MEMORY_BUDGET,
    LargeStudyResults,
    StudyContext,
    chunk_plan,
    chunk_size_for,
    finish,
    run_chunk,
)
from eventstudy.scale.summary import ChunkStats

__all__ = ["fit_dask"]


def _client(client: Any) -> Any:
    try:
        from distributed import default_client
    except ImportError as exc:  # the optional extra
        raise ConfigError("backend 'dask' needs the optional extra: pip install "
                          "'eventstudy[distributed]' (dask[distributed])") from exc
    if client is not None:
        return client
    try:
        return default_client()
    except ValueError as exc:
        raise ConfigError("backend 'dask' needs a Dask client: pass client=Client(...) (a "
                          "LocalCluster or the scheduler's address; README 'Large studies')"
                          ) from exc


def fit_dask(ctx: StudyContext, *, client: Any = None, chunk_size: int | None = None,
             memory_budget: float = DEFAULT_MEMORY_BUDGET) -> LargeStudyResults:
    """Fit and test every security-event of ``ctx`` on the Dask cluster of ``client``.

    Parameters
    ----------
    ctx : StudyContext
        From :func:`eventstudy.scale.prepare`.
    client : distributed.Client, optional
        Default: the current client (``distributed.default_client()``).
    chunk_size : int, optional
        Security-events per task (whole day-0 clusters); default from ``memory_budget``, the
        bytes of one task's working arrays on a worker.
    memory_budget : float

    Returns
    -------
    LargeStudyResults
        The object :func:`eventstudy.scale.fit_chunked` returns, with ``backend='dask'``.

    Raises
    ------
    ConfigError
        Without dask installed or a client.
    """
    from distributed import as_completed

    client = _client(client)
    size = chunk_size or chunk_size_for(memory_budget, len(ctx.est_tau) + len(ctx.evt_tau))
    plan = chunk_plan(ctx.pos0, size)
    remote = client.scatter(ctx, broadcast=True, hash=False)
    futures = [client.submit(run_chunk, remote, rows, pure=False) for rows in plan]
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[ChunkStats | None] = [None] * len(plan)
    for fut in as_completed(futures):
        results[index[fut.key]] = fut.result()
        fut.release()
    del remote
    return finish(ctx, [r for r in results if r is not None], len(plan), "dask")
