"""Findings of the new-user test (/tmp/newuser findings 3-9, 11) on the study, results and config."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from eventstudy import EventStudy
from eventstudy.config import load_config
from eventstudy.data.calendar import sessions
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    EventStudyError,
    MissingReturnsWarning,
)
from eventstudy.inputs import read_events_csv
from eventstudy.statistics.parametric import cross_sectional_t


def _panel(tickers=("AAA", "BBB", "CCC"), n=300, seed=3):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2023-01-02", periods=n)
    m = pd.Series(rng.normal(0, 0.01, n), index=idx)
    r = pd.DataFrame({t: 0.9 * m + rng.normal(0, 0.01, n) for t in tickers}, index=idx)
    return r, m


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def _study_file(tmp_path, body, *, tickers=("AAA",), start="2023-01-03", end="2024-12-31",
                edit=None):
    """Write XNYS-session prices (market MKT) and a study file; return the study's path."""
    idx = sessions("XNYS", pd.Timestamp(start), pd.Timestamp(end))
    rng = np.random.default_rng(11)
    r = rng.normal(0.0003, 0.01, (len(idx), len(tickers) + 1))
    prices = pd.DataFrame(100 * np.exp(np.cumsum(r, axis=0)), index=idx,
                          columns=["MKT", *tickers]).rename_axis("date")
    if edit is not None:
        prices = edit(prices)
    prices.to_csv(tmp_path / "prices.csv")
    cfg = {"study": "t", "data": {"source": "file", "path": "prices.csv"}, "market": "MKT", **body}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return tmp_path / "study.yaml"


# ------------------------------------------------------------------ 3: securities in no group
def test_finding3_securities_in_no_named_group_form_group_other_before_the_universe():
    r, m = _panel(("AAA", "BBB", "CCC", "DDD", "EEE"))
    day0 = r.index[280]
    events = [{"event_id": "e", "ticker": t, "date": day0} for t in ("AAA", "CCC", "DDD", "EEE")]
    res = _quiet(EventStudy(events, r, m, groups={"hw": ["AAA", "BBB"], "u": ["AAA", "BBB", "CCC"]},
                            metadata={"universe": "u"}, estimation_window=(-200, -11),
                            event_windows=[(0, 0)]).fit)
    assert res.groups == ["hw", "other", "u"]  # after the named groups, before the universe
    caar = res.caar_table().set_index("group")
    assert caar.loc["other", "n"] == 2  # DDD and EEE are counted, not dropped
    car = res.car_window(0, 0)
    assert caar.loc["other", "caar"] == pytest.approx(car.loc[[("e", "DDD"), ("e", "EEE")]].mean())
    assert set(res.tests["group"]) == {"hw", "other", "u"}
    assert res.to_frame().groupby("ticker")["group"].first().to_dict() == {
        "AAA": "hw", "CCC": "u", "DDD": "other", "EEE": "other"}
    assert any(n.startswith("group other: 2 securities in no named group (DDD, EEE)")
               for n in res.metadata["notes"])


def test_finding3_a_group_named_other_keeps_its_name():
    r, m = _panel()
    events = [{"event_id": "e", "ticker": t, "date": r.index[280]} for t in r.columns]
    res = _quiet(EventStudy(events, r, m, groups={"other": ["AAA"]}, estimation_window=(-200, -11),
                            event_windows=[(0, 0)]).fit)
    assert res.groups == ["other", "ungrouped"]
    assert res.caar_table().set_index("group")["n"].to_dict() == {"other": 1, "ungrouped": 2}


# ------------------------------------------------------------------ 4: group named like the universe
def test_finding4_group_with_the_universe_name_is_a_config_error(tmp_path):
    p = tmp_path / "g1.yaml"
    p.write_text("study: g\nmarket: ^GSPC\ndata: {source: bundled}\nuniverse: sp500\n"
                 "events: [{id: e, date: 2025-01-27}]\ngroups: {sp500: [NVDA]}\n")
    with pytest.raises(ConfigError, match=r"g1.yaml: line 6: key 'groups': group 'sp500' has the "
                                          r"name of the universe"):
        load_config(p)


