"""Forked worker processes of the report writer: start one, wait for it, stop them all.

The PDF's charts and tables.xlsx are drawn in forked processes beside the main one (POSIX only;
``EVENTSTUDY_REPORT_WORKERS=0`` turns them off). A worker's exception is sent back and raised in
the parent; an interrupted run (Ctrl-C, SIGTERM) kills its workers before the temporary report
folder is removed.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

from eventstudy.exceptions import ReportError

_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _child(fn: Callable[..., Any], args: tuple[Any, ...], conn: Any) -> None:
    try:  # pragma: no cover - runs in a forked child
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)  # blocked by the parent's fork
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            conn.send(("error", RuntimeError(repr(exc))))
    finally:
        conn.close()


def background(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` in a forked process; None where fork is unavailable or disabled.

    SIGINT and SIGTERM are blocked while the process forks and delivered once it has: a signal
    that arrived during the fork ran its handler inside an at-fork hook (logging's), where
    Python ignores the handler's exception, and the interrupted run went on to exit 0.
    """
    import multiprocessing

    if ("fork" not in multiprocessing.get_all_start_methods()
            or os.environ.get("EVENTSTUDY_REPORT_WORKERS", "2") == "0"):
        return None
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, send), daemon=True)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        proc.start()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        raise
    finally:
        send.close()
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a signal meanwhile: raised here
    except BaseException:
        stop_workers([proc])
        raise
    return proc, recv


def join(job: Any, what: str) -> Any:
    """Wait for a :func:`background` job; return its value, or raise its exception here."""
    proc, recv = job
    try:
        status, value = recv.recv()
    except EOFError:
        status, value = "error", ReportError(f"writing {what} failed: the worker died")
    proc.join()
    if status != "ok":
        raise value
    return value


def stop_workers(procs: list[Any]) -> None:
    """Kill forked report workers and wait for them, so none writes into a folder being removed.

    Called when a run is interrupted (Ctrl-C, SIGTERM): a worker that went on writing into the
    temporary report folder while it was deleted left the folder behind.
    """
    for proc in procs:
        if proc.is_alive():
            proc.kill()
    for proc in procs:
        proc.join()
