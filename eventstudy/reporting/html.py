"""HTML views of a results object: the notebook display and the self-contained summary.html.

summary.html needs no network and no other file: styles and a few lines of script are inline and
every chart is embedded as a base64 PNG (``data:`` URI). Verdicts are coloured (blue supported,
vermillion not supported, grey inconclusive: colour-blind safe, and the word is always written),
each with its reason; text is left-aligned, numbers right-aligned; returns show as percentages
with the full decimal on hover (``title``); a click on a column header sorts the table.
"""

from __future__ import annotations

import base64
import html
import math
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.reporting.markdown import data_statement
from eventstudy.reporting.summary import (
    Section,
    answer_event,
    answer_tables,
    caar_band,
    format_number,
    summary_sections,
    verdict_reasons,
)

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = ["summary_html", "repr_html", "CHART_CAPTIONS"]

_CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:1150px;
margin:2em auto;color:#222;padding:0 1em;line-height:1.4}
table.es{border-collapse:collapse;margin:.5em 0 1em;font-size:13px}
table.es th,table.es td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;
vertical-align:top}
table.es td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.es th{border-bottom:2px solid #444;background:#f6f6f6;cursor:pointer;user-select:none}
table.es th.sorted-asc::after{content:' \\25B2'} table.es th.sorted-desc::after{content:' \\25BC'}
p.note{color:#555;font-size:12px}
.verdict{font-weight:bold;padding:1px 6px;border-radius:3px;color:#fff;white-space:nowrap}
.v-supported{background:#0072B2} .v-not-supported{background:#D55E00}
.v-inconclusive{background:#777}
figure{margin:1.5em 0} figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:12px;color:#555}
"""

# Sorting: numbers by their data-v value, text otherwise; errors land in data-errors for tests.
_JS = """
window.addEventListener('error',function(e){var b=document.body;
b.dataset.errors=(b.dataset.errors||'')+e.message+';';});
document.querySelectorAll('table.es').forEach(function(t){
t.querySelectorAll('thead th').forEach(function(th,i){th.addEventListener('click',function(){
var asc=!th.classList.contains('sorted-asc');
t.querySelectorAll('th').forEach(function(h){h.classList.remove('sorted-asc','sorted-desc');});
th.classList.add(asc?'sorted-asc':'sorted-desc');var tb=t.tBodies[0];
var rows=Array.prototype.slice.call(tb.rows);rows.sort(function(a,b){
var x=a.cells[i],y=b.cells[i];if(!x||!y)return 0;var u=x.dataset.v,v=y.dataset.v;
var r=(u!==undefined&&v!==undefined)?(parseFloat(u)-parseFloat(v)):
x.textContent.localeCompare(y.textContent);return asc?r:-r;});
rows.forEach(function(r){tb.appendChild(r);});});});});
window.addEventListener('load',function(){var imgs=document.querySelectorAll('figure img');
var ok=Array.prototype.every.call(imgs,function(i){return i.complete&&i.naturalWidth>0;});
document.body.dataset.charts=String(imgs.length);document.body.dataset.ok=ok?'1':'0';});
"""

CHART_CAPTIONS = {
    "index_contributions": "What moved the index on day 0: contributions of groups and of the "
                           "largest members (percentage points)",
    "caar_paths": "CAAR paths by group; a pointwise 90% band for the groups the headline test "
                  "finds significant at 10%",  # the band's kind: _caption, the chart's rule
    "car_small_multiples": "CAR and cumulative raw return of each named security",
    "ar_event_day": "Day-0 abnormal and raw returns of the named securities",
    "ar_heatmap": "Abnormal returns by security and event day",
    "ar_distribution": "Distribution of day-0 abnormal returns across the universe",
    "normalized_prices": "Prices indexed to the pre-event close (day -1 = 100)",
    "markets": "Did the shock travel, and when? CAAR by market, each on its own sessions",
}
"""Chart file name (figures/<name>.png) -> caption in summary.html, in page order."""

_NUMBER_TEXT = re.compile(r"^[+\-\u2212]?\$?[\d,]+(\.\d+)?(%| pp| bn)?( \*{1,3})?$")
# decimal columns shown as percentages (hover: the decimal)
_PCT = {"ret", "ar", "car", "caar", "aar", "normal_ret", "bhar", "weight", "contribution"}
# count columns: whole numbers even when a frame holds them as floats
_COUNTS = {"N", "n", "n_group", "nobs", "tau", "tau_start", "tau_end", "sessions", "rank"}


def _cell(value: object, column: str) -> str:
    if isinstance(value, bool) or value is None:
        return f"<td>{html.escape(format_number(value))}</td>"
    if isinstance(value, (int, np.integer)) or (
            isinstance(value, (float, np.floating)) and column in _COUNTS
            and math.isfinite(float(value)) and float(value).is_integer()):
        n = int(value)  # a count: "1", never "1.0000" nor a hover of "10.0"
        return f"<td class='num' data-v='{n}' title='{n}'>{n}</td>"
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        try:
            v = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return f"<td>{html.escape(str(value))}</td>"
        if not math.isfinite(v):
            return "<td class='num' data-v='-1e308'>n/a</td>"
        shown = f"{v * 100:+.2f}%" if column in _PCT else format_number(v)
        return f"<td class='num' data-v='{v!r}' title='{v!r}'>{html.escape(shown)}</td>"
    text = str(value)
    if column == "verdict":
        cls = "v-" + text.replace(" ", "-")
        return f"<td><span class='verdict {html.escape(cls)}'>{html.escape(text)}</span></td>"
    if _NUMBER_TEXT.match(text):  # "-1.46%", "-1.15 pp", "-$592.7 bn", "6,101.24"
        return f"<td class='num'>{html.escape(text)}</td>"
    return f"<td>{html.escape(text)}</td>"


def _frame(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(_cell(v, str(c)) for c, v in zip(frame.columns, row,
                                                                        strict=True)) + "</tr>"
                   for row in frame.astype(object).itertuples(index=False, name=None))
    return f"<table class='es'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _headline(res: EventStudyResults, table: pd.DataFrame) -> str:
    """Return the headline table: text cells as printed, the decimal CAAR and p-value on hover."""
    from eventstudy.reporting.summary import headline_table, window_label

    h = res.headline()
    hover: dict[tuple[str, str, str], tuple[float, float]] = {}
    for e, g, t1, t2, caar, p in zip(h["event_id"], h["group"], h["tau_start"], h["tau_end"],
                                     h["caar"], h["p_value"], strict=True):
        hover.setdefault((str(e), str(g), window_label(int(t1), int(t2))), (float(caar), float(p)))
    ids = headline_table(res).reset_index()  # the rows of ``table``, with ids
    single = "event_id" not in ids
    unit = str(h["event_id"].iloc[0]) if len(h) else ""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    rows = []
    for i, row in enumerate(table.astype(object).itertuples(index=False, name=None)):
        cells = []
        group = str(ids["group"].iloc[i])
        event = unit if single else str(ids["event_id"].iloc[i])
        for c, v in zip(table.columns, row, strict=True):
            key = (event, group, str(c))
            if c == "group":
                cells.append(f"<td title='{html.escape(group)}'>{html.escape(str(v))}</td>")
            elif key in hover:
                caar, p = hover[key]
                cells.append(f"<td class='num' data-v='{caar!r}' title='CAAR {caar!r}, "
                             f"p = {p:.4g} ({res.headline_test})'>{html.escape(str(v))}</td>")
            else:
                cells.append(_cell(v, str(c)))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table class='es'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table>")


def _table(sec: Section, res: EventStudyResults | None = None) -> str:
    if sec.key == "settings":
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                       f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
                       for k, v in sec.table.itertuples(index=False))
        return f"<table class='es'>{rows}</table>"
    if sec.key == "headline" and res is not None:
        return _headline(res, sec.table)
    return _frame(sec.table)


def _sections(sections: list[Section], level: int = 2,
              res: EventStudyResults | None = None) -> str:
    parts = []
    for sec in sections:
        parts.append(f"<h{level}>{html.escape(sec.title)}</h{level}>")
        parts.append(_table(sec, res))
        note = sec.html_note or sec.note  # the note of what this page shows
        if note:
            parts.append(f"<p class='note'>{html.escape(note)}</p>")
    return "\n".join(parts)


def _verdicts(res: EventStudyResults, level: int = 2) -> str:
    reasons = verdict_reasons(res)
    if reasons is None:
        return ""
    frame = reasons.assign(claim=[c if t == "claim" else "" for c, t in
                                  zip(reasons["claim"], reasons["test"], strict=True)])
    return (f"<h{level}>Claims and verdicts, each with its reason</h{level}>"
            + _frame(frame.drop(columns=["claim_id"])))


def repr_html(res: EventStudyResults) -> str:
    """Return the notebook display: verdicts with reasons, settings, headline (HTML fragment)."""
    md = res.provenance
    title = html.escape(str(md.title or md.study))
    keep = [s for s in summary_sections(res) if s.key in ("settings", "headline")]
    verdicts = _verdicts(res, level=4)
    if not verdicts:
        keep = [s for s in summary_sections(res) if s.key in ("settings", "headline", "claims")]
    return (f"<div><style>{_CSS.replace('body{', '.es-root{')}</style>"
            f"<h3>Event study: {title}</h3>{verdicts}{_sections(keep, level=4, res=res)}"
            f"<p class='note'>{html.escape(data_statement(res))}</p></div>")


def _caption(name: str, res: EventStudyResults) -> str:
    """Return chart ``name``'s caption; the CAAR chart's band as its subtitle says it."""
    if name == "caar_paths":  # widened as Kolari-Pynnonen or not: the chart's rule (caar_band)
        return ("CAAR paths by group; " + caar_band(res)
                + ", for the groups the headline test finds significant at 10%")
    return CHART_CAPTIONS.get(name, name.replace("_", " "))


def _figure(name: str, png: bytes, res: EventStudyResults) -> str:
    caption = _caption(name, res)
    b64 = base64.b64encode(png).decode("ascii")
    return (f"<figure id='fig-{html.escape(name)}'><img alt='{html.escape(caption)}' "
            f"src='data:image/png;base64,{b64}'><figcaption>{html.escape(caption)} "
            f"(figures/{html.escape(name)}.png and .pdf)</figcaption></figure>")


def summary_html(res: EventStudyResults, images: dict[str, bytes] | None = None) -> str:
    """Return summary.html: verdicts, headline, the answer tables and every chart in one page.

    Parameters
    ----------
    res : EventStudyResults
    images : dict of str to bytes, optional
        Chart name (``figures/<name>.png``) -> PNG bytes, embedded in :data:`CHART_CAPTIONS`
        order after the section each belongs to.
    """
    md = res.provenance
    images = dict(images or {})
    title = html.escape(str(md.title or md.study))
    body = [f"<h1>{title}</h1>"]
    if md.description:
        body.append(f"<p>{html.escape(str(md.description))}</p>")
    sections = summary_sections(res)
    verdicts = _verdicts(res)
    if verdicts:
        body.append(verdicts)
        sections = [s for s in sections if s.key != "claims"]
    head = [s for s in sections if s.key in ("claims", "headline")]
    body.append(_sections(head, res=res))
    answer = answer_tables(res)
    if answer:
        body.append("<h2>The answer in numbers: the market-value lens</h2>")
        which = answer_event(res)  # several events: the tables are the first event's
        titles = {"index": "Contributions to the cap-weighted index move on day 0",
                  "members": "Largest single contributors on day 0",
                  "context": f"Context on day 0{which}",
                  "recovery": f"Recovery: sessions until the day -1 close was regained{which}"}
        for key, name in titles.items():
            if key in answer:
                body.append(f"<h3>{name}</h3>{_frame(answer[key])}")
                note = answer.get(f"{key}_note")  # index: the reconstruction; recovery: bases
                if note is not None:
                    body.append(f"<p class='note'>{html.escape(str(note['note'].iloc[0]))}</p>")
    body.append("<h2>Charts</h2>")
    for name in [*CHART_CAPTIONS, *[n for n in images if n not in CHART_CAPTIONS]]:
        if name in images:
            body.append(_figure(name, images[name], res))
    rest = [s for s in sections if s.key not in ("claims", "headline")]
    body.append(_sections(rest, res=res))
    body.append(f"<h2>Data</h2><p>{html.escape(data_statement(res))}</p>")
    notes = "".join(f"<li>{html.escape(str(n))}</li>" for n in md.notes)
    if notes:
        body.append(f"<ul>{notes}</ul>")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body) + f"\n<script>{_JS}</script>\n</body></html>\n")
