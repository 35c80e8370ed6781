"""The PDF report: A4 landscape pages, vector, fonts embedded, each chart also saved alone.

Pages (:func:`page_plan`): summary (verdicts with reasons, settings, headline table); the answer
(market-value lens, context, recovery, each test's verdict and reason); the charts of
:data:`CHARTS` (what moved the index, CAAR paths, small multiples of CAR and raw return, day-0 AR
and raw return, heatmap, distribution, prices indexed to day -1); test statistics; diagnostics.
Standalone figures (``figures/<chart>.pdf`` and ``.png``) are the same drawings without the page's
header and footer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy.reporting import plots
from eventstudy.reporting.labels import event_date_text, group_labels
from eventstudy.reporting.markdown import data_statement
from eventstudy.reporting.summary import (
    REACTIONS_NOTE,
    answer_tables,
    claim_verdicts,
    format_frame,
    headline_note,
    headline_table,
    plural,
    quality_table,
    reactions_table,
    settings_table,
    tests_note,
    tests_table,
    verdict_reasons,
    warnings_table,
    wrap,
)
from eventstudy.reporting.workers import stop_workers

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from eventstudy.results import EventStudyResults

__all__ = ["write_pdf", "CHARTS", "PAGE_SIZE", "RC", "page_plan"]

PAGE_SIZE = (11.69, 8.27)  # A4 landscape, inches
RC: dict[str, Any] = {"pdf.fonttype": 42, "ps.fonttype": 42, "font.size": 9, "axes.titlesize": 11,
      "axes.labelsize": 10, "xtick.labelsize": 8, "ytick.labelsize": 8, "legend.fontsize": 8,
      "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none",
      "text.parse_math": False}  # user text ("$NVDA and $AMD fell") printed as written, no TeX
PNG_DPI = 200  # print resolution of the standalone PNGs
# (file name in figures/, what the page shows, drawing function taking the results and a figure);
# index_contributions only when the results hold market values
CHARTS: list[tuple[str, str, Callable[[Any, Any], Any]]] = [
    ("index_contributions", "What moved the index on day 0: cap-weighted contributions of groups "
     "and of the largest members", lambda res, fig: plots.plot_index_contributions(
         res, ax=fig.add_subplot())),
    ("caar_paths", "CAAR paths per group over the widest event window, 95% band for the "
     "significant groups", lambda res, fig: plots.plot_caar(res, ax=fig.add_subplot())),
    ("car_small_multiples", "CAR and cumulative raw return of each named security, small "
     "multiples", lambda res, fig: plots.plot_car_grid(res, fig=fig)),
    ("ar_event_day", "Day-0 abnormal and raw returns of the named securities, sorted, "
     "significance marked", lambda res, fig: plots.plot_ar(res, ax=fig.add_subplot())),
    ("ar_heatmap", "Abnormal-return heatmap: securities by event day, groups separated",
     lambda res, fig: plots.plot_ar_heatmap(res, ax=fig.add_subplot())),
    ("ar_distribution", "Distribution of day-0 abnormal returns across the universe",
     lambda res, fig: plots.plot_ar_distribution(res, ax=fig.add_subplot())),
    ("normalized_prices", "Prices of the groups and the market, day -1 close = 100",
     lambda res, fig: plots.plot_normalized_prices(res, ax=fig.add_subplot())),
]


def _settings_first(res: EventStudyResults) -> bool:
    """Whether "What ran" fits on page 1 (few verdict rows), else it opens the last page."""
    reasons = verdict_reasons(res)
    return reasons is None or len(reasons) <= 4


def _what_ran(p: _TextPage, res: EventStudyResults, size: float = 14) -> None:
    p.text("What ran", size=size, bold=True)
    for k, v in settings_table(res):
        if k == "Study":
            continue
        p.text(f"{k}:", size=8.5, bold=True, advance=False)
        p.text(wrap(v, 120), size=8.5, x=p.left + 1.7)
    p.y += 0.1


def page_plan(res: EventStudyResults) -> list[tuple[str, str]]:
    """Return the report's pages in order: (kind or chart name, what the page shows).

    Summary; the answer (market-value lens, context, recovery, verdicts with reasons) when the
    results can give it; the charts; test statistics; diagnostics.
    """
    plan = [("summary", "Summary: claim verdicts with reasons, headline table"
                        + (", what ran" if _settings_first(res) else ""))]
    if res.market_values is not None or res.context is not None:
        plan.append(("answer", "The answer: index move, contributions, context, recovery, "
                     "verdicts with their reasons"))
    for name, what, _ in CHARTS:
        if name == "index_contributions" and res.market_values is None:
            continue
        plan.append((name, f"{what} (figures/{name})"))
    if res.tables:
        plan.append(("reactions", "Trading volume and volatility by group and window"))
    plan += [("tests", "Test statistics by group and window"),
             ("diagnostics", ("" if _settings_first(res) else "What ran (settings); ")
              + "Diagnostics: data source, skipped security-events, shifted dates, data "
              "quality, warnings")]
    return plan


def _title(res: EventStudyResults) -> str:
    return str(res.provenance.title or res.provenance.study)


def _shorten(text: object, width: int) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: width - 3] + "..."


def _width(text: str) -> int:
    """Width of one line of ``text`` in average characters: capitals count 1.3 (DejaVu Sans)."""
    return round(len(text) + 0.3 * sum(ch.isupper() for ch in text))


def _frame_page(fig: Figure, res: EventStudyResults, page: int, n_pages: int) -> list[Any]:
    """Draw the page's header and footer; return them (removed for the standalone figures)."""
    md = res.provenance
    return [
        fig.text(0.015, 0.985, _title(res), fontsize=8, color="0.35", ha="left", va="top"),
        fig.text(0.015, 0.01, f"{md.study} | {data_statement(res)}", fontsize=7,
                 color="0.35", ha="left", va="bottom"),
        fig.text(0.985, 0.01, f"page {page} of {n_pages}", fontsize=7, color="0.35",
                 ha="right", va="bottom"),
    ]


