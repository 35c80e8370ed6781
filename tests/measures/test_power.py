"""Power and size simulation.

Wilson intervals, a noncentral-t reference, BMP vs Patell under event-induced variance,
placebo-pool errors, the study entry point and the CLI command.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from typer.testing import CliRunner

from eventstudy.exceptions import ConfigError, DataUnavailableError, EventStudyWarning
from eventstudy.power import power, simulate_power, wilson_interval


def _panel(n_sec: int = 40, n_days: int = 600, sigma: float = 0.02, seed: int = 3):
    """IID normal market-model returns: R = beta m + e, e ~ N(0, sigma^2)."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2021-01-04", periods=n_days, name="date")
    m = rng.normal(0.0003, 0.01, n_days)
    beta = rng.uniform(0.5, 1.5, n_sec)
    r = np.outer(m, beta) + rng.normal(0.0, sigma, (n_days, n_sec))
    return (pd.DataFrame(r, index=idx, columns=[f"S{i:02d}" for i in range(n_sec)]),
            pd.Series(m, index=idx, name="MKT"))


def test_wilson_interval_by_hand():
    """Wilson (1927) for 72 of 100 at 95% (z = 1.959964).

    centre = (0.72 + z^2/200) / (1 + z^2/100) = 0.739207 / 1.038415 = 0.711861;
    half = z sqrt(0.72 * 0.28 / 100 + z^2 / 40000) / 1.038415 = 0.086742: (0.6251, 0.7986).
    0 of 50: (0, (z^2/50) / (1 + z^2/50)) = (0, 0.071348).
    """
    lo, hi = wilson_interval(np.array([72, 0]), 100)
    assert_allclose([lo[0], hi[0]], [0.6251, 0.7986], atol=1e-4)
    lo, hi = wilson_interval(np.array([0]), 50)
    assert_allclose([lo[0], hi[0]], [0.0, 0.071348], atol=1e-6)


def test_t_test_power_matches_noncentral_t():
    """On IID normal ARs the cross-sectional t is noncentral t(N - 1, sqrt(N) delta / sigma).

    N = 20, delta = 0.5 sigma: ncp = sqrt(20) * 0.5 = 2.236 and the two-sided 5% power is
    P(|T| > t_0.975(19)) = 0.5645 (scipy.stats.nct). The AR variance is sigma^2 (1 + 1/M + ...),
    0.4% more at M = 240, lowering the power by under 0.01. 400 samples: standard error 0.025, so
    the simulated rate must lie within 0.075 (3 SE); at delta = 0 the size within 0.035 of 5%.
    """
    from scipy.stats import nct
    from scipy.stats import t as student

    ret, mkt = _panel()
    res = simulate_power(ret, mkt, ar_sizes=[0.0, 0.01], n_events=[20], reps=400,
                         tests=["t", "bmp"], seed=1)
    c = student.ppf(0.975, 19)
    expected = 1 - nct.cdf(c, 19, np.sqrt(20) * 0.5) + nct.cdf(-c, 19, np.sqrt(20) * 0.5)
    assert abs(res.rate("t", 20, 0.01) - expected) < 0.075
    assert abs(res.rate("t", 20, 0.0) - 0.05) < 0.035
    row = res.table.query("test == 't' and ar == 0.01").iloc[0]
    assert row["ci_low"] <= row["rate"] <= row["ci_high"]
    assert row["reps"] == 400 and row["rejections"] == round(400 * row["rate"])


def test_event_induced_variance_breaks_patell_not_bmp():
    """Event-induced variance breaks Patell's Z but not BMP (Boehmer et al. 1991).

    With day-0 variance 4x, Patell's Z (which assumes the estimation variance) rejects a true
    null far too often; BMP (cross-sectional variance) stays near 5%.

    Patell's Z is then about N(0, 4): P(|Z| > 1.96) = P(|N(0,1)| > 0.98) = 0.33.
    """
    ret, mkt = _panel()
    res = simulate_power(ret, mkt, ar_sizes=[0.0], n_events=[30], reps=300,
                         tests=["patell", "bmp"], variance_multiple=[1.0, 4.0], seed=2)
    t = res.table.set_index(["test", "variance_multiple"])["rate"]
    assert t[("patell", 4.0)] > 0.2
    assert t[("bmp", 4.0)] < 0.1
    assert t[("patell", 1.0)] < 0.1


def test_seeded_and_nested():
    """The same seed gives the same table; another seed another one."""
    ret, mkt = _panel()
    kw = {"ar_sizes": [0.0, 0.005], "n_events": [5, 10], "reps": 60, "tests": ["t", "bmp"]}
    a = simulate_power(ret, mkt, seed=5, **kw).table
    b = simulate_power(ret, mkt, seed=5, **kw).table
    c = simulate_power(ret, mkt, seed=6, **kw).table
    pd.testing.assert_frame_equal(a, b)
    assert not a["rejections"].equals(c["rejections"])