# ------------------------------------------------------------------ 5: all-NaN results fail
def test_finding5_factors_ending_before_the_event_window_name_the_file(tmp_path):
    idx = sessions("XNYS", pd.Timestamp("2023-01-03"), pd.Timestamp("2024-06-28"))
    rows = [f"{d:%Y%m%d},{0.01 * k % 0.7:.2f},0.10,-0.05,0.02" for k, d in enumerate(idx)]
    (tmp_path / "ff3.CSV").write_text("preamble\n\n,Mkt-RF,SMB,HML,RF\n" + "\n".join(rows)
                                      + "\n\nCopyright\n")
    path = _study_file(tmp_path, {"events": [{"id": "e", "date": "2024-10-01",
                                              "tickers": ["AAA"]}],
                                  "model": "ff3", "factors": ["ff3.CSV"],
                                  "estimation_window": [-120, -11], "event_windows": [[0, 0]]})
    with pytest.raises(DataUnavailableError,
                       match=r"no factor returns on 2024-10-01 \(event window \[\+0,\+0\] of "
                             r"e:AAA\): ff3.CSV ends 2024-06-28, but the window needs factor "
                             r"returns to 2024-10-01"):
        _quiet(EventStudy.from_yaml(path).fit)


def test_finding5_missing_day0_under_nan_fails_naming_the_gap():
    r, m = _panel(("AAA",))
    day0 = r.index[280]
    r.loc[day0, "AAA"] = np.nan
    study = EventStudy([{"event_id": "e", "ticker": "AAA", "date": day0}], r, m,
                       estimation_window=(-200, -11), event_windows=[(-1, 1), (0, 0)])
    with pytest.raises(EventStudyError, match=rf"no security-event has a complete CAR over any "
                                              rf"event window .*e:AAA: no AAA return on "
                                              rf"{day0.date()}"):
        _quiet(study.fit)
    # with skip the same data has a CAR over the other two days
    res = _quiet(EventStudy([{"event_id": "e", "ticker": "AAA", "date": day0}], r, m,
                            estimation_window=(-200, -11), event_windows=[(-1, 1)],
                            missing_returns="skip").fit)
    assert res.car_table()["n_days"].iat[0] == 2


def test_finding5_and_11_delisted_security_is_skipped_not_fitted():
    r, m = _panel(("AAA", "DFS"))
    day0 = r.index[280]
    r.loc[r.index[270]:, "DFS"] = np.nan  # delisted ten sessions before the event
    events = [{"event_id": "e", "ticker": t, "date": day0} for t in ("AAA", "DFS")]
    with pytest.warns(MissingReturnsWarning, match="e:DFS skipped: no DFS return on") as rec:
        res = EventStudy(events, r, m, estimation_window=(-200, -11),
                         event_windows=[(0, 0), (-1, 1)]).fit()
    assert res.events["ticker"].tolist() == ["AAA"]  # fitted: only AAA
    assert not any("share their day 0" in str(w.message) for w in rec)  # DFS is not fitted
    reason = res.dropped.set_index("ticker").loc["DFS", "reason"]
    assert f"its last return is on {r.index[269].date()} (delisted?)" in reason
    with pytest.raises(DataUnavailableError, match="no security-event has a return in the event "
                                                   "window: e:DFS skipped"):
        _quiet(EventStudy([events[1]], r, m, estimation_window=(-200, -11)).fit)


# ------------------------------------------------------------------ 6: warnings reach the results
def test_finding6_loading_and_fitting_warnings_are_collected_once_in_order(tmp_path):
    def dup_and_gap(prices):
        prices.loc[prices.index[400], "AAA"] = np.nan  # a missing event-window price
        return pd.concat([prices.iloc[:100], prices.iloc[99:100], prices.iloc[100:]])

    day0 = sessions("XNYS", pd.Timestamp("2023-01-03"), pd.Timestamp("2024-12-31"))[397]
    path = _study_file(tmp_path, {"events": [{"id": "e", "date": str(day0.date()),
                                              "tickers": ["AAA"]}],
                                  "estimation_window": [-120, -11],
                                  "event_windows": [[-5, 5], [0, 0]]}, edit=dup_and_gap)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = EventStudy.from_yaml(path).fit()
    got = res.metadata["warnings"]
    assert all(set(w) == {"category", "message"} for w in got)
    cats = [w["category"] for w in got]
    assert cats.index("EventStudyWarning") < cats.index("MissingReturnsWarning")  # load, then fit
    assert any(w["message"] == "1 duplicate date removed for AAA" for w in got)
    assert any("e:AAA: 1 of 11 event-window returns missing" in w["message"] for w in got)
    # one of each, in the singular (it read "1 event-window returns missing for 1 ...-events")
    assert any(w["message"].startswith("1 event-window return missing for 1 security-event (")
               for w in got)
    assert len({(w["category"], w["message"]) for w in got}) == len(got)  # de-duplicated
    # every collected warning is still shown to the user
    shown = {str(w.message) for w in caught}
    assert {w["message"] for w in got} <= shown


