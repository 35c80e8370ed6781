"""The PDF report: its pages in order, text, metadata, embedded fonts, vector charts, figures."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from eventstudy.reporting.export import CHART_NAMES
from eventstudy.reporting.pdf import CHARTS

TITLE = "DeepSeek overtakes ChatGPT in the US App Store"
NAMED = ["NVDA", "AVGO", "TSM", "AMD", "MSFT", "GOOGL", "VST", "CEG", "GEV", "QQQ", "SMH"]
# a phrase that identifies each page, in order (the answer page and the index chart with market
# values)
PAGE_MARKERS = [
    "Headline: CAAR by group and event window",
    "The answer in numbers: the market-value lens",
    "NVDA Nvidia alone took",
    "Power and AI hardware fell 19.0% and 8.0% beyond the market on 27 January 2025",
    "named securities fell beyond the market on 27 January 2025; the paths show who recovered",
    "VST Vistra fell 28.3% on 27 January 2025",
    "Abnormal return by security and event day",
    "Distribution of day 0 abnormal returns across S&P 500 members",
    "From the pre-event close to the close of 27 January 2025",
    "Trading volume and volatility by group and event window",
    "Test statistics by group and event window",
    "Diagnostics",
]


@pytest.fixture(scope="module")
def pdf(report):
    return PdfReader(report / "report.pdf")


def _text(page) -> str:
    return " ".join(page.extract_text().split())


def test_pages_in_order(pdf):
    assert len(pdf.pages) == len(PAGE_MARKERS)
    for i, marker in enumerate(PAGE_MARKERS):
        assert marker in _text(pdf.pages[i]), f"page {i + 1} lacks {marker!r}"
        assert f"page {i + 1} of {len(PAGE_MARKERS)}" in _text(pdf.pages[i])


def test_summary_page_states_title_data_and_headline(pdf, deepseek):
    text = _text(pdf.pages[0])
    assert TITLE in text and "vintage 2026-08" in text
    assert "[-250, -11] sessions" in _text(pdf.pages[-1])  # "What ran", before the diagnostics
    # the headline cell of the power group on day 0, against the CAAR table (decimals -> percent)
    caar = deepseek.caar_table().query("group == 'power' and tau_start == 0 and tau_end == 0")
    assert f"{caar['caar'].iloc[0] * 100:+.2f}% ***" in text


def test_pages_name_the_tickers(pdf):
    for page in (4, 5, 6):  # small multiples, bar chart, heatmap (0-based)
        text = _text(pdf.pages[page])
        missing = [t for t in NAMED if t not in text]
        assert not missing, f"page {page + 1} lacks {missing}"


def test_metadata(pdf):
    meta = pdf.metadata
    assert meta.title == TITLE
    assert "deepseek_2025" in meta.subject
    assert meta.creation_date is not None


def _resource(page, key):
    # pypdf 4 returns an indirect reference from .get (newer releases resolve it): resolve it here
    value = page["/Resources"].get(key, {})
    return value.get_object() if hasattr(value, "get_object") else value


def _fonts(page):
    fonts = _resource(page, "/Font")
    return [f.get_object() for f in fonts.values()]


def test_fonts_are_embedded_truetype(pdf):
    seen = set()
    for page in pdf.pages:
        for font in _fonts(page):
            # charts: matplotlib's Type 42 -> CID TrueType (Type0); text pages: ReportLab's
            # TrueType subsets (simple TrueType fonts). Never Type 3, never a font left out.
            seen.add(font["/Subtype"])
            assert font["/Subtype"] in ("/Type0", "/TrueType"), font
            desc = (font["/DescendantFonts"][0].get_object() if font["/Subtype"] == "/Type0"
                    else font)["/FontDescriptor"].get_object()
            assert "/FontFile2" in desc, f"{font['/BaseFont']} is not embedded"
            assert "DejaVuSans" in font["/BaseFont"], font["/BaseFont"]  # one family throughout
    assert seen == {"/Type0", "/TrueType"}


def test_charts_are_vector(pdf):
    # no raster image anywhere (the heatmap is a pcolormesh, its colour bar is kept vector)
    for i, page in enumerate(pdf.pages):
        xobjects = _resource(page, "/XObject")
        images = [k for k, v in xobjects.items() if v.get_object().get("/Subtype") == "/Image"]
        assert not images, f"page {i + 1} holds raster images {images}"


def test_every_chart_alone_as_pdf_and_png_without_page_furniture(report, pdf, deepseek):
    from matplotlib.image import imread

    from eventstudy.reporting.pdf import page_plan

    # markets only for several exchanges (tests/test_global.py), index_contributions with values
    assert [c[0] for c in CHARTS] == ["index_contributions", CHART_NAMES[0], "markets",
                                      *CHART_NAMES[1:]]
    pages = {kind: i for i, (kind, _) in enumerate(page_plan(deepseek))}
    assert "markets" not in pages
    for name, _, _ in CHARTS:
        if name not in pages:
            continue
        alone = PdfReader(report / "figures" / f"{name}.pdf")
        assert len(alone.pages) == 1
        text, page = _text(alone.pages[0]), _text(pdf.pages[pages[name]])
        assert "page " not in text and "deepseek_2025 |" not in text  # no header or footer
        assert f"of {len(PAGE_MARKERS)}" in page and text.split()[0] in page
        box = alone.pages[0].mediabox
        assert float(box.width) < 11.69 * 72 and float(box.height) < 8.27 * 72  # cropped
        png = imread(report / "figures" / f"{name}.png")
        # print size: the chart's bounding box at 200 dpi (A4 landscape is 2338 x 1654)
        assert 1000 <= png.shape[0] <= 1654 and 1600 <= png.shape[1] <= 2338


def test_test_page_cites_each_test_and_warns_of_clustering(pdf, deepseek):
    text = _text(pdf.pages[PAGE_MARKERS.index("Test statistics by group and event window")])
    from eventstudy.reporting.labels import test_label

    for test in dict.fromkeys(deepseek.tests["test"]):
        assert test_label(test) in text  # the name readers know, "Kolari-Pynnönen"
    assert "Brown and Warner (1985)" in text
    # one common event date: the page says which tests ignore the cross-correlation
    assert "share day 0" in text and "overstate significance" in text


def test_volume_and_volatility_page_shows_the_reaction_tables(pdf, deepseek):
    """Issue 16: the DeepSeek report shows its volume and volatility reaction (abnormal_volume:,
    abnormal_volatility:), the numbers of res.tables."""
    text = _text(pdf.pages[9])
    t = deepseek.tables["abnormal_volatility"].query(
        "group == 'power' and tau_start == 0 and tau_end == 0")
    assert f"{t['value'].iloc[0]:.1f}x normal variance" in text
    assert "54 of 503" in text  # the bundled volume covers 54 of the members, and it says why
    assert "Volume covers 6 of 10 AI hardware, 4 of 5 Power, 54 of 503 S&P 500 members: the " \
        "others have no volume in the data (bundled" in text


def _chars(pdf_bytes: bytes, page: int = 0) -> tuple[str, list[tuple[float, float, float, float]]]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    text = doc[page].get_textpage()
    n = text.count_chars()
    return text.get_text_range(), [text.get_charbox(i) for i in range(n)]


def test_every_text_page_stays_inside_its_margins(pdf):
    """No character of a text page (ReportLab) lies off the page or in the side margins:
    page 2's recovery heading once ran off the right edge."""
    import io

    from pypdf import PdfWriter

    for i in (0, 1, 9, 10, 11):  # summary, answer, reactions, tests, diagnostics
        out = io.BytesIO()
        writer = PdfWriter()
        writer.add_page(pdf.pages[i])
        writer.write(out)
        _, boxes = _chars(out.getvalue())
        width = float(pdf.pages[i].mediabox.width)
        assert boxes and max(b[2] for b in boxes) <= width - 0.15 * 72, f"page {i + 1}"
        assert min(b[0] for b in boxes) >= 0.15 * 72, f"page {i + 1}"


