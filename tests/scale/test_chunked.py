"""The chunked path equals the in-memory path (issue 17)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.scale import (
    SUPPORTED_TESTS,
    chunk_plan,
    chunk_size_for,
    default_workers,
    fit_chunked,
    prepare,
)
from eventstudy.scale.chunked import MAX_DEFAULT_WORKERS
from eventstudy.scale.summary import check_supported
from eventstudy.statistics.battery import run_tests
from eventstudy.statistics.panel import row_ranks
from tests.scale.conftest import WINDOWS

ALL = list(SUPPORTED_TESTS)


def _study(data, **kw) -> EventStudy:
    events, ret, m = data
    kw.setdefault("tests", ALL)
    return EventStudy(events, ret, m, estimation_window=(-250, -11), event_windows=WINDOWS,
                      min_estimation_obs=120, **kw)


def _memory(study: EventStudy, tests=ALL) -> tuple[pd.DataFrame, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = study.fit()
        table = run_tests(res.panel, WINDOWS, {"all": np.ones(res.panel.n, dtype=bool)}, tests,
                          bootstrap={"n_boot": 199, "seed": 3})
    return table, res


@pytest.mark.parametrize(("chunk_size", "block"), [(1, 4000), (7, 4000), (40, 4000),
                                                   (10_000, 4000), (40, 6), (10_000, 11)])
def test_chunked_equals_memory(study_data, chunk_size, block, monkeypatch):
    """Every supported test, r-bar, skipped events and CARs equal the in-memory path."""
    import eventstudy.scale.chunked as ch

    monkeypatch.setattr(ch, "BLOCK_ROWS", block)  # blocks inside a chunk split its clusters
    study = _study(study_data, bootstrap={"n_boot": 199, "seed": 3})
    mem, res = _memory(study)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        big = study.fit(backend="chunked", chunk_size=chunk_size)
    assert big.backend == "chunked"
    assert big.n_chunks >= (2 if chunk_size < 40 else 1)
    got = big.tests
    assert got[["tau_start", "tau_end", "test", "n"]].equals(mem[["tau_start", "tau_end", "test",
                                                                    "n"]])
    # one formula, merged sums: equal up to the order of floating-point additions
    np.testing.assert_allclose(got["statistic"], mem["statistic"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got["p_value"], mem["p_value"], rtol=1e-12, atol=1e-12)
    assert big.residual_correlation == pytest.approx(res.panel.residual_correlation,
                                                     rel=1e-12, abs=1e-15)
    # skipped security-events and their reasons as in memory
    pd.testing.assert_frame_equal(big.dropped.reset_index(drop=True),
                                  res.dropped.reset_index(drop=True))
    assert len(big.dropped) >= 2
    # per-event CARs in the study's order
    np.testing.assert_allclose(big.events["car_-1_1"], res.panel.car((-1, 1)), rtol=1e-12)
    np.testing.assert_allclose(big.aar["aar"], np.nanmean(res.panel.ar_evt, axis=0),
                               rtol=1e-12)


@pytest.mark.parametrize("conv", [{"rank_centering": "pooled", "gsign_p": "pooled",
                                   "rank_variance": "sample", "day_sums": "scaled",
                                   "patell": "daily_fe"},
                                  {"sigma_ddof": "1", "forecast_error": False,
                                   "car_variance": "daily_sum"}])
def test_chunked_equals_memory_other_conventions(study_data, conv):
    """The conventions that change the sums (pooled, sample, scaled, daily_fe, skip) agree too."""
    study = _study(study_data, conventions=conv, missing_returns="skip",
                   bootstrap={"n_boot": 199, "seed": 3})
    mem, _ = _memory(study)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = study.fit(backend="chunked", chunk_size=9).tests
    np.testing.assert_allclose(got["statistic"], mem["statistic"], rtol=1e-12, atol=1e-12)


def test_unsupported_test_is_named():
    """A test the chunked path cannot compute is refused by name."""
    with pytest.raises(Exception, match="grank"):
        check_supported(["t", "grank"])


def test_chunk_plan_keeps_day0_clusters_whole():
    """Chunks hold whole day-0 clusters and every security-event once."""
    pos0 = np.array([5, 3, 5, 9, 3, 3, 9, 1])
    plan = chunk_plan(pos0, 2)
    seen = np.concatenate(plan)
    assert sorted(seen) == list(range(len(pos0)))
    for rows in plan:
        for p in np.unique(pos0[rows]):
            assert set(np.flatnonzero(pos0 == p)) <= set(rows)


def test_row_ranks_equal_rankdata():
    """The argsort ranks are scipy's average ranks, NaN kept."""
    from scipy.stats import rankdata

    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 30))
    x[rng.random(x.shape) < 0.1] = np.nan
    x[3, :5] = 1.0  # ties
    x[7] = np.nan
    x[9, :2] = [0.0, -0.0]  # equal values of two signs
    x[11, :2] = [1.0, np.nextafter(1.0, 2.0)]  # a hair apart: not a tie
    x[12, :3] = [-np.inf, np.inf, -1e300]
    np.testing.assert_array_equal(row_ranks(x), rankdata(x, axis=1, nan_policy="omit"))
    wide = rng.normal(size=(3, 300))  # more than 256 columns
    np.testing.assert_array_equal(row_ranks(wide), rankdata(wide, axis=1))


