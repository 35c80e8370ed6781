"""The README's claims example runs as written, and ``eventstudy run`` prints verdicts first."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from eventstudy import EventStudy, datasets
from eventstudy.cli import app
from eventstudy.data import BundledSource


def test_readme_claims_example_runs(repo, tmp_path):
    text = (repo / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Testing claims"):]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    p = tmp_path / "tariffs.yaml"
    p.write_text(block, encoding="utf-8")
    res = EventStudy.from_yaml(p, source=BundledSource()).fit()
    t = res.claims
    assert list(t.loc[t["test"] == "claim", "claim_id"]) == ["crash", "importers"]
    prices = datasets.load(["^GSPC"])["^GSPC"]
    move = prices.loc["2025-04-03"] / prices.loc["2025-04-02"] - 1  # tariff day: about -4.8%
    got = t[(t["test"] == "market_wide") & (t["metric"] == "market return [0,0]")]["value"].item()
    np.testing.assert_allclose(got, move, rtol=1e-9)


CONFIG = """\
study: small
data: {source: bundled}
market: ^GSPC
events: [{id: e1, date: 2025-01-27}]
groups:
  chips: [NVDA, AVGO, AMD, MU]
  others: [KO, PG, JNJ, WMT, PEP, MCD, XOM, JPM]
event_windows: [[0, 0], [0, 5]]
claims:
  - id: chips_only
    claim: Only the chip makers fell
    tests: [{test: concentration, groups: [chips], universe: others}]
"""


def test_run_prints_verdicts_before_the_headline_table(tmp_path):
    cfg = tmp_path / "small.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(cfg), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "[SUPPORTED] chips_only: Only the chip makers fell" in out
    assert ("  - concentration: supported: found the fall concentrated in chips, as the claim "
            "expects: CAAR[0,0]") in out
    assert out.index("chips_only") < out.index("security-events fitted")
    claims = pd.read_csv(tmp_path / "out" / "small" / "claims.csv")
    assert list(claims.columns) == ["claim_id", "claim", "test", "metric", "value", "p_value", "verdict"]
    assert claims["verdict"].iloc[0] == "supported"


def test_validate_lists_the_claims(repo):
    result = CliRunner().invoke(app, ["validate", str(repo / "configs" / "deepseek_2025.yaml")])
    assert result.exit_code == 0, result.output
    assert "2 claims: market_risk, ai_concentrated" in result.output
