"""yfinance through the real YahooSource code path, with only the network call replaced.

Cases C01 (frame shapes), C02a (no 'Adj Close'), C03 (rate limits), C04 (empty results), C06
(symbols and order), C10 (exclusive end) of ../shared/cases/README.md.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from yfinance.exceptions import YFRateLimitError

from eventstudy.data.cache import PriceCache
from eventstudy.data.files import FileSource
from eventstudy.data.symbols import normalize_tickers
from eventstudy.data.yahoo import YahooSource, extract_close
from eventstudy.exceptions import DataShapeError, DataUnavailableError, EventStudyWarning

from .conftest import FakeYF, session_prices, yf_frame

FIELDS = ["Close", "High", "Low", "Open", "Volume"]


@pytest.fixture
def aapl5():
    idx = pd.DatetimeIndex(pd.bdate_range("2024-03-04", periods=5), name="Date")
    close = np.array([175.1, 170.12, 169.12, 169.0, 170.73])
    data = np.column_stack([close, close + 1, close - 1, close - 0.5, np.full(5, 1e7)])
    return idx, close, data


def test_c01_price_ticker_multiindex_one_ticker(aapl5):
    idx, close, data = aapl5
    cols = pd.MultiIndex.from_tuples([(f, "AAPL") for f in FIELDS], names=["Price", "Ticker"])
    frame = pd.DataFrame(data, index=idx, columns=cols)
    s = extract_close(frame, "AAPL")
    assert s.ndim == 1 and len(s) == 5 and s.dtype == "float64"
    np.testing.assert_array_equal(s.to_numpy(), close)


def test_c01_ticker_price_order_and_flat_history_give_the_same_series(aapl5):
    idx, close, data = aapl5
    by_ticker = pd.DataFrame(data, index=idx, columns=pd.MultiIndex.from_tuples(
        [("AAPL", f) for f in FIELDS], names=["Ticker", "Price"]))
    flat = pd.DataFrame(data, index=idx.tz_localize("America/New_York"), columns=FIELDS)
    for frame in (by_ticker, flat):
        s = extract_close(frame, "AAPL")
        assert s.ndim == 1 and len(s) == 5
        np.testing.assert_array_equal(s.to_numpy(), close)


def test_c01_missing_ticker_names_the_columns(aapl5):
    idx, _, data = aapl5
    cols = pd.MultiIndex.from_tuples([(f, "AAPL") for f in FIELDS], names=["Price", "Ticker"])
    with pytest.raises(DataShapeError) as err:
        extract_close(pd.DataFrame(data, index=idx, columns=cols), "MSFT")
    assert str(err.value) == "ticker 'MSFT' not in downloaded columns ['AAPL']"


def test_c01_cache_and_csv_round_trip_to_the_same_series(aapl5, tmp_path):
    idx, close, data = aapl5
    cols = pd.MultiIndex.from_tuples([(f, "AAPL") for f in FIELDS], names=["Price", "Ticker"])
    frame = pd.DataFrame(data, index=idx, columns=cols)
    s = extract_close(frame, "AAPL")
    # the Parquet cache
    cache = PriceCache(tmp_path / "cache")
    cache.put("AAPL", True, pd.DataFrame({"close": s}), idx[0], idx[-1])
    back, _ = cache.get("AAPL", True, idx[0], idx[-1])
    pd.testing.assert_series_equal(back["close"].rename("AAPL"), s, check_index_type=False,
                                   check_names=False, check_freq=False)
    # a CSV saved by the user from the same frame (the 3-line yfinance header)
    frame.to_csv(tmp_path / "AAPL.csv")
    got = FileSource(tmp_path / "AAPL.csv").get_prices(["AAPL"], idx[0], idx[-1]).close["AAPL"]
    np.testing.assert_array_equal(got.to_numpy(), close)
    assert list(got.index) == list(idx)


def test_c02_no_adj_close_uses_close_and_logs_it(aapl5, caplog):
    idx, close, data = aapl5
    cols = pd.MultiIndex.from_tuples([(f, "AAPL") for f in FIELDS], names=["Price", "Ticker"])
    frame = pd.DataFrame(data, index=idx, columns=cols)
    with caplog.at_level(logging.INFO, logger="eventstudy.data.yahoo"):
        s = extract_close(frame, "AAPL", field="Adj Close")
    np.testing.assert_array_equal(s.to_numpy(), close)
    assert "'Close' is already adjusted" in caplog.text


def test_c02_auto_adjust_is_passed_explicitly_and_recorded():
    prices = session_prices(["AAPL"], start="2024-01-01", end="2024-03-29")
    for adjusted in (True, False):
        fake = FakeYF(prices)
        data = YahooSource(adjusted=adjusted, download=fake).get_prices(
            ["AAPL"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
        assert fake.calls[0]["auto_adjust"] is adjusted
        assert data.adjusted is adjusted
        assert f"auto_adjust={adjusted}" in data.source["AAPL"]


def test_c03_retries_with_backoff_and_jitter_then_succeeds():
    prices = session_prices(["AAPL"], start="2024-01-01", end="2024-03-29")
    fake = FakeYF(prices, raise_on={1, 2}, raise_exc=YFRateLimitError())
    waits: list[float] = []
    src = YahooSource(download=fake, sleep=waits.append, backoff=2.0)
    data = src.get_prices(["AAPL"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert len(fake.calls) == 3
    assert data.close["AAPL"].notna().all() and len(data.close) == 20
    assert len(waits) == 2 and 2.0 <= waits[0] <= 3.0 and 4.0 <= waits[1] <= 6.0


def test_c03_all_nan_block_with_rate_limit_log_is_never_data():
    prices = session_prices(["AAPL", "MSFT"], start="2024-01-01", end="2024-03-29")
    fake = FakeYF(prices, fail={"MSFT": YFRateLimitError()})
    src = YahooSource(download=fake, sleep=lambda s: None)
    with pytest.raises(DataUnavailableError) as err:
        src.get_prices(["AAPL", "MSFT"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert str(err.value) == ("Yahoo rate limit (HTTP 429) for ['MSFT'] after 3 attempts; "
                              "rerun later or use --offline cache")
    assert "delisted" not in str(err.value)
    # one batched request, then only the failed ticker is retried
    assert [c["tickers"] for c in fake.calls] == [["AAPL", "MSFT"], ["MSFT"], ["MSFT"]]


def test_c03_rate_limited_ticker_recovers_on_attempt_3():
    prices = session_prices(["AAPL", "MSFT"], start="2024-01-01", end="2024-03-29")
    fake = FakeYF(prices, fail={"MSFT": lambda n: YFRateLimitError() if n < 3 else None})
    data = YahooSource(download=fake, sleep=lambda s: None).get_prices(
        ["AAPL", "MSFT"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    expected = prices.loc["2024-02-01":"2024-02-29"]
    np.testing.assert_allclose(data.close.to_numpy(), expected.to_numpy())


def test_c04_range_without_sessions_fails_before_any_request():
    fake = FakeYF(session_prices(["HUT"]))
    with pytest.raises(DataUnavailableError) as err:
        YahooSource(download=fake).get_prices(
            ["HUT"], pd.Timestamp("2026-05-25"), pd.Timestamp("2026-05-25"))
    assert str(err.value) == "requested range 2026-05-25..2026-05-25 contains no XNYS sessions"
    assert fake.calls == []


def test_c04_zero_rows_with_sessions_names_ticker_range_and_causes():
    fake = FakeYF(session_prices(["AAPL"], start="2018-01-01", end="2018-12-31"))
    with pytest.raises(DataUnavailableError) as err:
        YahooSource(download=fake).get_prices(
            ["INVALIDTICKER123"], pd.Timestamp("2018-01-01"), pd.Timestamp("2018-12-31"))
    msg = str(err.value)
    assert msg.startswith("no price data for INVALIDTICKER123 in 2018-01-01..2018-12-31 "
                          "(symbol invalid, delisted or renamed?")
    assert "possibly delisted; no timezone found" in msg  # what Yahoo said, passed on


class DNSError(Exception):
    """Stands for curl_cffi's DNSError, which yfinance 1.x logs per ticker when offline."""


