"""Write a results object to a report folder: CSV tables, summary.md, report.pdf, resolved config.

The folder is written next to its final place and moved in at the end, so a failed or interrupted run
never leaves a half-written report nor damages the previous one.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from eventstudy.reporting.summary import headline_table, settings_table

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = ["write_report", "REPORT_FILES"]

REPORT_FILES = (
    "ar.csv", "car.csv", "caar.csv", "tests.csv", "diagnostics.csv", "summary.md", "report.pdf",
    "config.resolved.yaml",
)


def _markdown(frame: pd.DataFrame, index: bool = True) -> str:
    from tabulate import tabulate

    return tabulate(frame, headers="keys", tablefmt="github", showindex=index)


def _summary_md(res: EventStudyResults) -> str:
    md = res.metadata
    lines = [f"# {md.get('title') or md.get('study', 'Event study')}", ""]
    if md.get("description"):
        lines += [str(md["description"]), ""]
    lines += ["## What ran", ""]
    lines += [f"- **{k}:** {v}" for k, v in settings_table(res)]
    lines += ["", "## Headline: CAAR by group and window", "",
              _markdown(headline_table(res)), "",
              "CAAR in percent; cross-sectional t test: *** p<0.01, ** p<0.05, * p<0.10. "
              "Full tables: `caar.csv`, `car.csv`, `ar.csv` (decimals).", ""]
    frame = res.to_frame()
    day0 = frame[frame["tau"] == 0].sort_values("ar")
    if len(day0):
        show = pd.concat([day0.head(5), day0.tail(5)]).drop_duplicates()
        show = show[["event_id", "ticker", "group", "date", "ret", "ar", "t", "p_value"]]
        show = show.assign(ret=(show["ret"] * 100).round(2), ar=(show["ar"] * 100).round(2),
                           t=show["t"].round(2), p_value=show["p_value"].round(4))
        lines += ["## Largest and smallest day-0 abnormal returns (%)", "",
                  _markdown(show, index=False), ""]
    if len(res.dropped):
        lines += ["## Skipped security-events", "", _markdown(res.dropped, index=False), ""]
    lines += ["## Data", "",
              f"Prices: {md.get('source', 'user-supplied')}, vintage {md.get('vintage', 'n/a')}, "
              f"adjusted for splits and dividends: {str(md.get('adjusted', 'n/a')).lower()}. "
              f"Returns: {md.get('returns', 'simple')}.", ""]
    for note in md.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"


def _diagnostics(res: EventStudyResults) -> pd.DataFrame:
    rows = [("skipped", r.event_id, r.ticker, r.reason) for r in res.dropped.itertuples()]
    rows += [("shifted", r.event_id, "", f"{r.date} is not a session; day 0 = {r.anchored_date}")
             for r in res.shifted.itertuples()]
    rows += [("note", "", "", n) for n in res.metadata.get("notes", [])]
    return pd.DataFrame(rows, columns=["kind", "event_id", "ticker", "message"])


def _text_page(res: EventStudyResults):  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(8.27, 11.69))
    md = res.metadata
    fig.text(0.06, 0.96, md.get("title") or md.get("study", "Event study"), fontsize=15,
             weight="bold", va="top", wrap=True)
    y = 0.92
    for k, v in settings_table(res):
        fig.text(0.06, y, f"{k}:", fontsize=9, weight="bold", va="top")
        fig.text(0.30, y, str(v), fontsize=9, va="top", wrap=True)
        y -= 0.025
    y -= 0.02
    fig.text(0.06, y, "Headline: CAAR by group and event window (percent)", fontsize=11,
             weight="bold", va="top")
    table = headline_table(res).reset_index()
    ax = fig.add_axes((0.06, max(0.05, y - 0.04 - 0.03 * (len(table) + 1)), 0.88,
                       0.03 * (len(table) + 1)))
    ax.axis("off")
    tb = ax.table(cellText=table.to_numpy(), colLabels=list(table.columns), loc="upper center",
                  cellLoc="center")
    tb.auto_set_font_size(False)
    tb.set_fontsize(8)
    fig.text(0.06, 0.03, "Cross-sectional t test: *** p<0.01, ** p<0.05, * p<0.10.  "
             f"Prices: {md.get('source', 'user-supplied')}, vintage {md.get('vintage', 'n/a')}, "
             f"adjusted: {str(md.get('adjusted', 'n/a')).lower()}.", fontsize=7, color="0.3")
    return fig


def _resolved_config(res: EventStudyResults) -> str:
    cfg = res.metadata.get("config")
    if cfg is not None:
        return str(cfg.to_yaml())
    import yaml

    study = res.study
    return yaml.safe_dump({
        "study": res.metadata.get("study", "api"),
        "estimation_window": list(study.estimation_window),
        "event_windows": [list(w) for w in study.event_windows],
        "model": study.model.name,
        "min_estimation_obs": study.min_estimation_obs,
        "gap": study.gap,
        "non_trading_day": study.non_trading_day,
        "groups": {g: list(m) for g, m in study.groups.items()},
    }, sort_keys=False)


def _write_pdf(res: EventStudyResults, path: Path) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    md = res.metadata
    footer = (f"{md.get('study', '')} | data: {md.get('source', 'user-supplied')}, vintage "
              f"{md.get('vintage', 'n/a')}, adjusted: {str(md.get('adjusted', 'n/a')).lower()}")
    with PdfPages(path, metadata={
        "Title": str(md.get("title") or md.get("study", "Event study")),
        "Subject": f"Event study {md.get('study', '')}",
        "Creator": "eventstudy",
        "CreationDate": dt.datetime.now(dt.timezone.utc),
    }) as pdf:
        for make in (lambda: _text_page(res), res.plot_caar, res.plot_ar, res.plot_car):
            fig = make()
            fig.text(0.99, 0.005, footer, fontsize=6, color="0.4", ha="right", va="bottom")
            pdf.savefig(fig)
            plt.close(fig)


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
        The report folder, holding ar.csv, car.csv, caar.csv, tests.csv, diagnostics.csv,
        summary.md, report.pdf and config.resolved.yaml.

    Notes
    -----
    Tables are decimals with full precision (byte-identical across runs on the same input).
    """
    out = Path(output_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        res.to_frame().to_csv(tmp / "ar.csv", index=False)
        res.car_table().to_csv(tmp / "car.csv", index=False)
        res.caar_table().to_csv(tmp / "caar.csv", index=False)
        res.tests.to_csv(tmp / "tests.csv", index=False)
        _diagnostics(res).to_csv(tmp / "diagnostics.csv", index=False)
        (tmp / "summary.md").write_text(_summary_md(res), encoding="utf-8")
        (tmp / "config.resolved.yaml").write_text(_resolved_config(res), encoding="utf-8")
        _write_pdf(res, tmp / "report.pdf")
        os.chmod(tmp, 0o755)
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
