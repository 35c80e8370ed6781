"""The report's text pages (summary, answer, reactions, tests, diagnostics) and page furniture.

The text pages are typeset with ReportLab on A4 landscape, in the DejaVu Sans that matplotlib
ships and draws the charts in, embedded as TrueType subsets. matplotlib drew them before: about
2.4 ms per string in matplotlib 3.11 (text layout and glyph tracking), 3.3 s for the five pages of
the DeepSeek report; ReportLab takes about 0.1 s for the same strings. Each page is laid out top to
bottom in inches from the top edge (:class:`TextPage`); tables wrap their widest column by the
measured width of the text, so no cell is cut.

The page order (:func:`page_plan`) lives here too: the summary page lists it, and the PDF writer
(:mod:`eventstudy.reporting.pdf`) follows it.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy.reporting.labels import event_date_text
from eventstudy.reporting.layout import MARGIN, PAGE_SIZE
from eventstudy.reporting.markdown import data_statement
from eventstudy.reporting.markets import several_markets
from eventstudy.reporting.summary import (
    answer_event,
    answer_tables,
    claim_verdicts,
    format_frame,
    headline_display,
    headline_note,
    plural,
    quality_findings,
    reactions_note,
    reactions_table,
    settings_table,
    tests_note,
    tests_table,
    verdict_reasons,
    warnings_table,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from eventstudy.results import EventStudyResults

__all__ = ["CHART_PAGES", "PAGE_SIZE", "TEXT_PAGES", "TextPage", "page_plan", "render_text"]

# (file name in figures/, what the page shows); index_contributions only with market values,
# markets only for securities on several exchanges
CHART_PAGES: list[tuple[str, str]] = [
    ("index_contributions", "What moved the index on day 0: cap-weighted contributions of groups "
     "and of the largest members"),
    ("caar_paths", "CAAR paths per group over the widest event window, 90% band for the "
     "groups significant at 10%"),
    ("markets", "Did the shock travel, and when? CAAR by market in event time and average AR by "
     "calendar date"),
    ("car_small_multiples", "CAR and cumulative raw return of each named security, small "
     "multiples"),
    ("ar_event_day", "Day-0 abnormal and raw returns of the named securities, sorted, "
     "significance marked"),
    ("ar_heatmap", "Abnormal-return heatmap: securities by event day, groups separated"),
    ("ar_distribution", "Distribution of day-0 abnormal returns across the universe"),
    ("normalized_prices", "Prices of the groups and the market, day -1 close = 100"),
]
_REGULAR, _BOLD = "DejaVuSans", "DejaVuSans-Bold"
_ASCENT, _DESCENT = 0.76, 0.24  # DejaVu Sans, in em: the baseline sits _ASCENT below a line's top


@functools.cache
def _fonts() -> None:
    """Register matplotlib's DejaVu Sans (regular and bold) with ReportLab, once per process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    spec = importlib.util.find_spec("matplotlib")  # its font files, without importing it
    assert spec is not None and spec.origin is not None
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    for name in (_REGULAR, _BOLD):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))


def _width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, _BOLD if bold else _REGULAR, size))


def _grey(color: str) -> float:
    """Return the grey level of a matplotlib grey string ("0.35") or "black"."""
    return 0.0 if color == "black" else float(color)


def page_plan(res: EventStudyResults) -> list[tuple[str, str]]:
    """Return the report's pages in order: (kind or chart name, what the page shows).

    Summary (claim verdicts only when the study has claims); the answer (market-value lens,
    context, recovery) when the
    results can give it; the charts; trading volume and volatility when computed; test
    statistics; diagnostics. A text page too long for one page continues on the next ones,
    measured by laying it out (:func:`_sheets`).
    """
    out = []
    for kind, what in _pages(res):
        out.append((kind, what))
        if kind in TEXT_PAGES:
            out += [(kind, f"{what.split(':')[0]} (continued)")] * (_sheets(res, kind) - 1)
    return out


def chart_kinds(res: EventStudyResults) -> list[str]:
    """Return the charts of the report in page order, without laying out its text pages.

    What the chart workers need at once (:class:`eventstudy.reporting.pdf.PdfJob`): measuring
    the text pages (0.4 s) waits until the charts are being drawn.
    """
    return [kind for kind, _ in _pages(res) if kind not in TEXT_PAGES]