def _numbered(res: EventStudyResults, kind: str, page: int | None,
              n_pages: int | None) -> tuple[int, int]:
    """Return (page, n_pages) of the page ``kind`` when not given (a page drawn alone)."""
    if page is not None and n_pages is not None:
        return page, n_pages
    plan = [k for k, _ in page_plan(res)]
    return plan.index(kind) + 1 if kind in plan else 1, len(plan)


class _TextPage:
    """A page of text and tables laid out top to bottom, positions in inches from the top."""

    def __init__(self, res: EventStudyResults, page: int, n_pages: int) -> None:
        import matplotlib.pyplot as plt

        self.fig = plt.figure(figsize=PAGE_SIZE)
        self.w, self.h = PAGE_SIZE
        self.y = 0.45
        self.left = 0.55
        _frame_page(self.fig, res, page, n_pages)

    def text(self, s: str, size: float = 9, bold: bool = False, color: str = "black",
             x: float | None = None, advance: bool = True) -> None:
        lines = s.count("\n") + 1
        self.fig.text((x if x is not None else self.left) / self.w, 1 - self.y / self.h, s,
                      fontsize=size, weight="bold" if bold else "normal", color=color, va="top")
        if advance:
            self.y += lines * size * 1.45 / 72 + 0.04

    def room(self) -> float:
        return self.h - 0.45 - self.y

    def table(self, frame: pd.DataFrame, *, size: float = 8, max_rows: int | None = None,
              more: str = "", widths: list[float] | None = None) -> None:
        """Draw ``frame`` as a table; long cells wrap onto more lines (rows grow), never cut."""
        body = format_frame(frame).map(lambda v: " ".join(str(v).split()))
        char_w = size * 0.55 / 72  # inches per character (DejaVu Sans: 0.45-0.64 em)
        avail = int((self.w - 2 * self.left) / char_w)
        chars = [max([round(_width(str(c)) * 1.15)] + [_width(v) for v in body[c]]) + 3
                 for c in body.columns]  # the header is bold
        if sum(chars) > avail and len(chars):  # wrap the widest column into the room left
            i = max(range(len(chars)), key=chars.__getitem__)
            chars[i] = max(avail - (sum(chars) - chars[i]), 30)
            body[body.columns[i]] = [wrap(v, chars[i] - 3) for v in body[body.columns[i]]]
        lines = [max([v.count("\n") + 1 for v in row] or [1])
                 for row in body.itertuples(index=False, name=None)]
        line_h = size * 1.25 / 72
        pad = size * 0.65 / 72
        heights = [n * line_h + pad for n in lines]
        room = self.room() - 2 * (line_h + pad)  # the header row and the "... more" line
        limit = 0
        used = 0.0
        for h in heights[: max_rows or len(heights)]:
            if used + h > room and limit:
                break
            used += h
            limit += 1
        extra = len(body) - limit
        body, heights = body.head(limit), heights[:limit]
        header_h = line_h + pad
        height = header_h + sum(heights)
        width = min(sum(chars) * char_w, self.w - 2 * self.left)
        ax = self.fig.add_axes((self.left / self.w, 1 - (self.y + height) / self.h,
                                width / self.w, height / self.h))
        ax.axis("off")
        if widths is None:
            widths = [c / sum(chars) for c in chars]
        cells = body.to_numpy().tolist() if len(body) else [[""] * len(body.columns)]
        row_heights = [header_h, *(heights or [header_h])]
        tb = ax.table(cellText=cells, colLabels=[str(c) for c in body.columns], colWidths=widths,
                      cellLoc="left", bbox=(0, 0, 1, 1))  # type: ignore[arg-type]
        tb.auto_set_font_size(False)
        tb.set_fontsize(size)
        for (r, c), cell in tb.get_celld().items():
            cell.PAD = 1.0 / chars[c]  # one character of padding (default: 10% of the width)
            cell.set_height(row_heights[r] / height)  # the bbox keeps these proportions
            cell.set_edgecolor("0.75")
            cell.set_linewidth(0.4)
            if r == 0:
                cell.set_facecolor("0.92")
                cell.set_text_props(weight="bold")
        self.y += height + 0.08
        if extra > 0:
            self.text(f"... {plural(extra, 'more row')} {more}".rstrip(), size=7, color="0.35")
        self.y += 0.08


