"""The download cache and the layered ``auto`` source, ``--offline`` and ``--refresh``.

The ``auto`` source serves a ticker from the cache, then the bundle, then yfinance.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import get_source
from eventstudy.data.auto import AutoSource
from eventstudy.data.cache import ENV_VAR, PriceCache, cache_dir
from eventstudy.data.yahoo import YahooSource
from eventstudy.exceptions import DataUnavailableError

from .conftest import FakeYF, session_prices

START, END = pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-31")


def _frame(n=5, start="2025-01-02"):
    idx = pd.bdate_range(start, periods=n)
    return pd.DataFrame({"close": np.arange(1.0, n + 1), "split": 0.0, "dividend": 0.0},
                        index=idx)


def test_cache_dir_env_wins_over_config(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert cache_dir(tmp_path / "cfg") == tmp_path / "env"
    monkeypatch.delenv(ENV_VAR)
    assert cache_dir(tmp_path / "cfg") == tmp_path / "cfg"
    assert cache_dir().name == "eventstudy"  # the platform's user cache folder


def test_cache_keys_ranges_and_round_trip(tmp_path):
    cache = PriceCache(tmp_path)
    f = _frame()
    cache.put("^GSPC", True, f, f.index[0], f.index[-1])
    assert cache.path("^GSPC", True).name == "%5EGSPC.adj.1d.parquet"
    got, fetched = cache.get("^GSPC", True, f.index[1], f.index[-1])
    np.testing.assert_array_equal(got["close"].to_numpy(), [2, 3, 4, 5])
    assert fetched.endswith("UTC")
    assert cache.get("^GSPC", False, f.index[0], f.index[-1]) is None  # raw is another key
    assert cache.get("^GSPC", True, f.index[0], f.index[-1] + pd.Timedelta(days=3)) is None
    # an overlapping fetch on the same adjustment basis merges into one range
    g = _frame(5, "2025-01-08").assign(close=lambda x: x["close"] + 4.0)  # 01-08 is 5 in both
    cache.put("^GSPC", True, g, g.index[0], g.index[-1])
    assert cache.ranges("^GSPC", True) == [(f.index[0], g.index[-1])]
    got, _ = cache.get("^GSPC", True, f.index[0], g.index[-1])
    np.testing.assert_array_equal(got["close"].to_numpy(), np.arange(1.0, 10.0))
    info = cache.entries()
    assert info[["symbol", "adjusted", "interval", "rows"]].values.tolist() == [
        ["^GSPC", True, "1d", 9]]


def test_cache_never_stores_an_unfinished_session(tmp_path):
    # 2025-01-27 20:00 UTC is 15:00 in New York: that session is still trading
    cache = PriceCache(tmp_path, now=lambda: pd.Timestamp("2025-01-27 20:00", tz="UTC"))
    f = _frame(6, "2025-01-20")  # 01-20..01-27 business days
    cache.put("NVDA", True, f, pd.Timestamp("2025-01-20"), pd.Timestamp("2025-01-27"))
    assert cache.ranges("NVDA", True) == [(pd.Timestamp("2025-01-20"), pd.Timestamp("2025-01-24"))]
    got, _ = cache.get("NVDA", True, pd.Timestamp("2025-01-20"), pd.Timestamp("2025-01-24"))
    assert got.index[-1] == pd.Timestamp("2025-01-24")
    assert cache.get("NVDA", True, pd.Timestamp("2025-01-20"), pd.Timestamp("2025-01-27")) is None


def test_cache_writes_are_atomic_and_clear_removes(tmp_path):
    cache = PriceCache(tmp_path)
    f = _frame()
    cache.put("AAPL", True, f, f.index[0], f.index[-1])
    cache.put("MSFT", True, f, f.index[0], f.index[-1])
    assert sorted(os.listdir(tmp_path)) == ["AAPL.adj.1d.parquet", "MSFT.adj.1d.parquet"]
    (tmp_path / "AAPL.adj.1d.parquet").write_bytes(b"garbage")  # a damaged file is a miss
    assert cache.get("AAPL", True, f.index[0], f.index[-1]) is None
    assert cache.clear(["MSFT"]) == 1 and cache.clear() == 1
    assert cache.entries().empty


def _auto(tmp_path, prices, **kw):
    fake = FakeYF(prices)
    src = AutoSource(PriceCache(tmp_path), YahooSource(download=fake), **kw)
    return src, fake


def test_auto_serves_cache_then_bundle_then_yfinance(tmp_path):
    prices = session_prices(["ZZZZ"], start="2024-12-01", end="2025-02-28", seed=3)
    src, fake = _auto(tmp_path, prices)
    data = src.get_prices(["NVDA", "ZZZZ"], START, END)
    assert data.source["NVDA"].startswith("bundled")
    assert data.source["ZZZZ"].startswith("yfinance")
    assert [c["tickers"] for c in fake.calls] == [["ZZZZ"]]
    assert round(data.close["NVDA"].pct_change(fill_method=None).loc["2025-01-27"] * 100, 2) == -16.97
    # second run: ZZZZ from the cache, no request
    src2, fake2 = _auto(tmp_path, prices)
    data2 = src2.get_prices(["NVDA", "ZZZZ"], START, END)
    assert fake2.calls == [] and data2.source["ZZZZ"].startswith("cache")
    np.testing.assert_array_equal(data2.close["ZZZZ"].to_numpy(), data.close["ZZZZ"].to_numpy())
    assert data2.notes[0] == "prices: 1 from cache, 1 from bundled (vintage 2026-08)"
    assert data2.notes[1].startswith("ZZZZ: cache (yfinance, fetched ")


def test_offline_lists_everything_missing_in_one_error(tmp_path):
    src, fake = _auto(tmp_path, session_prices(["ZZZZ"]), offline=True)
    with pytest.raises(DataUnavailableError) as err:
        src.get_prices(["NVDA", "ZZZZ", "YYYY"], START, END)
    msg = str(err.value)
    assert msg.startswith("offline: no local prices for ['ZZZZ', 'YYYY'] in 2025-01-02..2025-01-31")
    assert "run once without --offline" in msg and fake.calls == []


def test_refresh_downloads_again_and_updates_the_cache(tmp_path):
    prices = session_prices(["NVDA"], start="2024-12-01", end="2025-02-28", seed=4)
    src, fake = _auto(tmp_path, prices, refresh=True)
    data = src.get_prices(["NVDA"], START, END)
    assert len(fake.calls) == 1 and data.source["NVDA"].startswith("yfinance")
    assert PriceCache(tmp_path).get("NVDA", True, START, END) is not None


def test_get_source_names(tmp_path):
    assert get_source("bundled").name == "bundled"
    assert get_source("yfinance", cache_dir=tmp_path).name == "yfinance"
    assert get_source("file", path=tmp_path).name == "file"
    with pytest.raises(Exception, match="unknown data source 'yahoo'"):
        get_source("yahoo")


def test_cache_rebases_old_rows_when_the_adjustment_changed(tmp_path):
    # a dividend after the first fetch multiplies every earlier adjusted close by one factor
    cache = PriceCache(tmp_path)
    first = _frame(6, "2025-01-02")  # 01-02..01-09, closes 1..6
    cache.put("KO", True, first, first.index[0], first.index[-1])
    second = _frame(6, "2025-01-07").assign(close=lambda f: f["close"] * 0.99 + 3.96)
    second.loc[:"2025-01-09", "close"] = first.loc["2025-01-07":, "close"] * 0.99
    cache.put("KO", True, second, second.index[0], second.index[-1])
    got, _ = cache.get("KO", True, first.index[0], second.index[-1])
    np.testing.assert_allclose(got.loc[:"2025-01-09", "close"], first["close"] * 0.99)
    r = got["close"].pct_change(fill_method=None).dropna()
    np.testing.assert_allclose(r.loc[:"2025-01-09"], first["close"].pct_change(fill_method=None).dropna())
    assert cache.ranges("KO", True) == [(first.index[0], second.index[-1])]


def test_cache_drops_old_rows_it_cannot_reconcile(tmp_path):
    cache = PriceCache(tmp_path)
    first = _frame(3, "2025-01-02")
    cache.put("KO", True, first, first.index[0], first.index[-1])
    later = _frame(3, "2025-02-03")  # no common date: the basis cannot be checked
    cache.put("KO", True, later, later.index[0], later.index[-1])
    assert cache.ranges("KO", True) == [(later.index[0], later.index[-1])]
    assert cache.get("KO", True, first.index[0], first.index[-1]) is None


def test_refresh_of_a_source_that_never_downloads_is_an_error(tmp_path):
    from eventstudy.exceptions import ConfigError

    for name in ("bundled", "file"):
        with pytest.raises(ConfigError, match=f"data.source: {name} never downloads"):
            get_source(name, path=tmp_path, refresh=True)


def test_a_path_is_read_by_file_and_auto_only(tmp_path):
    from eventstudy.exceptions import ConfigError

    assert get_source("auto", path=tmp_path, cache_dir=tmp_path).files.path == tmp_path
    with pytest.raises(ConfigError, match="data.path is read with source: file or auto"):
        get_source("yfinance", path=tmp_path)
