"""Mistakes in notebook use of the library: every one raises an EventStudyError subclass.

They raised bare ValueError before (still caught by ``except ValueError``: ConfigError derives from
it), so ``except EventStudyError`` -- and the CLI's one-line errors -- missed them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.exceptions import DataShapeError, EventStudyError, SpecificationError

IDX = pd.bdate_range("2024-01-01", periods=120)
RNG = np.random.default_rng(5)
R = pd.DataFrame(RNG.normal(0, 0.02, (120, 2)), index=IDX, columns=["AAA", "BBB"])
M = pd.Series(RNG.normal(0, 0.01, 120), index=IDX)
EVENTS = [{"event_id": "e1", "ticker": "AAA", "date": "2024-05-01"},
          {"event_id": "e2", "ticker": "BBB", "date": "2024-05-08"}]
KW = {"estimation_window": (-60, -11), "event_windows": [(0, 0), (-1, 1)]}


@pytest.fixture(scope="module")
def res():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy(EVENTS, R, M, **KW).fit()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "markt"}, "unknown model 'markt'"),
        ({"tests": ["t", "patel"]}, r"unknown test\(s\) \['patel'\]"),
        ({"conventions": {"bogus": 1}}, "unknown conventions key"),
        ({"conventions": 3}, "conventions must be a preset name or a mapping"),
        ({"estimation_window": (-10, -60)}, "reversed"),
        ({"event_windows": [(0, 0)], "min_estimation_obs": 1000}, "exceeds the estimation window"),
    ],
)
def test_bad_study_arguments(kwargs, match):
    with pytest.raises(SpecificationError, match=match):
        EventStudy(EVENTS, R, M, **{**KW, **kwargs})


def test_bad_events_and_data():
    with pytest.raises(DataShapeError, match=r"no returns column: \['ZZZ'\]"):
        EventStudy([{"event_id": "e", "ticker": "ZZZ", "date": "2024-05-01"}], R, M, **KW)
    with pytest.raises(SpecificationError, match="bad date"):
        EventStudy([{"event_id": "e", "ticker": "AAA", "date": "someday"}], R, M, **KW)
    with pytest.raises(DataShapeError):
        EventStudy(EVENTS, R.reset_index(drop=True), M, **KW)


def test_bad_result_queries(res):
    with pytest.raises(SpecificationError, match="not inside the event windows"):
        res.car_window(-5, 5)
    with pytest.raises(SpecificationError, match="unknown group 'nope'"):
        res.test("t", window=(0, 0), group="nope")
    with pytest.raises(EventStudyError, match="unknown test"):
        res.test("patel", window=(0, 0))


def test_bad_p_adjust():
    with pytest.raises(SpecificationError, match="p_adjust must be one of"):
        EventStudy(EVENTS, R, M, **KW, p_adjust="bonferoni")


def test_test_without_group_is_refused_when_there_are_several(res):
    # it silently answered for the first group; now the group must be named, as one test is of
    # one group (res.tests holds every group)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        two = EventStudy(EVENTS, R, M, groups={"a": ["AAA"], "b": ["BBB"]}, **KW).fit()
    assert two.groups == ["a", "b"]
    with pytest.raises(SpecificationError,
                       match=r"test 't': these results have 2 groups; name one with group= "
                             r"\('a', 'b'\)"):
        two.test("t", window=(0, 0))
    got = two.test("patell", window=(0, 0), group="b")  # N = 1: patell, not t (NaN)
    row = two.tests.query("group == 'b' and test == 'patell' and tau_start == 0 "
                          "and tau_end == 0")
    assert got.stat == pytest.approx(float(row["statistic"].iloc[0]), rel=1e-12)
    # one group: it is the default, as before
    assert res.groups == ["all"]
    assert res.test("t", window=(0, 0)).stat == res.test("t", window=(0, 0), group="all").stat