def _summary_page(res: EventStudyResults, page: int | None = None,
                  n_pages: int | None = None) -> Figure:
    page, n_pages = _numbered(res, "summary", page, n_pages)
    p = _TextPage(res, page, n_pages)
    p.text(wrap(_title(res), 90), size=16, bold=True)
    if res.provenance.description:
        p.text(wrap(str(res.provenance.description), 150), size=9, color="0.2")
    verdicts = verdict_reasons(res)
    if verdicts is None:
        verdicts = claim_verdicts(res)
    if verdicts is not None:  # verdicts come first (issue 6): before settings and numbers
        p.y += 0.05
        p.text("Claims and verdicts, each with its reason", size=11, bold=True)
        if "claim" in verdicts:
            claims = [_shorten(c, 60) for c in verdicts["claim"]]
            if "test" in verdicts:  # the claim once, on its own verdict's row
                claims = [c if t == "claim" else "" for c, t in zip(claims, verdicts["test"],
                                                                   strict=True)]
            verdicts = verdicts.assign(claim=claims)
        p.table(verdicts.drop(columns=["claim_id"]), size=7,
                more="(numbers behind them: claims.csv)")
    p.y += 0.1
    if _settings_first(res):
        _what_ran(p, res, size=11)
    p.text("Headline: CAAR by group and event window (percent)", size=11, bold=True)
    labels = group_labels(res)
    head = headline_table(res).reset_index()
    p.table(head.assign(group=[labels.get(g, g) for g in head["group"]]), size=9)
    p.text(wrap(f"{headline_note(res)} Decimal values and every test: caar.csv, tests.csv.", 170),
           size=7.5, color="0.3")
    if p.room() > 1.6:
        p.y += 0.15
        p.text("Pages", size=11, bold=True)
        p.text("\n".join(f"{i}. {what}" for i, (_, what) in enumerate(page_plan(res), start=1)),
               size=8.5, color="0.2")
    return p.fig


