"""The package imports cleanly: no matplotlib, no yfinance, no data read."""

from __future__ import annotations

import subprocess
import sys


def test_import_has_no_heavy_side_effects():
    code = ("import sys, eventstudy; "
            "bad = [m for m in ('matplotlib', 'yfinance', 'matplotlib.pyplot') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api():
    import eventstudy

    for name in eventstudy.__all__:
        assert hasattr(eventstudy, name)


def test_python_m_eventstudy_help():
    out = subprocess.run([sys.executable, "-m", "eventstudy", "--help"], capture_output=True,
                         text=True)
    assert out.returncode == 0 and "run" in out.stdout
