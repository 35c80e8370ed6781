"""The Dask backend on a LocalCluster of two workers equals the in-memory path (issue 17)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from eventstudy import EventStudy
from eventstudy.scale import SUPPORTED_TESTS
from eventstudy.statistics.battery import run_tests
from tests.scale.conftest import WINDOWS

distributed = pytest.importorskip(
    "distributed", reason="dask[distributed] is not installed (optional extra [distributed])")


def test_dask_equals_memory(study_data):
    """Tests, r-bar and skipped events from 2 workers equal the in-memory path (1e-10)."""
    events, ret, m = study_data
    tests = list(SUPPORTED_TESTS)
    study = EventStudy(events, ret, m, estimation_window=(-250, -11), event_windows=WINDOWS,
                       tests=tests, min_estimation_obs=120, bootstrap={"n_boot": 199, "seed": 3})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = study.fit()
        mem = run_tests(res.panel, WINDOWS, {"all": np.ones(res.panel.n, dtype=bool)}, tests,
                        bootstrap={"n_boot": 199, "seed": 3})
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            big = study.fit(backend="dask", client=client, chunk_size=8)
    assert big.backend == "dask" and big.n_chunks > 2
    assert list(big.tests["n"]) == list(mem["n"])
    np.testing.assert_allclose(big.tests["statistic"], mem["statistic"], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(big.tests["p_value"], mem["p_value"], rtol=1e-10, atol=1e-10)
    assert big.residual_correlation == pytest.approx(res.panel.residual_correlation, rel=1e-10)
    assert list(big.dropped["reason"]) == list(res.dropped["reason"])