def test_not_enough_placebo_dates_says_found_and_needed():
    """A panel too short for the design names how many placebo security-days it found.

    262 sessions, estimation window -250..-11, window 0..0: day 0 can be rows 250..261, 12
    sessions x 2 securities = 24 security-days, fewer than the 50 a sample of 50 needs.
    """
    ret, mkt = _panel(n_sec=2, n_days=262)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EventStudyWarning)
        with pytest.raises(DataUnavailableError,
                           match=r"offers 24 placebo security-days .* 50 are needed"):
            simulate_power(ret, mkt, n_events=[50], reps=5)
        with pytest.raises(DataUnavailableError, match="no session has 10 securities"):
            simulate_power(ret, mkt, n_events=[10], reps=5, dates="common")
    with pytest.warns(EventStudyWarning, match="only 12 sessions"):
        simulate_power(ret, mkt, n_events=[5], reps=2, tests=["t"])


def test_bad_options():
    """A window without day 0, a GARCH model, a variance multiple below 1: clear errors."""
    ret, mkt = _panel()
    with pytest.raises(ConfigError, match="must contain day 0"):
        simulate_power(ret, mkt, window=(1, 2), reps=2)
    with pytest.raises(ConfigError, match="market_garch"):
        simulate_power(ret, mkt, model="market_garch", reps=2)
    with pytest.raises(ConfigError, match="variance_multiple"):
        simulate_power(ret, mkt, variance_multiple=0.5, reps=2)


def test_common_dates_cluster_events():
    """dates='common': every placebo sample shares one day 0 (a market-wide event)."""
    ret, mkt = _panel()
    res = simulate_power(ret, mkt, n_events=[10], reps=20, ar_sizes=[0.0],
                         tests=["t", "kolari_pynnonen"], dates="common")
    assert res.dates == "common" and res.placebo_dates > 60
    assert set(res.table["test"]) == {"t", "kolari_pynnonen"}


def test_power_of_a_study_excludes_its_events():
    """power(study) uses the study's windows and tests and skips the real event windows.

    Event windows (0, 0) and (-1, 1): the test window is (0, 0); no placebo day 0 may fall in
    -1..+1 around the real event, so 3 sessions x 40 securities = 120 fewer candidates.
    """
    from eventstudy import EventStudy

    ret, mkt = _panel()
    day = ret.index[400]
    study = EventStudy([{"event_id": "e", "ticker": t, "date": day} for t in ret.columns[:5]],
                       ret, mkt, event_windows=[(0, 0), (-1, 1)], tests=["t", "bmp"])
    res = power(study, reps=20, n_events=[10], ar_sizes=[0.01])
    free = simulate_power(ret, mkt, reps=20, n_events=[10], ar_sizes=[0.01], tests=["t"])
    assert res.window == (0, 0)
    assert set(res.table["test"]) == {"t", "bmp"}
    assert free.candidates - res.candidates == 120
    assert res.finding().startswith("With 10 events, a 1% day-0 abnormal return is detected")


def test_cli_power_writes_csv_and_chart(tmp_path):
    """'eventstudy power STUDY.yaml' on bundled data writes power.csv and power.png."""
    from eventstudy.cli import app

    cfg = tmp_path / "p.yaml"
    cfg.write_text(
        "study: p\ndata: {source: bundled}\nmarket: ^GSPC\n"
        "events: [{id: e, date: 2025-01-27}]\n"
        "groups: {a: [NVDA, AMD, AVGO, MSFT, AAPL, GOOGL, META, AMZN, ORCL, MU, INTC, QCOM]}\n"
        "estimation_window: [-250, -11]\nevent_windows: [[0, 0]]\n")
    runner = CliRunner()
    result = runner.invoke(app, ["power", str(cfg), "--reps", "30", "--n-events", "5,10",
                                 "--ar", "0,1", "--tests", "t,bmp", "-o", str(tmp_path),
                                 "--offline"])
    assert result.exit_code == 0, result.output
    assert "With 10 events, a 1% day-0 abnormal return is detected" in result.output
    table = pd.read_csv(tmp_path / "p" / "power" / "power.csv")
    assert list(table.columns[:9]) == ["test", "n_events", "ar", "variance_multiple",
                                       "rejections", "reps", "rate", "ci_low", "ci_high"]
    assert len(table) == 2 * 2 * 2
    assert (tmp_path / "p" / "power" / "power.png").stat().st_size > 10_000
    bad = runner.invoke(app, ["power", str(cfg), "--ar", "one"])
    assert bad.exit_code == 2 and "--ar" in bad.output
    helped = runner.invoke(app, ["power", "--help"])
    assert helped.exit_code == 0 and "Example: eventstudy power" in helped.output
