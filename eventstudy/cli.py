"""The ``eventstudy`` command: ``run``, ``validate``.

A thin layer over the library: each command parses its options, calls one library entry point,
writes files and exits 0 (ok), 1 (a failure such as bad data or config) or 2 (usage).
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from eventstudy import __version__
from eventstudy.exceptions import EventStudyError


def _plain_help(cls: Any) -> Any:
    """Help without typer's ``<bool>`` type on flags (``--help`` included) and ``{ARG}`` braces."""

    class Plain(cls):  # type: ignore[misc,valid-type]
        def get_help_option(self, ctx: Any) -> Any:
            opt = super().get_help_option(ctx)
            if opt is not None:
                opt.metavar = ""
            return opt

        def collect_usage_pieces(self, ctx: Any) -> list[str]:
            return [p[1:-1] if p.startswith("{") and p.endswith("}") else p
                    for p in super().collect_usage_pieces(ctx)]

    return Plain


_Command = _plain_help(TyperCommand)
_Group = _plain_help(TyperGroup)
FLAG = ""  # metavar of an on/off flag: no value to show

app = typer.Typer(
    cls=_Group,
    name="eventstudy",
    help=("Market-reaction event studies: abnormal returns, CARs and their tests, "
          "from a YAML study."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"eventstudy {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, metavar=FLAG,
                     help="Show the version and exit."),
    ] = False,
) -> None:
    """Market-reaction event studies from a YAML study file."""


def _fail(exc: BaseException, debug: bool) -> NoReturn:
    if debug:
        raise exc
    if isinstance(exc, EventStudyError | ImportError):
        typer.echo(f"error: {exc}", err=True)
    elif isinstance(exc, OSError) and exc.strerror:  # permissions, disk full, read-only folder
        typer.echo(f"error: {exc.filename or 'file system'}: {exc.strerror}", err=True)
    else:  # not a user mistake: one line still, and the way to the traceback
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc} (a bug in eventstudy: rerun "
                   "with --debug for the traceback and report it)", err=True)
    raise typer.Exit(code=1)


def _report_warnings(caught: list[warnings.WarningMessage], limit: int = 8) -> None:
    msgs = list(dict.fromkeys(str(w.message) for w in caught))
    for m in msgs[:limit]:
        typer.echo(f"warning: {m}", err=True)
    if len(msgs) > limit:
        typer.echo(f"warning: ... and {len(msgs) - limit} more (see diagnostics.csv)", err=True)


ConfigArg = Annotated[
    Path, typer.Argument(metavar="STUDY.yaml", help="Study YAML file, e.g. "
                         "configs/deepseek_2025.yaml.", show_default=False)
]
DebugOpt = Annotated[bool, typer.Option("--debug", metavar=FLAG,
                                        help="Show the full traceback on errors.")]


@app.command(cls=_Command,
             epilog="Example: eventstudy run configs/deepseek_2025.yaml --output-dir reports "
                    "--offline")
