"""The report folder: every file; CSV, Parquet and Excel agree; LaTeX, HTML, manifest."""

from __future__ import annotations

import json
from dataclasses import replace
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from eventstudy.reporting import export
from eventstudy.reporting.export import OPTIONAL_REPORT_FILES, REPORT_FILES
from eventstudy.reporting.latex import to_booktabs
from eventstudy.reporting.manifest import data_hash, file_hash
from eventstudy.results import EventStudyResults


def test_report_files_is_exactly_what_is_written(report):
    written = {p.relative_to(report).as_posix() for p in report.rglob("*") if p.is_file()}
    optional = written & set(OPTIONAL_REPORT_FILES)
    assert written - optional == set(REPORT_FILES)
    for name in REPORT_FILES:
        assert (report / name).stat().st_size > 0, name
    assert not [p for p in report.parent.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_claims_csv_holds_the_claims(report, deepseek):
    if deepseek.claims.empty:  # a study without claims writes no claims.csv
        assert not (report / "claims.csv").exists()
    else:
        # round_trip: pandas < 3 parses floats with a fast parser that is off by up to ~1e-16
        # absolute; the exact parser makes rtol=1e-15 hold at every supported pandas (issue 18)
        written = pd.read_csv(report / "claims.csv", float_precision="round_trip")
        assert written["claim_id"].tolist() == deepseek.claims["claim_id"].tolist()
        assert written["verdict"].tolist() == deepseek.claims["verdict"].tolist()
        np.testing.assert_allclose(written["value"], deepseek.claims["value"], rtol=1e-15,
                                   equal_nan=True)


@pytest.mark.parametrize("table", ["ar", "car", "caar", "tests", "diagnostics"])
def test_parquet_and_excel_equal_the_csv(report, table):
    # round_trip: pandas < 3 parses floats with a fast parser that is off by up to ~1e-16
    # absolute; the exact parser makes rtol=1e-15 hold at every supported pandas (issue 18)
    csv = pd.read_csv(report / f"{table}.csv", keep_default_na=False, na_values=[""],
                      float_precision="round_trip")
    pq = pd.read_parquet(report / "parquet" / f"{table}.parquet")
    xl = pd.read_excel(report / "tables.xlsx", sheet_name=table, keep_default_na=False,
                       na_values=[""])
    assert list(pq.columns) == list(csv.columns) == list(xl.columns)
    assert len(pq) == len(csv) == len(xl)
    for col in csv.columns:
        if pd.api.types.is_numeric_dtype(csv[col]) and csv[col].notna().any():
            # CSV keeps 17 significant digits; Parquet and Excel hold the same IEEE doubles
            np.testing.assert_allclose(pq[col].to_numpy(float), csv[col].to_numpy(float),
                                       rtol=1e-15, equal_nan=True)
            np.testing.assert_allclose(xl[col].to_numpy(float), csv[col].to_numpy(float),
                                       rtol=1e-15, equal_nan=True)
        else:  # text; an all-empty column reads back as NaN from CSV and "" from Parquet/Excel
            def text(s: pd.Series) -> list[str]:
                return s.astype(object).where(s.notna(), "").astype(str).tolist()

            assert text(pq[col]) == text(csv[col]) == text(xl[col])


def test_caar_table_values_are_decimals(report, deepseek):
    """caar.csv/.parquet is the headline: decimals, with the test the report's stars use."""
    caar = pd.read_parquet(report / "parquet" / "caar.parquet")
    pd.testing.assert_frame_equal(caar, deepseek.headline(), check_dtype=False)
    assert set(caar["test"]) == {"kolari_pynnonen"}  # the DeepSeek events share day 0
    day0 = caar.set_index(["group", "tau_start", "tau_end"]).loc[("ai_hardware", 0, 0)]
    assert day0["caar"] == pytest.approx(-0.0795, abs=5e-5)
    assert day0["p_value"] == pytest.approx(0.078, abs=0.002)  # not the t's 0.001


def test_excel_has_one_sheet_per_table(report):
    from openpyxl import load_workbook

    wb = load_workbook(report / "tables.xlsx", read_only=True)
    expected = ["headline", "ar", "car", "caar", "tests", "diagnostics", "sources"]
    assert wb.sheetnames[: len(expected)] == expected
    assert set(wb.sheetnames) - set(expected) <= {"claims", "market_value", "index_contributions",
                                                  "abnormal_volume", "abnormal_volatility"}


def test_latex_tables_are_booktabs(report, deepseek):
    head = (report / "latex" / "headline.tex").read_text()
    for rule in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}", r"\caption{"):
        assert rule in head
    caar = deepseek.caar_table().query("group == 'power' and tau_start == 0 and tau_end == 0")
    def tex(x: float, fmt: str) -> str:  # a negative number is typeset with a minus sign
        return f"{x:{fmt}}".replace("-", "$-$", 1)

    assert f"{tex(caar['caar'].iloc[0] * 100, '+.2f')}\\% ***" in head
    body = (report / "latex" / "caar.tex").read_text()
    assert (f"power & 0 & 0 & 5 & {tex(caar['caar'].iloc[0], '.4f')} & "
            f"{tex(caar['t'].iloc[0], '.4f')}") in body


def test_booktabs_escapes_latex_specials():
    tex = to_booktabs(pd.DataFrame({"a_b": ["x & y", "50%", "-a"], "v": [0.5, np.nan, -0.25]}),
                      caption="c_1", label="t")
    assert r"a\_b & v \\" in tex and r"x \& y & 0.5000 \\" in tex and r"50\% & n/a \\" in tex
    assert r"-a & $-$0.2500 \\" in tex  # a minus sign for numbers, text left alone
    assert r"\caption{c\_1}" in tex


class _Tables(HTMLParser):
    """Collect the text of every table cell, and any external resource."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.external: list[str] = []
        self.title = ""
        self._cell: list[str] | None = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "title":
            self._in_title = True
        for key in ("src", "href"):
            if attrs.get(key) and not str(attrs[key]).startswith("data:"):
                self.external.append(attrs[key])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_title:
            self.title += data


def _md_tables(text: str) -> list[list[list[str]]]:
    tables, cur = [], None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if set("".join(cells)) <= set("-: "):
                continue
            if cur is None:
                cur = []
                tables.append(cur)
            cur.append(cells)
        else:
            cur = None
    return tables


def test_summary_html_parses_and_holds_the_markdown_tables(report):
    parser = _Tables()
    parser.feed((report / "summary.html").read_text(encoding="utf-8"))
    parser.close()
    assert parser.title == "DeepSeek overtakes ChatGPT in the US App Store"
    assert parser.external == []  # self-contained: styles inline, chart embedded as data: URI
    md = _md_tables((report / "summary.md").read_text(encoding="utf-8"))
    # the settings list is a table in HTML and bullets in markdown; the HTML adds the answer
    # tables (market-value lens) and shows returns as percentages (decimals on hover)
    html_tables = [t for t in parser.tables if not (t and t[0] and t[0][0] == "Study")]
    assert len(html_tables) == len(parser.tables) - 1
    headers = [t[0] for t in html_tables]
    for m in md[1:]:  # the verdicts come with their reasons in HTML
        assert m[0] in headers or [c for c in m[0]] in headers, m[0]


def test_manifest(report, deepseek):
    import numpy

    man = json.loads((report / "manifest.json").read_text())
    assert man["study"] == "deepseek_2025"
    assert man["versions"]["numpy"] == numpy.__version__
    assert man["input_data"]["sha256"] == data_hash(deepseek.metadata["prices"])
    assert man["input_data"]["events"]["n"] == len(deepseek.spec.events) == 511
    assert man["config"] == (report / "config.resolved.yaml").read_text()
    assert set(man["timings_s"]) >= {"pdf_and_figures", "excel", "csv_parquet"}
    assert set(man["outputs"]) == set(REPORT_FILES) - {"manifest.json"} | (
        set(man["outputs"]) & set(OPTIONAL_REPORT_FILES))
    for name, digest in man["outputs"].items():
        assert file_hash(report / name) == digest, name


def test_data_hash_changes_with_one_price(deepseek):
    prices = deepseek.metadata["prices"]
    changed = prices.copy()
    changed.iloc[5, 3] *= 1.0001
    assert data_hash(prices) == data_hash(prices.copy())
    assert data_hash(changed) != data_hash(prices)


def test_failed_report_keeps_the_previous_one(deepseek, report, tmp_path, monkeypatch):
    import shutil

    out = tmp_path / "deepseek_2025"
    shutil.copytree(report, out)
    before = (out / "report.pdf").read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "_write_excel", boom)  # fails after the CSV files are written
    with pytest.raises(RuntimeError, match="disk full"):
        export.write_report(deepseek, out)
    assert (out / "report.pdf").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["deepseek_2025"]


def _page_text(res, kind) -> str:
    from eventstudy.reporting.pages import draw_page

    return " ".join(" ".join(draw_page(res, kind).strings).split())


def test_claims_and_quality_reach_every_output(deepseek, monkeypatch):
    from eventstudy.reporting.html import summary_html
    from eventstudy.reporting.markdown import summary_markdown

    claims = pd.DataFrame({
        "claim_id": ["c1", "c1"], "claim": ["Power stocks fell on day 0", "Power stocks fell"],
        "test": ["claim", "t"], "metric": ["", "caar"], "value": [np.nan, -0.19],
        "p_value": [np.nan, 0.001], "verdict": ["supported", "supported"]})
    quality = pd.DataFrame({"ticker": ["XYZ"], "date": ["2025-01-28"], "check": ["jump"],
                            "severity": ["warning"],
                            "message": ["price jump of 45% (check splits)"]})
    monkeypatch.setattr(EventStudyResults, "claims", property(lambda self: claims))
    deepseek = deepseek.with_provenance(replace(deepseek.provenance, quality=quality))
    pd.testing.assert_frame_equal(export.report_tables(deepseek)["claims"], claims)
    page1 = _page_text(deepseek, "summary")
    assert "Claims and verdicts" in page1 and "Power stocks fell on day 0 supported" in page1
    page9 = _page_text(deepseek, "diagnostics")
    assert "Data quality (1)" in page9 and "price jump of 45% (check splits)" in page9
    for text in (summary_markdown(deepseek), summary_html(deepseek), deepseek._repr_html_()):
        assert "Power stocks fell on day 0" in text and "supported" in text
    assert "price jump of 45%" in summary_markdown(deepseek)
    diag = export.report_tables(deepseek)["diagnostics"]
    assert diag.query("kind == 'quality'")["ticker"].tolist() == ["XYZ"]


def test_text_summary_shows_counts_and_headline(deepseek):
    text = str(deepseek)
    assert "DeepSeek overtakes ChatGPT in the US App Store" in text
    row = next(line for line in text.splitlines() if line.strip().startswith("power"))
    caar = deepseek.caar_table().query("group == 'power' and tau_start == 0 and tau_end == 0")
    assert row.split()[1] == "5"  # N, not 5.0000
    assert f"{caar['caar'].iloc[0] * 100:+.2f}% ***" in row


def test_sources_csv_names_source_and_vintage_of_every_series(report):
    import pandas as pd

    from eventstudy import datasets

    table = pd.read_csv(report / "sources.csv")
    # symbol, currency and unit added by issue 13 (aliases; GBp vs GBP)
    assert list(table.columns) == ["ticker", "source", "vintage", "adjusted", "symbol",
                                   "currency", "unit"]
    # 503 members + named securities + the market: every series of the study, each from the bundle
    assert {"NVDA", "^GSPC", "SOXX"} <= set(table["ticker"])
    assert table["ticker"].is_unique
    row = table.set_index("ticker").loc["NVDA"]
    assert row["source"] == f"bundled ({datasets.sources()['NVDA']})"
    assert str(row["vintage"]) == datasets.VINTAGE
    assert bool(row["adjusted"]) is True


def test_excel_headline_is_numbers_with_percent_format_and_stars_apart(report, deepseek):
    from openpyxl import load_workbook

    ws = load_workbook(report / "tables.xlsx")["headline"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["group", "label", "n"] and "stars" in header and "caar" in header
    col = header.index("caar")
    power = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "power"
                 and r[header.index("window")].value == "AAR[0]")
    h = deepseek.headline().query("group == 'power' and tau_start == 0 and tau_end == 0")
    assert power[col].value == pytest.approx(h["caar"].iloc[0], rel=1e-15)  # a number
    assert power[col].number_format == "0.00%"
    assert power[header.index("stars")].value == "***"
    caar = load_workbook(report / "tables.xlsx")["caar"]
    assert caar.cell(2, [c.value for c in caar[1]].index("caar") + 1).number_format == "0.00%"


def test_summary_html_colours_verdicts_and_hovers_decimals(report, deepseek):
    text = (report / "summary.html").read_text(encoding="utf-8")
    assert "<span class='verdict v-not-supported'>not supported</span>" in text
    assert "<span class='verdict v-supported'>supported</span>" in text
    assert "decided by breadth" in text  # the verdict's reason
    h = deepseek.headline().query("group == 'power' and tau_start == 0 and tau_end == 0")
    assert f"title='CAAR {float(h['caar'].iloc[0])!r}" in text  # the decimal on hover
    assert "addEventListener('click'" in text  # sortable columns
    assert "The answer in numbers: the market-value lens" in text


def test_formats_and_no_figures_write_only_what_is_asked(tmp_path, repo):
    from typer.testing import CliRunner

    from eventstudy.cli import app

    # given twice, both lists (the second used to replace the first)
    out = CliRunner().invoke(app, ["run", str(repo / "configs" / "deepseek_2025.yaml"), "-o",
                                   str(tmp_path), "--offline", "--formats", "csv",
                                   "--formats", "md", "--no-figures"])
    assert out.exit_code == 0, out.output
    files = {p.relative_to(tmp_path / "deepseek_2025").as_posix()
             for p in (tmp_path / "deepseek_2025").rglob("*") if p.is_file()}
    assert {"ar.csv", "summary.md", "manifest.json", "config.resolved.yaml"} <= files
    assert not {f for f in files if f.endswith((".pdf", ".png", ".xlsx", ".html", ".parquet"))}
    bad = CliRunner().invoke(app, ["run", str(repo / "configs" / "deepseek_2025.yaml"), "-o",
                                   str(tmp_path), "--offline", "--formats", "pdf,docx"])
    assert bad.exit_code == 2 and "unknown format docx" in bad.output  # a usage error


def test_adjusted_p_values_reach_the_test_table_and_its_note(repo):
    """With p_adjust: holm the tests page and summary.html showed raw p-values and their stars,
    and nothing said Holm (review): the cells now carry the adjusted p-value and the notes say
    which is which (the headline's stars stay unadjusted, and its note says so)."""
    from eventstudy import EventStudy
    from eventstudy.reporting.summary import headline_note, tests_note, tests_table

    res = EventStudy.from_yaml(repo / "configs" / "nvda_earnings.yaml").fit()
    t = res.tests
    assert "p_value_adjusted" in t and (t["p_value_adjusted"] >= t["p_value"]).all()
    row = t.dropna(subset=["p_value"]).query("p_value_adjusted > p_value").iloc[0]
    cells = [str(v) for v in tests_table(res).to_numpy().ravel()]
    stat = f"{row['statistic']:.2f}"
    assert any(c.startswith(f"{stat} ({row['p_value_adjusted']:.3f})") for c in cells)
    assert not any(c.startswith(f"{stat} ({row['p_value']:.3f})") for c in cells)
    assert "Holm (1979)" in tests_note(res) and "p_adjust: holm" in tests_note(res)
    assert "unadjusted p-values" in headline_note(res)


def test_summary_tables_are_built_once_and_handed_out_as_copies(deepseek):
    """summary.md, summary.html and the PDF share one build of the display tables; an edit by
    one caller never reaches the next."""
    from eventstudy.reporting.summary import answer_tables, summary_sections

    first = summary_sections(deepseek)
    first[0].table.iloc[0, 0] = "edited"
    again = summary_sections(deepseek)
    assert again[0].table.iloc[0, 0] != "edited"
    assert [s.key for s in again] == [s.key for s in first]
    lens = answer_tables(deepseek)
    lens["index"].iloc[0, 0] = "edited"
    assert answer_tables(deepseek)["index"].iloc[0, 0] != "edited"


def test_headline_marks_the_windows_that_hold_other_news(deepseek):
    """CAAR[+0,+20] holds the 21 February sell-off (tau +18): its cells carry a dagger and the
    note names the news; the headline's stars alone read as the event's (deepseek_r1_release's
    [0,+5] holds 27 January)."""
    from eventstudy.reporting.summary import headline_note, headline_table

    table = headline_table(deepseek)
    assert table["CAAR[+0,+20]"].str.endswith("\u2020").all()
    for col in ("AAR[0]", "CAAR[-1,+1]", "CAAR[+0,+5]"):
        assert not table[col].str.contains("\u2020").any()
    assert table.loc["power", "CAAR[+0,+20]"] == "-21.66% * \u2020"
    assert ("\u2020 the window holds other news, so its CAAR mixes it in: 2025-02-21 "
            "late-February sell-off (S&P 500 -1.7%).") in headline_note(deepseek)