def _pages(res: EventStudyResults) -> list[tuple[str, str]]:
    """:func:`page_plan` before text pages are split over several sheets."""
    claims = claim_verdicts(res) is not None  # pages promise verdicts only when there are
    plan = [("summary", "Summary: " + ("claim verdicts with reasons, " if claims else "")
             + "headline table" + (", what ran" if _settings_first(res) else ""))]
    if res.market_values is not None or res.context is not None:
        plan.append(("answer", "The answer: index move, contributions, context, recovery"))
    for name, what in CHART_PAGES:
        if name == "index_contributions" and res.market_values is None:
            continue
        if name == "markets" and not several_markets(res):
            continue
        plan.append((name, f"{what} (figures/{name})"))
    if res.tables:
        plan.append(("reactions", "Trading volume and volatility by group and window"))
    plan += [("tests", "Test statistics by group and window"),
             ("diagnostics", ("" if _settings_first(res) else "What ran (settings); ")
              + "Diagnostics: data source, skipped security-events, shifted dates, data "
              "quality, warnings")]
    return plan


_SHEETS: dict[tuple[int, str], tuple[Any, int]] = {}


def _sheets(res: EventStudyResults, kind: str) -> int:
    """Return how many pages the text page ``kind`` takes, measured by drawing it once unseen.

    The same drawing code lays it out for the report (:func:`render_text`), so the count is the
    pages it will take; kept per results object (``res`` itself held, so its id is not reused).
    """
    import io

    key = (id(res), kind)
    if key in _SHEETS and _SHEETS[key][0] is res:
        return _SHEETS[key][1]
    canvas = _canvas(io.BytesIO())
    p = TextPage(canvas, res, 1, 1, measuring=True)
    TEXT_PAGES[kind](p, res)
    if len(_SHEETS) > 64:  # a long session fitting many studies: forget the oldest
        _SHEETS.pop(next(iter(_SHEETS)))
    _SHEETS[key] = (res, p.sheets)
    return p.sheets


def _settings_first(res: EventStudyResults) -> bool:
    """Whether "What ran" fits on page 1 (few verdict rows), else it opens the last page."""
    reasons = verdict_reasons(res)
    return reasons is None or len(reasons) <= 4


def title(res: EventStudyResults) -> str:
    """Return the report's title: the study's title, else its name."""
    return str(res.provenance.title or res.provenance.study)


def _numbered(res: EventStudyResults, kind: str, page: int | None,
              n_pages: int | None) -> tuple[int, int]:
    """Return (page, n_pages) of the page ``kind`` when not given (a page drawn alone)."""
    if page is not None and n_pages is not None:
        return page, n_pages
    plan = [k for k, _ in page_plan(res)]
    return plan.index(kind) + 1 if kind in plan else 1, len(plan)


