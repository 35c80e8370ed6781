"""Issue 13 cases of the data layer: C29, C30, C34, C35, C39, C42, C43 and unsettled sessions.

Each test names its case (``../shared/cases``) and checks the exact values the case gives.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import types

import yaml
from typer.testing import CliRunner

from eventstudy import datasets
from eventstudy.cli import app
from eventstudy.data.cache import PriceCache

from .conftest import FakeYF

runner = CliRunner()


def _cache_frame(closes: dict[str, float]) -> pd.DataFrame:
    idx = pd.DatetimeIndex(list(closes))
    return pd.DataFrame({"close": list(closes.values()), "split": 0.0, "dividend": 0.0},
                        index=idx)


# ------------------------------------------------------------------ C42: the cache seam
def test_c42_cache_seam_after_a_dividend_is_replaced_not_stitched(tmp_path):
    cache = PriceCache(tmp_path, now=lambda: pd.Timestamp("2024-03-07 22:00", tz="UTC"))
    cache.put("XYZ", True, _cache_frame({"2024-03-06": 100.0, "2024-03-07": 100.0}),
              pd.Timestamp("2024-03-06"), pd.Timestamp("2024-03-07"))
    later = PriceCache(tmp_path, now=lambda: pd.Timestamp("2024-03-11 22:00", tz="UTC"))
    # the new download overlaps by one session, re-based by the 2.00 ex-dividend of 03-08
    later.put("XYZ", True, _cache_frame({"2024-03-07": 98.0, "2024-03-08": 98.0}),
              pd.Timestamp("2024-03-07"), pd.Timestamp("2024-03-08"))
    got, fetched = later.get("XYZ", True, pd.Timestamp("2024-03-07"), pd.Timestamp("2024-03-08"))
    r = got["close"].pct_change().loc["2024-03-08"]
    assert r == pytest.approx(0.0, abs=1e-12)  # never -2.00%
    assert later.ranges("XYZ", True) == [(pd.Timestamp("2024-03-07"), pd.Timestamp("2024-03-08"))]
    assert later.get("XYZ", True, pd.Timestamp("2024-03-06"), pd.Timestamp("2024-03-08")) is None
    assert fetched == "2024-03-11 22:00 UTC"  # each cached series records its download time


def test_fetch_time_is_stored_in_real_utc(tmp_path):
    # a New York clock reading 15:00 is 20:00 UTC; it was stored as 15:00 labelled UTC
    ny = PriceCache(tmp_path, now=lambda: pd.Timestamp("2025-01-28 17:30", tz="America/New_York"))
    ny.put("KO", True, _cache_frame({"2025-01-24": 1.0, "2025-01-27": 1.1}),
           pd.Timestamp("2025-01-24"), pd.Timestamp("2025-01-27"))
    assert ny.entries()["fetched_at"].tolist() == ["2025-01-28 22:30 UTC"]


# ------------------------------------------------------------------ unsettled sessions
def test_unsettled_session_says_today_has_not_closed():
    from eventstudy.data.calendar import calendar_zone
    from eventstudy.inputs import _unsettled

    today = pd.Timestamp.now(tz=calendar_zone("XNYS")).tz_localize(None).normalize()
    msg = _unsettled("XNYS", today, today - pd.Timedelta(days=1))
    assert msg.startswith(": today's session has not closed; the last settled session is "
                          f"{(today - pd.Timedelta(days=1)).date()}")
    assert _unsettled("XNYS", today - pd.Timedelta(days=3), today) == ""
    assert "has not happened yet" in _unsettled("XNYS", today + pd.Timedelta(days=9), today)


# ------------------------------------------------------------------ C46: securities gone
def test_c46_security_with_no_download_is_excluded_with_reason_not_fatal(tmp_path, monkeypatch):
    prices = datasets.load()[["^GSPC", "AAPL", "MSFT", "KO"]].loc["2024-01-01":"2025-03-31"]
    fake = FakeYF(prices)  # GONEX: no rows, "possibly delisted" as yfinance logs it
    monkeypatch.setattr("eventstudy.data.yahoo._import_yfinance",
                        lambda: types.SimpleNamespace(download=fake))
    cfg = {"study": "gone", "data": {"source": "yfinance", "cache_dir": str(tmp_path / "c")},
           "market": "^GSPC", "events": [{"id": "e", "date": "2025-01-27"}],
           "groups": {"g": ["AAPL", "MSFT", "KO", "GONEX"]},
           "estimation_window": [-200, -11], "event_windows": [[0, 0]], "tests": ["t"]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "GONEX (event e) excluded: no price data for GONEX: delisted or merged?" \
        in result.output
    assert "1 of 4 security-events excluded (GONEX); results may be survivorship-biased" \
        in result.output
    diag = pd.read_csv(out / "gone" / "diagnostics.csv").to_csv()
    assert "no price data for GONEX: delisted or merged?" in diag
    assert set(pd.read_csv(out / "gone" / "ar.csv")["ticker"]) == {"AAPL", "MSFT", "KO"}
    summary = (out / "gone" / "summary.md").read_text()
    assert "survivorship-biased" in summary


def test_c46_renamed_symbol_excluded_with_the_alias_hint(tmp_path, monkeypatch):
    prices = datasets.load()[["^GSPC", "AAPL", "META"]].loc["2024-01-01":"2025-03-31"]
    fake = FakeYF(prices)
    monkeypatch.setattr("eventstudy.data.yahoo._import_yfinance",
                        lambda: types.SimpleNamespace(download=fake))
    cfg = {"study": "fb", "data": {"source": "yfinance", "cache_dir": str(tmp_path / "c")},
           "market": "^GSPC", "events": [{"id": "e", "date": "2025-01-27"}],
           "groups": {"g": ["AAPL", "FB"]},
           "estimation_window": [-200, -11], "event_windows": [[0, 0]], "tests": ["t"]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    result = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert ("no price data for FB: delisted or merged?; symbols change (FB is META since 2022); "
            "set `aliases: {FB: META}`") in result.output
