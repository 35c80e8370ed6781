"""Forked worker processes of the report writer: start one, wait for it, stop them all.

A command-line run forks one chart worker before the fit (:func:`prewarm`): it imports
matplotlib while the main process computes, takes the charts when the report is written, and
forks the second chart worker itself, matplotlib loaded (:func:`eventstudy.reporting.pdf.
_render_parts`). A worker forked by the run leads its own process group, which the processes it
forks join: stopping it stops them.

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


_WARM: list[tuple[Any, Any]] = []  # (process, connection) of idle workers from prewarm()
_LIVE: list[Any] = []  # every worker forked and not yet joined, for stop_all()
_IN_WORKER = False  # True in a worker: the processes it forks join its process group


def _run(fn: Callable[..., Any], args: tuple[Any, ...], conn: Any) -> None:
    """Send ``("ok", fn(*args))`` or ``("error", exception)`` to the parent."""
    try:  # pragma: no cover - runs in a forked child
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            conn.send(("error", RuntimeError(repr(exc))))
    finally:
        conn.close()


def _child(fn: Callable[..., Any], args: tuple[Any, ...], conn: Any) -> None:
    _become_worker()  # pragma: no cover - runs in a forked child
    _run(fn, args, conn)  # pragma: no cover


def _warm_child(warm: Callable[[], None], conn: Any) -> None:  # pragma: no cover - forked
    _become_worker()
    try:
        warm()
    except Exception:  # noqa: BLE001,S110 - only a head start: the task itself will fail loudly
        pass
    try:
        task = conn.recv()
    except (EOFError, KeyboardInterrupt):
        return
    if task is not None:
        fn, args = task
        _run(fn, args, conn)


def _become_worker() -> None:  # pragma: no cover - runs in a forked child
    """Set up a forked worker: the usual signal handlers, its own process group, no parent's jobs.

    A worker forked by the run leads a process group of its own, which the processes it forks
    in turn join, so that :func:`stop_workers` kills it and them at once. The handlers are the
    usual ones again (it was forked while :func:`_fork` deferred signals), and the parent's
    bookkeeping (its idle and live workers) is not the worker's.
    """
    global _IN_WORKER
    if not _IN_WORKER:
        try:
            os.setpgid(0, 0)
        except OSError:  # the parent set it first, or the system refuses: killed one by one
            pass
    _IN_WORKER = True
    _WARM.clear()
    _LIVE.clear()
    import multiprocessing

    # daemonic, so that a run that dies never waits for it; multiprocessing then refuses it
    # children, whose only effect is that check here (its own are killed with its group)
    multiprocessing.current_process().daemon = False
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def report_workers() -> int:
    """Return the number of report workers: ``EVENTSTUDY_REPORT_WORKERS`` (default 2).

    At most the CPU count; 0 without ``fork`` or when set to 0 (all drawn in this process).
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    try:
        n = int(os.environ.get("EVENTSTUDY_REPORT_WORKERS", "2"))
    except ValueError:
        n = 2
    return max(0, min(n, os.cpu_count() or 1))


def _forking_allowed() -> bool:
    return report_workers() > 0


def _fork(target: Callable[..., None], *args: Any) -> Any:
    """Start ``target(*args)`` in a forked process; SIGINT and SIGTERM wait until it is started.

    A signal whose handler ran during the fork ran it inside an at-fork hook (logging's), where
    Python ignores the handler's exception (the CLI's SIGTERM handler raises
    KeyboardInterrupt), and an interrupted run went on to exit 0. During the fork the handlers
    only record the signal; it is raised again once the fork is done, and the new process is
    stopped. (Blocking the signal is not enough: another thread, BLAS's or Arrow's, may take it
    and the main thread then runs the handler at its next instruction, in the hook.)
    """
    import multiprocessing
    import threading

    proc = multiprocessing.get_context("fork").Process(target=target, args=args, daemon=True)
    pending: list[int] = []
    deferred: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():  # handlers live there only
        for sig in _SIGNALS:
            deferred[sig] = signal.signal(sig, lambda signum, frame: pending.append(signum))
    try:
        proc.start()
        _LIVE.append(proc)
        if not _IN_WORKER and proc.pid is not None:  # its own group (set here too: whichever
            try:  # of the two runs first, no race)
                os.setpgid(proc.pid, proc.pid)
            except OSError:  # already set by the child, or refused: killed one by one
                pass
    finally:
        try:
            for sig, handler in deferred.items():
                signal.signal(sig, handler)
            if pending:
                signal.raise_signal(pending[0])  # the run's own handler, now: it raises
        except BaseException:
            if proc.pid is not None:
                stop_workers([proc])
            raise
    return proc


def prewarm(n: int, warm: Callable[[], None]) -> None:
    """Fork ``n`` workers now that run ``warm()`` (imports) and then wait for one task each.

    :func:`background` gives its tasks to these workers first: a command-line run starts them
    before the fit, so matplotlib is imported on the idle core while the main process computes.
    :func:`release` stops those no task was given to.
    """
    if not _forking_allowed():
        return
    import multiprocessing

    for _ in range(n):
        parent, child = multiprocessing.get_context("fork").Pipe()
        try:
            proc = _fork(_warm_child, warm, child)
        finally:
            child.close()
        _WARM.append((proc, parent))


def release() -> None:
    """Stop the idle workers of :func:`prewarm`."""
    idle = list(_WARM)
    _WARM.clear()
    stop_workers([proc for proc, _ in idle])
    for _, conn in idle:
        conn.close()


def background(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` in a forked process; None where fork is unavailable or disabled.

    An idle worker of :func:`prewarm` takes the task when there is one (``fn`` and ``args``
    pickled to it), else a new process is forked.
    """
    if not _forking_allowed():
        return None
    while _WARM:
        proc, conn = _WARM.pop(0)
        try:
            conn.send((fn, args))
            return proc, conn
        except Exception:  # noqa: BLE001 - a task that does not pickle, a dead worker: fork
            stop_workers([proc])
            conn.close()
    import multiprocessing

    recv, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    try:
        proc = _fork(_child, fn, args, send)
    finally:
        send.close()
    return proc, recv


def join(job: Any, what: str) -> Any:
    """Wait for a :func:`background` job; return its value, or raise its exception here."""
    proc, recv = job
    try:
        status, value = recv.recv()
    except EOFError:
        status, value = "error", ReportError(f"writing {what} failed: the worker died")
    stop_workers([proc])  # done (or dead) by now: joined, and no longer live
    if status != "ok":
        raise value
    return value


def stop_workers(procs: list[Any]) -> None:
    """Kill forked report workers (each with its process group) and wait for them.

    Nothing then writes into a folder being removed: the processes a worker forked itself (the
    second chart worker) are in its process group and killed with it.

    Called when a run is interrupted (Ctrl-C, SIGTERM): a worker that went on writing into the
    temporary report folder while it was deleted left the folder behind.
    """
    for proc in procs:
        if proc.is_alive():  # not reaped: its pid (and group) cannot belong to anyone else
            try:
                if os.getpgid(proc.pid) != proc.pid:
                    raise ProcessLookupError  # not a group leader: this process alone
                os.killpg(proc.pid, signal.SIGKILL)  # the worker and what it forked
            except OSError:
                proc.kill()
    for proc in procs:
        proc.join()
        if proc in _LIVE:
            _LIVE.remove(proc)


def stop_all() -> None:
    """Stop every worker this process forked and has not joined, idle or busy.

    An interrupt can arrive after a worker took its task and before the caller recorded the job
    (or during the fork): the report writer calls this before removing its temporary folder.
    """
    release()
    stop_workers(list(_LIVE))
