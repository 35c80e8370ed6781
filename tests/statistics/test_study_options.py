"""Study options of the statistics core: event timing, tests/conventions/p_adjust keys, NVDA config."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.config import load_config
from eventstudy.exceptions import ConfigError, SpecificationError


def _panel(n=200, seed=1):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2024-01-01", periods=n)
    m = pd.Series(rng.normal(0, 0.01, n), index=idx)
    r = pd.DataFrame({"AAA": 0.001 + 1.2 * m + rng.normal(0, 0.01, n),
                      "BBB": 0.8 * m + rng.normal(0, 0.01, n)}, index=idx)
    return r, m


def test_after_close_makes_next_session_day0():
    r, m = _panel()
    wed = pd.Timestamp("2024-08-28")  # a Wednesday; Friday 2024-08-30 -> Monday 2024-09-02
    events = [{"event_id": "a", "ticker": "AAA", "date": wed, "time": "after_close"},
              {"event_id": "b", "ticker": "AAA", "date": "2024-08-30", "time": "after_close"},
              {"event_id": "c", "ticker": "BBB", "date": wed}]
    res = EventStudy(events, r, m, estimation_window=(-120, -11), event_windows=[(0, 0)]).fit()
    day0 = res.events.set_index("event_id")["day0"]
    assert day0["a"] == pd.Timestamp("2024-08-29")
    assert day0["b"] == pd.Timestamp("2024-09-02")
    assert day0["c"] == wed
    assert res.ar.loc[0, ("a", "AAA")] == pytest.approx(
        r.loc["2024-08-29", "AAA"] - res.params.loc[("a", "AAA")] @ [1, m.loc["2024-08-29"]])


def test_bad_event_time_is_a_specification_error():
    r, m = _panel()
    with pytest.raises(SpecificationError, match="time 'at_noon'"):
        EventStudy([{"event_id": "a", "ticker": "AAA", "date": "2024-08-28", "time": "at_noon"}],
                   r, m, estimation_window=(-120, -11))


@pytest.mark.parametrize("kwargs,match", [
    ({"tests": ["t", "patel"]}, "unknown test"),
    ({"conventions": "stata"}, "unknown conventions preset"),
    ({"conventions": {"sigma_ddof": "2"}}, "sigma_ddof"),
    ({"p_adjust": "bonferroni"}, "p_adjust"),
])
def test_bad_statistics_options_are_specification_errors(kwargs, match):
    r, m = _panel()
    with pytest.raises(SpecificationError, match=match):  # the Python API's error (ConfigError's
        # parent); the same mistake in a YAML file is a ConfigError (test_yaml_keys)
        EventStudy([{"event_id": "a", "ticker": "AAA", "date": "2024-08-28"}], r, m,
                   estimation_window=(-120, -11), **kwargs)


def test_yaml_keys(tmp_path):
    base = ("study: s\nevents: [{id: e, date: 2025-01-27}]\ngroups: {g: [NVDA]}\n")
    p = tmp_path / "a.yaml"
    p.write_text(base + "tests: [t, bmp]\nconventions: estudy2\np_adjust: fdr_bh\n"
                 "bootstrap: {n_boot: 199, seed: 3}\n")
    c = load_config(p)
    assert c.tests == ["t", "bmp"] and c.conventions == "estudy2" and c.p_adjust == "fdr_bh"
    assert c.bootstrap.n_boot == 199
    p.write_text(base + "tests: [t, rank]\n")
    with pytest.raises(ConfigError, match="tests"):
        load_config(p)
    p.write_text(base + "model: ff3\n")
    with pytest.raises(ConfigError, match="factors"):
        load_config(p)


def test_holm_adjustment_across_windows():
    r, m = _panel()
    events = [{"event_id": f"e{i}", "ticker": t, "date": d}
              for i, (t, d) in enumerate([("AAA", "2024-08-28"), ("BBB", "2024-08-28"),
                                          ("AAA", "2024-06-12"), ("BBB", "2024-07-10")])]
    res = EventStudy(events, r, m, estimation_window=(-100, -11),
                     event_windows=[(0, 0), (-1, 1), (0, 3)], tests=["t", "bmp"],
                     p_adjust="holm").fit()
    for _, g in res.tests.groupby(["group", "test"]):
        p = np.sort(g["p_value"].to_numpy())
        order = np.argsort(g["p_value"].to_numpy())
        # Holm by hand: running max of (k - i) p_(i), capped at 1.
        k = len(p)
        holm = np.minimum(1, np.maximum.accumulate((k - np.arange(k)) * p))
        np.testing.assert_allclose(g["p_value_adjusted"].to_numpy()[order], holm, rtol=1e-12)


@pytest.fixture(scope="module")
def nvda(repo):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy.from_yaml(repo / "configs" / "nvda_earnings.yaml").fit()


def test_nvda_earnings_config(nvda):
    day0 = nvda.events.groupby("event_id")["day0"].first().sort_values()
    # Releases after the close on 2024-02-21, 05-22, 08-28, 11-20 and 2025-02-26: day 0 next session.
    assert [d.strftime("%Y-%m-%d") for d in day0] == [
        "2024-02-22", "2024-05-23", "2024-08-29", "2024-11-21", "2025-02-27"]
    assert (nvda.events["ticker"] == "NVDA").sum() == 5  # one security in five events
    t = nvda.tests
    assert set(t["test"]) == {"t", "patell", "bmp", "kolari_pynnonen", "corrado_rank",
                              "generalized_sign", "grank", "wilcoxon"}
    assert t.query("group == 'nvda'")["n"].eq(5).all()
    assert "p_value_adjusted" in t.columns
    # NVDA's day-0 move after the 2024-05-22 release (+9.3% close to close) is its AR plus beta x market
    row = nvda.to_frame().query("ticker == 'NVDA' and event_id == 'q1_fy25' and tau == 0").iloc[0]
    assert row["date"] == "2024-05-23" and row["ret"] == pytest.approx(0.0932, abs=0.002)


def test_events_group_column_defines_groups_of_security_events(tmp_path):
    from eventstudy.inputs import read_events_csv

    p = tmp_path / "events.csv"
    p.write_text("event_id,ticker,date,time,group\n"
                 "e1,AAA,2024-08-28,after_close,beats\ne2,AAA,2024-06-12,,misses\n"
                 "e3,BBB,2024-06-12,,beats\n")
    events = read_events_csv(p)
    assert events["group"].tolist() == ["beats", "misses", "beats"]
    r, m = _panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(events, r, m, estimation_window=(-100, -11), event_windows=[(0, 0)],
                         tests=["t"]).fit()
    assert set(res.groups) >= {"beats", "misses"}
    caar = res.caar_table().set_index("group")
    car = res.car_window(0, 0)
    assert caar.loc["beats", "n"] == 2  # AAA's e1 and BBB's e3, not AAA's e2
    assert caar.loc["beats", "caar"] == pytest.approx(
        (car[("e1", "AAA")] + car[("e3", "BBB")]) / 2, rel=1e-12)
    assert caar.loc["misses", "caar"] == pytest.approx(car[("e2", "AAA")], rel=1e-12)
    assert res.events.set_index("event_id")["group"].to_dict() == {
        "e1": "beats", "e2": "misses", "e3": "beats"}