def test_finding6_repeated_warnings_are_listed_once():
    r, m = _panel(("AAA",))
    events = [{"event_id": "a", "ticker": "AAA", "date": r.index[280]},
              {"event_id": "b", "ticker": "AAA", "date": r.index[280]}]  # warns in __init__
    with warnings.catch_warnings(record=True):  # an ignore filter would keep them out of the log
        warnings.simplefilter("always")
        study = EventStudy(events, r, m, estimation_window=(-200, -11))
        first, second = study.fit(), study.fit()
    assert first.metadata["warnings"] == second.metadata["warnings"]
    assert [w["category"] for w in first.metadata["warnings"]].count(
        "EventWindowOverlapWarning") == len({w["message"] for w in first.metadata["warnings"]
                                             if w["category"] == "EventWindowOverlapWarning"})
    assert first.metadata["warnings"][0]["message"].startswith("events a and b both hold AAA")


# ------------------------------------------------------------------ 7: every bad events row
def test_finding7_every_bad_events_row_is_reported_with_its_line(tmp_path):
    p = tmp_path / "bad_events.csv"
    p.write_text("event_id,ticker,date\ne1,NVDA,2025-01-27\ne1,NVDA,2025-01-27\n"
                 "e2,NVDA,01/02/2025\n,AMD,2025-01-27\ne3,AMD\ne4,AMD,2025-02-30\n")
    with pytest.raises(ConfigError) as err:
        read_events_csv(p)
    lines = str(err.value).splitlines()
    assert [ln.split(": ")[1] for ln in lines] == [f"line {k}" for k in range(3, 8)]
    assert "lists NVDA again (first on line 2)" in lines[0]
    assert "bad date '01/02/2025'" in lines[1] and "empty event_id" in lines[2]
    assert "2 fields, the header has 3" in lines[3] and "bad date '2025-02-30'" in lines[4]


def test_finding7_many_bad_rows_are_capped_with_a_count(tmp_path):
    p = tmp_path / "many.csv"
    p.write_text("event_id,ticker,date\n" + "".join(f"e{k},AMD,bad\n" for k in range(25)))
    with pytest.raises(ConfigError) as err:
        read_events_csv(p)
    lines = str(err.value).splitlines()
    assert len(lines) == 21 and lines[-1].endswith("... and 5 more bad rows")


# ------------------------------------------------------------------ 8: skip keeps tables consistent
def test_finding8_ar_table_car_agrees_with_car_table_under_skip():
    r, m = _panel(("AAA", "BBB"))
    day0 = r.index[280]
    r.loc[day0, "AAA"] = np.nan
    events = [{"event_id": "e", "ticker": t, "date": day0} for t in r.columns]
    res = _quiet(EventStudy(events, r, m, estimation_window=(-200, -11), event_windows=[(-1, 1)],
                            missing_returns="skip").fit)
    car = res.car_table().set_index("ticker")
    frame = res.to_frame().set_index(["ticker", "tau"])
    ar = frame.loc["AAA", "ar"]
    assert np.isnan(ar.loc[0])
    assert frame.loc[("AAA", 1), "car"] == pytest.approx(ar.loc[-1] + ar.loc[1], rel=1e-12)
    assert frame.loc[("AAA", 1), "car"] == pytest.approx(car.loc["AAA", "car"], rel=1e-12)
    assert frame.loc[("AAA", 0), "car"] == pytest.approx(ar.loc[-1], rel=1e-12)
    assert res.car.loc[1, ("e", "AAA")] == pytest.approx(car.loc["AAA", "car"], rel=1e-12)
    # the CAAR path ends at the CAAR of the window
    path = res.caar_path().query("group == 'all' and tau == 1")
    assert path["caar"].iat[0] == pytest.approx(res.caar_table()["caar"].iat[0], rel=1e-12)


