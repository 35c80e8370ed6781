"""Every study shipped in configs/ runs offline through the CLI and writes its whole report.

A merge that breaks one study's report (a global study's recovery table, once) fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted(p.name for p in (ROOT / "configs").glob("*.yaml"))


@pytest.mark.parametrize("config", [c for c in CONFIGS if c != "deepseek_2025.yaml"])
def test_shipped_study_runs_offline(config, tmp_path):
    """(deepseek_2025 itself is run by the report tests.)"""
    out = subprocess.run(
        [sys.executable, "-m", "eventstudy", "run", str(ROOT / "configs" / config),
         "-o", str(tmp_path), "--offline", "--formats", "pdf,csv,md"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    folder = tmp_path / Path(config).stem
    assert (folder / "report.pdf").stat().st_size > 10_000
    assert "Traceback" not in out.stderr


def test_shipped_studies_of_the_same_days_declare_the_same_confounders():
    """Studies of 27 January 2025 whose windows reach 21 February declare that day's sell-off:
    deepseek_2025_ex_ai did not, so its CAAR[0,+20] had no dagger where deepseek_2025's had."""
    import pandas as pd

    from eventstudy.config import load_config
    from eventstudy.data.calendar import sessions

    days = sessions("XNYS", pd.Timestamp("2025-01-27"), pd.Timestamp("2025-03-31"))
    checked = 0
    for name in CONFIGS:
        cfg = load_config(ROOT / "configs" / name)
        if not isinstance(cfg.events, list):  # events from a file (nvda_earnings): other dates
            continue
        dates = {pd.Timestamp(e.date) for e in cfg.events}
        reach = max(t2 for _, t2 in cfg.event_windows)
        if pd.Timestamp("2025-01-27") in dates and days[reach] >= pd.Timestamp("2025-02-21"):
            assert pd.Timestamp("2025-02-21") in {pd.Timestamp(c.date) for c in cfg.confounders}, name
            checked += 1
    assert checked >= 2
