"""The PDF report: A4 landscape pages, vector, fonts embedded, each chart also saved alone.

Pages (:func:`page_plan`): summary (verdicts with reasons, settings, headline table); the answer
(market-value lens, context, recovery, each test's verdict and reason); the charts of
:data:`CHARTS` (what moved the index, CAAR paths, small multiples of CAR and raw return, day-0 AR
and raw return, heatmap, distribution, prices indexed to day -1); test statistics; diagnostics.
Standalone figures (``figures/<chart>.pdf`` and ``.png``) are the same drawings without the page's
header and footer. The charts are drawn by matplotlib in forked workers (:class:`PdfJob`); the text
pages and the header and footer by ReportLab (:mod:`eventstudy.reporting.pages`); pypdf assembles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventstudy.exceptions import ReportError
from eventstudy.reporting import plots
from eventstudy.reporting.layout import MARGIN
from eventstudy.reporting.markets import plot_markets
from eventstudy.reporting.pages import (
    CHART_PAGES,
    PAGE_SIZE,
    TEXT_PAGES,
    chart_kinds,
    page_plan,
    render_text,
    title,
)
from eventstudy.reporting.workers import background, join, report_workers, stop_workers

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from eventstudy.results import EventStudyResults

__all__ = ["write_pdf", "start_pdf", "PdfJob", "CHARTS", "PAGE_SIZE", "RC", "page_plan"]

RC: dict[str, Any] = {"pdf.fonttype": 42, "ps.fonttype": 42, "font.size": 9, "axes.titlesize": 11,
      "axes.labelsize": 10, "xtick.labelsize": 8, "ytick.labelsize": 8, "legend.fontsize": 8,
      "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none",
      "text.parse_math": False}  # user text ("$NVDA and $AMD fell") printed as written, no TeX
PNG_DPI = 200  # print resolution of the standalone PNGs
PAD = 0.12  # margin around a standalone chart's ink, inches
# how each chart of pages.CHART_PAGES is drawn, on a figure (small multiples) or its one Axes
_DRAW: dict[str, Callable[[Any, Any], Any]] = {
    "index_contributions": lambda res, fig: plots.plot_index_contributions(
        res, ax=fig.add_subplot()),
    "caar_paths": lambda res, fig: plots.plot_caar(res, ax=fig.add_subplot()),
    "markets": lambda res, fig: plot_markets(res, fig=fig),
    "car_small_multiples": lambda res, fig: plots.plot_car_grid(res, fig=fig),
    "ar_event_day": lambda res, fig: plots.plot_ar(res, ax=fig.add_subplot()),
    "ar_heatmap": lambda res, fig: plots.plot_ar_heatmap(res, ax=fig.add_subplot()),
    "ar_distribution": lambda res, fig: plots.plot_ar_distribution(res, ax=fig.add_subplot()),
    "normalized_prices": lambda res, fig: plots.plot_normalized_prices(res, ax=fig.add_subplot()),
}
# (file name in figures/, what the page shows, drawing function taking the results and a figure);
# index_contributions only when the results hold market values
CHARTS: list[tuple[str, str, Callable[[Any, Any], Any]]] = [
    (name, what, _DRAW[name]) for name, what in CHART_PAGES]


def _chart_figure(res: EventStudyResults, kind: str) -> Figure:
    """Draw chart ``kind`` on an A4 page figure, leaving room for the header and footer."""
    import matplotlib.pyplot as plt
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    draw = {name: d for name, _, d in CHARTS}[kind]
    # the small multiples lay themselves out (fixed margins): no layout engine at all, since even
    # a placeholder engine makes savefig draw the whole figure once more before drawing it
    engine = (None if kind in ("car_small_multiples", "markets")  # fixed margins
              else ConstrainedLayoutEngine(  # within the page's margins, below its header
                  rect=(MARGIN / PAGE_SIZE[0], 0.035, 1 - 2 * MARGIN / PAGE_SIZE[0],
                        0.925)))
    fig = plt.figure(figsize=PAGE_SIZE, layout=engine)
    draw(res, fig)
    return fig


# drawing cost of each chart relative to the CAAR paths' (CPU of build, layout and savefig on
# the DeepSeek studies, 2026-12-03), to balance the workers; others count 1
_COST = {"car_small_multiples": 4.2, "ar_heatmap": 1.7, "index_contributions": 1.5,
         "ar_event_day": 1.3, "markets": 1.2, "ar_distribution": 1.0, "normalized_prices": 0.9}


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

    Returns the box around each chart's ink on its page with a margin of :data:`PAD` inch, in
    points from the lower left (the standalone PDF is the page cropped to it, the PNG that crop
    rasterized); zeros without ``figures_dir``.
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

    with matplotlib.rc_context(RC), PdfPages(bundle) as pdf:  # type: ignore[arg-type]
        for kind in kinds:
            fig = _chart_figure(res, kind)
            _lay_out(fig)  # once: savefig then draws it once
            pdf.savefig(fig)
            plt.close(fig)
    if figures_dir is None:  # no standalone figure: no bounding box needed
        return [(0.0, 0.0, 0.0, 0.0)] * len(kinds)
    return _rasterize(bundle, kinds, figures_dir)


def _rasterize(bundle: Path, kinds: list[str], figures_dir: Path
               ) -> list[tuple[float, float, float, float]]:
    """Write ``<kind>.png`` at :data:`PNG_DPI` from page ``j`` of ``bundle``, cropped to its ink.

    PDFium (pypdfium2) rasterizes the vector page that was drawn once (matplotlib's own PNG meant
    drawing every chart a second time with Agg, about half the charts' cost); the crop is the
    box around the page's ink with a margin of :data:`PAD` inch (measuring the figure's tight
    bounding box cost 0.7 s of CPU for the seven charts). Returns each crop in points from the
    page's lower left: the standalone PDF is the page cropped to the same box.
    """
    import pypdfium2 as pdfium

    from eventstudy.reporting.png import ink_box, write_png

    boxes = []
    doc = pdfium.PdfDocument(bundle)
    try:
        for j, kind in enumerate(kinds):
            page = doc[j]
            pixels = page.render(scale=PNG_DPI / 72, rev_byteorder=True).to_numpy()
            page.close()
            box = ink_box(pixels, round(PAD * PNG_DPI))
            height, width = pixels.shape[:2]
            left, top, right, bottom = box if box is not None else (0, 0, width, height)
            write_png(figures_dir / f"{kind}.png", pixels[top:bottom, left:right], PNG_DPI)
            scale = 72 / PNG_DPI
            boxes.append((left * scale, (height - bottom) * scale, right * scale,
                          (height - top) * scale))
    finally:
        doc.close()
    return boxes


def _render_parts(res: EventStudyResults, parts: list[list[str]], bundles: list[Path],
                  figures_dir: Path | None) -> list[list[tuple[float, float, float, float]]]:
    """Draw ``parts[i]`` into ``bundles[i]``: the first here, the others in processes forked here.

    Run by the one chart worker a command-line run starts before its fit: the others are forked
    from it once it has imported matplotlib and loaded the fonts, so they do not do it again (1.5
    s of CPU each). Returns :func:`_render_charts`'s boxes of each part.
    """
    jobs: dict[int, Any] = {}
    try:
        for i in range(1, len(parts)):
            job = background(_render_charts, res, parts[i], bundles[i], figures_dir)
            if job is None:  # no fork: drawn here below
                break
            jobs[i] = job
        drawn = {i: _render_charts(res, parts[i], bundles[i], figures_dir)
                 for i in range(len(parts)) if i not in jobs}
        for i, job in jobs.items():
            drawn[i] = join(job, f"the charts {parts[i]}")
    except BaseException:
        stop_workers([job[0] for job in jobs.values()])
        raise
    return [drawn[i] for i in range(len(parts))]


def _share(kinds: list[str], n: int) -> list[list[str]]:
    """Split ``kinds`` into ``n`` lists of about equal drawing cost (greedy, costly first)."""
    parts: list[list[str]] = [[] for _ in range(n)]
    load = [0.0] * n
    for kind in sorted(kinds, key=lambda k: -_COST.get(k, 1.0)):
        i = load.index(min(load))
        parts[i].append(kind)
        load[i] += _COST.get(kind, 1.0)
    return [p for p in parts if p]


def warm() -> None:
    """Import and load what drawing a chart needs: matplotlib, its fonts, the PDF writers.

    Run by the chart workers a command-line run forks before its fit
    (:func:`eventstudy.reporting.workers.prewarm`), on the core the fit leaves idle.
    """
    import io

    import matplotlib
    import matplotlib.pyplot as plt
    import pypdfium2  # noqa: F401 - imported for its import time
    from matplotlib.backends.backend_pdf import PdfPages

    import eventstudy.reporting.labels  # noqa: F401

    with matplotlib.rc_context(RC), PdfPages(io.BytesIO()) as pdf:  # type: ignore[arg-type]
        fig = plt.figure(figsize=(2, 1))
        fig.text(0.1, 0.6, "-1.0%", weight="bold")
        fig.text(0.1, 0.2, "-1.0%")
        pdf.savefig(fig)  # the fonts, and fontTools' subsetting when the file closes
        plt.close(fig)


class PdfJob:
    """A report PDF being drawn: the chart workers start at once, :meth:`finish` writes the PDF.

    Started early (:func:`start_pdf`), the charts are drawn in forked workers while this process
    writes the report's other files. Each chart is drawn once as vector output (a chart-only A4
    page) whose PNG PDFium rasterizes; the report page is that page with the header and footer
    laid over it; the standalone PDF is the same page cropped to the chart. With no ``fork`` (or
    ``EVENTSTUDY_REPORT_WORKERS=0``) the charts are drawn by :meth:`finish` in this process.
    """

    def __init__(self, res: EventStudyResults, path: Path, figures_dir: Path | None) -> None:
        self.res, self.path, self.figures_dir = res, path, figures_dir
        self.kinds = chart_kinds(res)  # the text pages are measured once the charts are drawn
        self.tmp = path.parent / f".{path.stem}.parts"
        self.tmp.mkdir(exist_ok=True)
        n = report_workers() if len(self.kinds) > 1 else 0
        self.parts = _share(self.kinds, n) if n else []
        self.bundles = [self.tmp / f"charts{i}.pdf" for i in range(len(self.parts))]
        self.job: Any = None  # one worker, which forks the others (_render_parts)
        try:
            if self.parts:  # None (fork unavailable): finish() draws the charts here
                self.job = background(_render_parts, res, self.parts, self.bundles, figures_dir)
        except BaseException:
            self.stop()
            raise

    def finish(self) -> list[Path]:
        """Draw the text pages (and the charts, without workers), wait, assemble; the figures.

        Raises
        ------
        BaseException
            A worker's exception, raised here; the workers are stopped first.
        """
        res, figures_dir = self.res, self.figures_dir
        boxes: dict[str, tuple[float, float, float, float]] = {}
        bundles: dict[str, tuple[Path, int]] = {}
        try:
            parts, files = self.parts, self.bundles
            if self.job is None and self.kinds:
                parts, files = [self.kinds], [self.tmp / "charts.pdf"]
                drawn = [_render_charts(res, self.kinds, files[0], figures_dir)]
            plan = [(i, kind) for i, (kind, _) in enumerate(page_plan(res), start=1)]
            if [k for _, k in plan if k not in TEXT_PAGES] != self.kinds:
                raise ReportError(f"the report's charts changed while it was written: "
                                  f"{self.kinds}")  # pragma: no cover - one rule makes both
            text = self.tmp / "text.pdf"
            render_text(res, plan, text)
            if self.job is not None:
                drawn = join(self.job, f"the charts {self.kinds}")
            for part, bundle, boxes_of_part in zip(parts, files, drawn if parts else [],
                                                   strict=True):
                for j, (kind, (x0, y0, x1, y1)) in enumerate(zip(part, boxes_of_part,
                                                                   strict=True)):
                    boxes[kind], bundles[kind] = (x0, y0, x1, y1), (bundle, j)
            written = _assemble(res, plan, text, bundles, boxes, self.path, figures_dir)
        except BaseException:  # Ctrl-C, SIGTERM, a failed chart: no worker outlives the report
            self.stop()
            raise
        import shutil

        shutil.rmtree(self.tmp, ignore_errors=True)
        return written

    def stop(self) -> None:
        """Kill and wait for the workers; remove the temporary parts."""
        import shutil

        if self.job is not None:
            stop_workers([self.job[0]])
        shutil.rmtree(self.tmp, ignore_errors=True)


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
            alone.add_metadata({"/Title": f"{title(res)}: {kind.replace('_', ' ')}",
                                "/Creator": "eventstudy"})
            target = figures_dir / f"{kind}.pdf"
            with open(target, "wb") as fh:
                alone.write(fh)
            written += [target, figures_dir / f"{kind}.png"]
        page = report.add_page(page_of(kind))
        page.merge_page(frame)  # the header and footer over the chart
    report.add_metadata({
        "/Title": title(res), "/Subject": f"Event study {md.study}: {title(res)}",
        "/Keywords": f"study={md.study}; event study; abnormal returns; CAAR",
        "/Creator": "eventstudy",
        "/CreationDate": dt.datetime.now(dt.timezone.utc).strftime("D:%Y%m%d%H%M%S+00'00'")})
    with open(path, "wb") as fh:
        report.write(fh)
    return written


def start_pdf(res: EventStudyResults, path: Path, figures_dir: Path | None = None) -> PdfJob:
    """Start drawing the report PDF: the chart workers run while the caller does other work.

    Parameters are those of :func:`write_pdf`; ``job.finish()`` writes the files and returns the
    figures written, ``job.stop()`` abandons the job (a failure elsewhere, an interrupt).
    """
    return PdfJob(res, path, figures_dir)


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
    return start_pdf(res, path, figures_dir).finish()
