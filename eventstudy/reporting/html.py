"""HTML views of a results object: the notebook display and the self-contained summary.html.

summary.html needs no network and no other file: styles are inline and the charts, when given, are
embedded as base64 PNG.
"""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING

from eventstudy.reporting.markdown import data_statement
from eventstudy.reporting.summary import Section, format_frame, summary_sections

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = ["summary_html", "repr_html"]

_CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:1100px;
margin:2em auto;color:#222;padding:0 1em}
table.es{border-collapse:collapse;margin:.5em 0 1em;font-size:13px}
table.es th,table.es td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right}
table.es th{border-bottom:2px solid #444;background:#f6f6f6}
table.es td:first-child,table.es th:first-child{text-align:left}
p.note{color:#555;font-size:12px}
figure{margin:1em 0} figure img{max-width:100%} figcaption{font-size:12px;color:#555}
"""


def _table(sec: Section) -> str:
    if sec.key == "settings":
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                       f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
                       for k, v in sec.table.itertuples(index=False))
        return f"<table class='es'>{rows}</table>"
    return format_frame(sec.table).to_html(index=False, escape=True, classes="es", border=0,
                                           na_rep="n/a")


def _sections(sections: list[Section], level: int = 2) -> str:
    parts = []
    for sec in sections:
        parts.append(f"<h{level}>{html.escape(sec.title)}</h{level}>")
        parts.append(_table(sec))
        if sec.note:
            parts.append(f"<p class='note'>{html.escape(sec.note)}</p>")
    return "\n".join(parts)


def repr_html(res: EventStudyResults) -> str:
    """Return the notebook display: settings, headline table and claim verdicts (HTML fragment)."""
    md = res.provenance
    title = html.escape(str(md.title or md.study))
    keep = [s for s in summary_sections(res) if s.key in ("settings", "headline", "claims")]
    return (f"<div><h3>Event study: {title}</h3>{_sections(keep, level=4)}"
            f"<p class='note'>{html.escape(data_statement(res))}</p></div>")


def summary_html(res: EventStudyResults, images: dict[str, bytes] | None = None) -> str:
    """Return summary.html: the tables of summary.md in one self-contained page.

    Parameters
    ----------
    res : EventStudyResults
    images : dict of str to bytes, optional
        Caption -> PNG bytes of charts to embed after the tables.
    """
    md = res.provenance
    title = html.escape(str(md.title or md.study))
    body = [f"<h1>{title}</h1>"]
    if md.description:
        body.append(f"<p>{html.escape(str(md.description))}</p>")
    body.append(_sections(summary_sections(res)))
    body.append(f"<h2>Data</h2><p>{html.escape(data_statement(res))}</p>")
    notes = "".join(f"<li>{html.escape(str(n))}</li>" for n in md.notes)
    if notes:
        body.append(f"<ul>{notes}</ul>")
    for caption, png in (images or {}).items():
        b64 = base64.b64encode(png).decode("ascii")
        body.append(f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{b64}'>"
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
