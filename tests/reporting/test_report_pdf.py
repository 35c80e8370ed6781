"""The PDF report: nine pages in order, text, metadata, embedded fonts, vector charts."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from eventstudy.reporting.export import CHART_NAMES
from eventstudy.reporting.pdf import CHARTS

TITLE = "DeepSeek overtakes ChatGPT in the US App Store"
NAMED = ["NVDA", "AVGO", "TSM", "AMD", "MSFT", "GOOGL", "VST", "CEG", "GEV", "QQQ", "SMH"]
# a phrase that identifies each page, in the order of issue 5
PAGE_MARKERS = [
    "Headline: CAAR by group and event window",
    "Cumulative average abnormal return by group",
    "CAR path of each named security",
    "Abnormal return on day 0 of the named securities",
    "Abnormal return by security and event day",
    "Distribution of day 0 abnormal returns across sp500",
    "Normalised prices around the event",
    "Test statistics by group and event window",
    "Diagnostics",
]


@pytest.fixture(scope="module")
def pdf(report):
    return PdfReader(report / "report.pdf")


def _text(page) -> str:
    return " ".join(page.extract_text().split())


def test_nine_pages_in_the_issue_order(pdf):
    assert len(pdf.pages) == 9
    for i, marker in enumerate(PAGE_MARKERS):
        assert marker in _text(pdf.pages[i]), f"page {i + 1} lacks {marker!r}"
        assert f"page {i + 1} of 9" in _text(pdf.pages[i])


def test_summary_page_states_title_data_and_headline(pdf, deepseek):
    text = _text(pdf.pages[0])
    assert TITLE in text
    assert "vintage 2026-08" in text and "[-250, -11] sessions" in text
    # the headline cell of the power group on day 0, against the CAAR table (decimals -> percent)
    caar = deepseek.caar_table().query("group == 'power' and tau_start == 0 and tau_end == 0")
    assert f"{caar['caar'].iloc[0] * 100:+.2f}% ***" in text


def test_pages_name_the_tickers(pdf):
    for page in (2, 3, 4):  # small multiples, bar chart, heatmap (0-based)
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
    seen = 0
    for page in pdf.pages:
        for font in _fonts(page):
            seen += 1
            assert font["/Subtype"] == "/Type0", font  # Type 42 -> CID TrueType, not Type 3
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in desc, f"{font['/BaseFont']} is not embedded"
    assert seen > 0


def test_charts_are_vector(pdf):
    # no raster image anywhere (the heatmap is a pcolormesh, its colour bar is kept vector)
    for i, page in enumerate(pdf.pages):
        xobjects = _resource(page, "/XObject")
        images = [k for k, v in xobjects.items() if v.get_object().get("/Subtype") == "/Image"]
        assert not images, f"page {i + 1} holds raster images {images}"


def test_every_chart_alone_as_pdf_and_png(report, pdf):
    from matplotlib.image import imread

    assert [c[0] for c in CHARTS] == list(CHART_NAMES)
    for name, page, _ in CHARTS:
        alone = PdfReader(report / "figures" / f"{name}.pdf")
        assert len(alone.pages) == 1
        assert _text(alone.pages[0]) == _text(pdf.pages[page - 1])
        png = imread(report / "figures" / f"{name}.png")
        assert png.shape[0] >= 1200 and png.shape[1] >= 1700  # A4 landscape at 150 dpi


def test_test_page_cites_each_test_and_warns_of_clustering(pdf, deepseek):
    text = _text(pdf.pages[7])
    for test in dict.fromkeys(deepseek.tests["test"]):
        assert test in text
    assert "Brown and Warner (1985)" in text
    # one common event date: the page says which tests ignore the cross-correlation
    assert "share day 0" in text and "overstate significance" in text