def _answer_page(res: EventStudyResults, page: int | None = None,
                 n_pages: int | None = None) -> Figure:
    """Draw the answer page: what the index did, who moved it, context, recovery, why."""
    page, n_pages = _numbered(res, "answer", page, n_pages)
    p = _TextPage(res, page, n_pages)
    p.text("The answer in numbers: the market-value lens", size=14, bold=True)
    tables = answer_tables(res)
    if "index" in tables:
        p.text(wrap(f"Day 0 ({event_date_text(res)}): contributions to the cap-weighted index "
                    f"move, w_i x r_i in percentage points. {tables['index_note']['note'].iloc[0]}",
                    190), size=8, color="0.25")
        p.table(tables["index"], size=7.5)
    if "context" in tables:
        p.text("Context on day 0", size=10, bold=True)
        p.table(tables["context"], size=7.5)
    if "recovery" in tables:
        p.text("Recovery inside the widest window: sessions until the day -1 close was "
               "regained, the deepest drawdown before that, and where each stood at the "
               "window's last session", size=10, bold=True)
        p.table(tables["recovery"], size=7.5)
    return p.fig


def _tests_page(res: EventStudyResults, page: int | None = None,
                n_pages: int | None = None) -> Figure:
    page, n_pages = _numbered(res, "tests", page, n_pages)
    p = _TextPage(res, page, n_pages)
    p.text("Test statistics by group and event window", size=14, bold=True)
    p.text(wrap(tests_note(res), 190), size=8, color="0.3")
    p.y += 0.05
    p.table(tests_table(res), size=8, more="in tests.csv")
    return p.fig


def _reactions_page(res: EventStudyResults, page: int | None = None,
                    n_pages: int | None = None) -> Figure:
    page, n_pages = _numbered(res, "reactions", page, n_pages)
    p = _TextPage(res, page, n_pages)
    p.text("Trading volume and volatility by group and event window", size=14, bold=True)
    p.text(wrap(REACTIONS_NOTE, 175), size=8, color="0.3")
    p.y += 0.05
    table = reactions_table(res)
    if table is not None:  # up to 5 groups x 4 windows x 2 measures at this size
        p.table(table, size=6.3, more="in abnormal_volume.csv, abnormal_volatility.csv")
    return p.fig


def _diagnostics_page(res: EventStudyResults, page: int | None = None,
                      n_pages: int | None = None) -> Figure:
    page, n_pages = _numbered(res, "diagnostics", page, n_pages)
    p = _TextPage(res, page, n_pages)
    if not _settings_first(res):
        _what_ran(p, res)
    p.text("Diagnostics", size=14, bold=True)
    p.text(data_statement(res), size=8.5)
    sources = res.provenance.sources
    if isinstance(sources, dict) and sources:
        counts = pd.Series(sources).value_counts()
        p.text(wrap("Series by source: " + "; ".join(f"{s}: {n}" for s, n in counts.items()), 170),
               size=8, color="0.25")
    sections = [
        ("Skipped security-events", res.dropped, "no security-event was skipped"),
        ("Shifted event dates", res.shifted, "no event date was shifted"),
        ("Data quality", quality_table(res), "no data-quality findings reported"),
    ]
    warned = warnings_table(res)
    if len(warned):
        sections.append(("Warnings", warned, ""))
    for title, frame, empty in sections:
        p.y += 0.08
        p.text(f"{title} ({len(frame)})", size=10.5, bold=True)
        if len(frame):
            p.table(frame, size=7.5, max_rows=12, more="in diagnostics.csv")
        else:
            p.text(empty, size=8.5, color="0.3")
    notes = res.provenance.notes
    if notes and p.room() > 0.6:
        p.y += 0.08
        p.text("Data notes", size=10.5, bold=True)
        shown = notes[: max(int((p.room() - 0.3) / 0.2), 1)]
        for note in shown:
            p.text(f"- {wrap(note, 170)}", size=8)
        if len(notes) > len(shown):
            p.text(f"... {len(notes) - len(shown)} more in diagnostics.csv", size=7, color="0.35")
    return p.fig


