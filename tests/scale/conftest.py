"""A small synthetic study with the awkward cases of a large one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

WINDOWS = [(0, 0), (-1, 1), (0, 5)]


def make_study_data(seed: int = 7, n_sec: int = 40, n_days: int = 700
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Return ``n_sec`` securities' returns (market model, some gaps), the market, and events.

    Events: clusters of securities sharing day 0 (of different sizes), single events, two events
    of one security 30 sessions apart (the same-security exclusion), a constant series (skipped:
    zero variance), a security with no event-window return (skipped) and one with a gap inside
    the estimation window of some events (pairwise r-bar).
    """
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2019-01-01", periods=n_days)
    m = rng.normal(0.0003, 0.01, n_days)
    beta = rng.uniform(0.5, 1.5, n_sec)
    r = np.outer(m, beta) + rng.normal(0, 0.015, (n_days, n_sec))
    r[rng.random((n_days, n_sec)) < 0.01] = np.nan  # scattered missing days
    cols = [f"S{i:03d}" for i in range(n_sec)]
    ret = pd.DataFrame(r, index=idx, columns=cols)
    ret["S000"] = 0.001  # constant: zero variance, skipped
    ret.iloc[400:420, 1] = np.nan  # S001: no return around day 410
    ret.iloc[330:360, 2] = np.nan  # S002: a long gap in some estimation windows
    rows = []
    dates = [idx[300], idx[410], idx[450], idx[520], idx[600]]
    for k, d in enumerate(dates):
        size = [25, 12, 1, 8, 30][k]
        members = rng.choice(n_sec, size=size, replace=False)
        if k == 1:
            members = np.union1d(members, [0, 1, 2])
        for j in members:
            rows.append({"event_id": f"d{k}", "ticker": cols[j], "date": d})
    rows.append({"event_id": "near", "ticker": cols[5], "date": idx[480]})  # overlaps d2/d3 of S005
    for j in range(10, 16):  # single events on their own dates
        rows.append({"event_id": f"solo{j}", "ticker": cols[j], "date": idx[350 + 17 * j]})
    return pd.DataFrame(rows), ret, pd.Series(m, index=idx)


@pytest.fixture(scope="module")
def study_data() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Events, returns and market of :func:`make_study_data`."""
    return make_study_data()