class TextPage:
    """One A4 landscape page of ``canvas``, laid out top to bottom in inches from the top.

    Parameters
    ----------
    canvas : reportlab.pdfgen.canvas.Canvas
        The document; the page is finished by the caller (``canvas.showPage()``).
    res : EventStudyResults
        For the header (title) and the footer (study, data statement).
    page, n_pages : int
        The footer's "page N of M".

    Attributes
    ----------
    strings : list of str
        Every text and table cell drawn, in order (whitespace as given), for tests and search.
    """

    TOP = 0.45
    """Inches from the top edge where a page's body starts."""
    BOTTOM = 0.45
    """Inches above the bottom edge where the body ends (the footer is below)."""

    def __init__(self, canvas: Any, res: EventStudyResults, page: int, n_pages: int, *,
                 measuring: bool = False) -> None:
        self.canvas = canvas
        self.res, self.page, self.n_pages = res, page, n_pages
        self.measuring = measuring  # drawn unseen to count the pages (page_plan)
        self.w, self.h = PAGE_SIZE
        self.y = self.TOP
        self.left = MARGIN
        self.sheets = 1
        self.strings: list[str] = []
        self._furniture()

    def _furniture(self) -> None:
        for x, y, s, size, align in furniture(self.res, self.page, self.n_pages):
            self._line(x, y, s, size, align=align, grey=0.35)

    def next_page(self) -> None:
        """Finish this page and go on at the top of the next, with its header and footer."""
        self.canvas.showPage()
        self.page += 1
        self.sheets += 1
        self.y = self.TOP
        self._furniture()

    def keep(self, inches: float) -> None:
        """Go on to the next page unless ``inches`` fit above the footer.

        For a heading with its first lines, a label with its value; never from a page's top.
        """
        if inches > self.room() and self.y > self.TOP + 1e-9:
            self.next_page()

    def _line(self, x: float, top: float, s: str, size: float, *, bold: bool = False,
              grey: float = 0.0, align: str = "left") -> None:
        """Draw one line whose top is ``top`` inches below the page's top edge.

        Measuring (:func:`_sheets`), only the heights count: nothing is drawn.
        """
        self.strings.append(s)
        if self.measuring:
            return
        c = self.canvas
        c.setFillGray(grey)
        c.setFont(_BOLD if bold else _REGULAR, size)
        base = (self.h - top) * 72 - _ASCENT * size
        draw = {"left": c.drawString, "right": c.drawRightString,
                "center": c.drawCentredString}[align]
        draw(x * 72, base, s)

    def text(self, s: str, size: float = 9, bold: bool = False, color: str = "black",
             x: float | None = None, advance: bool = True) -> None:
        """Draw ``s`` at the current height; move below it (unless ``advance`` is False).

        Lines break at newlines, and by measured width at the right margin (:meth:`lines`).
        """
        x = self.left if x is None else x
        lines = self.lines(s, size, bold, x)
        if not advance:  # a label beside a value: the value's text() moves on
            for i, line in enumerate(lines):
                self._line(x, self.y + i * size * 1.2 / 72, line, size, bold=bold,
                           grey=_grey(color))
            return
        k = 0  # lines on this page
        for line in lines:  # a line that would reach the footer goes on the next page
            if (self.y + k * size * 1.2 / 72 + size / 72 > self.h - self.BOTTOM
                    and (k or self.y > self.TOP + 1e-9)):
                self.y += k * size * 1.45 / 72
                self.next_page()
                k = 0
            self._line(x, self.y + k * size * 1.2 / 72, line, size, bold=bold, grey=_grey(color))
            k += 1
        self.y += k * size * 1.45 / 72 + 0.04

    def lines(self, s: str, size: float, bold: bool = False, x: float | None = None
              ) -> list[str]:
        """Return ``s`` broken at its newlines and, by measured width, at the right margin."""
        from reportlab.lib.utils import simpleSplit

        room = (self.w - self.left - (self.left if x is None else x)) * 72
        return [part for line in s.split("\n")
                for part in (simpleSplit(line, _BOLD if bold else _REGULAR, size, room)
                             if _width(line, size, bold) > room else [line])]

    def height(self, s: str, size: float, bold: bool = False, x: float | None = None) -> float:
        """Return the inches :meth:`text` advances for ``s``."""
        return len(self.lines(s, size, bold, x)) * size * 1.45 / 72 + 0.04

    def room(self) -> float:
        """Inches left above the footer."""
        return self.h - self.BOTTOM - self.y

    def table(self, frame: pd.DataFrame, *, size: float = 8, max_rows: int | None = None,
              more: str = "", flow: bool = False) -> None:
        """Draw ``frame`` as a table; long cells wrap onto more lines (rows grow), never cut.

        Columns are as wide as their widest cell (bold header included) plus one character of
        padding each side; when they do not fit across the page, the widest ones wrap (cells and
        header) to one common width that fits, none narrower than its longest word or ten
        characters. A table starts on the next page unless its header and first row fit above
        the footer. Rows that do not fit are left out, with a "... N more rows" line saying where
        they are (``more``); with ``flow`` they go on the next pages instead, under the header
        again (``max_rows`` still caps them).
        """
        from reportlab.lib.utils import simpleSplit

        body = format_frame(frame).map(lambda v: " ".join(str(v).split()))
        header = [" ".join(str(c).split()) for c in body.columns]
        pad = size * 0.55 / 72  # one average character, inches
        columns = [[h, *body[c]] for h, c in zip(header, body.columns, strict=True)]
        widths = [max([_width(col[0], size, bold=True)] + [_width(v, size) for v in col[1:]]) / 72
                  + 2 * pad for col in columns]
        floors = [min(w, max(10 * pad, max(_width(word, size, bold=True) for v in col
                                            for word in v.split() or [""]) / 72 + 2 * pad))
                  for w, col in zip(widths, columns, strict=True)]
        avail = self.w - 2 * self.left
        if sum(widths) > avail:  # the widest columns wrap to one common width that fits
            lo, hi = 0.0, max(widths)
            for _ in range(40):  # bisection on that width; floors kept (else drawn too wide)
                mid = (lo + hi) / 2
                fits = sum(min(w, max(mid, f)) for w, f in zip(widths, floors, strict=True))
                lo, hi = (mid, hi) if fits <= avail else (lo, mid)
            widths = [min(w, max(lo, f)) for w, f in zip(widths, floors, strict=True)]
        # a cell wraps only when wider than its column (1e-9: the widest cell itself, rounded)
        wrapped = [[simpleSplit(v, _BOLD if r == 0 else _REGULAR, size, (w - 2 * pad) * 72) or [""]
                    if _width(v, size, bold=r == 0) / 72 > w - 2 * pad + 1e-9 else [v]
                    for r, v in enumerate(col)] for col, w in zip(columns, widths, strict=True)]
        head_lines = [col[0] for col in wrapped]
        cells = [[col[r] for col in wrapped] for r in range(1, len(body) + 1)]
        line_h = size * 1.25 / 72
        cell_pad = size * 0.65 / 72
        heights = [max(len(v) for v in row) * line_h + cell_pad if row else line_h + cell_pad
                   for row in cells]
        header_h = max([len(v) for v in head_lines] or [1]) * line_h + cell_pad
        cap = min(len(cells), max_rows or len(cells))  # rows shown at most
        start = 0
        while True:
            if start < cap:  # the header and one row at least, else on the next page
                self.keep(header_h + heights[start])
            room = self.room() - header_h
            rest = heights[start:cap]
            whole = sum(rest) <= room
            if not flow and (cap < len(cells) or not whole):
                room -= line_h + cell_pad  # the "... N more rows" line, only when rows are cut
            limit, used = 0, 0.0
            for h in rest:
                if used + h > room and limit:
                    break
                used += h
                limit += 1
            self._rows([(head_lines, header_h, True)]
                       + [(row, h, False) for row, h in zip(cells[start:start + limit],
                                                            rest[:limit], strict=True)], widths,
                       size)
            start += limit
            if not flow or start >= cap:
                break
            self.next_page()  # the rest of the table, under its header again
        extra = len(cells) - start
        if extra > 0:
            self.text(f"... {plural(extra, 'more row')} {more}".rstrip(), size=7, color="0.35")
        self.y += 0.08

    def _rows(self, rows: list[tuple[list[list[str]], float, bool]], widths: list[float],
              size: float) -> None:
        """Draw table rows (cell lines, height, header or not) from the current height down."""
        pad = size * 0.55 / 72
        line_h = size * 1.25 / 72
        c = self.canvas
        c.setLineWidth(0.4)
        c.setStrokeGray(0.75)
        top = self.y
        for row, h, head in rows:
            x = self.left
            for lines, w in zip(row, widths, strict=True):
                if not self.measuring:  # only the heights count when measuring
                    c.setFillGray(0.92)
                    c.rect(x * 72, (self.h - top - h) * 72, w * 72, h * 72, stroke=1,
                           fill=int(head))
                first = top + (h - len(lines) * line_h) / 2  # the lines centred in the cell
                for k, line in enumerate(lines):
                    line_top = first + k * line_h + (line_h - size / 72) / 2
                    if head:
                        self._line(x + w / 2, line_top, line, size, bold=True, align="center")
                    else:
                        self._line(x + pad, line_top, line, size)
                x += w
            top += h
        self.y = top + 0.08


