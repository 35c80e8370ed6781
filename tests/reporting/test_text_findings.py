"""Text and labels of the reports a referee and an editor read (review of the printed material).

Multi-session returns marked in the headline and listed with the data quality (A); labels and test
names instead of ids (B); events by date (C); the event the day-0 context is for (D); counts as
integers and captions that match the HTML (E); company names (F); pages promised that exist (G);
wording of recovery and shifted dates (H); the console headline of events reported apart (I).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from eventstudy import EventStudy
from eventstudy.cli import app
from eventstudy.reporting import html as html_mod
from eventstudy.reporting import labels, pages, summary

# global_res and nvda: the fitted deepseek_global and nvda_earnings studies (conftest.py)


@pytest.fixture(scope="module")
def ex_ai(repo):
    """configs/deepseek_2025_ex_ai.yaml: a benchmark built without two groups, no claims."""
    with pytest.warns(Warning):
        return EventStudy.from_yaml(repo / "configs" / "deepseek_2025_ex_ai.yaml").fit()


# A: a return spanning sessions -----------------------------------------------------------------

def test_headline_marks_cells_whose_window_holds_a_multi_session_return(global_res):
    spans = summary.spanning_returns(global_res)
    # ENR.DE's day 0 from the 23 January close; exchange_calendars 4.7 (the declared minimum)
    # also holds 23-24 January 2025 as Taipei sessions, so 2330.TW's 3 February return spans
    # them there: the flag follows the calendar in use
    enr = spans[spans["ticker"] == "ENR.DE"]
    assert list(enr["since"]) == ["2025-01-23"]
    assert set(spans["ticker"]) <= {"ENR.DE", "2330.TW"}
    table = summary.headline_table(global_res)
    assert table.loc["frankfurt", "AAR[0]"] == f"-17.41% {summary.SPANNING}"
    assert table.loc["frankfurt", "CAAR[+0,+5]"].endswith(summary.SPANNING)
    assert not table.loc["paris"].astype(str).str.contains(summary.SPANNING).any()
    note = summary.headline_note(global_res)
    assert (f"{summary.SPANNING} the window holds a return that spans more than one session"
            in note)
    assert "ENR.DE on 2025-01-27 (day 0, event deepseek) runs from the 2025-01-23 close" in note


def test_multi_session_returns_are_shown_with_the_data_quality(global_res):
    q = summary.quality_findings(global_res)
    assert "multi_session_return" in set(q["check"])
    page = pages.draw_page(global_res, "diagnostics")
    assert "multi_session_return" in page.strings
    text = "\n".join(page.strings)
    spans = len(summary.spanning_returns(global_res))  # 1, or 2 at exchange_calendars 4.7
    assert f"Data quality ({4 + spans})" in text  # the screen's 4 rows and the spanning returns
    quality = [s for s in summary.summary_sections(global_res) if s.key == "quality"][0]
    assert "multi_session_return" in set(quality.table["check"])


# B: labels and test names, never ids ----------------------------------------------------------

def test_settings_name_a_built_benchmark_by_its_groups(ex_ai):
    market = dict(summary.settings_table(ex_ai))["Market"]
    assert market == "cap-weighted, without AI hardware and power"
    rec = summary.answer_tables(ex_ai)["recovery"]
    assert "cap-weighted, without AI hardware and power" in set(rec["series"])
    assert "cap-weighted ex ai_hardware+power" not in "\n".join(
        pages.draw_page(ex_ai, "summary").strings + pages.draw_page(ex_ai, "answer").strings)


def test_tables_show_group_labels_and_test_names(ex_ai):
    tests = summary.tests_table(ex_ai)
    assert "Kolari-Pynnönen" in tests.columns and "kolari_pynnonen" not in tests.columns
    assert "Corrado rank" in tests.columns
    assert "AI hardware" in set(tests["group"]) and "ai_hardware" not in set(tests["group"])
    assert "kolari_pynnonen" not in summary.tests_note(ex_ai)
    md_groups = summary.summary_sections(ex_ai)
    head = [s for s in md_groups if s.key == "headline"][0].table
    assert list(head["group"])[-1] == "S&P 500 members"
    day0 = [s for s in md_groups if s.key == "day0"][0].table
    assert "sp500" not in set(day0["group"])


def test_claim_reasons_print_group_labels(deepseek):
    reasons = summary.verdict_reasons(deepseek)
    assert reasons is not None
    text = " ".join(reasons["reason"])
    assert "ai_hardware" not in text and "sp500" not in text
    assert "AI hardware and power" in text and "S&P 500 members" in text


def test_label_ids_rewrites_joined_and_universe_ids(deepseek):
    assert labels.label_ids("CAAR of ai_hardware+power, rest of sp500 members", deepseek) == (
        "CAAR of AI hardware and power, rest of S&P 500 members")
    assert labels.label_ids("power plants", deepseek) == "power plants"  # a word, kept


def test_lower_first_keeps_a_company_name():
    assert labels.lower_first("Nvidia") == "Nvidia"
    assert labels.lower_first("Power") == "power"


def test_volume_and_volatility_rows_use_labels_and_test_names(deepseek):
    table = summary.reactions_table(deepseek)
    assert table is not None
    assert "ai_hardware" not in set(table["group"])
    assert {"variance ratio", "Corrado rank"} <= set(table.columns) or "Corrado rank" in set(
        table.columns)
    assert not {"corrado_rank", "variance_ratio", "kolari_pynnonen"} & set(table.columns)


# C: events by date ----------------------------------------------------------------------------

def test_event_order_is_by_date_not_by_id(nvda):
    assert labels.event_order(nvda) == ["q4_fy24", "q1_fy25", "q2_fy25", "q3_fy25", "q4_fy25"]


# D: the event the day-0 context is for --------------------------------------------------------

def test_context_and_recovery_name_their_event(nvda, tmp_path):
    which = summary.answer_event(nvda)
    # the event as the study file names it (its label), then its id and date
    assert which == (" (Q4 FY2024 results: data-center revenue +409% y/y, q4_fy24, day 0 22 "
                     "February 2024, only: the first of 5 events; the headline averages all "
                     "of them)")
    page = html_mod.summary_html(nvda)
    assert f"<h3>Context on day 0{which.replace('&', '&amp;')}</h3>" in page
    assert "Recovery: sessions until the day -1 close was regained (Q4 FY2024 results" in page


# E: counts and captions of summary.html -------------------------------------------------------

def test_html_counts_are_integers():
    assert html_mod._cell(np.int64(1), "N") == "<td class='num' data-v='1' title='1'>1</td>"
    assert html_mod._cell(10.0, "n") == "<td class='num' data-v='10' title='10'>10</td>"
    assert "1.0000" not in html_mod._cell(1, "N")


def test_html_headline_n_and_extremes_caption(global_res):
    page = html_mod.summary_html(global_res)
    assert "1.0000" not in page and "title='1.0'" not in page
    assert "ret and ar are decimals" not in page
    assert "ret and ar in percent (the decimal on hover)" in page


# F: company names -----------------------------------------------------------------------------

@pytest.mark.parametrize(("ticker", "label"), [
    ("META", "META Meta Platforms"), ("NRG", "NRG Energy"), ("ASML", "ASML Holding"),
    ("JNJ", "JNJ Johnson & Johnson"), ("NVDA", "NVDA Nvidia"), ("AES", "AES")])
def test_security_labels_name_the_company(ticker, label):
    assert labels.security_label(ticker) == label


# G: the pages list ----------------------------------------------------------------------------

def test_pages_list_promises_verdicts_only_with_claims(ex_ai, deepseek):
    plan = " ".join(what for _, what in pages.page_plan(ex_ai))
    assert "verdict" not in plan
    assert "claim verdicts" in pages.page_plan(deepseek)[0][1]


# H: wording -----------------------------------------------------------------------------------

def test_recovery_of_a_series_that_never_fell(ex_ai):
    rec = summary.answer_tables(ex_ai)["recovery"].set_index("series")
    row = rec.loc["S&P 500 members"]
    assert row["regained the day -1 close"] == "not lost: day 0 closed above it"
    assert row["deepest drawdown"] == "none" and row["sessions"] == ""
    assert row["from the day -1 close"] == "-0.93%"


def test_shifted_date_names_the_security(global_res):
    shifted = dict(summary.settings_table(global_res))["Shifted event dates"]
    assert shifted == "deepseek (2330.TW TSMC only): 2025-01-27 -> 2025-02-03"


# I: the console headline of events reported apart ---------------------------------------------

def _two_event_study(tmp_path) -> str:
    from eventstudy.data.calendar import sessions

    idx = sessions("XNYS", pd.Timestamp("2024-01-02"), pd.Timestamp("2025-03-31"))
    rng = np.random.default_rng(7)
    m = rng.normal(0.0004, 0.01, len(idx))
    prices = pd.DataFrame({
        "^GSPC": 100 * np.cumprod(1 + m),
        "NVDA": 100 * np.cumprod(1 + 1.3 * m + rng.normal(0, 0.015, len(idx))),
        "AMD": 100 * np.cumprod(1 + 1.1 * m + rng.normal(0, 0.015, len(idx)))}, index=idx)
    prices.rename_axis("date").to_csv(tmp_path / "prices.csv")
    cfg = {"study": "two", "data": {"source": "file", "path": "prices.csv",
                                    "calendar": "XNYS"},
           "events": [{"id": "e1", "date": "2025-01-27"}, {"id": "e2", "date": "2025-01-28"}],
           "groups": {"chips": {"label": "Chip makers", "tickers": ["NVDA", "AMD"]}},
           "event_windows": [[-1, 1]], "pool_events": False}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return str(tmp_path / "study.yaml")


def test_console_headline_of_events_reported_apart(tmp_path):
    config = _two_event_study(tmp_path)
    result = CliRunner().invoke(app, ["run", config, "-o", str(tmp_path / "out"),
                                      "--formats", "csv"])
    assert result.exit_code == 0, result.output
    assert "('e1'" not in result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if "CAAR[-1,+1]" in line)
    assert header.split()[:3] == ["event", "group", "N"]
    assert any(line.startswith("e1 (day 0 27 January 2025)") and "Chip makers" in line
               for line in lines)