def test_failed_chunk_skips_its_events(study_data, monkeypatch):
    """A chunk that fails skips its security-events with the reason; the run goes on."""
    import eventstudy.scale.chunked as ch

    study = _study(study_data, tests=["t"])
    real = ch._run_chunk

    def flaky(ctx, rows):  # the chunk holding solo10 fails as a whole
        if "solo10" in set(ctx.spec.events["event_id"].to_numpy()[rows]):
            raise np.linalg.LinAlgError("singular matrix")
        return real(ctx, rows)

    monkeypatch.setattr(ch, "_run_chunk", flaky)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        big = study.fit(backend="chunked", chunk_size=5)
    failed = big.dropped[big.dropped["reason"].str.contains("its chunk failed")]
    assert "solo10" in set(failed["event_id"])
    assert "singular matrix" in failed["reason"].iloc[0]
    assert big.nobs + len(big.dropped) == len(study.spec.events)


def test_threads_equal_one_thread(study_data):
    """Chunks fitted on two threads (and by default) give the numbers of one thread."""
    study = _study(study_data, tests=None)
    seen: list[tuple[int, int]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = study.fit(backend="chunked", chunk_size=10, workers=1).tests
        ctx = prepare(study.spec, study.returns, study.market, study.options)
        two = fit_chunked(ctx, chunk_size=10, workers=2,
                          progress=lambda done, total: seen.append((done, total))).tests
        default = study.fit(backend="chunked", chunk_size=10).tests
    assert one.equals(two)
    assert one.equals(default)
    n = len(chunk_plan(ctx.pos0, 10))
    assert n >= 2 and seen == [(i, n) for i in range(1, n + 1)]


def test_workers_and_memory_budget():
    """The default threads are the usable CPUs (1 to 4); the budget is shared by the threads."""
    from eventstudy.exceptions import ConfigError

    assert 1 <= default_workers() <= MAX_DEFAULT_WORKERS
    assert chunk_size_for(1e9, 247, 2) == chunk_size_for(5e8, 247)
    assert chunk_size_for(1e9, 247, 4) < chunk_size_for(1e9, 247)
    with pytest.raises(ConfigError, match="workers"):
        fit_chunked(None, workers=0)  # type: ignore[arg-type]


def test_p_adjust_as_in_memory(study_data):
    """``p_adjust`` adjusts the chunked table's p-values as run_tests' table in memory."""
    from eventstudy.statistics.battery import adjust_pvalues

    study = _study(study_data, tests=["t", "bmp"], p_adjust="holm")
    mem, _ = _memory(study, tests=["t", "bmp"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = study.fit(backend="chunked", chunk_size=9).tests
    want = adjust_pvalues(mem, "holm")
    np.testing.assert_allclose(got["p_value_adjusted"], want["p_value_adjusted"], rtol=1e-12)


@pytest.mark.parametrize("model", ["dimson", "scholes_williams", "constant_mean",
                                   "market_adjusted"])
def test_other_models_as_in_memory(study_data, model):
    """The models' own estimators (and the lag/lead fill) run per chunk as in memory."""
    study = _study(study_data, tests=["t", "patell", "bmp", "corrado_rank"], model=model)
    mem, _ = _memory(study, tests=["t", "patell", "bmp", "corrado_rank"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = study.fit(backend="chunked", chunk_size=9).tests
    np.testing.assert_allclose(got["statistic"], mem["statistic"], rtol=1e-12, atol=1e-12)


def test_run_gathers_equal_day_gathers():
    """A run of sessions gathered as one slice equals the day-by-day gather, also past the ends."""
    from eventstudy.estimation import _Panel, other_event_mask, other_event_run

    rng = np.random.default_rng(4)
    idx = pd.bdate_range("2020-01-01", periods=60)
    ret = pd.DataFrame(rng.normal(size=(60, 5)), index=idx, columns=list("abcde"))
    ret.iloc[7, 2] = np.nan
    col = np.array([0, 2, 4, 2])
    panel = _Panel(ret, ret.to_numpy(), col)
    cover = rng.integers(0, 3, size=(5, 60)).astype(np.int32)
    for first in (np.array([0, 5, 30, 40]), np.array([-3, 5, 30, 55])):
        pos = first[:, None] + np.arange(8)
        want = panel.gather(panel.RT, pos)
        got = panel.gather_run(panel.RT, first, 8)
        assert got.flags.c_contiguous
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(other_event_run(cover, col, first, 8),
                                      other_event_mask(cover, col, pos))