def _chart_figure(res: EventStudyResults, kind: str) -> Figure:
    """Draw chart ``kind`` on an A4 page figure, leaving room for the header and footer."""
    import matplotlib.pyplot as plt
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    draw = {name: d for name, _, d in CHARTS}[kind]
    # the small multiples lay themselves out (fixed margins): no layout engine at all, since even
    # a placeholder engine makes savefig draw the whole figure once more before drawing it
    engine = (None if kind == "car_small_multiples"
              else ConstrainedLayoutEngine(rect=(0.01, 0.035, 0.98, 0.94)))
    fig = plt.figure(figsize=PAGE_SIZE, layout=engine)
    draw(res, fig)
    return fig


TEXT_PAGES: dict[str, Callable[[Any, int, int], Figure]] = {
    "summary": _summary_page, "answer": _answer_page, "tests": _tests_page,
    "reactions": _reactions_page, "diagnostics": _diagnostics_page}
# rough drawing cost of each chart (small multiples: 24+ axes), to balance the workers
_COST = {"car_small_multiples": 5.0, "ar_heatmap": 1.6, "ar_event_day": 1.5}


def _lay_out(fig: Figure) -> None:
    """Run ``fig``'s layout engine once, as savefig would, and drop the engine.

    savefig draws a figure that has a layout engine twice: a dry draw that lays it out, then the
    real one. Laid out here, with the text measured as in that dry draw (the PDF backend's
    metrics at 72 dpi), the figure has no engine left and savefig draws it once.
    """
    import matplotlib
    from matplotlib.backends.backend_pdf import FigureCanvasPdf

    engine = fig.get_layout_engine()
    if engine is None:
        return
    canvas, dpi = fig.canvas, fig.dpi
    FigureCanvasPdf(fig)  # the figure's canvas, and so its renderer, until restored below
    fig.set_dpi(72)
    try:
        engine.execute(fig)
    finally:
        fig.set_dpi(dpi)
        fig.set_canvas(canvas)
    # None removes the engine ('none' would leave a placeholder, which savefig lays out again)
    no_engine = {"figure.autolayout": False, "figure.constrained_layout.use": False}
    with matplotlib.rc_context(no_engine):  # type: ignore[arg-type]  # as RC: keys typed literal
        fig.set_layout_engine(None)


def _render_charts(res: EventStudyResults, kinds: list[str], bundle: Path,
                   figures_dir: Path | None) -> list[tuple[float, float, float, float]]:
    """Draw each chart once into a page of ``bundle`` (chart only), and rasterize its PNG.

    Returns the tight bounding box of each chart on its page, in points from the lower left
    (the standalone PDF is the page cropped to it, the PNG that crop rasterized).
    """
    import gc

    # the results and modules outlive the charts: frozen, the collections that the charts' many
    # short-lived objects trigger do not scan them (about a tenth of the charts' time); left to
    # a caller that froze them first
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        return _draw_charts(res, kinds, bundle, figures_dir)
    finally:
        if freeze:
            gc.unfreeze()


def _draw_charts(res: EventStudyResults, kinds: list[str], bundle: Path,
                 figures_dir: Path | None) -> list[tuple[float, float, float, float]]:
    """:func:`_render_charts`, the objects alive before it frozen."""
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.transforms import Bbox

    boxes = []
    with matplotlib.rc_context(RC), PdfPages(bundle) as pdf:  # type: ignore[arg-type]
        for kind in kinds:
            fig = _chart_figure(res, kind)
            _lay_out(fig)  # once: the drawn layout, for the page, the bounding box and the PNG
            pdf.savefig(fig)
            if figures_dir is None:  # no standalone figure: no bounding box needed
                boxes.append((0.0, 0.0, 0.0, 0.0))
                plt.close(fig)
                continue
            # the bounding box once (bbox_inches="tight" would draw the figure twice more); the
            # small multiples lay themselves out on the whole page (no layout engine)
            if kind == "car_small_multiples":  # the page less the header's and footer's room
                w, h = fig.get_size_inches()
                box = Bbox([[0.05, 0.15], [w - 0.05, h - 0.22]])
            else:
                box = fig.get_tightbbox().padded(0.12)
            boxes.append((box.x0 * 72, box.y0 * 72, box.x1 * 72, box.y1 * 72))
            plt.close(fig)
    if figures_dir is not None:
        _rasterize(bundle, dict(zip(kinds, boxes, strict=True)), figures_dir)
    return boxes


