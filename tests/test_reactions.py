"""Abnormal volume and volatility of a fitted study, per group (eventstudy.reactions, issue 16).

The estimators have their reference tests (tests/measures); here: the per-group tables are those
estimators run on each group's security-events (one computation), the YAML keys attach them to the
results and the report, and bad values name the key.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from eventstudy import EventStudy, datasets
from eventstudy.config import load_config
from eventstudy.data import BundledSource
from eventstudy.exceptions import ConfigError, SpecificationError
from eventstudy.reactions import volatility_table, volume_table
from eventstudy.volatility import abnormal_volatility
from eventstudy.volume import abnormal_volume

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def res():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy.from_yaml(ROOT / "configs" / "deepseek_2025.yaml",
                                    source=BundledSource()).fit()


def test_the_deepseek_study_attaches_both_tables(res):
    assert set(res.tables) == {"abnormal_volume", "abnormal_volatility"}
    v = res.tables["abnormal_volume"]
    assert (v["measure"] == "cav_log_points").all()
    assert set(v["test"]) == {"t", "bmp", "kolari_pynnonen", "corrado_rank"}
    # the bundled volume holds 54 of the 503 S&P members: n and n_group say so
    sp = v.query("group == 'sp500'")
    assert sp["n"].max() == 54 and (sp["n_group"] == 503).all()


def test_volume_table_is_the_estimator_on_each_group(res):
    ev = res.events.query("group == 'ai_hardware' or ticker in @res.group_members('ai_hardware')")
    held = set(datasets.load_volume().columns)
    ev = ev.loc[ev["ticker"].isin(held), ["event_id", "ticker", "date"]].reset_index(drop=True)
    vol = datasets.load_volume([*ev["ticker"], "SPY"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = abnormal_volume(ev, vol, "SPY", estimation_window=res.estimation_window,
                                 event_windows=res.event_windows,
                                 conventions=res.options.conventions)
    got = res.tables["abnormal_volume"].query("group == 'ai_hardware' and test == 't'")
    want = direct.tests.query("test == 't'")
    assert len(got) == len(want) == len(res.event_windows)
    np.testing.assert_allclose(got["statistic"].to_numpy(), want["statistic"].to_numpy(),
                               rtol=1e-12)
    cav = direct.cav_table.query("tau_start == 0 and tau_end == 0")["cav"].mean()
    assert got.query("tau_start == 0 and tau_end == 0")["value"].iloc[0] == pytest.approx(
        cav, rel=1e-12)
    # NVDA traded 3.5x its previous session on 27 January; SPY's volume surged too, so beyond the
    # market volume model the group traded exp(0.46) = 1.59x its normal volume
    assert cav == pytest.approx(0.462, abs=0.001)


def test_volatility_table_is_the_estimator_on_each_group(res):
    ev = res.events.loc[res.events["ticker"].isin(res.group_members("power")),
                        ["event_id", "ticker", "date"]].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = abnormal_volatility(ev, res.returns, res.market.iloc[:, 0],
                                     estimation_window=res.estimation_window,
                                     event_windows=res.event_windows,
                                     conventions=res.options.conventions)
    got = res.tables["abnormal_volatility"].query("group == 'power'")
    pd.testing.assert_series_equal(got["p_value"].reset_index(drop=True),
                                   direct.tests["p_value"].reset_index(drop=True),
                                   check_names=False, rtol=1e-12)
    day0 = got.query("tau_start == 0 and tau_end == 0")["value"].iloc[0]
    assert day0 > 4  # a two-standard-deviation move gives 4; power fell 19% beyond the market


def test_volatility_variance_is_checked(res):
    with pytest.raises(SpecificationError, match="market or garch"):
        volatility_table(res, variance="egarch")  # type: ignore[arg-type]


def test_bad_yaml_value_names_the_key(tmp_path):
    cfg = yaml.safe_load((ROOT / "configs" / "deepseek_2025.yaml").read_text())
    cfg["abnormal_volatility"] = "garchh"
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(cfg))
    with pytest.raises(ConfigError, match="abnormal_volatility"):
        load_config(p)


def test_volume_without_data_is_an_error(res):
    empty = pd.DataFrame(index=res.returns.index, columns=["ZZZ"], dtype="float64")
    with pytest.raises(Exception, match="no security of the study has volume"):
        volume_table(res, volume=empty, market_volume=None)


def test_context_given_as_returns_is_refused():
    """Review: context takes levels; returns gave ^IXIC +519% with exit 0."""
    idx = pd.bdate_range("2024-01-01", periods=120)
    rng = np.random.default_rng(1)
    r = pd.DataFrame({"A": rng.normal(0, 0.01, 120)}, index=idx)
    m = pd.Series(rng.normal(0, 0.01, 120), index=idx)
    ctx = pd.DataFrame({"^IXIC": rng.normal(0, 0.01, 120)}, index=idx)
    with pytest.raises(SpecificationError, match=r"context: \^IXIC hold values <= 0"):
        EventStudy([{"event_id": "e", "ticker": "A", "date": idx[100]}], r, m,
                   estimation_window=(-80, -11), context=ctx)
