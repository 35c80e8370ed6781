"""Write a results object to a report folder.

Tables (CSV, Parquet, Excel, LaTeX), summaries (Markdown, HTML), the PDF report and its charts, the
resolved config and a manifest. The folder is written next to its final place and moved in at the
end, so a failed or interrupted run never leaves a half-written report nor damages the previous one.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy._paths import check_replaceable_report
from eventstudy.exceptions import ReportError
from eventstudy.reporting.summary import claims_table, diagnostics_table
from eventstudy.reporting.workers import background, join, stop_all

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = ["write_report", "report_tables", "sources_table", "check_output_folder", "REPORT_FILES",
           "OPTIONAL_REPORT_FILES", "FORMATS", "parse_formats", "excel_headline"]

TABLES = ("ar", "car", "caar", "tests", "diagnostics", "sources")
CHART_NAMES = ("caar_paths", "car_small_multiples", "ar_event_day", "ar_heatmap",
               "ar_distribution", "normalized_prices")
REPORT_FILES = (
    *(f"{t}.csv" for t in TABLES),
    "summary.md", "summary.html", "report.pdf", "tables.xlsx", "config.resolved.yaml",
    "manifest.json",
    *(f"parquet/{t}.parquet" for t in TABLES),
    "latex/headline.tex", "latex/caar.tex", "latex/tests.tex",
    *(f"figures/{c}.{ext}" for c in CHART_NAMES for ext in ("pdf", "png")),
)
"""Files every report holds (paths relative to the report folder)."""
OPTIONAL_REPORT_FILES = ("claims.csv", "parquet/claims.parquet", "market_value.csv",
                         "parquet/market_value.parquet", "index_contributions.csv",
                         "parquet/index_contributions.parquet", "figures/index_contributions.pdf",
                         "figures/index_contributions.png", "abnormal_volume.csv",
                         "parquet/abnormal_volume.parquet", "abnormal_volatility.csv",
                         "parquet/abnormal_volatility.parquet", "markets.csv",
                         "parquet/markets.parquet", "figures/markets.pdf", "figures/markets.png")
"""Files written only when the study has claims (claims), market values (the index lens), asks
for abnormal volume or volatility, or has securities on more than one exchange (markets)."""


FORMATS = ("csv", "parquet", "xlsx", "latex", "md", "html", "pdf")
"""Output formats of a report (``--formats``); config.resolved.yaml and manifest.json always."""


def parse_formats(text: str | None) -> tuple[str, ...]:
    """Return the formats named in ``text`` ("pdf,csv"; None or "all": every format).

    Parameters
    ----------
    text : str or None
        Comma-separated format names (aliases excel, markdown, tex), "all", or None (the option
        not given: every format).

    Returns
    -------
    tuple of str
        The formats named, in the order of :data:`FORMATS`.

    Raises
    ------
    ReportError
        For a name not in :data:`FORMATS`, naming it and the choices; for a blank ``text`` (``''``,
        ``' '``, ``','``), which names no format: a mistake, never read as every format.
    """
    if text is None or text.strip().lower() == "all":
        return FORMATS
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    if not names:
        raise ReportError(f"--formats: {text!r} names no format (choose from "
                          f"{', '.join(FORMATS)} or all; leave --formats out for all)")
    aliases = {"excel": "xlsx", "markdown": "md", "tex": "latex"}
    names = [aliases.get(n, n) for n in names]
    bad = [n for n in names if n not in FORMATS]
    if bad:
        raise ReportError(f"--formats: unknown format {', '.join(bad)} (choose from "
                          f"{', '.join(FORMATS)} or all)")
    return tuple(n for n in FORMATS if n in names)


def sources_table(res: EventStudyResults) -> pd.DataFrame:
    """Return which source and vintage served each price series.

    Issue 3: outputs say so per ticker.

    Returns
    -------
    pandas.DataFrame
        Columns ticker, source (with the repository or request behind it), vintage (the bundle's
        build vintage, or the fetch date of a download), adjusted; one row per series, market
        and ``context:`` series included (:attr:`Provenance.series`). Empty when the study was
        built from returns given in memory.
    """
    return res.provenance.series.reset_index(drop=True)


def report_tables(res: EventStudyResults) -> dict[str, pd.DataFrame]:
    """Return the report's tables by name, decimals at full precision.

    ar (one row per security-event and session), car (per security-event and window), caar (per
    group and window: the headline, :meth:`EventStudyResults.headline`, so its test, statistic
    and p-value are those of the report's stars, the test named in a column), tests (per group,
    window and test), diagnostics (skipped, shifted, data quality, notes), sources (which source
    and vintage served each ticker), claims when the study has claims, and with market values
    market_value (each index member's weight, return, contribution and dollar change) and
    index_contributions (the index move by group).
    """
    tables = {
        "ar": res.to_frame(), "car": res.car_table(), "caar": res.headline(),
        "tests": res.tests.reset_index(drop=True), "diagnostics": diagnostics_table(res),
        "sources": sources_table(res),
    }
    claims = claims_table(res)
    if claims is not None:
        tables["claims"] = claims
    if res.market_values is not None:
        tables["market_value"] = res.market_value_table()
        tables["index_contributions"] = res.index_contributions()
    from eventstudy.reporting.markets import market_table

    markets = market_table(res)  # securities on more than one exchange
    if markets is not None:
        tables["markets"] = markets
    tables.update(res.tables)  # abnormal_volume, abnormal_volatility (eventstudy.reactions)
    return tables


def _markets_markdown(res: EventStudyResults, chart: bool) -> str:
    """Return summary.md's answer by market ('' with one market); ``chart``: figures/ written."""
    from eventstudy.reporting.markets import market_summary

    answer = market_summary(res)
    if answer is None:
        return ""
    return ("\n## Did the shock travel, and when?\n\n" + answer + " Each security is measured "
            "on its own exchange's sessions against its own benchmark, in its own currency; "
            "CAAR by market in `markets.csv`"
            + (", chart `figures/markets.pdf` and `.png`" if chart else "") + ".\n")


def check_output_folder(folder: str | Path) -> None:
    """Check that a report can be created at ``folder``: no file stands where a folder must be.

    Parameters
    ----------
    folder : str or pathlib.Path
        The report folder (``DIR/<study>``); it and its parents may not exist yet.

    Raises
    ------
    ReportError
        When ``folder``'s parent, or one of its ancestors, is a file (``-o notes.txt``), or the
        nearest existing one is a folder this user cannot write in, naming it.
    """
    parent = Path(folder).parent
    for p in (parent, *parent.parents):
        if p.exists():
            if not p.is_dir():
                raise ReportError(f"{p} is a file, not a folder: the report goes to "
                                  f"{Path(folder)}/; give a folder as the output folder "
                                  "(--output-dir DIR)")
            if not os.access(p, os.W_OK | os.X_OK):
                raise ReportError(f"cannot write the report {Path(folder)}: {p} is not writable "
                                  "by this user; give another output folder (--output-dir DIR)")
            return


def _resolved_config(res: EventStudyResults) -> str:
    if res.provenance.config_yaml is not None:
        return res.provenance.config_yaml
    import yaml

    spec = res.spec
    return yaml.safe_dump({
        "study": res.provenance.study,
        "estimation_window": list(spec.estimation_window),
        "event_windows": [list(w) for w in spec.event_windows],
        "model": spec.model.name,
        "min_estimation_obs": spec.min_estimation_obs,
        "gap": spec.gap,
        "non_trading_day": spec.non_trading_day,
        "groups": {g: list(m) for g, m in spec.groups.items()},
    }, sort_keys=False)


def excel_headline(res: EventStudyResults) -> pd.DataFrame:
    """Return the headline as numbers: group, label, n, window, CAAR (decimal), stars, p, test.

    tables.xlsx's ``headline`` sheet: the CAAR is a number (shown as a percentage), its stars
    are in their own column.
    """
    from eventstudy.reporting.labels import group_labels
    from eventstudy.reporting.summary import stars, window_label

    h = res.headline()
    labels = group_labels(res)
    out = pd.DataFrame({
        "group": h["group"], "label": [labels.get(g, g) for g in h["group"]],
        "n": h["n"], "window": [window_label(int(a), int(b)) for a, b in
                                zip(h["tau_start"], h["tau_end"], strict=True)],
        "tau_start": h["tau_start"], "tau_end": h["tau_end"], "caar": h["caar"],
        "stars": [stars(float(p)) for p in h["p_value"]], "p_value": h["p_value"],
        "test": h["test"]})
    if "event_id" in h and h["event_id"].nunique() > 1:
        out.insert(0, "event_id", h["event_id"].to_numpy())
    return out


def _write_excel(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Write tables.xlsx: one sheet per table (:func:`eventstudy.reporting.excel.write_workbook`).

    Run in a forked worker by :func:`write_report` (tests replace it to fail or stall there).
    """
    from eventstudy.reporting.excel import write_workbook

    write_workbook(tables, path)


def write_report(res: EventStudyResults, output_dir: str | Path, *,
                 formats: tuple[str, ...] | list[str] | None = None,
                 figures: bool = True) -> Path:
    """Write the report folder atomically.

    Parameters
    ----------
    res : EventStudyResults
    output_dir : str or pathlib.Path
        Final folder, e.g. ``reports/deepseek_2025``. Its parent is created if needed.
    formats : sequence of str, optional
        Outputs to write, from :data:`FORMATS` (default: all). config.resolved.yaml and
        manifest.json are always written.
    figures : bool, default True
        Write the standalone charts (``figures/``); summary.html then embeds none.

    Returns
    -------
    pathlib.Path
        The report folder, holding :data:`REPORT_FILES` (and claims.csv when the study has claims)
        when every format is asked for.

    Notes
    -----
    CSV and Parquet tables are decimals with full precision (the CSVs are byte-identical across runs
    on the same input); charts show percent. manifest.json records versions, the input-data hash,
    the config, timings and the SHA-256 of every other file.
    """
    from eventstudy.reporting import pdf
    from eventstudy.reporting.html import summary_html
    from eventstudy.reporting.latex import latex_tables
    from eventstudy.reporting.manifest import build_manifest
    from eventstudy.reporting.markdown import summary_markdown

    out = Path(output_dir)
    check_output_folder(out)
    check_replaceable_report(out)  # never delete a folder that is not an earlier report
    out.parent.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    old: Path | None = None  # the previous report, moved aside during the final swap
    excel = None  # the forked writer of tables.xlsx
    charts: pdf.PdfJob | None = None  # the report PDF, its charts drawn by forked workers

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        value = fn()
        timings[stage] = time.perf_counter() - t0
        return value

    want = set(FORMATS if formats is None else formats)
    # named before it is made, so an interrupt right after the mkdir still knows what to remove
    tmp = out.parent / f".{out.name}.{secrets.token_hex(6)}"
    try:
        try:
            tmp.mkdir(mode=0o700)
        except OSError as exc:  # a folder the system refuses (/sys, a read-only mount)
            raise ReportError(f"cannot write the report {out}: {out.parent} refuses a new "
                              f"folder ({exc.strerror or exc}); give another output folder "
                              "(--output-dir DIR)") from None
        for sub, fmt in (("figures", "pdf"), ("parquet", "parquet"), ("latex", "latex")):
            if fmt in want and (sub != "figures" or figures):
                (tmp / sub).mkdir()
        # the charts first: their workers draw while this process writes the tables
        if "pdf" in want:
            charts = pdf.start_pdf(res, tmp / "report.pdf", tmp / "figures" if figures else None)
        elif "html" in want and figures:  # the charts of summary.html, without the report
            (tmp / "figures").mkdir()
            charts = pdf.start_pdf(res, tmp / ".charts.pdf", tmp / "figures")
        started = time.perf_counter()
        tables = timed("tables", lambda: report_tables(res))

        def write_tables() -> None:
            for name, frame in tables.items():
                if "csv" in want:
                    frame.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
                if "parquet" in want:
                    frame.to_parquet(tmp / "parquet" / f"{name}.parquet", index=False)

        timed("csv_parquet", write_tables)
        if "xlsx" in want:  # in a forked process, beside the PDF
            sheets = {"headline": excel_headline(res), **tables}
            excel = background(_write_excel, sheets, tmp / "tables.xlsx")
            if excel is None:
                timed("excel", lambda: _write_excel(sheets, tmp / "tables.xlsx"))
        if "latex" in want:
            for name, text in timed("latex", lambda: latex_tables(res)).items():
                (tmp / "latex" / name).write_text(text, encoding="utf-8")
        if "md" in want:
            (tmp / "summary.md").write_text(
                timed("markdown", lambda: summary_markdown(res)
                      + _markets_markdown(res, charts is not None and figures)),
                encoding="utf-8")
        config_yaml = _resolved_config(res)
        (tmp / "config.resolved.yaml").write_text(config_yaml, encoding="utf-8")
        written: list[Path] = []
        if charts is not None:  # the wait for the charts, and the text pages
            written = timed("pdf_and_figures" if "pdf" in want else "figures",
                            charts.finish) or []
            # from the workers' start: the charts were drawn beside the stages above
            timings["charts_from_start"] = time.perf_counter() - started
            if "pdf" not in want:
                (tmp / ".charts.pdf").unlink()
        if excel is not None:
            timed("excel", lambda: join(excel, "tables.xlsx"))  # the wait for it
        if "html" in want:
            images = {p.stem: p.read_bytes() for p in written if p.suffix == ".png"}
            (tmp / "summary.html").write_text(timed("html", lambda: summary_html(res, images)),
                                              encoding="utf-8")
        manifest = build_manifest(res, config_yaml=config_yaml, folder=tmp, timings=timings)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n",
                                           encoding="utf-8")
        os.chmod(tmp, 0o755)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        # every worker (tables.xlsx, the charts, one an interrupt caught between its fork and
        # its job's record) is stopped before the folder it writes into is removed
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not out.exists():
            old.rename(out)  # the swap failed half-way (a concurrent run, Ctrl-C): put it back
        raise
    return out