# ------------------------------------------------------------------ 9: no raw numpy warnings
def test_finding9_group_of_one_or_none_raises_no_runtime_warning():
    r, m = _panel()
    events = [{"event_id": "e", "ticker": t, "date": r.index[280]} for t in ("AAA", "BBB")]
    res = _quiet(EventStudy(events, r, m, groups={"one": ["AAA"], "none": ["CCC"],
                                                   "two": ["AAA", "BBB"]},
                            estimation_window=(-200, -11), event_windows=[(0, 0), (-1, 1)]).fit)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        caar = res.caar_table().set_index(["group", "tau_start"])
        aar = res.aar
        _ = res.tests  # computed: must not warn either
    assert caar.loc[("one", 0), "n"] == 1 and np.isnan(caar.loc[("one", 0), "t"])
    assert caar.loc[("one", 0), "caar"] == pytest.approx(res.ar.loc[0, ("e", "AAA")])
    assert caar.loc[("none", 0), "n"] == 0 and np.isnan(caar.loc[("none", 0), "caar"])
    assert np.isnan(aar["none"]).all()
    assert aar.loc[0, "two"] == pytest.approx(res.ar.loc[0].mean())


def test_finding9_cross_sectional_t_matches_scipy():
    rng = np.random.default_rng(5)
    x = rng.normal(0.01, 0.02, (12, 3))
    x[2, 1] = np.nan
    mean, t, p, n = cross_sectional_t(x, axis=0)
    for j in range(3):
        col = x[:, j][np.isfinite(x[:, j])]
        ref = stats.ttest_1samp(col, 0.0)
        assert mean[j] == pytest.approx(col.mean(), rel=1e-12)
        assert t[j] == pytest.approx(ref.statistic, rel=1e-10)
        assert p[j] == pytest.approx(ref.pvalue, rel=1e-8)
        assert n[j] == len(col)


# ------------------------------------------------------------------ 11: plot_car, breadth wording
def test_finding11_plot_car_unknown_ticker_raises():
    r, m = _panel()
    events = [{"event_id": "e", "ticker": "AAA", "date": r.index[280]}]
    res = _quiet(EventStudy(events, r, m, estimation_window=(-200, -11)).fit)
    with pytest.raises(ValueError, match=r"plot_car: no security-event for ticker\(s\) \['NOPE'\]"):
        res.plot_car(tickers=["NOPE", "AAA"])


def test_breadth_without_universe_reads_the_studys_securities():
    r, m = _panel(("AAA",))
    claim = {"id": "c", "claim": "broad", "tests": [{"test": "breadth"}]}
    res = _quiet(EventStudy([{"event_id": "e", "ticker": "AAA", "date": r.index[280]}], r, m,
                            estimation_window=(-200, -11), event_windows=[(0, 0)],
                            claims=[claim]).fit)
    text = res.claim_results.text()
    assert "of the study's 1 security (" in text and "all securities members" not in text


def test_finding5_factors_missing_the_estimation_window_are_named(tmp_path):
    idx = sessions("XNYS", pd.Timestamp("2024-09-03"), pd.Timestamp("2024-12-31"))
    rows = [f"{d:%Y%m%d},0.10,0.10,-0.05,0.02" for d in idx]
    (tmp_path / "ff3.CSV").write_text("preamble\n\n,Mkt-RF,SMB,HML,RF\n" + "\n".join(rows) + "\n")
    path = _study_file(tmp_path, {"events": [{"id": "e", "date": "2024-10-01",
                                              "tickers": ["AAA"]}],
                                  "model": "ff3", "factors": ["ff3.CSV"],
                                  "estimation_window": [-120, -11], "event_windows": [[0, 0]]})
    with pytest.raises(EventStudyError, match=r"every security-event was skipped: .*; factor "
                                              r"returns: ff3.CSV cover 2024-09-03..2024-12-31"):
        _quiet(EventStudy.from_yaml(path).fit)