def furniture(res: EventStudyResults, page: int, n_pages: int
              ) -> list[tuple[float, float, str, float, str]]:
    """Return the page's header and footer: (x, top, text, size, alignment), in inches.

    Positions from the page's top left corner. The title at the top left; the study and data
    statement at the bottom left; "page N of M" at the bottom right.
    """
    w, h = PAGE_SIZE
    md = res.provenance
    bottom = h - 0.01 * h - 7 / 72  # the footer's line (7 pt) ends 1% above the bottom edge
    return [(MARGIN, 0.015 * h, title(res), 8, "left"),  # at the body's margins
            (MARGIN, bottom, f"{md.study} | {data_statement(res)}", 7, "left"),
            (w - MARGIN, bottom, f"page {page} of {n_pages}", 7, "right")]


def _what_ran(p: TextPage, res: EventStudyResults, size: float = 14) -> None:
    p.keep(size * 1.45 / 72 + 0.3)  # the heading with its first setting
    p.text("What ran", size=size, bold=True)
    for k, v in settings_table(res):
        if k == "Study":
            continue
        p.keep(p.height(v, 8.5, x=p.left + 1.7))  # a label on the page of its value
        p.text(f"{k}:", size=8.5, bold=True, advance=False)
        p.text(v, size=8.5, x=p.left + 1.7)
    p.y += 0.1


def _summary_page(p: TextPage, res: EventStudyResults) -> None:
    """Draw the summary; in smaller type when that keeps it on fewer pages (:func:`_compact`)."""
    _draw_summary(p, res, _compact(res))


