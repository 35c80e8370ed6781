"""Failure cases the report must show (shared/cases): C02 adjustment in the footer, C15 shifted
event dates listed, C19 and C21 skipped security-events counted and listed, no t = +-inf anywhere.

A study built from DataFrames (no price levels, no universe) goes through the whole report.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from eventstudy import EventStudy


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    idx = pd.bdate_range("2024-01-01", periods=200)
    rng = np.random.default_rng(7)
    m = pd.Series(rng.normal(0, 0.01, len(idx)), index=idx)
    r = pd.DataFrame({t: b * m + rng.normal(0, 0.012, len(idx))
                      for t, b in (("AAA", 1.2), ("DDD", 0.8), ("BBB", 1.0))}, index=idx)
    r.loc[: idx[84], "BBB"] = np.nan  # C19: too few estimation returns left
    r["CCC"] = 0.0  # C21: stale price, zero variance
    events = [{"event_id": "e1", "ticker": t, "date": "2024-07-13"}  # a Saturday (C15)
              for t in ("AAA", "DDD", "BBB", "CCC")]
    study = EventStudy(events, r, m, estimation_window=(-120, -11), event_windows=[(0, 0), (-1, 1)],
                       metadata={"study": "cases", "title": "Report cases", "source": "synthetic",
                                 "vintage": "test", "adjusted": True})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = study.fit()
    out = res.to_report(tmp_path_factory.mktemp("cases") / "cases")
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(out / "report.pdf").pages]
    return res, out, pages


def test_c02_every_pdf_page_states_the_adjustment(small_report):
    _, _, pages = small_report
    assert len(pages) == 9
    for page in pages:
        assert "vintage test, adjusted for splits and dividends: true" in page


def test_c15_shifted_event_date_is_listed(small_report):
    res, out, pages = small_report
    assert res.shifted["anchored_date"].astype(str).tolist() == ["2024-07-15"]
    assert "e1: 2024-07-13 -> 2024-07-15" in pages[0]
    assert "Shifted event dates (1)" in pages[8] and "2024-07-15" in pages[8]
    md = (out / "summary.md").read_text()
    assert "## Shifted event dates" in md and "2024-07-15" in md
    diag = pd.read_csv(out / "diagnostics.csv")
    assert diag.query("kind == 'shifted'")["message"].str.contains("day 0 = 2024-07-15").all()


def test_c19_c21_skipped_security_events_are_counted_and_listed(small_report):
    res, out, pages = small_report
    assert sorted(res.dropped["ticker"]) == ["BBB", "CCC"]
    # BBB has returns from session 85 on; day 0 (2024-07-15) is session p0, the estimation window
    # p0-120..p0-11 holds 110 sessions, of which those >= 85 are valid
    p0 = pd.bdate_range("2024-01-01", periods=200).get_loc(pd.Timestamp("2024-07-15"))
    n_valid = sum(1 for i in range(p0 - 120, p0 - 10) if i >= 85)
    assert n_valid < 55  # min_estimation_obs: half the window
    assert "2 fitted, 2 skipped" in pages[0]
    assert "Skipped security-events (2)" in pages[8]
    assert f"{n_valid} of 110" in pages[8] and "zero variance" in pages[8]
    diag = pd.read_csv(out / "diagnostics.csv").query("kind == 'skipped'")
    assert sorted(diag["ticker"]) == ["BBB", "CCC"]
    md = (out / "summary.md").read_text()
    assert "## Skipped security-events" in md and f"{n_valid} of 110" in md


def test_c21_no_infinite_t_in_tables_or_pdf(small_report):
    _, out, pages = small_report
    for name in ("ar", "car", "caar", "tests"):
        frame = pd.read_csv(out / f"{name}.csv")
        numbers = frame.select_dtypes("number").to_numpy(dtype=float)
        assert not np.isinf(numbers).any(), name
        assert set(frame.get("ticker", pd.Series(dtype=str))) <= {"AAA", "DDD"}
    assert not any("inf" in p.lower().replace("info", "") for p in pages)


def test_study_from_dataframes_gets_every_output(small_report):
    from eventstudy.reporting.export import REPORT_FILES

    _, out, _ = small_report
    for name in REPORT_FILES:
        assert (out / name).stat().st_size > 0, name
