"""Fuzzing: random and mutated configs, events files, price frames and price files.

Only EventStudyError subclasses may escape (a one-line message in the CLI), never another exception,
a crash or a hang (hypothesis' deadline). Seeds are fixed (derandomize) so a failure reproduces.
"""

from __future__ import annotations

import gzip
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventstudy.config import StudyConfig, load_config
from eventstudy.data.base import sanitize_prices
from eventstudy.exceptions import EventStudyError
from eventstudy.inputs import read_events_csv

from .fuzzing import FUZZ, NASTY_TEXT, mutated

VALID_YAML = b"""study: fuzz_1
title: A fuzzed study
data: {source: bundled, returns: simple, calendar: XNYS, non_trading_day: next}
market: ^GSPC
events:
  - {id: e1, date: 2025-01-27, label: DeepSeek, tickers: [NVDA, AMD]}
  - id: e2
    date: 2024-06-12
groups:
  chips: [NVDA, AMD, ON]
universe: sp500
estimation_window: [-250, -11]
event_windows: [[0, 0], [-1, 1]]
model: market
min_estimation_obs: 120
gap: 0
"""
VALID_EVENTS = b"event_id,ticker,date,label\ne1,NVDA,2025-01-27,DeepSeek\ne2,AMD,2024-06-12,\n"


def _only_our_errors(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kwargs)
        except EventStudyError:
            return None


@FUZZ
@given(data=mutated(VALID_YAML))
def test_fuzz_config_file(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("cfg") / "c.yaml"
    p.write_bytes(data)
    cfg = _only_our_errors(load_config, p)
    assert cfg is None or isinstance(cfg, StudyConfig)


_scalars = st.one_of(st.sampled_from(NASTY_TEXT), st.integers(-10**30, 10**30),
                     st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
                     st.dates(), st.text(max_size=10))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)
_keys = st.sampled_from(["study", "title", "data", "market", "events", "groups", "universe",
                         "estimation_window", "event_windows", "model", "min_estimation_obs",
                         "gap", "description", "evnts", "source"])


@FUZZ
@given(raw=st.dictionaries(_keys, _values, max_size=8))
def test_fuzz_config_values(raw):
    """Any value under any key (the YAML already parsed): a ConfigError or a valid config."""
    from pydantic import ValidationError

    try:
        _only_our_errors(StudyConfig.model_validate, raw)
    except ValidationError:
        pass  # load_config turns these into ConfigError; checked through the YAML dump below


@FUZZ
@given(raw=st.dictionaries(_keys, _values, max_size=8))
def test_fuzz_config_values_through_yaml(tmp_path_factory, raw):
    import yaml

    p = tmp_path_factory.mktemp("cfg") / "c.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    _only_our_errors(load_config, p)


@FUZZ
@given(data=mutated(VALID_EVENTS))
def test_fuzz_events_csv(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("ev") / "events.csv"
    p.write_bytes(data)
    frame = _only_our_errors(read_events_csv, p)
    if frame is not None:
        assert list(frame.columns[:3]) == ["event_id", "ticker", "date"]
        assert frame["date"].notna().all() and (frame["event_id"] != "").all()


_cells = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                   st.sampled_from(NASTY_TEXT), st.none())
_index_values = st.one_of(st.dates(), st.datetimes(), st.sampled_from(NASTY_TEXT),
                          st.integers(-10**12, 10**12), st.text(max_size=12))


@FUZZ
@given(st.integers(0, 12).flatmap(lambda n: st.tuples(
    st.lists(_index_values, min_size=n, max_size=n),
    st.lists(st.lists(_cells, min_size=2, max_size=2), min_size=n, max_size=n),
    st.sampled_from([None, "UTC", "America/New_York"]))))
def test_fuzz_sanitize_prices(case):
    index, rows, tz = case
    frame = pd.DataFrame(rows, columns=["AAA", "^GSPC"], index=pd.Index(index, dtype=object))
    out = _only_our_errors(sanitize_prices, frame, label="fuzz")
    if out is not None:
        assert out.index.is_monotonic_increasing and not out.index.has_duplicates
        values = out.to_numpy(dtype="float64")
        assert np.all(np.isnan(values) | (np.isfinite(values) & (values > 0)))