# ------------------------------------------------------------------ overlapping event windows
def test_c23_overlapping_event_windows_of_one_security_are_warned_about():
    """Review finding 4: two events of AAA one session apart with window [-1,+1] share two
    sessions, so their CARs double count them (C22/C23: one firm's events); before, only the
    cross-correlation warning appeared."""
    from eventstudy.exceptions import EventWindowOverlapWarning

    r, m = _panel(("AAA", "BBB"))
    d1, d2 = r.index[280], r.index[281]
    events = [{"event_id": e, "ticker": t, "date": d}
              for e, d in (("e1", d1), ("e2", d2)) for t in ("AAA", "BBB")]
    with pytest.warns(EventWindowOverlapWarning) as caught:
        EventStudy(events, r, m, estimation_window=(-200, -11), event_windows=[(-1, 1)]).fit()
    texts = [str(w.message) for w in caught if "overlap" in str(w.message)]
    assert texts == [
        f"event windows of the same security overlap: AAA's events e1 (day 0 {d1.date()}) and e2 "
        f"(day 0 {d2.date()}) share 2 sessions ({d1.date()}..{d2.date()}) of the window [-1,+1]; "
        "4 security-events have such an overlap. Their CARs count the shared sessions twice, so "
        "they are dependent and averaging them double counts: merge the events, drop one, or "
        "shorten the window"]


def test_c23_separate_event_windows_of_one_security_give_no_overlap_warning():
    r, m = _panel(("AAA",))
    events = [{"event_id": "e1", "ticker": "AAA", "date": r.index[250]},
              {"event_id": "e2", "ticker": "AAA", "date": r.index[253]}]  # [-1,1]: no session shared
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        EventStudy(events, r, m, estimation_window=(-200, -11), event_windows=[(-1, 1)]).fit()
    assert not [w for w in caught if "event windows of the same security" in str(w.message)]


def test_rank_and_sign_tests_report_nothing_when_no_security_event_has_the_window():
    """deepseek_global's Frankfurt over [-1,+1] (its one security-event misses day -1): n = 0 and
    every test n/a but the Corrado rank test, which gave -0.04 (p 0.97) from the days it had.
    With one of two groups' members complete, the daily rank tests still count the other's days
    (N_t), as Corrado and Cowan define them."""
    r, m = _panel(("AAA", "BBB"))
    day0 = r.index[280]
    r.loc[r.index[279], "AAA"] = np.nan  # AAA's return on day -1
    events = [{"event_id": "e", "ticker": t, "date": day0} for t in r.columns]
    res = _quiet(EventStudy(events, r, m, groups={"a": ["AAA"], "b": ["BBB"]},
                            estimation_window=(-200, -11), event_windows=[(-1, 1), (0, 1)],
                            tests=["t", "corrado_rank", "corrado_sign", "modified_rank",
                                   "generalized_sign"]).fit)
    t = res.tests.set_index(["group", "tau_start", "test"])
    for test in ("t", "corrado_rank", "corrado_sign", "modified_rank", "generalized_sign"):
        assert t.loc[("a", -1, test), "n"] == 0
        assert np.isnan(t.loc[("a", -1, test), "statistic"]), test
        assert np.isnan(t.loc[("a", -1, test), "p_value"]), test
        assert t.loc[("a", 0, test), "n"] == 1  # [0, 1] is whole: a statistic (t needs n > 1)
        assert np.isfinite(t.loc[("b", -1, test), "statistic"]) or test == "t", test
    assert np.isfinite(t.loc[("a", 0, "corrado_rank"), "statistic"])


def test_c44_shared_day0_warning_names_the_tests_as_readers_know_them():
    """The warning is printed in the report's warnings table: test names, then the keys to use
    (it read 't, patell and bmp ... kolari_pynnonen and adjusted_patell')."""
    from eventstudy.exceptions import EventWindowOverlapWarning

    r, m = _panel(("AAA", "BBB"))
    events = [{"event_id": "e", "ticker": t, "date": r.index[280]} for t in r.columns]
    with pytest.warns(EventWindowOverlapWarning) as rec:
        EventStudy(events, r, m, estimation_window=(-200, -11), event_windows=[(0, 0)]).fit()
    msg = next(str(w.message) for w in rec if "share their day 0" in str(w.message))
    assert "so the t test, Patell and BMP overstate significance; Kolari-Pynnonen and the " \
           "adjusted Patell test adjust for it (tests: kolari_pynnonen, adjusted_patell" in msg