OFFLINE = DNSError("Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo."
                   "com. See https://curl.se/libcurl/c/libcurl-errors.html first for more details.")


def test_c04_unreachable_network_is_not_called_an_invalid_symbol():
    fake = FakeYF(session_prices(["AAPL"], start="2024-01-01", end="2024-03-29"),
                  fail={"SAP.DE": OFFLINE, "ZZZZQ": OFFLINE})
    with pytest.raises(DataUnavailableError) as err:
        YahooSource(download=fake, sleep=lambda s: None).get_prices(
            ["ZZZZQ", "SAP.DE"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    msg = str(err.value)
    assert msg.startswith("Yahoo Finance unreachable (network) for ZZZZQ, SAP.DE in "
                          "2024-02-01..2024-02-29: DNSError('Failed to perform, curl: (6) Could "
                          "not resolve host")
    assert "symbol invalid" not in msg and "delisted" not in msg
    assert len(fake.calls) == 1  # no network: failing at once beats three back-offs


def test_c04_connection_refused_is_a_network_failure():
    import requests

    refused = requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='query2.finance.yahoo.com', port=443): Max retries exceeded "
        "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] "
        "Connection refused'))")
    fake = FakeYF(session_prices(["AAPL"], start="2024-01-01", end="2024-03-29"),
                  raise_on={1, 2, 3}, raise_exc=refused)
    with pytest.raises(DataUnavailableError, match=r"^Yahoo Finance unreachable \(network\) "
                                                   "for AAPL in "):
        YahooSource(download=fake, sleep=lambda s: None).get_prices(
            ["AAPL"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert len(fake.calls) == 1


@pytest.mark.parametrize("offline", [False, True])
def test_c04_raw_prices_name_the_adjusted_only_bundle(tmp_path, offline):
    # price_field: close with the default market: ^GSPC is bundled, but adjusted only
    from eventstudy.data.auto import AutoSource

    fake = FakeYF(session_prices(["AAPL"], start="2024-01-01", end="2024-03-29"),
                  fail={"^GSPC": OFFLINE})
    src = AutoSource(PriceCache(tmp_path), YahooSource(download=fake, adjusted=False),
                     adjusted=False, offline=offline)
    with pytest.raises(DataUnavailableError) as err:
        src.get_prices(["^GSPC"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    msg = str(err.value)
    assert msg.startswith("offline: no local prices for ['^GSPC']" if offline else
                          "Yahoo Finance unreachable (network) for ^GSPC")
    assert msg.endswith("; the bundled data set holds adjusted closes only, so price_field: "
                        "close must download ^GSPC (or use price_field: adj_close)")
    assert "symbol invalid" not in msg


def test_c04_empty_frame_is_an_error():
    prices = session_prices(["AAPL"], start="2018-01-01", end="2018-12-31")

    def empty(tickers, **kw):
        return yf_frame(prices.iloc[:0])

    with pytest.raises(DataUnavailableError, match="no price data for AAPL"):
        YahooSource(download=empty).get_prices(
            ["AAPL"], pd.Timestamp("2018-03-01"), pd.Timestamp("2018-03-30"))


def test_c06_canonical_symbols_order_and_warning(caplog):
    with caplog.at_level(logging.INFO, logger="eventstudy.data.symbols"):
        with pytest.warns(EventStudyWarning, match="1 duplicate ticker dropped"), \
                pytest.warns(EventStudyWarning, match="^tickers read as Yahoo symbols: brk.b -> "
                                                      "BRK-B, aapl -> AAPL$"):
            out = normalize_tickers(["brk.b", "aapl", "VOD.L", "aapl"])
    assert out == ["BRK-B", "AAPL", "VOD.L"]
    assert "'brk.b' -> Yahoo symbol 'BRK-B'" in caplog.text


def test_c06_lookups_by_key_keep_the_user_order():
    prices = session_prices(["VOD.L", "BRK-B", "AAPL"], start="2024-01-01", end="2024-03-29")
    fake = FakeYF(prices)
    data = YahooSource(download=fake).get_prices(
        ["BRK-B", "AAPL", "VOD.L"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert list(data.close.columns) == ["BRK-B", "AAPL", "VOD.L"]
    for t in data.close.columns:  # values by key, whatever order yfinance used
        np.testing.assert_allclose(data.close[t].to_numpy(),
                                   prices.loc["2024-02-01":"2024-02-29", t].to_numpy())


def test_c10_end_is_requested_past_the_last_needed_session():
    prices = session_prices(["AAPL"], start="2020-06-01", end="2020-09-30")
    fake = FakeYF(prices)
    data = YahooSource(download=fake).get_prices(
        ["AAPL"], pd.Timestamp("2020-08-03"), pd.Timestamp("2020-08-31"))
    assert pd.Timestamp(fake.calls[0]["end"]) > pd.Timestamp("2020-09-01")
    assert data.close.index[-1] == pd.Timestamp("2020-08-31")


def test_timeouts_are_retried_like_rate_limits():
    import requests

    prices = session_prices(["AAPL"], start="2024-01-01", end="2024-03-29")
    fake = FakeYF(prices, raise_on={1}, raise_exc=requests.exceptions.ReadTimeout("read timed out"))
    data = YahooSource(download=fake, sleep=lambda s: None).get_prices(
        ["AAPL"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert len(fake.calls) == 2 and data.close["AAPL"].notna().all()
    always = FakeYF(prices, raise_on={1, 2, 3}, raise_exc=requests.exceptions.ReadTimeout("x"))
    with pytest.raises(DataUnavailableError, match=r"Yahoo timeouts for \['AAPL'\] after 3 "):
        YahooSource(download=always, sleep=lambda s: None).get_prices(
            ["AAPL"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))


def test_other_errors_are_not_retried():
    prices = session_prices(["AAPL"], start="2024-01-01", end="2024-03-29")
    fake = FakeYF(prices, raise_on={1}, raise_exc=ValueError("bad argument"))
    with pytest.raises(DataUnavailableError, match="Yahoo download failed for"):
        YahooSource(download=fake).get_prices(
            ["AAPL"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert len(fake.calls) == 1


def test_progress_bar_chunks_give_the_same_prices(monkeypatch):
    import eventstudy.data.yahoo as yahoo

    monkeypatch.setattr(yahoo, "CHUNK", 2)
    names = ["AAA", "BBB", "CCC", "DDD", "EEE"]
    prices = session_prices(names, start="2024-01-01", end="2024-03-29")
    fake = FakeYF(prices)
    data = YahooSource(download=fake, progress=True).get_prices(
        names, pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert [len(c["tickers"]) for c in fake.calls] == [2, 2, 1]
    np.testing.assert_allclose(data.close[names].to_numpy(),
                               prices.loc["2024-02-01":"2024-02-29", names].to_numpy())


def test_recorded_split_reaches_the_price_data():
    prices = session_prices(["AAPL"], start="2020-08-01", end="2020-09-30")
    splits = {"AAPL": pd.Series(4.0, index=[pd.Timestamp("2020-08-31")])}
    fake = FakeYF(prices, splits=splits)
    data = YahooSource(download=fake, adjusted=False).get_prices(
        ["AAPL"], pd.Timestamp("2020-08-03"), pd.Timestamp("2020-09-15"))
    assert data.splits["AAPL"].loc["2020-08-31"] == 4.0
    assert data.splits["AAPL"].drop(pd.Timestamp("2020-08-31")).eq(0).all()


@pytest.mark.network
def test_live_yahoo_nvda_deepseek_day(tmp_path):
    data = YahooSource().get_prices(["NVDA", "^GSPC"], pd.Timestamp("2025-01-21"),
                                    pd.Timestamp("2025-01-28"))
    r = data.close.pct_change(fill_method=None).loc["2025-01-27"]
    assert round(r["NVDA"] * 100, 2) == -16.97 and round(r["^GSPC"] * 100, 2) == -1.46


def test_c02_all_nan_adj_close_from_a_failed_batch_member_proves_nothing(aapl5, caplog):
    idx, close, data = aapl5
    frame = pd.DataFrame(data, index=idx, columns=pd.MultiIndex.from_tuples(
        [(f, "AAPL") for f in FIELDS], names=["Price", "Ticker"]))
    frame[("Adj Close", "AAPL")] = np.nan  # the column yfinance adds for a failed MSFT
    frame = frame.sort_index(axis=1)
    with caplog.at_level(logging.INFO, logger="eventstudy.data.yahoo"):
        s = extract_close(frame, "AAPL", field="Adj Close")
    np.testing.assert_array_equal(s.to_numpy(), close)
    assert "'Close' is already adjusted" in caplog.text


def test_an_unfinished_session_is_never_a_close():
    prices = session_prices(["AAPL"], start="2025-01-02", end="2025-01-31")
    fake = FakeYF(prices)
    # 15:00 in New York on Monday 2025-01-27: that session is still trading
    src = YahooSource(download=fake, now=lambda: pd.Timestamp("2025-01-27 20:00", tz="UTC"))
    close = src.get_prices(["AAPL"], pd.Timestamp("2025-01-13"),
                           pd.Timestamp("2025-01-27")).close["AAPL"]
    assert close.last_valid_index() == pd.Timestamp("2025-01-24")
    assert np.isnan(close.loc["2025-01-27"])
    after = YahooSource(download=FakeYF(prices),
                        now=lambda: pd.Timestamp("2025-01-27 21:30", tz="UTC"))
    assert after.get_prices(["AAPL"], pd.Timestamp("2025-01-13"), pd.Timestamp("2025-01-27")
                            ).close["AAPL"].last_valid_index() == pd.Timestamp("2025-01-27")


def test_rate_limit_is_seen_even_when_yfinance_logging_is_silenced(capsys):
    prices = session_prices(["AAPL", "MSFT"], start="2024-01-01", end="2024-03-29")
    yf_log = logging.getLogger("yfinance")
    yf_log.setLevel(logging.CRITICAL)
    try:
        with pytest.raises(DataUnavailableError, match=r"Yahoo rate limit \(HTTP 429\)"):
            YahooSource(download=FakeYF(prices, fail={"MSFT": YFRateLimitError()}),
                        sleep=lambda s: None).get_prices(
                ["AAPL", "MSFT"], pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
        assert yf_log.level == logging.CRITICAL and yf_log.propagate  # restored
    finally:
        yf_log.setLevel(logging.NOTSET)
    assert "Failed download" not in capsys.readouterr().err
