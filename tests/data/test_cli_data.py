"""The data options of the command line: --offline, --refresh, ``cache info|clear``, R1 study."""

from __future__ import annotations

import logging
import types

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.data.cache import PriceCache

from .conftest import FakeYF, session_prices

runner = CliRunner()


def test_r1_release_runs_offline_and_reports_the_holiday_shift(repo, tmp_path):
    result = runner.invoke(app, ["run", str(repo / "configs" / "deepseek_r1_release.yaml"),
                                 "--offline", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2025-01-20 is not a XNYS session; day 0 is 2025-01-21" in result.output
    folder = tmp_path / "deepseek_r1_release"
    assert "2025-01-20 -> 2025-01-21" in (folder / "summary.md").read_text()
    diag = pd.read_csv(folder / "diagnostics.csv")
    shifted = diag[diag["kind"] == "shifted"]
    assert shifted["message"].tolist() == ["2025-01-20 is not a session; day 0 = 2025-01-21"]
    ar = pd.read_csv(folder / "ar.csv")
    assert set(ar.loc[ar["tau"] == 0, "date"]) == {"2025-01-21"}
    assert set(ar.loc[ar["tau"] == 4, "date"]) == {"2025-01-27"}  # the App Store sell-off


def _study(tmp_path, tickers, source="auto"):
    cfg = {"study": "x", "data": {"source": source}, "market": "^GSPC",
           "events": [{"id": "e", "date": "2025-01-27", "tickers": tickers}],
           "estimation_window": [-120, -11], "event_windows": [[0, 0]]}
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def test_offline_ticker_not_in_the_bundle_is_one_error_and_exit_1(tmp_path):
    result = runner.invoke(app, ["run", _study(tmp_path, ["NVDA", "ZZZZ"]), "--offline",
                                 "-o", str(tmp_path)])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1
    assert lines[0].startswith("error: offline: no local prices for ['ZZZZ'] in ")
    assert "Traceback" not in result.output


def test_c04_cli_exits_non_zero_on_an_empty_download(tmp_path, monkeypatch):
    fake = FakeYF(session_prices(["^GSPC"], start="2024-01-01", end="2025-03-31"))
    monkeypatch.setattr("eventstudy.data.yahoo._import_yfinance",
                        lambda: types.SimpleNamespace(download=fake))
    result = runner.invoke(app, ["run", _study(tmp_path, ["INVALIDTICKER123"], "yfinance"),
                                 "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "no price data for INVALIDTICKER123 in " in result.output
    assert len(fake.calls) == 1  # one batched request for the security and the market


def test_refresh_downloads_what_the_bundle_has(tmp_path, monkeypatch):
    prices = session_prices(["NVDA", "^GSPC"], start="2024-01-01", end="2025-03-31")
    fake = FakeYF(prices)
    monkeypatch.setattr("eventstudy.data.yahoo._import_yfinance",
                        lambda: types.SimpleNamespace(download=fake))
    result = runner.invoke(app, ["run", _study(tmp_path, ["NVDA"]), "--refresh",
                                 "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(fake.calls[0]["tickers"]) == ["NVDA", "^GSPC"]
    info = runner.invoke(app, ["cache", "info"])
    assert info.exit_code == 0 and "2 series" in info.output and "NVDA" in info.output, (
        result.output, info.output)


def test_cache_info_and_clear(tmp_path):
    cache = PriceCache(tmp_path)
    f = pd.DataFrame({"close": [1.0, 2.0]}, index=pd.bdate_range("2025-01-02", periods=2))
    cache.put("BRK-B", True, f, f.index[0], f.index[-1])
    cache.put("^GSPC", True, f, f.index[0], f.index[-1])
    info = runner.invoke(app, ["cache", "info", "--cache-dir", str(tmp_path)])
    assert info.exit_code == 0, info.output
    assert "2 series" in info.output and "BRK-B" in info.output and "^GSPC" in info.output
    one = runner.invoke(app, ["cache", "clear", "brk.b", "--cache-dir", str(tmp_path)])
    assert one.exit_code == 0 and "removed 1 cached series" in one.output
    rest = runner.invoke(app, ["cache", "clear", "--cache-dir", str(tmp_path)])
    assert "removed 1 cached series" in rest.output
    assert PriceCache(tmp_path).entries().empty


@pytest.mark.parametrize("args", [["cache", "--help"], ["cache", "info", "--help"],
                                  ["cache", "clear", "--help"]])
def test_cache_commands_have_help(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "Usage" in result.output


def test_validate_checks_the_price_path(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "study: s\ndata: {source: file, path: prices/}\n"
        "events: [{id: e, date: 2024-01-10, tickers: [X]}]\n")
    missing = runner.invoke(app, ["validate", str(tmp_path / "s.yaml")])
    assert missing.exit_code == 1
    assert "prices: no such price file or folder" in missing.output
    (tmp_path / "prices").mkdir()
    empty = runner.invoke(app, ["validate", str(tmp_path / "s.yaml")])
    assert empty.exit_code == 1 and "no price files" in empty.output
    (tmp_path / "prices" / "X.csv").write_text("date,close\n2024-01-02,10\n")
    ok = runner.invoke(app, ["validate", str(tmp_path / "s.yaml")])
    assert ok.exit_code == 0, ok.output


def test_fetch_fills_the_cache_then_offline_works(tmp_path, monkeypatch):
    prices = session_prices(["ZZZZ", "^GSPC"], start="2024-01-01", end="2025-03-31", seed=5)
    fake = FakeYF(prices)
    monkeypatch.setattr("eventstudy.data.yahoo._import_yfinance",
                        lambda: types.SimpleNamespace(download=fake))
    study = _study(tmp_path, ["NVDA", "ZZZZ"])
    before = runner.invoke(app, ["fetch", study, "--offline"])
    assert before.exit_code == 1 and "no local prices for ['ZZZZ']" in before.output
    online = runner.invoke(app, ["fetch", study])
    assert online.exit_code == 0, online.output
    assert "prices: 2 from bundled (vintage 2026-08), 1 from yfinance" in online.output
    assert "quality screen: no findings" in online.output
    assert [c["tickers"] for c in fake.calls] == [["ZZZZ"]]
    after = runner.invoke(app, ["fetch", study, "--offline"])
    assert after.exit_code == 0, after.output
    assert "1 from cache, 2 from bundled" in after.output and len(fake.calls) == 1


def test_auto_with_a_path_takes_the_file_first_and_the_rest_from_the_bundle(tmp_path):
    # the user's own series for a ticker the bundle lacks; the market comes from the bundle
    mine = session_prices(["MYCO"], start="2024-01-01", end="2025-03-31", seed=7)
    mine.rename_axis("date").to_csv(tmp_path / "MYCO.csv")
    cfg = {"study": "own", "data": {"source": "auto", "path": "MYCO.csv"}, "market": "^GSPC",
           "events": [{"id": "e", "date": "2025-01-27", "tickers": ["MYCO", "NVDA"]}],
           "estimation_window": [-120, -11], "event_windows": [[0, 0]]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    result = runner.invoke(app, ["fetch", str(tmp_path / "s.yaml"), "--offline"])
    assert result.exit_code == 0, result.output
    assert "prices: 1 from file, 2 from bundled (vintage 2026-08)" in result.output
    from eventstudy.config import load_config
    from eventstudy.inputs import load_study_inputs

    inputs = load_study_inputs(load_config(tmp_path / "s.yaml"))
    assert inputs.metadata["sources"]["MYCO"] == f"file {tmp_path / 'MYCO.csv'}"
    expected = mine.loc["2025-01-27", "MYCO"] / mine.loc["2025-01-24", "MYCO"] - 1
    assert inputs.returns.loc["2025-01-27", "MYCO"] == pytest.approx(expected, rel=1e-12)
    assert round(inputs.returns.loc["2025-01-27", "NVDA"] * 100, 2) == -16.97


def test_c06_symbol_mapping_is_printed_in_the_run_log(tmp_path):
    result = runner.invoke(app, ["run", _study(tmp_path, ["brk.b", "aapl", "AAPL", "NVDA"],
                                               "bundled"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "warning: tickers read as Yahoo symbols: brk.b -> BRK-B, aapl -> AAPL\n" in \
        result.output
    assert "warning: 1 duplicate ticker dropped: ['AAPL']" in result.output


@pytest.mark.parametrize("quality_errors", ["raise", "warn"])
def test_quality_error_is_printed_once(tmp_path, quality_errors, caplog):
    # a -75% cliff with no recorded split: once as the error (or the ignored-error warning),
    # never also as an "ERROR eventstudy.data.quality" log line
    prices = session_prices(["XYZ", "^GSPC"], start="2024-06-03", end="2025-03-31", seed=4)
    prices.loc[:"2025-01-02", "XYZ"] *= 4.0
    prices.rename_axis("date").to_csv(tmp_path / "prices.csv")
    cfg = {"study": "q", "data": {"source": "file", "path": "prices.csv",
                                  "quality_errors": quality_errors},
           "market": "^GSPC", "events": [{"id": "e", "date": "2025-01-27", "tickers": ["XYZ"]}],
           "estimation_window": [-120, -11], "event_windows": [[0, 0]]}
    (tmp_path / "q.yaml").write_text(yaml.safe_dump(cfg))
    with caplog.at_level(logging.WARNING):  # pytest's handler stands in for the terminal's
        result = runner.invoke(app, ["run", str(tmp_path / "q.yaml"), "-o", str(tmp_path)])
    assert [r.getMessage() for r in caplog.records if r.name.startswith("eventstudy.data")] == []
    said = [ln for ln in result.output.splitlines() if "possible unadjusted split in XYZ" in ln]
    assert len(said) == 1, result.output
    assert said[0].startswith("error: " if quality_errors == "raise" else "warning: ")
    assert result.exit_code == (1 if quality_errors == "raise" else 0)