def test_header_footer_text_and_charts_share_one_left_margin(pdf):
    """Every page's text and chart ink start at the same 0.55-inch margin (the header and footer
    sat at 0.18 inch, the text at 0.55, the charts' axis labels at 0.12)."""
    import io

    from pypdf import PdfWriter

    from eventstudy.reporting.layout import MARGIN

    for i in range(len(pdf.pages)):
        out = io.BytesIO()
        writer = PdfWriter()
        writer.add_page(pdf.pages[i])
        writer.write(out)
        _, boxes = _chars(out.getvalue())
        left = min(b[0] for b in boxes if b[2] > b[0])  # drawn characters (not spaces)
        # the glyphs' side bearing: a character's box starts up to 1.5 points right of its origin
        assert MARGIN * 72 - 0.5 <= left <= MARGIN * 72 + 1.5, f"page {i + 1}: {left / 72:.3f} in"


def test_a_table_wider_than_the_page_wraps_its_columns_and_loses_no_text(deepseek):
    """Nine columns of long headers and cells (3x the page's width) wrap to one common width:
    every word is drawn, every character inside the margins."""
    import io

    import pandas as pd

    from eventstudy.reporting.pages import TextPage, _canvas

    frame = pd.DataFrame({f"a rather long column header number {i}":
                          [f"cell {i}-{r} " + "some fairly long text that must wrap " * (1 + i % 2)
                           for r in range(3)] for i in range(9)})
    out = io.BytesIO()
    canvas = _canvas(out)
    page = TextPage(canvas, deepseek, 1, 1)
    page.table(frame, size=8)
    canvas.showPage()
    canvas.save()
    text, boxes = _chars(out.getvalue())
    words = " ".join(text.split())
    for c in frame.columns:
        assert all(w in words for w in c.split())
        for cell in frame[c]:
            assert cell.split()[1] in words  # "i-r": each cell is there
    assert words.count("must wrap") == sum(3 * (1 + i % 2) for i in range(9))
    body = [b for b in boxes if 0.5 * 72 < b[1] < 7.8 * 72]  # not the header and footer lines
    assert body and max(b[2] for b in body) <= 11.69 * 72 - 0.5 * 72  # the right margin kept


def test_claims_on_page_one_are_whole(pdf, deepseek):
    """Each claim is printed whole, wrapped if long (it was cut at 60 characters: "The sell-off
    was concentrated in AI hardware and power st...")."""
    text = _text(pdf.pages[0])
    for claim in dict.fromkeys(deepseek.claims["claim"]):
        assert " ".join(str(claim).split()) in text
    assert "..." not in text.split("Headline")[0]
