"""Global studies: every security on its own exchange, calendar and benchmark (issue 14)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from eventstudy import EventStudy
from eventstudy.config import load_config
from eventstudy.data.calendar import sessions
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    MissingReturnsWarning,
    NonSynchronousWarning,
)
from eventstudy.markets import plan_benchmarks, trading_hours_overlap
from eventstudy.pipeline import run_study


def _walk(calendar: str, start: str, end: str, seed: int, beta: float | None = None,
          market: pd.Series | None = None) -> pd.Series:
    """Closes on ``calendar``'s sessions; with ``market``, returns beta * market's + noise."""
    idx = sessions(calendar, pd.Timestamp(start), pd.Timestamp(end))
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0003, 0.012, len(idx))
    if market is not None and beta is not None:
        # fill_method=None: no deprecated default (pandas 2.2 warns); the gaps are then 0 return
        rm = market.reindex(idx).pct_change(fill_method=None).fillna(0.0).to_numpy()
        r = 0.0002 + beta * rm + rng.normal(0, 0.008, len(idx))
    return pd.Series(100 * np.exp(np.cumsum(np.log1p(r))), index=idx)


def _us_de_prices() -> pd.DataFrame:
    gspc = _walk("XNYS", "2023-06-01", "2024-08-30", 1)
    dax = _walk("XETR", "2023-06-01", "2024-08-30", 2)
    return pd.DataFrame({
        "^GSPC": gspc, "^GDAXI": dax,
        "AAA": _walk("XNYS", "2023-06-01", "2024-08-30", 3, 1.2, gspc),
        "SAP.DE": _walk("XETR", "2023-06-01", "2024-08-30", 4, 0.8, dax),
    }).sort_index()


def _write(tmp_path, prices: pd.DataFrame, body: dict) -> str:
    prices.rename_axis("date").to_csv(tmp_path / "prices.csv")
    cfg = {"study": "g", "data": {"source": "file", "path": "prices.csv"}, **body}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return str(tmp_path / "study.yaml")


GLOBAL_MARKET = {"default": "^GSPC", "by_exchange": {"XETR": "^GDAXI"}}


def _by_hand_ar(close: pd.DataFrame, stock: str, index: str, calendar: str, day0: str,
                est=(-250, -11)) -> pd.Series:
    """Market-model ARs of ``stock`` on its own ``calendar``'s sessions, computed directly."""
    own = close.reindex(sessions(calendar, close.index[0], close.index[-1]))[[stock, index]]
    r = own.pct_change(fill_method=None).iloc[1:]
    k0 = r.index.get_loc(pd.Timestamp(day0))
    est_rows = r.iloc[k0 + est[0]: k0 + est[1] + 1]
    beta, alpha = np.polyfit(est_rows[index], est_rows[stock], 1)
    window = r.iloc[k0 - 1: k0 + 2]
    return window[stock] - alpha - beta * window[index]