def _rasterize(bundle: Path, boxes: dict[str, tuple[float, float, float, float]],
               figures_dir: Path) -> None:
    """Write ``<kind>.png`` at :data:`PNG_DPI` from page ``j`` of ``bundle``, cropped to its box.

    PDFium (pypdfium2) rasterizes the vector page that was drawn once: matplotlib's own PNG
    meant drawing every chart a second time with Agg, about half the charts' cost.
    """
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(bundle)
    try:
        for j, (kind, (x0, y0, x1, y1)) in enumerate(boxes.items()):
            page = doc[j]
            width, height = page.get_size()
            image = page.render(scale=PNG_DPI / 72,
                                crop=(x0, y0, width - x1, height - y1)).to_pil()
            # zlib level 6 takes 3x as long as level 1 for 10% smaller files
            image.save(figures_dir / f"{kind}.png", dpi=(PNG_DPI, PNG_DPI), compress_level=1)
            page.close()
    finally:
        doc.close()


def _render_text(res: EventStudyResults, plan: list[tuple[int, str]], path: Path) -> None:
    """Render the text pages, and for each chart page its header and footer alone, into path."""
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with matplotlib.rc_context(RC), PdfPages(path) as pdf:  # type: ignore[arg-type]
        for page, kind in plan:
            if kind in TEXT_PAGES:
                fig = TEXT_PAGES[kind](res, page, len(plan))
            else:
                fig = plt.figure(figsize=PAGE_SIZE)
                fig.patch.set_visible(False)  # no white sheet: laid over the chart's page
                _frame_page(fig, res, page, len(plan))
            pdf.savefig(fig)
            plt.close(fig)


def _fork_worker(res: EventStudyResults, kinds: list[str], bundle: Path, figures_dir: Path | None,
                 conn: Any) -> None:  # pragma: no cover - runs in a forked child
    try:
        conn.send(("ok", _render_charts(res, kinds, bundle, figures_dir)))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            conn.send(("error", RuntimeError(repr(exc))))
    finally:
        conn.close()


def _share(kinds: list[str], n: int) -> list[list[str]]:
    """Split ``kinds`` into ``n`` lists of about equal drawing cost (greedy, costly first)."""
    parts: list[list[str]] = [[] for _ in range(n)]
    load = [0.0] * n
    for kind in sorted(kinds, key=lambda k: -_COST.get(k, 1.0)):
        i = load.index(min(load))
        parts[i].append(kind)
        load[i] += _COST.get(kind, 1.0)
    return [p for p in parts if p]


def _workers() -> int:
    import multiprocessing
    import os

    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    try:
        n = int(os.environ.get("EVENTSTUDY_REPORT_WORKERS", "2"))
    except ValueError:
        n = 2
    return max(0, min(n, os.cpu_count() or 1))


