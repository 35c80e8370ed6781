"""Shared by the benchmarks: time ``eventstudy run CONFIG`` in fresh interpreters."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def time_cli_run(config: Path, repeat: int) -> tuple[list[float], dict[str, Any]]:
    """Run the study ``repeat`` times as a subprocess; return wall times and the last manifest."""
    walls: list[float] = []
    manifest: dict[str, Any] = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "eventstudy", "run", str(config), "-o", out],
                           check=True, capture_output=True)
            walls.append(time.perf_counter() - t0)
            found = list(Path(out).glob("*/manifest.json"))
            if found:
                manifest = json.loads(found[0].read_text())
    return walls, manifest


def runs(walls: list[float]) -> str:
    """Format wall times as 'best X s, runs a, b, c'."""
    return f"best {min(walls):.2f} s, runs {', '.join(f'{w:.2f}' for w in walls)}"