def run(
    config: ConfigArg,
    output_dir: Annotated[
        Path,
        typer.Option("--output-dir", "-o", metavar="DIR",
                     help="Parent folder of the report; it goes to DIR/<study>/."),
    ] = Path("reports"),
    offline: Annotated[
        bool,
        typer.Option("--offline", metavar=FLAG, help="Never download: use the cache and the "
                     "bundled data only; fail with the list of what is missing."),
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", metavar=FLAG, help="Download every ticker again with yfinance "
                     "(ignores the cache and the bundle) and update the cache."),
    ] = False,
    formats: Annotated[
        list[str] | None,
        typer.Option("--formats", metavar="LIST", help="Outputs to write, comma-separated: csv, "
                     "parquet, xlsx, latex, md, html, pdf (default: all); given twice, both "
                     "lists."),
    ] = None,
    no_figures: Annotated[
        bool,
        typer.Option("--no-figures", metavar=FLAG, help="Skip the standalone charts (figures/); "
                     "the PDF keeps its chart pages."),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Run a study and write its report to DIR/<study>/ (tables, summary.md, report.pdf)."""
    from tabulate import tabulate

    from eventstudy.pipeline import StudyRun, run_study
    from eventstudy.reporting.labels import label_ids
    from eventstudy.reporting.summary import headline_display, headline_note, plural

    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from eventstudy.exceptions import ReportError
    from eventstudy.reporting.export import FORMATS, parse_formats

    try:  # each value given must name a format ('' is a mistake, not "all")
        named = [parse_formats(text) for text in (formats if formats is not None else [None])]
        wanted = tuple(f for f in FORMATS if any(f in n for n in named))
    except ReportError as exc:  # a usage error: exit 2, like any bad option
        raise typer.BadParameter(str(exc).removeprefix("--formats: "),
                                 param_hint="--formats") from None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run = run_study(config, output_dir, offline=offline, refresh=refresh,
                            formats=wanted, figures=not no_figures)
    except Exception as exc:  # noqa: BLE001 - _fail shows one line (the traceback with --debug)
        _fail(exc, debug)
    except KeyboardInterrupt:
        typer.echo("interrupted: earlier reports are left as they were", err=True)
        raise typer.Exit(code=130) from None
    _report_warnings([w for w in caught if not issubclass(w.category, DeprecationWarning)])
    if not isinstance(run, StudyRun):  # backend: chunked or dask, tables only
        typer.echo(f"\n{run.results.nobs} security-events fitted, {len(run.results.dropped)} "
                   f"skipped ({run.results.backend}, {run.results.n_chunks} chunks)\n")
        typer.echo(tabulate(run.results.tests, headers="keys", tablefmt="simple",
                            showindex=False))
        typer.echo(f"Tables (Parquet): {run.folder}")
        return
    cfg, res, out = run.config, run.results, run.report
    typer.echo(f"\n{res.provenance.title or cfg.study}")
    claims = res.claim_results
    assert claims is not None  # fit() always attaches the evaluation of the claims
    if len(claims):  # group ids as the report prints them ("S&P 500 members", not "sp500")
        typer.echo(f"\nClaims (verdicts first; numbers in claims.csv)\n"
                   f"{label_ids(claims.text(), res)}\n")
    typer.echo(f"{plural(len(res.events), 'security-event')} fitted, {len(res.dropped)} skipped; "
               f"data: {res.provenance.source} (vintage {res.provenance.vintage})\n")
    # labels and one header per column (events reported apart: an event column, never tuples)
    typer.echo(tabulate(headline_display(res), headers="keys", tablefmt="simple",
                        showindex=False))
    typer.echo("\n" + headline_note(res))
    typer.echo(f"Report: {out / 'report.pdf' if (out / 'report.pdf').exists() else out}")


@app.command(cls=_Command, epilog="Example: eventstudy validate configs/deepseek_2025.yaml")
def validate(config: ConfigArg, debug: DebugOpt = False) -> None:
    """Check a study file without fetching data: keys, windows, events, tickers."""
    from eventstudy.pipeline import validate_study
    from eventstudy.reporting.summary import plural

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            checked = validate_study(config)
    except Exception as exc:  # noqa: BLE001 - _fail shows one line (the traceback with --debug)
        _fail(exc, debug)
    _report_warnings([w for w in caught if not issubclass(w.category, DeprecationWarning)])
    cfg, n_events, tickers, groups = (checked.config, checked.n_events, checked.tickers,
                                      checked.groups)
    typer.echo(f"{config}: ok: study {cfg.study}, {plural(n_events, 'event')}, "
               f"{plural(len(tickers), 'security')} in {plural(len(groups), 'group')}, "
               f"model {cfg.model}"
               + (f", {plural(len(cfg.claims), 'claim')}: {', '.join(c.id for c in cfg.claims)}"
                  if cfg.claims else ""))


@app.command(cls=_Command,
             epilog="Example: eventstudy fetch configs/deepseek_2025.yaml, then run it --offline")
def fetch(
    config: ConfigArg,
    offline: Annotated[
        bool, typer.Option("--offline", metavar=FLAG,
                           help="Check that everything is local; download nothing."),
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", metavar=FLAG,
                           help="Download every ticker again and update the cache."),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Load (and cache) a study's prices and screen them, without fitting anything."""
    from tabulate import tabulate

    from eventstudy.pipeline import fetch_study
    from eventstudy.reporting.summary import plural

    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cfg, inputs = fetch_study(config, offline=offline, refresh=refresh)
    except Exception as exc:  # noqa: BLE001 - _fail shows one line (the traceback with --debug)
        _fail(exc, debug)
    _report_warnings([w for w in caught if not issubclass(w.category, DeprecationWarning)])
    md = inputs.provenance
    assert md.price_range is not None  # load_study_inputs always sets it
    lo, hi = md.price_range
    typer.echo(f"{cfg.study}: {plural(inputs.returns.shape[1], 'security')} and {md.market}, "
               f"{lo}..{hi}, calendar {md.calendar}; data: {md.source} "
               f"(vintage {md.vintage}, adjusted: {str(md.adjusted).lower()})")
    for note in md.notes:
        typer.echo(f"  {note}")
    q = md.quality
    if len(q):
        typer.echo(tabulate(q.assign(date=q["date"].dt.date), headers="keys", tablefmt="simple",
                            showindex=False))
    else:
        typer.echo("quality screen: no findings")


def _numbers(text: str, what: str, cast: Any = float) -> list[Any]:
    """Parse '0,0.5,1' (or '0 0.5 1') into numbers, or raise BadParameter naming the option."""
    try:
        return [cast(x) for x in text.replace(",", " ").split()]
    except ValueError:
        raise typer.BadParameter(f"{what}: expected numbers separated by commas, got {text!r}")\
            from None


@app.command(cls=_Command,
             epilog="Example: eventstudy power configs/deepseek_2025.yaml --ar 0,0.5,1,2 "
                    "--n-events 10,20,50 --reps 1000 --offline")
def power(
    config: ConfigArg,
    ar: Annotated[str, typer.Option("--ar", metavar="PCT,...",
                                    help="Abnormal returns added on day 0, in percent.")
                  ] = "0,0.5,1,2",
    n_events: Annotated[str, typer.Option("--n-events", metavar="N,...",
                                          help="Sample sizes (placebo security-events).")
                        ] = "10,20,50",
    reps: Annotated[int, typer.Option("--reps", metavar="R",
                                      help="Placebo samples per sample size.")] = 1000,
    tests: Annotated[str | None, typer.Option("--tests", metavar="TEST,...",
                                              help="Tests (default: the study's).")] = None,
    window: Annotated[str | None, typer.Option(
        "--window", metavar="T1,T2",
        help="Tau window of the tests (default: the study's first window holding day 0).")
    ] = None,
    variance: Annotated[str, typer.Option(
        "--variance-multiple", metavar="V,...",
        help="Event-induced variance: day-0 variance times V (1 = none).")] = "1",
    dates: Annotated[str, typer.Option(
        "--dates", metavar="random|common",
        help="Placebo day 0 per security-event, or one date per sample (clustered).")
    ] = "random",
    history_start: Annotated[str | None, typer.Option(
        "--history-start", metavar="DATE",
        help="First date of the return history placebo events are drawn from (default: 2 "
             "years before the first event).")] = None,
    alpha: Annotated[float, typer.Option("--alpha", metavar="A", help="Test level.")] = 0.05,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Random seed.")] = 0,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", metavar="DIR",
                           help="Parent folder; writes DIR/<study>/power/.")] = Path("reports"),
    offline: Annotated[bool, typer.Option("--offline", metavar=FLAG,
                                          help="Never download: cache and bundled data only.")
                       ] = False,
    debug: DebugOpt = False,
) -> None:
    """Simulate the size and power of the study's tests on placebo events from its own data."""
    from eventstudy.pipeline import power_study

    ars = [x / 100.0 for x in _numbers(ar, "--ar")]
    sizes = _numbers(n_events, "--n-events", int)
    vms = _numbers(variance, "--variance-multiple")
    win = None
    if window is not None:
        w = _numbers(window, "--window", int)
        if len(w) != 2:
            raise typer.BadParameter(f"--window: expected T1,T2, got {window!r}")
        win = (w[0], w[1])
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res, csv, png, note = power_study(
                config, output_dir, offline=offline, history_start=history_start,
                ar_sizes=ars, n_events=sizes, reps=reps,
                tests=None if tests is None else _numbers(tests, "--tests", str),
                window=win, variance_multiple=vms, alpha=alpha, seed=seed, dates=dates)
    except Exception as exc:  # noqa: BLE001 - _fail shows one line (the traceback with --debug)
        _fail(exc, debug)
    _report_warnings([w for w in caught if not issubclass(w.category, DeprecationWarning)])
    if note:
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"{res.finding()}\n({res.reps:,} placebo samples per size from "
               f"{res.candidates:,} candidate security-days, tests at {100 * res.alpha:g}%, "
               f"window {list(res.window)}, seed {res.seed})")
    typer.echo(f"Power: {csv}\nChart: {png}")