def test_us_holiday_on_which_frankfurt_trades(tmp_path):
    """2024-07-04: NYSE closed, Xetra open; event on 07-05 (a session of both)."""
    prices = _us_de_prices()
    path = _write(tmp_path, prices, {
        "market": GLOBAL_MARKET,
        "events": [{"id": "e", "date": "2024-07-05"}],
        "groups": {"us": ["AAA"], "de": ["SAP.DE"]},
        "event_windows": [[-1, 1]]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingReturnsWarning)  # no AR may go missing
        res = EventStudy.from_yaml(path).fit()
    f = res.to_frame().set_index(["ticker", "tau"])
    assert [str(f.loc[("AAA", t), "date"]) for t in (-1, 0, 1)] == [
        "2024-07-03", "2024-07-05", "2024-07-08"]          # US: 07-04 is no session
    assert [str(f.loc[("SAP.DE", t), "date"]) for t in (-1, 0, 1)] == [
        "2024-07-04", "2024-07-05", "2024-07-08"]          # Frankfurt keeps its own 07-04
    assert f["ar"].notna().all()                          # three ARs each over [-1, 1]
    us = _by_hand_ar(prices, "AAA", "^GSPC", "XNYS", "2024-07-05")
    de = _by_hand_ar(prices, "SAP.DE", "^GDAXI", "XETR", "2024-07-05")
    np.testing.assert_allclose(f.loc["AAA", "ar"].to_numpy(), us.to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(f.loc["SAP.DE", "ar"].to_numpy(), de.to_numpy(), rtol=0,
                               atol=1e-12)
    # AAR averages the two at the same tau, although tau -1 is 07-03 for one and 07-04 for other
    car = res.car_table().set_index("ticker")["car"]
    assert car["AAA"] == pytest.approx(us.sum(), abs=1e-12)
    assert car["SAP.DE"] == pytest.approx(de.sum(), abs=1e-12)
    caar = res.caar_table()
    assert caar["n"].tolist() == [1, 1]


def test_us_holiday_pooled_caar_counts_both(tmp_path):
    """One group of both: the CAAR over [-1, 1] holds two securities with three ARs each."""
    prices = _us_de_prices()
    path = _write(tmp_path, prices, {
        "market": GLOBAL_MARKET, "events": [{"id": "e", "date": "2024-07-04"}],
        "groups": {"both": ["AAA", "SAP.DE"]}, "event_windows": [[-1, 1]]})
    with pytest.warns(Warning, match="2024-07-04 is not a XNYS session; day 0 of AAA is "
                                     "2024-07-05"):
        res = EventStudy.from_yaml(path).fit()
    row = res.caar_table().iloc[0]
    assert row["n"] == 2
    f = res.to_frame().set_index(["ticker", "tau"])
    assert str(f.loc[("SAP.DE", 0), "date"]) == "2024-07-04"  # its own session
    us = _by_hand_ar(prices, "AAA", "^GSPC", "XNYS", "2024-07-05")
    de = _by_hand_ar(prices, "SAP.DE", "^GDAXI", "XETR", "2024-07-04")
    assert row["caar"] == pytest.approx((us.sum() + de.sum()) / 2, abs=1e-12)
    aar = res.to_frame().groupby("tau")["ar"].mean().to_numpy()
    np.testing.assert_allclose(aar, (us.to_numpy() + de.to_numpy()) / 2, atol=1e-12)
    shifted = res.estimate.shifted
    assert shifted[["exchange", "tickers"]].values.tolist() == [["XNYS", "AAA"]]


def test_single_market_unchanged_by_a_mapping_with_only_a_default(tmp_path):
    prices = _us_de_prices()[["^GSPC", "AAA"]].dropna()
    prices["BBB"] = _walk("XNYS", "2023-06-01", "2024-08-30", 9, 0.7, prices["^GSPC"])
    body = {"events": [{"id": "e", "date": "2024-07-05"}], "groups": {"g": ["AAA", "BBB"]},
            "event_windows": [[0, 0], [-1, 1]], "model": "dimson"}
    one = EventStudy.from_yaml(_write(tmp_path, prices, {**body, "market": "^GSPC"})).fit()
    two = EventStudy.from_yaml(_write(tmp_path, prices, {**body,
                                                          "market": {"default": "^GSPC"}})).fit()
    a, b = one.car_table(), two.car_table()
    np.testing.assert_allclose(a["car"], b["car"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(one.caar_table()["caar"], two.caar_table()["caar"], atol=1e-12)
    np.testing.assert_allclose(one.estimate.fit.params, two.estimate.fit.params, atol=1e-12)


def test_mapping_by_exchange_group_and_ticker(tmp_path):
    cfg = load_config(_write(tmp_path, _us_de_prices(), {
        "market": {"default": "^GSPC", "by_exchange": {"XETR": "^GDAXI", "XTKS": "^N225"},
                   "by_group": {"chips": "^SOX"}, "by_ticker": {"TSM": "^TWII", "FOO.XY": "^N225"}},
        "exchanges": {"BAR.ZZ": "XPAR"},
        "events": [{"id": "e", "date": "2024-07-05"}],
        "groups": {"chips": ["NVDA", "8035.T"], "other": ["AAA", "SAP.DE", "6857.T", "TSM",
                                                          "FOO.XY", "BAR.ZZ"]}}))
    tickers = [t for g in cfg.groups.values() for t in g]
    plan = plan_benchmarks(cfg, tickers, cfg.groups)
    assert plan.benchmark == {"NVDA": "^SOX", "8035.T": "^SOX", "AAA": "^GSPC",
                              "SAP.DE": "^GDAXI", "6857.T": "^N225", "TSM": "^TWII",
                              "FOO.XY": "^N225", "BAR.ZZ": "^GSPC"}
    assert plan.rule["8035.T"] == "by_group chips"      # the group beats the exchange
    assert plan.rule["TSM"] == "by_ticker"              # the ticker beats everything
    assert plan.rule["6857.T"] == "by_exchange XTKS"
    assert plan.exchange["8035.T"] == "XTKS" and plan.exchange["TSM"] == "XNYS"
    assert plan.exchange["FOO.XY"] == "XTKS"            # unknown suffix: its benchmark's exchange
    assert plan.exchange["BAR.ZZ"] == "XPAR"            # exchanges: names it


def test_unknown_exchange_and_uncovered_exchange_are_config_errors(tmp_path):
    base = {"events": [{"id": "e", "date": "2024-07-05"}]}
    cfg = load_config(_write(tmp_path, _us_de_prices(), {
        **base, "market": GLOBAL_MARKET, "groups": {"g": ["FOO.XY"]}}))
    with pytest.raises(ConfigError, match=r"FOO\.XY: its exchange cannot be told"):
        plan_benchmarks(cfg, ["FOO.XY"], cfg.groups)
    cfg = load_config(_write(tmp_path, _us_de_prices(), {
        **base, "market": {"by_exchange": {"XETR": "^GDAXI"}}, "groups": {"g": ["7203.T"]}}))
    with pytest.raises(ConfigError, match=r"7203\.T trades on XTKS.*by_exchange"):
        plan_benchmarks(cfg, ["7203.T"], cfg.groups)
    with pytest.raises(ConfigError, match="by_group names no group"):
        load_config(_write(tmp_path, _us_de_prices(), {
            **base, "market": {"by_group": {"nope": "^GSPC"}}, "groups": {"g": ["AAA"]}}))


def test_unknown_exchange_fails_the_run_with_a_clean_message(tmp_path, capsys):
    from typer.testing import CliRunner

    from eventstudy.cli import app

    path = _write(tmp_path, _us_de_prices(), {
        "market": GLOBAL_MARKET, "events": [{"id": "e", "date": "2024-07-05"}],
        "groups": {"g": ["AAA", "FOO.XY"]}})
    out = CliRunner().invoke(app, ["run", path, "--output-dir", str(tmp_path / "r")])
    assert out.exit_code != 0
    assert "FOO.XY" in out.output and "Traceback" not in out.output


def test_benchmark_without_a_price_on_day0_names_both(tmp_path):
    prices = _us_de_prices()
    prices.loc["2024-07-04", "^GDAXI"] = np.nan
    path = _write(tmp_path, prices, {
        "market": GLOBAL_MARKET, "events": [{"id": "e", "date": "2024-07-04"}],
        "groups": {"g": ["SAP.DE"]}})
    with pytest.raises(DataUnavailableError,
                       match=r"benchmark \^GDAXI has no price on 2024-07-04, day 0 of SAP\.DE"):
        EventStudy.from_yaml(path)


def test_non_synchronous_warning():
    when = pd.Timestamp("2025-01-27")
    assert trading_hours_overlap("XTAI", "XNYS", when)[0] == 0.0
    assert trading_hours_overlap("XTKS", "XNYS", when)[0] == 0.0
    assert trading_hours_overlap("XETR", "XNYS", when)[0] == pytest.approx(2.0)  # 14:30-16:30
    assert trading_hours_overlap("XPAR", "XNYS", when)[0] == pytest.approx(2.0)


def test_non_synchronous_warning_in_a_study(tmp_path):
    gspc = _walk("XNYS", "2023-06-01", "2024-08-30", 1)
    prices = pd.DataFrame({"^GSPC": gspc,
                           "2330.TW": _walk("XTAI", "2023-06-01", "2024-08-30", 5),
                           "SAP.DE": _walk("XETR", "2023-06-01", "2024-08-30", 4)}).sort_index()
    path = _write(tmp_path, prices, {
        "market": {"default": "^GSPC"}, "events": [{"id": "e", "date": "2024-07-05"}],
        "groups": {"g": ["2330.TW", "SAP.DE"]}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        study = EventStudy.from_yaml(path)
    msgs = [str(w.message) for w in caught if issubclass(w.category, NonSynchronousWarning)]
    assert len(msgs) == 1 and msgs[0].startswith("2330.TW (XTAI, 01:00-05:30 UTC) and benchmark "
                                                 "^GSPC (XNYS, 13:30-20:00 UTC)")
    assert "dimson" in msgs[0] and "by_exchange: {XTAI: ...}" in msgs[0]
    assert any("no overlapping trading hours" in n for n in study.provenance.notes)


def test_dimson_with_a_home_market_holiday(tmp_path):
    """TSMC against ^GSPC: US holidays leave lags and leads missing; the event window predicts
    from the terms that exist and says so, the regression drops only the rows it must."""
    gspc = _walk("XNYS", "2023-06-01", "2024-08-30", 1)
    tw = _walk("XTAI", "2023-06-01", "2024-08-30", 5, 0.5, gspc)
    prices = pd.DataFrame({"^GSPC": gspc, "2330.TW": tw}).sort_index()
    path = _write(tmp_path, prices, {
        "market": {"default": "^GSPC"}, "model": "dimson",
        # 07-05: the lag (07-04, US holiday) is missing
        "events": [{"id": "e", "date": "2024-07-05"}], "groups": {"g": ["2330.TW"]},
        "event_windows": [[0, 0]]})
    with pytest.warns(MissingReturnsWarning, match="predicted from the terms that exist: 1 "
                                                   "without the lag"):
        res = EventStudy.from_yaml(path).fit()
    ar0 = res.to_frame().set_index("tau").loc[0]
    assert np.isfinite(ar0["ar"])
    # by hand: own-session returns of both over XTAI sessions where both traded
    own = prices.reindex(sessions("XTAI", prices.index[0], prices.index[-1]))
    both = own.dropna()
    r = both.pct_change(fill_method=None).reindex(own.index)  # NaN on sessions where the US was closed
    r = r.iloc[1:]
    k0 = r.index.get_loc(pd.Timestamp("2024-07-05"))
    lag, lead = r["^GSPC"].shift(1), r["^GSPC"].shift(-1)
    X = pd.concat([lag, r["^GSPC"], lead], axis=1).iloc[k0 - 250: k0 - 10]
    y = r["2330.TW"].iloc[k0 - 250: k0 - 10]
    ok = X.notna().all(axis=1) & y.notna()
    A = np.column_stack([np.ones(ok.sum()), X[ok].to_numpy()])
    params = np.linalg.lstsq(A, y[ok].to_numpy(), rcond=None)[0]
    assert res.estimate.fit.nobs[0] == ok.sum()            # only rows with all three terms
    np.testing.assert_allclose(res.estimate.fit.params[0], params, atol=1e-10)
    assert np.isnan(lag.iloc[k0])
    expected = r["2330.TW"].iloc[k0] - (params[0] + params[2] * r["^GSPC"].iloc[k0]
                                        + params[3] * lead.iloc[k0])
    assert ar0["ar"] == pytest.approx(expected, abs=1e-10)


# ----------------------------------------------------------------------------- real data
def test_bundled_international_series_and_fillers():
    from eventstudy import datasets
    from eventstudy.data.fillers import filler_mask

    close, volume = datasets.load_international()
    assert sorted(close.columns) == sorted(["^N225", "^GDAXI", "^FCHI", "^TWII", "2330.TW",
                                            "SU.PA", "9984.T", "8035.T", "6857.T", "ENR.DE"])
    m = filler_mask(close, volume)
    assert int(m["ENR.DE"].sum()) == 25 and int(m.drop(columns="ENR.DE").to_numpy().sum()) == 0
    for d in ("2025-01-17", "2025-01-20", "2025-01-21", "2025-01-24"):
        assert m.loc[d, "ENR.DE"]
    tw = close["2330.TW"].dropna()
    assert tw.loc["2025-02-03"] / tw.loc["2025-01-22"] - 1 == pytest.approx(-0.0573, abs=5e-5)
    assert close["SU.PA"].loc["2025-01-27"] / close["SU.PA"].loc["2025-01-24"] - 1 == \
        pytest.approx(-0.0948, abs=5e-5)


@pytest.fixture(scope="module")
def global_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("global")
    with warnings.catch_warnings(record=True):  # recorded, so the run's log keeps them
        warnings.simplefilter("always")
        return run_study("configs/deepseek_global.yaml", out)


def test_deepseek_global_taipei_day0_and_markets(global_run):
    res = global_run[0] if isinstance(global_run, tuple) else global_run.results
    f = res.to_frame().set_index(["ticker", "tau"])
    assert str(f.loc[("2330.TW", 0), "date"]) == "2025-02-03"   # Taipei closed until then
    assert f.loc[("2330.TW", 0), "ret"] == pytest.approx(-0.0573, abs=5e-5)
    assert str(f.loc[("TSM", 0), "date"]) == "2025-01-27"       # its ADR, the same day 0 as NVDA
    assert str(f.loc[("8035.T", 0), "date"]) == "2025-01-27"
    assert f.loc[("SU.PA", 0), "ret"] == pytest.approx(-0.0948, abs=5e-5)
    assert np.isnan(f.loc[("ENR.DE", -1), "ret"])               # 01-24 is a filler row
    shifted = res.estimate.shifted
    assert shifted[["date", "anchored_date", "exchange", "tickers"]].astype(str).values.tolist() \
        == [["2025-01-27", "2025-02-03", "XTAI", "2330.TW"]]
    assert any("day 0 of 2330.TW is 2025-02-03" in w["message"]
               for w in res.provenance.warnings)
    q = res.provenance.quality
    assert ((q["ticker"] == "ENR.DE") & (q["check"] == "filler_rows")).any()
    caar = res.caar_table().set_index(["group", "tau_start", "tau_end"])["caar"]
    assert caar[("tokyo", 0, 0)] < -0.03 and caar[("paris", 0, 0)] < -0.05


def test_deepseek_global_report_answers_by_market(global_run):
    res, folder = global_run.results, global_run.report
    table = pd.read_csv(folder / "markets.csv")
    day0 = table[(table["tau_start"] == 0) & (table["tau_end"] == 0)].set_index("market")
    assert day0.loc["XTAI", "day0"] == "2025-02-03" and day0.loc["XTKS", "day0"] == "2025-01-27"
    assert day0.loc["XTKS", "n"] == 3 and day0.loc["XNYS", "n"] == 11
    # the market CAAR is the mean of its securities' CARs
    car = res.car_table()
    tokyo = car[car["ticker"].isin(["8035.T", "6857.T", "9984.T"]) & (car["tau_start"] == 0)
                & (car["tau_end"] == 0)]["car"].mean()
    assert day0.loc["XTKS", "caar"] == pytest.approx(tokyo, abs=1e-12)
    assert (folder / "figures" / "markets.png").stat().st_size > 10_000
    assert (folder / "figures" / "markets.pdf").stat().st_size > 10_000  # vector too
    from pypdf import PdfReader  # and a page of the report, after the CAAR paths

    pages = [p.extract_text() for p in PdfReader(folder / "report.pdf").pages]
    at = next(i for i, t in enumerate(pages) if "When each market moved" in t)
    assert "Cumulative average abnormal return by group" in pages[at - 1]
    text = (folder / "summary.md").read_text()
    assert "## Did the shock travel, and when?" in text
    assert "Taipei was closed: its day 0 is 03 Feb" in text


def test_kolari_pynnonen_rbar_pairs_residuals_by_calendar_date(tmp_path):
    """Residuals of a New York and a Frankfurt stock are correlated over the calendar dates both
    have (not over equal tau): r-bar of two equals that one Pearson correlation."""
    prices = _us_de_prices()
    # a common shock on every date both trade, so the correlation is large and date-dependent
    both = prices[["AAA", "SAP.DE"]].dropna().index
    rng = np.random.default_rng(7)
    shock = pd.Series(np.exp(np.cumsum(rng.normal(0, 0.01, len(both)))), index=both)
    prices.loc[both, "AAA"] *= shock
    prices.loc[both, "SAP.DE"] *= shock
    path = _write(tmp_path, prices, {
        "market": GLOBAL_MARKET, "events": [{"id": "e", "date": "2024-07-05"}],
        "groups": {"g": ["AAA", "SAP.DE"]}, "event_windows": [[-1, 1]]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy.from_yaml(path).fit()
    p, index = res.panel, res.returns.index
    resid = [pd.Series(p.ar_est[i][p.est_day[i] >= 0], index=index[p.est_day[i][p.est_day[i] >= 0]])
             for i in range(2)]
    pair = pd.concat(resid, axis=1, sort=True).dropna()
    assert len(pair) < len(resid[0])           # holidays of either side drop out of the pair
    assert p.residual_correlation == pytest.approx(pair.corr().iat[0, 1], abs=1e-12)
    assert p.residual_correlation > 0.05


def test_global_yaml_equals_api(tmp_path):
    """One way to compute: the YAML study and EventStudy(..., sessions=) on its inputs agree."""
    from eventstudy.inputs import load_study_inputs

    path = _write(tmp_path, _us_de_prices(), {
        "market": GLOBAL_MARKET, "events": [{"id": "e", "date": "2024-07-04"}],
        "groups": {"g": ["AAA", "SAP.DE"]}, "event_windows": [[0, 0], [-1, 1]]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yaml_res = EventStudy.from_yaml(path).fit()
        inputs = load_study_inputs(load_config(path))
        api = EventStudy(inputs.events, inputs.returns, inputs.market, groups=inputs.groups,
                         event_windows=[(0, 0), (-1, 1)], sessions=inputs.sessions,
                         exchanges=inputs.exchanges).fit()
    np.testing.assert_allclose(yaml_res.car_table()["car"], api.car_table()["car"], rtol=0,
                               atol=1e-12)
    day0 = api.to_frame().set_index(["ticker", "tau"]).loc[("SAP.DE", 0), "date"]
    assert str(day0) == "2024-07-04"  # Frankfurt's own session, a US holiday


def test_adr_and_home_line_side_by_side(global_run):
    from eventstudy.reporting.markets import side_by_side

    t = side_by_side(global_run.results, "TSM", "2330.TW").set_index("date")
    assert t.loc["2025-01-27", "tau_TSM"] == 0 and np.isnan(t.loc["2025-01-27", "tau_2330.TW"])
    assert t.loc["2025-02-03", "tau_2330.TW"] == 0 and t.loc["2025-02-03", "tau_TSM"] == 5
    assert t.loc["2025-01-27", "ret_TSM"] == pytest.approx(-0.1333, abs=5e-5)
    assert t.loc["2025-02-03", "ret_2330.TW"] == pytest.approx(-0.0573, abs=5e-5)


def test_market_mapping_errors_name_the_key_and_line(tmp_path):
    body = {"events": [{"id": "e", "date": "2024-07-05"}], "groups": {"g": ["AAA"]}}
    with pytest.raises(ConfigError, match=r"line \d+: key 'market.by_exchange.XTKX': unknown "
                                          r"exchange 'XTKX'"):
        load_config(_write(tmp_path, _us_de_prices(), {
            **body, "market": {"default": "^GSPC", "by_exchange": {"XTKX": "^N225"}}}))
    with pytest.raises(ConfigError, match=r"unknown key 'market.defualt'") as err:
        load_config(_write(tmp_path, _us_de_prices(), {**body, "market": {"defualt": "^GSPC"}}))
    assert "weighting" not in str(err.value)  # not confused with a built benchmark
    with pytest.raises(ConfigError, match=r"key 'exchanges.AAA': unknown exchange 'XQQQ'"):
        load_config(_write(tmp_path, _us_de_prices(), {
            **body, "market": "^GSPC", "exchanges": {"AAA": "XQQQ"}}))


def test_deepseek_global_report_names_every_benchmark_and_recovers(global_run):
    """Review: page 1 said 'Market: ^GSPC' for a study on five benchmarks; the report crashed on
    ENR.DE's missing day -1 close (a filler row) in the recovery table."""
    from eventstudy.reporting.summary import settings_table

    res = global_run[0] if isinstance(global_run, tuple) else global_run.results
    market = dict(settings_table(res))["Market"]
    assert market == ("each security's own benchmark: ^GSPC, ^N225, ^GDAXI, ^FCHI, ^TWII "
                      "(default ^GSPC)")
    rec = res.recovery_table().set_index("name")
    assert rec.loc["frankfurt", "drawdown"] < -0.15  # against its last close before day 0


def test_deepseek_global_charts_explain_frankfurt_and_keep_the_legend_off_the_bars(global_run):
    """Frankfurt's one security has no return on day -1 (a filler row), so its CAAR path from
    tau -1 is empty: the legend says why instead of listing 'Frankfurt (N=0)' beside no line.
    Every day-0 AR is a loss, so the bars reach the zero line: the legend moves off them."""
    import matplotlib.pyplot as plt

    from eventstudy.reporting import plots

    res = global_run.results
    legend = [t.get_text() for t in plots.plot_caar(res).axes[0].get_legend().get_texts()]
    assert ("Frankfurt (N=0): no line, a return missing at tau -1 (window values in car.csv; "
            "the markets chart cumulates from its first abnormal return)") in legend
    ax = plots.plot_ar(res).axes[0]
    fig = ax.figure
    fig.canvas.draw()
    box = ax.get_legend().get_window_extent()
    bars = [p.get_window_extent() for p in ax.patches]
    assert not any(box.overlaps(b) for b in bars)
    plt.close("all")


def test_deepseek_global_prices_chart_shows_the_sp500_day0_move(global_run):
    """The market line averaged ^GSPC around 27 January and around Taipei's 3 February: the title
    said 'the market -1.1%' for the S&P 500's -1.46%. It follows the day 0s of the securities on
    its own exchange, on its own sessions (20 January, a US holiday, is no gap)."""
    import matplotlib.pyplot as plt

    from eventstudy.reporting import plots

    res = global_run.results
    norm = plots.normalized_prices(res)
    market = norm["market (^GSPC)"]
    assert market.loc[0] - 100 == pytest.approx((6012.28 / 6101.24 - 1) * 100, abs=1e-3)
    assert market.notna().all()
    title = " ".join(plots.plot_normalized_prices(res).axes[0].get_title(loc="left").split())
    assert "the market \u22121.5%" in title and "Frankfurt \u221217.8%" in title
    plt.close("all")


def test_deepseek_global_histogram_counts_whole_securities(global_run):
    """Seven US AI hardware names: the y axis showed 0.25, 1.25 ... securities."""
    import matplotlib.pyplot as plt

    from eventstudy.reporting import plots

    ax = plots.plot_ar_distribution(global_run.results).axes[0]
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
    heat = plots.plot_ar_heatmap(global_run.results).axes[0]
    assert "grey: no abnormal return that day" in " ".join(t.get_text() for t in heat.texts)
    plt.close("all")


def test_deepseek_global_names_the_day0_return_that_spans_two_sessions(global_run):
    """ENR.DE's 24 January close is a filler row, so its day-0 return runs from 23 January
    (case C29's convention): diagnostics.csv now says so for the security-event, since its AR is
    judged against a one-session variance."""
    from eventstudy.data.calendar import sessions

    folder = global_run.report
    diag = pd.read_csv(folder / "diagnostics.csv")
    rows = diag[diag["check"] == "multi_session_return"]
    found = rows[["event_id", "ticker", "date"]].values.tolist()
    assert ["deepseek", "ENR.DE", "2025-01-27"] in found
    enr = rows[rows["ticker"] == "ENR.DE"]["message"].iloc[0]
    assert "runs from the close of 2025-01-23" in enr
    # other rows only where this exchange_calendars release lists sessions without a close
    # (4.7, the declared minimum, holds 23 and 24 January 2025 as Taipei sessions, so 2330.TW's
    # 3 February return, from the 22 January close, is flagged; newer releases know they were not)
    for r in rows[rows["ticker"] != "ENR.DE"].itertuples():
        since = r.message.split("runs from the close of ")[1][:10]
        assert len(sessions("XTAI" if r.ticker == "2330.TW" else "?", pd.Timestamp(since),
                            pd.Timestamp(r.date))) > 2, r.message