def _render(res: EventStudyResults, plan: list[tuple[int, str]], path: Path,
            figures_dir: Path | None) -> list[Path]:
    """Render the report: charts in forked workers, text pages here, then assemble.

    Each chart is drawn once for vector output (a chart-only A4 page) and once for its PNG. The
    report page is that page with the header and footer laid over it; the standalone PDF is the
    same page cropped to the chart. With no ``fork`` (or ``EVENTSTUDY_REPORT_WORKERS=0``) all of
    it runs in this process.
    """
    import multiprocessing

    kinds = [k for _, k in plan if k not in TEXT_PAGES]
    tmp = path.parent / f".{path.stem}.parts"
    tmp.mkdir(exist_ok=True)
    n = _workers() if len(kinds) > 1 else 0
    parts = _share(kinds, n) if n else []
    boxes: dict[str, tuple[float, float, float, float]] = {}
    bundles: dict[str, tuple[Path, int]] = {}
    procs = []
    ctx = multiprocessing.get_context("fork") if parts else None
    for i, part in enumerate(parts):
        assert ctx is not None
        recv, send = ctx.Pipe(duplex=False)
        bundle = tmp / f"charts{i}.pdf"
        proc = ctx.Process(target=_fork_worker, args=(res, part, bundle, figures_dir, send),
                           daemon=True)
        proc.start()
        send.close()
        procs.append((proc, recv, part, bundle))
    try:
        if not parts and kinds:
            bundle = tmp / "charts.pdf"
            for j, (kind, box) in enumerate(zip(kinds, _render_charts(res, kinds, bundle,
                                                                        figures_dir), strict=True)):
                boxes[kind], bundles[kind] = box, (bundle, j)
        text = tmp / "text.pdf"
        _render_text(res, plan, text)
        for proc, recv, part, bundle in procs:
            try:
                status, value = recv.recv()
            except EOFError:
                status, value = "error", "the chart worker died"
            proc.join()
            if status != "ok":
                raise value if isinstance(value, BaseException) else RuntimeError(
                    f"drawing the charts {part} failed: {value}")
            for j, (kind, box) in enumerate(zip(part, value, strict=True)):
                boxes[kind], bundles[kind] = tuple(box), (bundle, j)
    except BaseException:  # Ctrl-C, SIGTERM, a failed chart: no worker outlives the report
        stop_workers([proc for proc, *_ in procs])
        raise
    written = _assemble(res, plan, text, bundles, boxes, path, figures_dir)
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return written


def _assemble(res: EventStudyResults, plan: list[tuple[int, str]], text: Path,
              bundles: dict[str, tuple[Path, int]],
              boxes: dict[str, tuple[float, float, float, float]], path: Path,
              figures_dir: Path | None) -> list[Path]:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    readers: dict[Path, PdfReader] = {}

    def page_of(kind: str) -> Any:
        file, j = bundles[kind]
        if file not in readers:
            readers[file] = PdfReader(file)
        return readers[file].pages[j]

    md = res.provenance
    frames = PdfReader(text)
    report = PdfWriter()
    written: list[Path] = []
    for (_, kind), frame in zip(plan, frames.pages, strict=True):
        if kind in TEXT_PAGES:
            report.add_page(frame)
            continue
        if figures_dir is not None:  # the chart alone, cropped to its bounding box
            alone = PdfWriter()
            page = alone.add_page(page_of(kind))
            page.mediabox = page.cropbox = RectangleObject(boxes[kind])
            alone.add_metadata({"/Title": f"{_title(res)}: {kind.replace('_', ' ')}",
                                "/Creator": "eventstudy"})
            target = figures_dir / f"{kind}.pdf"
            with open(target, "wb") as fh:
                alone.write(fh)
            written += [target, figures_dir / f"{kind}.png"]
        page = report.add_page(page_of(kind))
        page.merge_page(frame)  # the header and footer over the chart
    report.add_metadata({
        "/Title": _title(res), "/Subject": f"Event study {md.study}: {_title(res)}",
        "/Keywords": f"study={md.study}; event study; abnormal returns; CAAR",
        "/Creator": "eventstudy",
        "/CreationDate": dt.datetime.now(dt.timezone.utc).strftime("D:%Y%m%d%H%M%S+00'00'")})
    with open(path, "wb") as fh:
        report.write(fh)
    return written


def write_pdf(res: EventStudyResults, path: Path, figures_dir: Path | None = None) -> list[Path]:
    """Write the report to ``path`` and each chart alone to ``figures_dir``.

    Parameters
    ----------
    res : EventStudyResults
    path : pathlib.Path
        The report PDF (A4 landscape; pages: :func:`page_plan`).
    figures_dir : pathlib.Path, optional
        Folder receiving ``<chart>.pdf`` (vector) and ``<chart>.png`` (200 dpi) for every chart,
        without the page's header and footer. Without it no PNG is drawn.

    Returns
    -------
    list of pathlib.Path
        The figure files written.
    """
    plan = [(i, kind) for i, (kind, _) in enumerate(page_plan(res), start=1)]
    return _render(res, plan, path, figures_dir)
