"""Text of the reports after a third review: marks, bases and names readers can follow.

The multi-session mark on the tests page and the extreme day-0 ARs (2); the recovery table's
bases and missing series (1); test names and claim wording in warnings and claims (3); the event
the answer tables are for, by its label (4).
"""

from __future__ import annotations

from eventstudy.reporting import pages, summary

# global_res and nvda: the fitted deepseek_global and nvda_earnings studies (conftest.py)


# 2: the multi-session mark beyond the headline ------------------------------------------------

def test_tests_table_marks_windows_holding_a_multi_session_return(global_res):
    mark = summary.SPANNING
    table = summary.tests_table(global_res)
    frankfurt = table[table["group"] == "Frankfurt"]
    windows = list(frankfurt["window"])
    assert windows == [f"[0,0] {mark}", "[-1,+1]", f"[0,+5] {mark}"]  # [-1,+1]: no security
    assert not table.loc[table["group"] == "Paris", "window"].str.contains(mark).any()
    assert f"{mark} by a window: it holds a return that spans more than one session" in (
        summary.tests_note(global_res))
    page = "\n".join(pages.draw_page(global_res, "tests").strings)
    assert f"[0,0] {mark}" in page and f"{mark} by a window" in page


def test_day0_extremes_mark_a_multi_session_return(global_res):
    mark = summary.SPANNING
    day0 = next(s for s in summary.summary_sections(global_res) if s.key == "day0")
    marked = [t for t in day0.table["ticker"] if mark in str(t)]
    # ENR.DE; 2330.TW too with exchange_calendars 4.7 (the minimum), whose Taipei calendar holds
    # 23-24 January 2025 as sessions: the mark follows the calendar in use, as spanning_returns
    spans = summary.spanning_returns(global_res)
    assert f"ENR.DE {mark}" in marked and len(marked) == len(spans)
    for note in (day0.note, day0.html_note):
        assert (f"{mark} the day-0 return spans more than one session of its exchange" in note
                and "ENR.DE from the 2025-01-23 close" in note)


def test_no_mark_in_tests_or_extremes_without_a_multi_session_return(nvda):
    mark = summary.SPANNING
    assert not summary.tests_table(nvda)["window"].str.contains(mark).any()
    assert mark not in summary.tests_note(nvda)
    day0 = next(s for s in summary.summary_sections(nvda) if s.key == "day0")
    assert mark not in day0.note and not day0.table["ticker"].str.contains(mark).any()


# 1: the recovery table's bases and missing series ---------------------------------------------

def test_recovery_names_a_base_before_day_minus_1_and_a_missing_series(global_res):
    rec = global_res.recovery_table().set_index("name")
    assert str(rec.at["frankfurt", "base_date"].date()) == "2025-01-23"
    assert str(rec.at["paris", "base_date"].date()) == "2025-01-24"
    assert "its own day 0 is 2025-02-03" in rec.at["taipei", "missing"]
    tables = summary.answer_tables(global_res)
    series = list(tables["recovery"]["series"])
    assert f"Frankfurt (from 2025-01-23) {summary.RECOVERY_BASE}" in series
    assert "Paris" in series and not any("Taipei" in s for s in series)
    note = tables["recovery_note"]["note"].iloc[0]
    assert "not measured from the day -1 close (2025-01-24" in note
    assert "Frankfurt from the 2025-01-23 close" in note
    assert "Not shown: Taipei (no member has a close on day 0 (2025-01-27)" in note


def test_recovery_note_reaches_the_html(global_res):
    from eventstudy.reporting import html as html_mod

    page = html_mod.summary_html(global_res, {})
    assert "Frankfurt (from 2025-01-23) \u00a7" in page
    assert "Not shown: Taipei" in page
