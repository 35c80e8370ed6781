"""Benchmarks built from the study's securities (issue 11, item 3): equal-weighted and cap-weighted
without named groups, by hand on a small panel, against the index lens, and on the DeepSeek data."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from eventstudy import EventStudy
from eventstudy.config import load_config
from eventstudy.data import BundledSource
from eventstudy.exceptions import ConfigError
from eventstudy.valuation import cap_weighted_returns, equal_weighted_returns, index_move

ROOT = Path(__file__).resolve().parents[1]
IDX = pd.bdate_range("2024-03-01", periods=4)


def _panel():
    lv = pd.DataFrame({"A": [100, 90, 99, 99.0], "B": [50, 55, 55, 44.0],
                       "C": [20, 20, np.nan, 25.0]}, index=IDX)
    shares = pd.DataFrame({"shares_held": [2.0, 4.0, 5.0]}, index=["A", "B", "C"])
    return lv, shares


def test_cap_weighted_returns_by_hand():
    lv, shares = _panel()
    r = cap_weighted_returns(lv, shares)
    # day 1: caps 200, 200, 100 -> (200 * -.1 + 200 * .1 + 0) / 500 = 0
    # day 2: C unpriced, so A and B only: caps 180, 220 -> (180 * .1 + 220 * 0) / 400 = .045
    # day 3: C has no previous close: caps 198, 220 -> (198 * 0 + 220 * -.2) / 418
    np.testing.assert_allclose(r.to_numpy()[1:], [0.0, 0.045, -44 / 418], atol=1e-15)
    assert np.isnan(r.iloc[0])
    ex = cap_weighted_returns(lv, shares, exclude=["B"])
    np.testing.assert_allclose(ex.to_numpy()[1:], [(200 * -0.1) / 300, 0.1, 0.0], atol=1e-15)


def test_equal_weighted_returns_by_hand():
    lv, _ = _panel()
    r = equal_weighted_returns(lv, ["A", "B", "C", "NOT_PRICED"])
    np.testing.assert_allclose(r.to_numpy()[1:], [0.0, 0.05, -0.1], atol=1e-15)


def test_one_weighting_with_the_index_lens():
    """The benchmark's day return is index_move's reconstruction; without a group, its 'without'."""
    lv, shares = _panel()
    mv = index_move(lv, None, shares, IDX[1], (0, 0))
    assert cap_weighted_returns(lv, shares).iloc[1] == pytest.approx(mv.reconstructed, abs=1e-15)
    assert cap_weighted_returns(lv, shares, exclude=["A"]).iloc[1] == pytest.approx(
        mv.group(["A"])["without"], rel=1e-12)


def _deepseek(tmp_path, market):
    cfg = yaml.safe_load((ROOT / "configs" / "deepseek_2025.yaml").read_text())
    cfg.pop("claims")
    cfg["market"] = market
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(cfg))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy.from_yaml(p, source=BundledSource()).fit()


def test_cap_weighted_members_track_the_published_index(tmp_path):
    """Reference: the cap-weighted index of the bundled members and share counts against ^GSPC."""
    res = _deepseek(tmp_path, "cap_weighted")
    built = res.market.iloc[:, 0]
    gspc = BundledSource().get_prices(["^GSPC"], built.index[0], built.index[-1]).close["^GSPC"]
    ref = gspc.pct_change(fill_method=None).reindex(built.index)
    both = pd.concat([built, ref], axis=1).dropna()
    # share counts of 2024-12-24 held fixed over a year of prices: close, not exact
    assert np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1] > 0.99
    assert built.loc["2025-01-27"] == pytest.approx(-0.01455, abs=5e-5)


def test_deepseek_members_against_the_index_without_ai(tmp_path):
    """Against ^GSPC the members' mean AR on day 0 is +1.25%: the benchmark holds the crash. Without
    AI hardware and power the benchmark rose 0.30% and the members' mean AR is -0.10% (KP p 0.73),
    while AI hardware's CAAR deepens to -12.3% (KP p 0.040)."""
    res = _deepseek(tmp_path, {"weighting": "cap", "exclude": ["ai_hardware", "power"]})
    assert res.provenance.market == "cap-weighted ex ai_hardware+power"
    assert any("without the 15 securities of ai_hardware, power" in n for n in res.provenance.notes)
    assert res.market.iloc[:, 0].loc["2025-01-27"] == pytest.approx(0.00302, abs=5e-5)
    c = res.caar_table().query("tau_start == 0 and tau_end == 0").set_index("group")["caar"]
    assert c["sp500"] == pytest.approx(-0.0010, abs=1e-4)
    assert c["ai_hardware"] == pytest.approx(-0.1226, abs=5e-4)
    h = res.headline().query("tau_start == 0 and tau_end == 0").set_index("group")["p_value"]
    assert h["sp500"] == pytest.approx(0.727, abs=0.002)
    assert h["ai_hardware"] == pytest.approx(0.0397, abs=0.002)


def test_the_ex_ai_study_config_runs_as_shipped():
    cfg = load_config(ROOT / "configs" / "deepseek_2025_ex_ai.yaml")
    assert cfg.market.name == "cap-weighted ex ai_hardware+power"  # type: ignore[union-attr]


@pytest.mark.parametrize(("market", "match"), [
    ({"weighting": "cap", "exclude": ["chips"]},
     r"key 'market': exclude names no group: \['chips'\]"),
    ({"weighting": "median"}, "weighting"),
])
def test_bad_benchmarks_name_the_key(tmp_path, market, match):
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({"study": "s", "market": market, "groups": {"g": ["AAPL"]},
                                 "events": [{"id": "e", "date": "2025-01-27"}]}))
    with pytest.raises(ConfigError, match=match):
        load_config(p)


def test_cap_weighted_without_share_counts_is_a_config_error(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({"study": "s", "market": "cap_weighted", "groups": {"g": ["AAPL"]},
                                 "events": [{"id": "e", "date": "2025-01-27"}]}))
    with pytest.raises(ConfigError, match="needs a universe"):
        load_config(p)


@pytest.mark.parametrize(("extra", "match"), [
    ({"market": "equal_weighted"}, "needs a universe"),
    ({"market": {"weighting": "equal", "exclude": ["g"]}}, "needs a universe"),
    ({"market_values": "sp500"}, "needs universe: sp500"),
])
def test_benchmarks_of_the_study_itself_are_refused(tmp_path, extra, match):
    """Reviewer's cases: an equal-weighted market of the event's own securities makes every AAR
    0.00% by construction; an 'index' of three stocks is not the S&P 500."""
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({"study": "s", "groups": {"g": ["NVDA", "AMD"], "h": ["KO"]},
                                 "events": [{"id": "e", "date": "2025-01-27"}], **extra}))
    with pytest.raises(ConfigError, match=match):
        load_config(p)