def _compact(res: EventStudyResults) -> bool:
    """Whether the summary takes fewer pages in smaller type (verdicts 6.3 pt, headline 8 pt).

    Decided once per results object: the page plan and the drawing both ask.
    """
    import io

    from eventstudy.reporting.summary import _once

    def sheets(compact: bool) -> int:
        p = TextPage(_canvas(io.BytesIO()), res, 1, 1, measuring=True)
        _draw_summary(p, res, compact)
        return p.sheets

    def decide() -> bool:
        normal = sheets(False)
        return normal > 1 and sheets(True) < normal

    return _once(res, "compact_summary", decide)


def _draw_summary(p: TextPage, res: EventStudyResults, compact: bool) -> None:
    p.text(title(res), size=16, bold=True)
    if res.provenance.description:
        p.text(str(res.provenance.description), size=9, color="0.2")
    verdicts = verdict_reasons(res)
    if verdicts is None:
        verdicts = claim_verdicts(res)
    if verdicts is not None:  # verdicts come first (issue 6): before settings and numbers
        p.y += 0.05
        p.text("Claims and verdicts, each with its reason", size=11, bold=True)
        if "claim" in verdicts:
            claims = [str(c) for c in verdicts["claim"]]  # whole: the table wraps it
            if "test" in verdicts:  # the claim once, on its own verdict's row
                claims = [c if t == "claim" else "" for c, t in zip(claims, verdicts["test"],
                                                                   strict=True)]
            verdicts = verdicts.assign(claim=claims)
        p.table(verdicts.drop(columns=["claim_id"]), size=6.3 if compact else 7,
                more="(numbers behind them: claims.csv)", flow=True)
    p.y += 0.1
    if _settings_first(res):
        _what_ran(p, res, size=11)
    headline = headline_display(res)
    note = f"{headline_note(res)} Decimal values and every test: caar.csv, tests.csv."
    size = 8 if compact else 9
    whole = 0.3 + (len(headline) + 1) * size * 1.9 / 72 + 0.16 + p.height(note, 7)  # about
    p.keep(min(whole, p.h - p.TOP - p.BOTTOM))  # heading, table and note on one page if they can
    p.text("Headline: CAAR by group and event window (percent)", size=11, bold=True)
    p.table(headline, size=size, flow=True)
    p.text(note, size=7 if compact else 7.5, color="0.3")
    if p.measuring:  # the list only where it fits whole, so it never adds a page to the plan
        return
    listed = "\n".join(f"{i}. {what}" for i, (_, what) in enumerate(page_plan(res), start=1))
    if p.room() > 1.6 and p.room() > 0.15 + p.height("Pages", 11, True) + p.height(listed, 8.5):
        p.y += 0.15
        p.text("Pages", size=11, bold=True)
        p.text(listed, size=8.5, color="0.2")


def _answer_page(p: TextPage, res: EventStudyResults) -> None:
    """Draw the answer page: what the index did, who moved it, context, recovery, why."""
    p.text("The answer in numbers: the market-value lens", size=14, bold=True)
    tables = answer_tables(res)
    if "index" in tables:
        p.text(f"Day 0 ({event_date_text(res)}): contributions to the cap-weighted index "
               f"move, w_i x r_i in percentage points. {tables['index_note']['note'].iloc[0]}",
               size=8, color="0.25")
        p.table(tables["index"], size=7.5)
    which = answer_event(res)  # several events: the tables are the first event's
    if "context" in tables:
        p.text(f"Context on day 0{which}", size=10, bold=True)
        p.table(tables["context"], size=7.5)
    if "recovery" in tables:
        p.text("Recovery inside the widest window: sessions until the day -1 close was "
               "regained, the deepest drawdown before that, and where each stood at the "
               f"window's last session{which}", size=10, bold=True)
        p.table(tables["recovery"], size=7.5)
        if "recovery_note" in tables:  # rows measured from another close, series left out
            p.text(tables["recovery_note"]["note"].iloc[0], size=8, color="0.25")


def _tests_page(p: TextPage, res: EventStudyResults) -> None:
    p.text("Test statistics by group and event window", size=14, bold=True)
    p.text(tests_note(res), size=8, color="0.3")
    p.y += 0.05
    p.table(tests_table(res), size=8, more="in tests.csv")


