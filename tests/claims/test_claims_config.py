"""The ``claims:`` key of a study file: parsed like the rest, unknown keys and names rejected."""

from __future__ import annotations

import textwrap

import pytest

from eventstudy.claims import ComparisonTest, ConcentrationTest
from eventstudy.config import StudyConfig, load_config
from eventstudy.exceptions import ConfigError

BASE = """\
study: s
events:
  - {id: e1, date: 2025-01-27}
groups: {chips: [NVDA, AMD], power: [VST]}
event_windows: [[0, 0], [0, 5]]
"""


def write(tmp_path, claims: str, base: str = BASE):
    p = tmp_path / "study.yaml"
    p.write_text(base + textwrap.dedent(claims))
    return p


def test_deepseek_config_has_both_claims(repo):
    cfg = load_config(repo / "configs" / "deepseek_2025.yaml")
    assert [c.id for c in cfg.claims] == ["market_risk", "ai_concentrated"]
    market_risk = cfg.claims[0]
    assert [t.test for t in market_risk.tests] == [
        "market_wide", "breadth", "concentration", "persistence", "comparison"]
    comparison = market_risk.tests[-1]
    assert isinstance(comparison, ComparisonTest)
    assert [str(d.date) for d in comparison.dates] == [
        "2024-08-05", "2024-12-18", "2025-04-03", "2025-04-04"]
    assert isinstance(cfg.claims[1].tests[0], ConcentrationTest)
    assert cfg.claims[1].tests[0].groups == ["ai_hardware", "power"]


def test_claims_round_trip_through_resolved_yaml(tmp_path):
    p = write(tmp_path, """\
    claims:
      - id: c1
        claim: It was the chips
        tests: [{test: concentration, groups: [chips]}, {test: comparison, dates: [2024-08-05]}]
    """)
    cfg = load_config(p)
    again = StudyConfig.model_validate({**__import__("yaml").safe_load(cfg.to_yaml())})
    assert again.claims == cfg.claims
    assert "z_threshold" not in cfg.to_yaml()  # only the tests given are listed ...
    assert "alpha: 0.05" in cfg.to_yaml()  # ... each with every default filled in


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ("claims:\n  - {id: c1, claim: x, tests: [{test: breadth, min_shar: 0.7}]}\n",
         r"unknown key 'claims\.0\.tests\.0\.min_shar'"),
        ("claims:\n  - {id: c1, claim: x, tests: [{test: crash}]}\n", r"claims\.0\.tests\.0"),
        ("claims:\n  - {id: c1, claim: x, tests: [{test: concentration, groups: [chipz]}]}\n",
         r"unknown group\(s\) \['chipz'\]"),
        ("claims:\n  - {id: c1, claim: x, event: e9, tests: [{test: breadth}]}\n",
         r"unknown event 'e9'"),
        ("claims:\n  - {id: c1, claim: x, tests: [{test: persistence, horizons: [20]}]}\n",
         r"needs CARs over \[0, 20\], outside the event windows \[0, 5\]"),
        ("claims:\n  - {id: c1, claim: x, tests: [{test: breadth}]}\n"
         "  - {id: c1, claim: y, tests: [{test: breadth}]}\n", r"repeated: \['c1'\]"),
        ("claims:\n  - {id: c1, claim: x, tests: []}\n", r"claims\.0\.tests"),
        ("claims:\n  - {id: c1, claim: x, tests: [{test: market_wide, percentile: 5}]}\n",
         r"percentile"),
    ],
)
def test_bad_claims_name_the_key(tmp_path, claims, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_config(write(tmp_path, claims))
    assert str(tmp_path / "study.yaml") in str(info.value)


def test_two_events_need_an_event_per_claim(tmp_path):
    base = BASE.replace("  - {id: e1, date: 2025-01-27}\n",
                        "  - {id: e1, date: 2025-01-27}\n  - {id: e2, date: 2025-04-03}\n")
    with pytest.raises(ConfigError, match=r"the study has 2 events; set event: to one of"):
        load_config(write(tmp_path, "claims:\n  - {id: c1, claim: x, tests: [{test: breadth}]}\n",
                          base))
    cfg = load_config(write(
        tmp_path, "claims:\n  - {id: c1, claim: x, event: e2, tests: [{test: breadth}]}\n", base))
    assert cfg.claims[0].event == "e2"