@FUZZ
@given(index=st.lists(st.datetimes(min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
                                   max_value=pd.Timestamp("2030-01-01").to_pydatetime()),
                      min_size=1, max_size=20),
       tz=st.sampled_from([None, "UTC", "Asia/Tokyo", "America/New_York"]),
       price=st.floats(min_value=1e-6, max_value=1e12))
def test_sanitize_prices_keeps_wall_clock_dates(index, tz, price):
    """Any tz-aware timestamps: the session date is the local date (C11), one row per date (C13)."""
    idx = pd.DatetimeIndex(index)
    if tz is not None:
        idx = idx.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        idx = idx[~idx.isna()]
        if len(idx) == 0:
            return
    frame = pd.DataFrame({"AAA": price}, index=idx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = sanitize_prices(frame)
    local = idx.tz_localize(None) if tz is not None else idx
    assert list(out.index) == sorted(set(local.normalize()))
    assert math.isclose(out["AAA"].iat[0], price)


def _format_files() -> list[tuple[str, bytes]]:
    import os

    repo = Path(__file__).resolve().parents[2]
    folder = Path(os.environ.get("EVENTSTUDY_SHARED", repo.parent / "shared")) / "data" / "formats"
    if not folder.is_dir():
        return [("NVDA.csv", b"Date,Close\n2025-01-24,142.62\n2025-01-27,118.42\n")]
    # the first 30 lines keep each example small; the quirks are all in the header
    return [(p.name, b"\n".join(p.read_bytes().splitlines()[:30]) + b"\n")
            for p in sorted(folder.glob("*.csv"))]


FORMAT_FILES = _format_files()


def _price_readers():
    try:
        from eventstudy.data.files import FileSource, read_price_file
    except ImportError:  # the local-file loaders are not in this tree yet
        pytest.skip("eventstudy.data.files not available")
    return FileSource, read_price_file


@FUZZ
@given(which=st.integers(0, len(FORMAT_FILES) - 1), data=st.data(),
       suffix=st.sampled_from([".csv", ".csv.gz", ".parquet", ".txt"]))
def test_fuzz_price_files(tmp_path_factory, which, data, suffix):
    """yfinance save formats, mutated, under every suffix: read_price_file and FileSource."""
    FileSource, read_price_file = _price_readers()
    name, valid = FORMAT_FILES[which]
    body = data.draw(mutated(valid))
    stem = Path(name).stem
    p = tmp_path_factory.mktemp("px") / f"{stem}{suffix}"
    p.write_bytes(gzip.compress(body) if suffix == ".csv.gz" else body)
    _only_our_errors(read_price_file, p, tickers=["NVDA", "^IXIC", "UNH", "ANSS", "^SOX"])
    ticker = stem.rsplit("_", 1)[-1]
    _only_our_errors(FileSource(p).get_prices, [ticker], pd.Timestamp("2023-01-01"),
                     pd.Timestamp("2026-01-01"))


@FUZZ
@given(frame=st.integers(1, 6).flatmap(lambda n: st.fixed_dictionaries({
    "date": st.lists(_index_values, min_size=n, max_size=n),
    "ticker": st.lists(st.sampled_from(["NVDA", "AMD", "", "nvda", "../x", "NV DA"]),
                       min_size=n, max_size=n),
    "close": st.lists(_cells, min_size=n, max_size=n)})))
def test_fuzz_long_price_frames(tmp_path_factory, frame):
    """Long-format files with junk cells, written as CSV and as Parquet."""
    FileSource, read_price_file = _price_readers()
    df = pd.DataFrame({k: [str(v) for v in vals] for k, vals in frame.items()})
    folder = tmp_path_factory.mktemp("long")
    df.to_csv(folder / "prices.csv", index=False)
    df.to_parquet(folder / "prices.parquet", index=False)
    for p in (folder / "prices.csv", folder / "prices.parquet"):
        _only_our_errors(FileSource(p).get_prices, ["NVDA"], pd.Timestamp("1900-01-01"),
                         pd.Timestamp("2100-01-01"))


def test_unreadable_parquet_and_gzip(tmp_path):
    """Files whose suffix lies: a CSV named .parquet, text named .csv.gz."""
    FileSource, read_price_file = _price_readers()
    (tmp_path / "NVDA.parquet").write_bytes(b"Date,Close\n2025-01-27,118.42\n")
    (tmp_path / "AMD.csv.gz").write_bytes(b"Date,Close\n2025-01-27,118.42\n")
    for p in tmp_path.iterdir():
        with pytest.raises(EventStudyError, match=p.name):
            read_price_file(p, tickers=["NVDA", "AMD"])


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_price_file_that_is_a_device_fails_at_once(tmp_path):
    """data.path naming a link to /dev/zero used to hang the run reading it."""
    FileSource, _ = _price_readers()
    (tmp_path / "NVDA.csv").symlink_to("/dev/zero")
    with pytest.raises(EventStudyError, match="not a regular file"):
        FileSource(tmp_path / "NVDA.csv").get_prices(["NVDA"], pd.Timestamp("2025-01-01"),
                                                     pd.Timestamp("2025-02-01"))


def _main_config() -> bytes:
    return (Path(__file__).resolve().parents[2] / "configs" / "deepseek_2025.yaml").read_bytes()


@FUZZ
@given(data=st.one_of(mutated(_main_config()), mutated(VALID_YAML)))
def test_fuzz_cli_validate(tmp_path_factory, data):
    """Mutations of the main study's config (claims included) through ``eventstudy validate``:
    exit 0 or 1, one ``error:`` line for 1, and never the "unexpected" path (that is a bug)."""
    from typer.testing import CliRunner

    from eventstudy.cli import app

    p = tmp_path_factory.mktemp("cli") / "study.yaml"
    p.write_bytes(data)
    result = CliRunner().invoke(app, ["validate", str(p)])
    assert result.exit_code in (0, 1), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output, result.output
    assert not result.output.startswith("error: unexpected "), result.output
    if result.exit_code == 1:
        assert result.output.startswith("error: "), result.output


_meta_values = st.one_of(
    st.just({"ranges": [["2025-01-02", "2025-01-31"]], "fetched_at": "2025-02-01 00:00 UTC"}),
    st.just({"ranges": [["2025-13-01", "x"]]}), st.just({"ranges": "2025"}),
    st.just({"ranges": [[1, 2, 3]]}), st.just({"ranges": [None]}), st.just([1, 2]), st.just("x"),
    st.just(None), st.dictionaries(st.text(max_size=5), _values, max_size=3))


@FUZZ
@given(meta=_meta_values, index=st.sampled_from(["dates", "ints", "strings", "empty"]),
       columns=st.sampled_from([["close", "split", "dividend"], ["close"], ["price"], []]),
       junk=st.one_of(st.none(), st.binary(max_size=64)))
def test_fuzz_cache_files(tmp_path_factory, meta, index, columns, junk):
    """A damaged or foreign file in the price cache is a cache miss, never a crash."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from eventstudy.data.cache import _META_KEY, PriceCache

    root = tmp_path_factory.mktemp("cache")
    cache = PriceCache(root)
    target = cache.path("NVDA", True)
    idx = {"dates": pd.bdate_range("2025-01-02", periods=5), "ints": pd.RangeIndex(5),
           "strings": pd.Index(list("abcde")), "empty": pd.DatetimeIndex([])}[index]
    frame = pd.DataFrame({c: np.linspace(1, 2, len(idx)) for c in columns}, index=idx)
    table = pa.Table.from_pandas(frame, preserve_index=True)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           _META_KEY: json.dumps(meta, default=str).encode()})
    pq.write_table(table, target)
    if junk is not None:  # a truncated or overwritten file
        data = target.read_bytes()
        target.write_bytes(data[: len(data) // 2] + junk)
    for call in (lambda: cache.get("NVDA", True, pd.Timestamp("2025-01-02"),
                                   pd.Timestamp("2025-01-08")),
                 lambda: cache.ranges("NVDA", True), cache.entries):
        _only_our_errors(call)


@st.composite
def yahoo_responses(draw):
    """What yf.download may hand back: any layout, any junk, or an exception."""
    kind = draw(st.sampled_from(["frame", "frame", "frame", "empty", "none", "raise"]))
    if kind == "empty":
        return pd.DataFrame()
    if kind == "none":
        return None
    if kind == "raise":
        return draw(st.sampled_from([RuntimeError("boom"), TimeoutError("timed out"),
                                     ValueError("Too Many Requests. Rate limited")]))
    n = draw(st.integers(0, 8))
    idx = pd.bdate_range("2025-01-20", periods=n)
    if draw(st.booleans()):
        idx = idx.tz_localize(draw(st.sampled_from(["UTC", "America/New_York"])))
    if draw(st.booleans()) and n:
        idx = idx[draw(st.permutations(range(n)))]
    fields = draw(st.lists(st.sampled_from(["Close", "Adj Close", "Open", "Volume", "Dividends",
                                            "Stock Splits", "Junk"]), min_size=1, max_size=4,
                           unique=True))
    names = draw(st.lists(st.sampled_from(["NVDA", "^GSPC", "AMD", "nvda", ""]), min_size=1,
                          max_size=3, unique=True))
    cols = [(f, t) for f in fields for t in names]
    values = draw(st.lists(st.lists(_cells, min_size=len(cols), max_size=len(cols)), min_size=n,
                           max_size=n))
    frame = pd.DataFrame(values, index=idx, columns=pd.MultiIndex.from_tuples(cols))
    if draw(st.booleans()):  # a single-ticker request may come back flat
        frame.columns = [f for f, _ in cols]
    return frame


@FUZZ
@given(response=yahoo_responses())
def test_fuzz_yahoo_download(response):
    """yf.download returning anything (or raising) ends in prices or an EventStudyError."""
    from eventstudy.data.yahoo import YahooSource

    def download(*args, **kwargs):
        if isinstance(response, BaseException):
            raise response
        return response

    source = YahooSource(download=download, sleep=lambda s: None, attempts=2,
                         now=lambda: pd.Timestamp("2026-01-01", tz="UTC"))
    data = _only_our_errors(source.get_prices, ["NVDA", "^GSPC"], pd.Timestamp("2025-01-20"),
                            pd.Timestamp("2025-01-31"))
    if data is not None:
        values = data.close.to_numpy(dtype="float64")
        assert np.all(np.isnan(values) | (values > 0))


def test_cache_clear_never_deletes_files_it_did_not_write(tmp_path):
    """`eventstudy cache clear --cache-dir DATA` deleted every *.parquet in DATA, the user's too."""
    from eventstudy.data.cache import PriceCache

    cache = PriceCache(tmp_path, now=lambda: pd.Timestamp("2026-01-01", tz="UTC"))
    idx = pd.bdate_range("2025-01-02", periods=5)
    frame = pd.DataFrame({"close": np.linspace(1, 2, 5), "split": 0.0, "dividend": 0.0}, index=idx)
    ours = cache.put("NVDA", True, frame, idx[0], idx[-1])
    theirs = [tmp_path / "prices.parquet", tmp_path / "AMD.adj.1d.parquet"]
    for p in theirs:
        frame.to_parquet(p)
    damaged = tmp_path / "MSFT.adj.1d.parquet"
    damaged.write_bytes(b"PAR1 truncated")
    (tmp_path / ".notes.tmp").write_text("mine")
    assert cache.clear() == 2
    assert not ours.exists() and not damaged.exists()
    assert all(p.exists() for p in theirs) and (tmp_path / ".notes.tmp").exists()
