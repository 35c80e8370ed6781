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
