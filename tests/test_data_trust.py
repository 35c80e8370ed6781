"""Data you can trust, part 2 (issue 13): faults in real-shaped data never reach the results.

End to end through the CLI and the API, on bundled series written to a price file with faults
injected as real feeds show them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from eventstudy import EventStudy, datasets
from eventstudy.cli import app
from eventstudy.estimation import PLAUSIBLE_AR

runner = CliRunner()
TICKERS = ("AAPL", "MSFT", "KO")
DAY0 = pd.Timestamp("2025-01-27")


def _bundled() -> pd.DataFrame:
    frame = datasets.load()[["^GSPC", *TICKERS]]
    return frame.loc["2023-06-01":"2025-03-31"].rename_axis("date")


def _write(tmp_path, prices: pd.DataFrame, *, suffix: str = "csv", **body) -> str:
    if suffix == "parquet":
        prices.to_parquet(tmp_path / "prices.parquet")
    else:
        prices.to_csv(tmp_path / "prices.csv")
    cfg = {"study": "trust", "data": {"source": "file", "path": f"prices.{suffix}"},
           "market": "^GSPC",
           "events": [{"id": "ds", "date": "2025-01-27"}], "groups": {"g": list(TICKERS)},
           "estimation_window": [-250, -11], "event_windows": [[0, 0], [-1, 1]],
           "tests": ["t"], **body}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return str(tmp_path / "study.yaml")


def _tau(prices: pd.DataFrame, tau: int) -> pd.Timestamp:
    pos = int(prices.index.get_indexer([DAY0])[0])
    return prices.index[pos + tau]


def _spiked(prices: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.Timestamp]]:
    """AAPL x100 at tau -100 (back to 0.98x the day before), MSFT x100 on day 0 (back to 1.03x),
    KO x37 on day +1 (no power of ten: excluded)."""
    bad = prices.copy()
    days = {"AAPL": _tau(prices, -100), "MSFT": _tau(prices, 0), "KO": _tau(prices, 1)}
    for ticker, factor, back in (("AAPL", 100.0, 0.98), ("MSFT", 100.0, 1.03), ("KO", 37.0, 1.0)):
        d = days[ticker]
        pos = bad.index.get_loc(d)
        prev = bad[ticker].iat[pos - 1]
        bad.loc[d, ticker] = bad[ticker].iat[pos] * factor
        bad.iloc[pos + 1, bad.columns.get_loc(ticker)] = prev * back
    return bad, days


def test_bad_bars_in_estimation_and_event_windows_cli(tmp_path):
    prices = _bundled()
    bad, days = _spiked(prices)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", _write(tmp_path, bad), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = result.output
    # the run's output lists every repaired or excluded day
    assert f"bad price in AAPL on {days['AAPL'].date()} repaired" in text
    assert f"bad price in MSFT on {days['MSFT'].date()} repaired" in text
    assert f"bad price in KO on {days['KO'].date()} excluded" in text
    diag = pd.read_csv(out / "trust" / "diagnostics.csv")
    listed = diag.to_csv()
    for ticker, d in days.items():
        assert f"{ticker} on {d.date()}" in listed
    ar = pd.read_csv(out / "trust" / "ar.csv")
    assert ar["ar"].abs().max() < PLAUSIBLE_AR  # no AR of thousands of percent
    # the repaired MSFT day-0 AR is the AR of the clean series
    clean = tmp_path / "clean"
    clean.mkdir()
    result = runner.invoke(app, ["run", _write(clean, prices), "-o", str(clean / "out")])
    assert result.exit_code == 0, result.output
    ref = pd.read_csv(clean / "out" / "trust" / "ar.csv").set_index(["ticker", "tau"])["ar"]
    got = ar.set_index(["ticker", "tau"])["ar"]
    assert got[("MSFT", 0)] == pytest.approx(ref[("MSFT", 0)], abs=0.004)  # 1.03x the pre-day
    assert got[("AAPL", 0)] == pytest.approx(ref[("AAPL", 0)], abs=1e-3)  # one est. day differs
    assert np.isnan(got[("KO", 1)])  # excluded: no return on that day, never a made-up one


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_bad_bars_api_lists_repairs_in_provenance(tmp_path, suffix):
    bad, days = _spiked(_bundled())
    with warnings.catch_warnings(record=True):  # recorded here; "ignore" would drop them
        warnings.simplefilter("always")
        res = EventStudy.from_yaml(_write(tmp_path, bad, suffix=suffix)).fit()
    q = res.provenance.quality
    found = q[q["check"].str.startswith("bad_bar")]
    assert sorted(zip(found["ticker"], found["check"], strict=True)) == [
        ("AAPL", "bad_bar_repaired"), ("KO", "bad_bar_excluded"), ("MSFT", "bad_bar_repaired")]
    messages = " ".join(w["message"] for w in res.provenance.warnings)
    assert f"bad price in KO on {days['KO'].date()} excluded" in messages
    assert np.nanmax(np.abs(res.estimate.ar)) < PLAUSIBLE_AR


def test_implausible_abnormal_return_is_reported_never_silent(tmp_path):
    # a move the screen cannot tell from a real one (x3 that stays): the run says so
    prices = _bundled()
    d = _tau(prices, 0)
    prices.loc[d:, "KO"] = prices.loc[d:, "KO"] * 3.0
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", _write(tmp_path, prices), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "implausible abnormal return +" in result.output
    assert f"KO on {d.date()}" in result.output
    diag = pd.read_csv(out / "trust" / "diagnostics.csv")
    assert diag.to_csv().count("implausible abnormal return") >= 1


# ------------------------------------------------------------------ C46: securities gone
def test_c46_pinned_snapshot_replicates_offline_with_identical_numbers(tmp_path):
    # a study pins its data by reading a snapshot file (data.source: file): the same numbers
    # offline, whatever the bundle or Yahoo serve later
    prices = _bundled()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = EventStudy.from_yaml(_write(tmp_path, prices)).fit()
        snap = tmp_path / "snap"
        snap.mkdir()
        first.provenance.prices.rename_axis("date").to_parquet(snap / "snapshot.parquet")
        cfg = yaml.safe_load((tmp_path / "study.yaml").read_text())
        cfg["data"] = {"source": "file", "path": "snapshot.parquet", "offline": True}
        (snap / "study.yaml").write_text(yaml.safe_dump(cfg))
        again = EventStudy.from_yaml(snap / "study.yaml").fit()
    np.testing.assert_array_equal(first.estimate.ar, again.estimate.ar)


def test_every_security_without_data_is_one_error_exit_1(tmp_path):
    prices = _bundled()
    path = _write(tmp_path, prices, groups={"g": ["GONEX"]})
    result = runner.invoke(app, ["run", path, "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no prices for ['GONEX']" in result.output and "Traceback" not in result.output


# ------------------------------------------------------------------ renamed symbols, aliases
def test_renamed_symbol_error_hints_the_alias(tmp_path):
    prices = _bundled().rename(columns={"AAPL": "META"})
    path = _write(tmp_path, prices, groups={"g": ["FB"]})
    result = runner.invoke(app, ["run", path, "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert ("symbols change (FB is META since 2022); set `aliases: {FB: META}`"
            in result.output)


def test_aliases_map_label_to_symbol_and_reports_show_both(tmp_path):
    prices = _bundled().rename(columns={"AAPL": "META"})
    path = _write(tmp_path, prices, groups={"g": ["FB", "MSFT", "KO"]}, aliases={"FB": "META"})
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", path, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out / "trust" / "ar.csv")["ticker"]) == {"FB", "MSFT", "KO"}
    src = pd.read_csv(out / "trust" / "sources.csv").set_index("ticker")
    assert src.loc["FB", "symbol"] == "META" and src.loc["KO", "symbol"] == "KO"
    assert "FB: prices of META (aliases)" in (out / "trust" / "summary.md").read_text()
    # the same numbers as the study run under the symbol itself
    ref = tmp_path / "ref"
    ref.mkdir()
    path = _write(ref, prices, groups={"g": ["META", "MSFT", "KO"]})
    assert runner.invoke(app, ["run", path, "-o", str(ref / "out")]).exit_code == 0
    a = pd.read_csv(out / "trust" / "car.csv")
    b = pd.read_csv(ref / "out" / "trust" / "car.csv").replace({"ticker": {"META": "FB"}})
    pd.testing.assert_frame_equal(a, b)


def test_aliases_onto_another_security_is_a_config_error(tmp_path):
    path = _write(tmp_path, _bundled(), aliases={"AAPL": "MSFT"})
    result = runner.invoke(app, ["run", path, "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "aliases: AAPL maps to MSFT, which is also a security" in result.output


# ------------------------------------------------------------------ a security's own data error
def test_unit_switch_of_one_security_skips_its_events_not_the_study(tmp_path):
    prices = _bundled()
    prices.loc["2024-09-03":, "KO"] = prices.loc["2024-09-03":, "KO"] / 100.0  # stays
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", _write(tmp_path, prices), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "KO (event ds) excluded: data-quality error: possible unit switch" in result.output
    assert set(pd.read_csv(out / "trust" / "ar.csv")["ticker"]) == {"AAPL", "MSFT"}
    with_raise = tmp_path / "r"
    with_raise.mkdir()
    path = _write(with_raise, prices, data={"source": "file", "path": "prices.csv",
                                            "quality_errors": "raise"})
    result = runner.invoke(app, ["run", path, "-o", str(with_raise / "out")])
    assert result.exit_code == 1 and "possible unit switch" in result.output


# ------------------------------------------------------------------ interval
def test_interval_other_than_daily_names_what_is_supported(tmp_path):
    path = _write(tmp_path, _bundled(), data={"source": "file", "path": "prices.csv",
                                              "interval": "1h"})
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 1
    assert "interval '1h' is not supported: only daily bars (1d)" in result.output
    assert "60 days" in result.output and "unknown key" not in result.output


# ------------------------------------------------------------------ units and currencies
def test_unit_switch_rescale_end_to_end_and_currency_in_sources(tmp_path):
    prices = _bundled()
    clean_out = tmp_path / "clean"
    clean_out.mkdir()
    assert runner.invoke(app, ["run", _write(clean_out, prices), "-o",
                               str(clean_out / "out")]).exit_code == 0
    prices.loc[:"2024-09-02", "KO"] = prices.loc[:"2024-09-02", "KO"] * 100.0  # cents, then $
    out = tmp_path / "out"
    path = _write(tmp_path, prices, data={"source": "file", "path": "prices.csv",
                                          "unit_switch": "rescale", "currency": "USD"})
    result = runner.invoke(app, ["run", path, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "unit switch in KO on 2024-09-03" in result.output
    src = pd.read_csv(out / "trust" / "sources.csv").set_index("ticker")
    assert src.loc["KO", "currency"] == "USD"
    assert src.loc["KO", "unit"] == "USD per share (rescaled before 2024-09-03)"
    assert src.loc["^GSPC", "unit"] == "index points"
    got = pd.read_csv(out / "trust" / "car.csv")["car"].to_numpy()
    ref = pd.read_csv(clean_out / "out" / "trust" / "car.csv")["car"].to_numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-9)


def test_currency_from_the_symbol_when_not_given(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", _write(tmp_path, _bundled()), "-o", str(out)]).exit_code == 0
    src = pd.read_csv(out / "trust" / "sources.csv").set_index("ticker")
    assert src.loc["AAPL", "currency"] == "USD (from the symbol)"


def test_sources_lists_the_context_series_with_their_source(tmp_path):
    # ^IXIC from the price file like the securities; ^VIX, absent from the file, from the
    # bundled CBOE history: both are numbers of the report, so both are rows of sources.csv
    prices = _bundled().join(datasets.load()["^IXIC"], how="left")
    path = _write(tmp_path, prices, context=["^IXIC", "^VIX"])
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", path, "-o", str(out), "--formats", "csv"])
    assert result.exit_code == 0, result.output
    src = pd.read_csv(out / "trust" / "sources.csv").set_index("ticker")
    assert src.index.is_unique
    assert {"^GSPC", *TICKERS, "^IXIC", "^VIX"} == set(src.index)
    assert src.loc["^IXIC", "source"] == src.loc["^GSPC", "source"]  # the file
    assert src.loc["^VIX", "source"] == "bundled (CBOE VIX history, vix_close.csv)"
    assert str(src.loc["^VIX", "vintage"]) == datasets.VINTAGE
    assert src.loc["^IXIC", "unit"] == "index points"


# ------------------------------------------------------------------ events CSV options
def test_events_csv_mapping_and_date_format_through_the_cli(tmp_path):
    (tmp_path / "events.csv").write_text("ticker_symbol,when,name\nAAPL,27.01.2025,ds\n"
                                         "MSFT,27.01.2025,ds\n")
    path = _write(tmp_path, _bundled(), events="events.csv", groups={},
                  event_columns={"ticker": "ticker_symbol", "date": "when", "event_id": "name"},
                  date_format="%d.%m.%Y")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", path, "-o", str(out)])
    assert result.exit_code == 0, result.output
    ar = pd.read_csv(out / "trust" / "ar.csv")
    assert set(ar["ticker"]) == {"AAPL", "MSFT"}
    assert set(ar.loc[ar["tau"] == 0, "date"]) == {"2025-01-27"}


def test_ambiguous_event_date_through_the_cli_is_one_line(tmp_path):
    (tmp_path / "events.csv").write_text("event_id,ticker,date\nds,AAPL,03/05/2024\n")
    path = _write(tmp_path, _bundled(), events="events.csv", groups={})
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 1
    assert "bad date '03/05/2024': ambiguous: 03 May 2024 (day first) or March 05, 2024" \
        in result.output
    assert "Traceback" not in result.output


def test_c29_multi_session_returns_are_counted_in_the_report(tmp_path):
    prices = _bundled()
    prices.loc["2024-05-28", "KO"] = np.nan  # a session without a close for this stock
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", _write(tmp_path, prices), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 returns span more than one session" in (out / "trust" / "summary.md").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy.from_yaml(tmp_path / "study.yaml").fit()
    r = res.returns["KO"]
    assert np.isnan(r.loc["2024-05-28"])
    ko = prices["KO"]
    assert r.loc["2024-05-29"] == pytest.approx(ko.loc["2024-05-29"] / ko.loc["2024-05-24"] - 1)


def test_offline_renamed_symbol_error_hints_the_alias(tmp_path):
    cfg = {"study": "fb", "data": {"source": "auto", "cache_dir": str(tmp_path / "c")},
           "market": "^GSPC", "events": [{"id": "e", "date": "2025-01-27"}],
           "groups": {"g": ["FB", "AAPL"]}, "estimation_window": [-100, -11]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    result = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "--offline", "-o",
                                 str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "offline: no local prices for ['FB']" in result.output
    assert "symbols change (FB is META since 2022); set `aliases: {FB: META}`" in result.output


def test_validate_resolves_aliases_and_hints_renames(tmp_path):
    text = ("study: v\ndata: {source: bundled}\naliases: {FB: META}\n"
            "events: [{id: e, date: 2025-01-27}]\ngroups: {g: [FB, AAPL]}\n")
    (tmp_path / "s.yaml").write_text(text)
    result = runner.invoke(app, ["validate", str(tmp_path / "s.yaml")])
    assert result.exit_code == 0, result.output
    (tmp_path / "s.yaml").write_text(text.replace("aliases: {FB: META}\n", ""))
    result = runner.invoke(app, ["validate", str(tmp_path / "s.yaml")])
    assert result.exit_code == 1
    assert "not in the bundled data set: ['FB']" in result.output
    assert "set `aliases: {FB: META}`" in result.output
