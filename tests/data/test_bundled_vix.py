"""^VIX is part of the bundle: an auto-source study with ``context: [^VIX]`` never asks Yahoo.

Before, the auto source found no ^VIX in the bundle, imported yfinance (0.8 s) and tried the
network on every run before falling back to the same CBOE file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from eventstudy import datasets
from eventstudy.data.auto import AutoSource
from eventstudy.data.bundled import VIX, BundledSource
from eventstudy.exceptions import DataUnavailableError

REPO = Path(__file__).resolve().parents[2]


def test_bundle_serves_vix_alone_from_the_cboe_file():
    """CBOE closes 14.85 (24 Jan 2025) and 17.90 (27 Jan), as the file holds them."""
    start, end = pd.Timestamp("2025-01-02"), pd.Timestamp("2025-02-14")
    got = BundledSource().get_prices([VIX], start, end)
    want = datasets.vix().loc[start:end]
    pd.testing.assert_series_equal(got.close[VIX], want)
    assert got.close.loc["2025-01-24", VIX] == pytest.approx(14.85)
    assert got.close.loc["2025-01-27", VIX] == pytest.approx(17.90)
    assert "CBOE" in got.source[VIX]


def test_bundle_puts_vix_on_the_rows_of_other_tickers_in_request_order():
    """With other tickers: their rows and values unchanged, columns in request order."""
    start, end = pd.Timestamp("2025-01-02"), pd.Timestamp("2025-02-14")
    got = BundledSource().get_prices(["NVDA", VIX, "^GSPC"], start, end)
    assert list(got.close.columns) == ["NVDA", VIX, "^GSPC"]
    alone = BundledSource().get_prices(["NVDA", "^GSPC"], start, end).close
    pd.testing.assert_index_equal(got.close.index, alone.index)
    pd.testing.assert_frame_equal(got.close[["NVDA", "^GSPC"]], alone)
    assert got.close[VIX].notna().all()
    assert BundledSource().available(["NVDA", VIX, "ZZZZ"]) == ["NVDA", VIX]


def test_bundle_vix_before_its_first_row_names_the_range():
    """A range before 2022 is an error naming both ranges, not an empty frame."""
    with pytest.raises(DataUnavailableError, match=r"VIX \(2022-01-03 onwards\).*2020-01-02"):
        BundledSource().get_prices([VIX], pd.Timestamp("2020-01-02"), pd.Timestamp("2020-03-02"))


class _NoYahoo:
    def get_prices(self, tickers, start, end):  # pragma: no cover - the failure being tested
        raise AssertionError(f"Yahoo asked for {tickers}")


def test_auto_source_takes_vix_from_the_bundle_not_yahoo(tmp_path):
    """The auto source serves ^VIX from the bundle layer; Yahoo is never asked."""
    src = AutoSource(yahoo=_NoYahoo(), cache=None)  # type: ignore[arg-type]
    got = src.get_prices([VIX], pd.Timestamp("2025-01-02"), pd.Timestamp("2025-02-14"))
    assert got.source[VIX].startswith("bundled")


def test_deepseek_run_does_not_import_yfinance(tmp_path):
    """The shipped study names ^VIX as context: the whole run stays off Yahoo and yfinance."""
    code = ("import sys\n"
            "from eventstudy.cli import app\n"  # in this process: the exit code is returned
            f"app(['run', {str(REPO / 'configs' / 'deepseek_2025.yaml')!r},"
            f" '-o', {str(tmp_path / 'out')!r}, '--formats', 'csv', '--no-figures'],"
            " standalone_mode=False)\n"
            "print('yfinance' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stdout + out.stderr