def _reactions_page(p: TextPage, res: EventStudyResults) -> None:
    p.text("Trading volume and volatility by group and event window", size=14, bold=True)
    p.text(reactions_note(res), size=8, color="0.3")
    p.y += 0.05
    table = reactions_table(res)
    if table is not None:  # up to 5 groups x 4 windows x 2 measures at this size
        p.table(table, size=6.3, more="in abnormal_volume.csv, abnormal_volatility.csv")


def _diagnostics_page(p: TextPage, res: EventStudyResults) -> None:
    if not _settings_first(res):
        _what_ran(p, res)
    p.text("Diagnostics", size=14, bold=True)
    p.text(data_statement(res), size=8.5)
    sources = res.provenance.sources
    if isinstance(sources, dict) and sources:
        counts = pd.Series(sources).value_counts()
        p.text("Series by source: " + "; ".join(f"{s}: {n}" for s, n in counts.items()),
               size=8, color="0.25")
    sections = [
        ("Skipped security-events", res.dropped, "no security-event was skipped"),
        ("Shifted event dates", res.shifted, "no event date was shifted"),
        ("Data quality", quality_findings(res), "no data-quality findings reported"),
    ]
    warned = warnings_table(res)
    if len(warned):
        sections.append(("Warnings", warned, ""))
    for heading, frame, empty in sections:
        p.y += 0.08
        p.text(f"{heading} ({len(frame)})", size=10.5, bold=True)
        if len(frame):
            p.table(frame, size=7.5, max_rows=12, more="in diagnostics.csv")
        else:
            p.text(empty, size=8.5, color="0.3")
    notes = res.provenance.notes
    if notes and p.room() > 0.6:
        p.y += 0.08
        p.text("Data notes", size=10.5, bold=True)
        for i, note in enumerate(notes):
            rest = len(notes) - i - 1  # the "... more" line must fit below the last shown note
            if p.height(f"- {note}", 8) + (0.2 if rest else 0.0) > p.room() and i:
                p.text(f"... {len(notes) - i} more in diagnostics.csv", size=7, color="0.35")
                break
            p.text(f"- {note}", size=8)


TEXT_PAGES: dict[str, Callable[[TextPage, Any], None]] = {
    "summary": _summary_page, "answer": _answer_page, "tests": _tests_page,
    "reactions": _reactions_page, "diagnostics": _diagnostics_page}


def _canvas(path: Any) -> Any:
    from reportlab.pdfgen.canvas import Canvas

    _fonts()
    w, h = PAGE_SIZE
    # the initial font is DejaVu: ReportLab's default Helvetica would be listed, not embedded
    return Canvas(path, pagesize=(w * 72, h * 72), initialFontName=_REGULAR, initialFontSize=9,
                  pageCompression=1, invariant=1)


def draw_page(res: EventStudyResults, kind: str, page: int | None = None,
              n_pages: int | None = None) -> TextPage:
    """Draw the text page ``kind`` alone (a PDF in memory); return it, its strings for reading.

    Raises
    ------
    KeyError
        When ``kind`` is not one of :data:`TEXT_PAGES`.
    """
    import io

    page, n_pages = _numbered(res, kind, page, n_pages)
    canvas = _canvas(io.BytesIO())
    p = TextPage(canvas, res, page, n_pages)
    TEXT_PAGES[kind](p, res)  # on as many pages as it takes (TextPage.next_page)
    canvas.showPage()
    canvas.save()
    return p


def render_text(res: EventStudyResults, plan: list[tuple[int, str]], path: Path) -> None:
    """Write one PDF page per entry of ``plan``: text pages, and chart pages' furniture alone.

    A chart page gets its header and footer on a transparent page, laid over the chart's page
    when the report is assembled.

    Parameters
    ----------
    res : EventStudyResults
    plan : list of (int, str)
        (page number, kind) for every page of the report, in order.
    path : pathlib.Path
        The PDF written (A4 landscape, DejaVu Sans embedded as TrueType subsets).
    """
    canvas = _canvas(str(path))
    i = 0
    while i < len(plan):
        page, kind = plan[i]
        run = 1  # a text page continued: one drawing fills its run of plan entries
        while kind in TEXT_PAGES and i + run < len(plan) and plan[i + run][1] == kind:
            run += 1
        p = TextPage(canvas, res, page, len(plan))
        if kind in TEXT_PAGES:
            TEXT_PAGES[kind](p, res)
        if p.sheets != run:  # page_plan measured by the same drawing: never, unless a bug
            raise RuntimeError(f"text page {kind!r} took {p.sheets} pages, planned {run}")
        canvas.showPage()
        i += run
    canvas.save()
