"""Write a results object to a report folder.

Tables (CSV, Parquet, Excel, LaTeX), summaries (Markdown, HTML), the PDF report and its charts, the
resolved config and a manifest. The folder is written next to its final place and moved in at the
end, so a failed or interrupted run never leaves a half-written report nor damages the previous one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy._paths import check_replaceable_report
from eventstudy.exceptions import ReportError
from eventstudy.reporting.summary import claims_table, diagnostics_table, headline_table

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = ["write_report", "report_tables", "sources_table", "check_output_folder", "REPORT_FILES",
           "OPTIONAL_REPORT_FILES"]

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
                         "figures/index_contributions.png")
"""Files written only when the study has claims (claims) or market values (the index lens)."""


def sources_table(res: EventStudyResults) -> pd.DataFrame:
    """Return which source and vintage served each price series.

    Issue 3: outputs say so per ticker.

    Returns
    -------
    pandas.DataFrame
        Columns ticker, source (with the repository or request behind it), vintage (the bundle's
        build vintage, or the fetch date of a download), adjusted; one row per series, market
        included (:attr:`Provenance.series`). Empty when the study was built from returns given in
        memory.
    """
    return res.provenance.series.reset_index(drop=True)


def report_tables(res: EventStudyResults) -> dict[str, pd.DataFrame]:
    """Return the report's tables by name, decimals at full precision.

    ar (one row per security-event and session), car (per security-event and window), caar (per
    group and window), tests (per group, window and test), diagnostics (skipped, shifted, data
    quality, notes), sources (which source and vintage served each ticker), claims when the
    study has claims, and with market values market_value (each index member's weight, return,
    contribution and dollar change) and index_contributions (the index move by group).
    """
    tables = {
        "ar": res.to_frame(), "car": res.car_table(), "caar": res.caar_table(),
        "tests": res.tests.reset_index(drop=True), "diagnostics": diagnostics_table(res),
        "sources": sources_table(res),
    }
    claims = claims_table(res)
    if claims is not None:
        tables["claims"] = claims
    if res.market_values is not None:
        tables["market_value"] = res.market_value_table()
        tables["index_contributions"] = res.index_contributions()
    return tables


def check_output_folder(folder: str | Path) -> None:
    """Check that a report can be created at ``folder``: no file stands where a folder must be.

    Parameters
    ----------
    folder : str or pathlib.Path
        The report folder (``DIR/<study>``); it and its parents may not exist yet.

    Raises
    ------
    ReportError
        When ``folder``'s parent, or one of its ancestors, is a file (``-o notes.txt``), naming it.
    """
    parent = Path(folder).parent
    for p in (parent, *parent.parents):
        if p.exists():
            if not p.is_dir():
                raise ReportError(f"{p} is a file, not a folder: the report goes to "
                                  f"{Path(folder)}/; give a folder as the output folder "
                                  "(--output-dir DIR)")
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


def _write_excel(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Write one sheet per table; decimals stay numbers, NaN becomes an empty cell.

    openpyxl's write-only mode, row by row: 3x as fast as ``DataFrame.to_excel`` on the AR table.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, frame in tables.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append([str(c) for c in frame.columns])
        for row in frame.astype(object).itertuples(index=False, name=None):
            ws.append([None if v is None or (isinstance(v, float) and v != v) else
                       v.item() if hasattr(v, "item") else v for v in row])
    wb.save(path)


def write_report(res: EventStudyResults, output_dir: str | Path) -> Path:
    """Write the report folder atomically.

    Parameters
    ----------
    res : EventStudyResults
    output_dir : str or pathlib.Path
        Final folder, e.g. ``reports/deepseek_2025``. Its parent is created if needed.

    Returns
    -------
    pathlib.Path
        The report folder, holding :data:`REPORT_FILES` (and claims.csv when the study has claims).

    Notes
    -----
    CSV and Parquet tables are decimals with full precision (the CSVs are byte-identical across runs
    on the same input); charts show percent. manifest.json records versions, the input-data hash,
    the config, timings and the SHA-256 of every other file.
    """
    from eventstudy.reporting.html import summary_html
    from eventstudy.reporting.latex import latex_tables
    from eventstudy.reporting.manifest import build_manifest
    from eventstudy.reporting.markdown import summary_markdown
    from eventstudy.reporting.pdf import write_pdf

    out = Path(output_dir)
    check_output_folder(out)
    check_replaceable_report(out)  # never delete a folder that is not an earlier report
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    timings: dict[str, float] = {}
    old: Path | None = None  # the previous report, moved aside during the final swap

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        value = fn()
        timings[stage] = time.perf_counter() - t0
        return value

    try:
        for sub in ("figures", "parquet", "latex"):
            (tmp / sub).mkdir()
        tables = timed("tables", lambda: report_tables(res))
        headline = headline_table(res)

        def write_tables() -> None:
            for name, frame in tables.items():
                frame.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
                frame.to_parquet(tmp / "parquet" / f"{name}.parquet", index=False)

        timed("csv_parquet", write_tables)
        timed("excel", lambda: _write_excel({"headline": headline.reset_index(), **tables},
                                            tmp / "tables.xlsx"))
        for name, text in timed("latex", lambda: latex_tables(res)).items():
            (tmp / "latex" / name).write_text(text, encoding="utf-8")
        (tmp / "summary.md").write_text(timed("markdown", lambda: summary_markdown(res)),
                                        encoding="utf-8")
        config_yaml = _resolved_config(res)
        (tmp / "config.resolved.yaml").write_text(config_yaml, encoding="utf-8")
        figures = timed("pdf_and_figures",
                        lambda: write_pdf(res, tmp / "report.pdf", tmp / "figures"))
        images = {p.stem: p.read_bytes() for p in figures if p.suffix == ".png"}
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
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not out.exists():
            old.rename(out)  # the swap failed half-way (a concurrent run, Ctrl-C): put it back
        raise
    return out