cache_app = typer.Typer(cls=_Group, help="The download cache of yfinance prices (Parquet files).",
                        no_args_is_help=True)
app.add_typer(cache_app, name="cache")
CacheDirOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", metavar="DIR",
                 help="Cache folder (default: $EVENTSTUDY_CACHE_DIR, else the "
                 "user cache folder, e.g. ~/.cache/eventstudy)."),
]


@cache_app.command("info", cls=_Command, epilog="Example: eventstudy cache info")
def cache_info(cache_dir: CacheDirOpt = None) -> None:
    """List the cached series: symbol, adjustment, rows, dates, fetched ranges and time."""
    from tabulate import tabulate

    from eventstudy.data.cache import PriceCache
    from eventstudy.data.cache import cache_dir as default_dir

    cache = PriceCache(cache_dir if cache_dir is not None else default_dir())
    table = cache.entries()
    typer.echo(f"cache: {cache.root} ({len(table)} series, "
               f"{int(table['bytes'].sum()) if len(table) else 0} bytes)")
    if len(table):
        typer.echo(tabulate(table.drop(columns=["file"]), headers="keys", tablefmt="simple",
                            showindex=False))


@cache_app.command("clear", cls=_Command, epilog="Example: eventstudy cache clear NVDA ^GSPC")
def cache_clear(
    symbols: Annotated[
        list[str] | None,
        typer.Argument(help="Symbols to remove (default: every cached series).",
                       show_default=False),
    ] = None,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Delete cached prices (all, or the given symbols); the next run downloads them again."""
    from eventstudy.data.cache import PriceCache
    from eventstudy.data.cache import cache_dir as default_dir
    from eventstudy.data.symbols import normalize_ticker

    cache = PriceCache(cache_dir if cache_dir is not None else default_dir())
    try:
        wanted = [normalize_ticker(t) for t in symbols] if symbols else None
    except Exception as exc:  # noqa: BLE001 - a bad symbol is one line, exit 1
        _fail(exc, False)
    n = cache.clear(wanted)
    typer.echo(f"removed {n} cached series from {cache.root}")


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds like Ctrl-C: temporary report folders are removed


def main() -> None:
    """Entry point of the console script."""
    import signal

    signal.signal(signal.SIGTERM, _terminated)  # kill, CI timeouts: same clean exit as Ctrl-C
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        _exit_interrupted()
    except SystemExit as exc:
        if exc.code == 130:  # the run's own "interrupted" exit
            _exit_interrupted()
        raise


def console() -> None:
    """Entry point of the ``eventstudy`` console script and ``python -m eventstudy``.

    :func:`main`, then, once a command has succeeded, the process ends at once
    (:func:`_exit_done`). :func:`main` itself ends by raising SystemExit as usual, so that code
    calling it in its own process (a notebook, a test) goes on.
    """
    try:
        main()
    except SystemExit as exc:
        if exc.code in (0, None):
            _exit_done()
        raise
    _exit_done()


def _exit_done() -> None:  # pragma: no cover - ends the process
    """Exit 0 at once, skipping the interpreter's teardown; for the console script only.

    Every file is written and closed and every worker joined by then; what is left is freeing
    the results, the price panel and the modules one object at a time (0.2 s of a 3.8 s run).
    Logging is flushed first. Not when a thread of the caller's is still running (a normal exit
    would wait for it).
    """
    import threading

    if any(t is not threading.main_thread() and t.is_alive() and not t.daemon
           for t in threading.enumerate()):
        return
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _exit_interrupted() -> None:  # pragma: no cover - ends the process
    """Exit with status 130 at once (the earlier reports are already restored).

    A KeyboardInterrupt raised while a Cython module ran Python code in its import (scipy's,
    imported on first use) leaves CPython's "unhandled KeyboardInterrupt" flag set, and the
    interpreter then ends by killing itself with SIGINT (status -2), after the run had already
    handled the interrupt and cleaned up.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)
