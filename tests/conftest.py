"""Shared fixtures: the Agg backend, figures closed after each test, the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EVENTSTUDY_SHARED", REPO.parent / "shared"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


@pytest.fixture(autouse=True)
def _isolated_price_cache(tmp_path_factory, monkeypatch):
    """Point the download cache at a temporary folder: tests never touch the user's cache."""
    monkeypatch.setenv("EVENTSTUDY_CACHE_DIR", str(tmp_path_factory.mktemp("price_cache")))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The project's real data folder (``../shared/data``), read-only."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip(f"shared data folder not found at {path}")
    return path


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO
