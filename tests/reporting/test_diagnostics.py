"""diagnostics.csv is one tidy table (kind, event_id, ticker, date, check, severity, message) and
the run's warnings (``metadata["warnings"]``) reach it, summary.md, summary.html and PDF page 9.

Findings of the new-user test: C13's "1 duplicate date removed for DUP" and C20's "1 of 3
event-window returns missing" went to stderr only; dates read "2024-05-10 00:00:00"; page 9 cut long
messages ("illiqui...").
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from eventstudy import EventStudy
from eventstudy.reporting.summary import DIAGNOSTICS_COLUMNS, plural

C13 = "1 duplicate date removed for DUP"
C20 = "1 of 3 event-window returns missing (e1:AAA): its CAR is NaN"
STALE = ("stale prices: SW unchanged on 9 sessions in a row from 2024-05-10 (suspended or "
         "illiquid? its beta and variance are biased)")
LONG = ("event window of e1:DDD overlaps another event of DDD: "
        + " ".join(f"session-{i:03d}" for i in range(40)) + " END-OF-MESSAGE")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    idx = pd.bdate_range("2024-01-01", periods=200)
    rng = np.random.default_rng(11)
    m = pd.Series(rng.normal(0, 0.01, len(idx)), index=idx)
    r = pd.DataFrame({t: b * m + rng.normal(0, 0.012, len(idx))
                      for t, b in (("AAA", 1.2), ("DDD", 0.8))}, index=idx)
    r["CCC"] = 0.0  # zero variance: skipped
    events = [{"event_id": "e1", "ticker": t, "date": "2024-07-13"}  # a Saturday: shifted
              for t in ("AAA", "DDD", "CCC")]
    quality = pd.DataFrame({"ticker": ["SW"], "date": pd.to_datetime(["2024-05-10"]),
                            "check": ["stale_prices"], "severity": ["warning"],
                            "message": [STALE]})
    study = EventStudy(events, r, m, estimation_window=(-120, -11), event_windows=[(0, 0)],
                       metadata={"study": "diag", "title": "Diagnostics", "source": "synthetic",
                                 "vintage": "test", "adjusted": True, "quality": quality,
                                 "notes": ["prices: 3 from synthetic"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = study.fit()
    res = res.with_provenance(res.provenance.with_warnings([
        {"category": "EventStudyWarning", "message": C13},
        {"category": "MissingReturnsWarning", "message": C20},
        {"category": "EventStudyWarning", "message": STALE},  # also a quality row: listed once
        {"category": "EventWindowOverlapWarning", "message": LONG},
        {"category": "MissingReturnsWarning", "message": C20},  # a repeat: listed once
    ]))
    out = res.to_report(tmp_path_factory.mktemp("diag") / "diag")
    page9 = " ".join(PdfReader(out / "report.pdf").pages[8].extract_text().split())
    return res, out, page9


def test_diagnostics_csv_is_tidy_with_iso_dates_and_a_final_newline(report):
    _, out, _ = report
    raw = (out / "diagnostics.csv").read_bytes()
    assert raw.endswith(b"\n") and not raw.endswith(b"\n\n") and b"\r" not in raw
    diag = pd.read_csv(out / "diagnostics.csv", dtype=str, keep_default_na=False)
    assert list(diag.columns) == DIAGNOSTICS_COLUMNS
    assert "00:00:00" not in raw.decode()
    rows = {k: sub for k, sub in diag.groupby("kind")}
    assert rows["skipped"][["event_id", "ticker", "date", "check", "severity"]].values.tolist() == [
        ["e1", "CCC", "2024-07-13", "estimation_window", "warning"]]
    assert rows["shifted"][["event_id", "date", "check", "message"]].values.tolist() == [
        ["e1", "2024-07-13", "non_trading_day", "2024-07-13 is not a session; day 0 = 2024-07-15"]]
    assert rows["quality"][["ticker", "date", "check", "severity", "message"]].values.tolist() == [
        ["SW", "2024-05-10", "stale_prices", "warning", STALE]]
    assert rows["note"][["severity", "message"]].values.tolist() == [
        ["info", "prices: 3 from synthetic"]]


def test_c13_c20_warnings_reach_diagnostics_csv_once_each(report):
    _, out, _ = report
    diag = pd.read_csv(out / "diagnostics.csv", dtype=str, keep_default_na=False)
    warned = diag[diag["kind"] == "warning"]
    assert warned[["check", "severity", "message"]].values.tolist() == [
        ["EventStudyWarning", "warning", C13],
        ["MissingReturnsWarning", "warning", C20],
        ["EventWindowOverlapWarning", "warning", LONG],
    ]  # the stale-price warning is the quality row already; the repeated C20 is listed once
    assert (diag["message"] == STALE).sum() == 1


def test_c13_c20_warnings_reach_summary_md_and_html(report):
    _, out, _ = report
    md = (out / "summary.md").read_text()
    html = (out / "summary.html").read_text()
    assert "## Warnings" in md and "<h2>Warnings</h2>" in html
    for text in (md, html):
        assert C13 in text and C20 in text and "MissingReturnsWarning" in text
        assert "00:00:00" not in text


def test_c13_c20_warnings_reach_pdf_page_9_wrapped_not_cut(report):
    _, _, page9 = report
    assert "Warnings (3)" in page9
    assert C13 in page9 and C20 in page9
    assert STALE in page9 and "2024-05-10 00:00:00" not in page9
    assert LONG in page9  # 450 characters wrapped onto several lines, nothing cut
    assert "..." not in page9


def test_no_warnings_section_without_warnings(report):
    res, _, _ = report
    from eventstudy.reporting.markdown import summary_markdown
    from eventstudy.reporting.summary import diagnostics_table

    res = res.with_provenance(res.provenance.with_warnings([]))  # results are frozen: a copy
    assert "## Warnings" not in summary_markdown(res)
    assert "warning" not in set(diagnostics_table(res)["kind"])


@pytest.mark.parametrize(("n", "word", "text"), [
    (1, "security-event", "1 security-event"), (2, "security-event", "2 security-events"),
    (1, "security", "1 security"), (503, "security", "503 securities"), (0, "group", "0 groups"),
    (2, "day", "2 days")])
def test_plural(n, word, text):
    assert plural(n, word) == text


def test_readme_outputs_table_lists_the_columns_written(repo, report):
    """The README promised quality rows (ticker, date, check, severity, message) the file lacked."""
    _, out, _ = report
    rows = {line.split("|")[1].strip(" `"): line for line in
            (repo / "README.md").read_text().splitlines() if line.startswith("| `")}
    written = list(pd.read_csv(out / "diagnostics.csv").columns)
    pos = 0
    for col in written:  # each column named, in the order of the file
        pos = rows["diagnostics.csv"].index(col, pos) + len(col)
    assert written == DIAGNOSTICS_COLUMNS
    assert "n_days" in rows["car.csv"] and "missing_returns: skip" in rows["car.csv"]


def test_page_9_counts_rows_left_out_in_the_singular(report, monkeypatch):
    from eventstudy.reporting.pages import draw_page

    res, _, _ = report
    quality = pd.DataFrame({"ticker": [f"T{i}" for i in range(13)],
                            "date": pd.to_datetime(["2024-05-10"] * 13), "check": "stale_prices",
                            "severity": "warning", "message": "stale prices"})
    res = res.with_provenance(replace(res.provenance, quality=quality))
    texts = draw_page(res, "diagnostics").strings  # 12 rows per section at most
    assert "... 1 more row in diagnostics.csv" in texts

