"""Issue 13 cases of the data layer: C29, C30, C34, C35, C39, C42, C43 and unsettled sessions.

Each test names its case (``../shared/cases``) and checks the exact values the case gives.
"""

from __future__ import annotations

import types
import warnings

import numpy as np
import pandas as pd
import pytest
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
    r = got["close"].pct_change(fill_method=None).loc["2024-03-08"]
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


# ------------------------------------------------------------------ C30: datetime units
def test_c30_day_counts_and_event_time_do_not_depend_on_the_datetime_unit():

    import numpy as np

    from eventstudy import EventStudy
    from eventstudy.data.calendar import sessions

    days = pd.to_datetime(["2024-03-08", "2024-03-11"])
    assert (days[1] - days[0]).days == 3  # date arithmetic, whatever the unit
    idx = sessions("XNYS", pd.Timestamp("2023-01-03"), pd.Timestamp("2024-06-28"))
    rng = np.random.default_rng(3)
    m = pd.Series(rng.normal(0, 0.01, len(idx)), index=idx)
    r = pd.DataFrame({"A": 1.2 * m + rng.normal(0, 0.01, len(idx))}, index=idx)
    out = {}
    for unit in ("s", "ms", "us", "ns"):
        ri, mi = r.copy(), m.copy()
        ri.index = mi.index = idx.as_unit(unit)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = EventStudy([{"event_id": "e", "ticker": "A", "date": "2024-03-08"}], ri, mi,
                             estimation_window=(-200, -11), event_windows=[(0, 1)]).fit()
        out[unit] = res
        assert list(pd.DatetimeIndex(res.estimate.dates[0])) == [pd.Timestamp("2024-03-08"),
                                                                 pd.Timestamp("2024-03-11")]
    for unit in ("s", "ms", "us"):
        np.testing.assert_array_equal(out[unit].estimate.ar, out["ns"].estimate.ar)


def test_c30_cache_round_trip_compares_values_not_units(tmp_path):
    cache = PriceCache(tmp_path, now=lambda: pd.Timestamp("2024-03-12 22:00", tz="UTC"))
    f = _cache_frame({"2024-03-08": 10.0, "2024-03-11": 10.5})
    f.index = f.index.as_unit("us")
    cache.put("XYZ", True, f, pd.Timestamp("2024-03-08"), pd.Timestamp("2024-03-11"))
    got, _ = cache.get("XYZ", True, pd.Timestamp("2024-03-08").as_unit("ns"),
                       pd.Timestamp("2024-03-11").as_unit("s"))
    assert list(got.index) == list(f.index) and got["close"].tolist() == [10.0, 10.5]


# ------------------------------------------------------------------ C34: calendar bounds
def test_c34_calendars_cover_the_range_a_study_needs():
    from eventstudy.data.calendar import sessions

    got = sessions("XNYS", pd.Timestamp("1990-01-04"), pd.Timestamp("1990-01-10"))
    assert len(got) == 5  # 1990-01-04..10: Thu, Fri, Mon, Tue, Wed
    assert got[0] == pd.Timestamp("1990-01-04") and got[-1] == pd.Timestamp("1990-01-10")


def test_c34_event_after_the_calendar_data_is_one_clear_error(tmp_path, monkeypatch):
    from eventstudy.config import load_config
    from eventstudy.exceptions import ConfigError
    from eventstudy.inputs import load_study_inputs

    monkeypatch.setattr("eventstudy.inputs.calendar_end", lambda cal: pd.Timestamp("2024-12-31"))
    (tmp_path / "s.yaml").write_text(
        "study: s\ndata: {source: bundled}\nevents: [{id: e, date: 2025-01-27}]\n"
        "groups: {g: [NVDA]}\nestimation_window: [-100, -11]\n")
    with pytest.raises(ConfigError, match=r"event date 2025-01-27 is after the last session the "
                       r"XNYS calendar has data for \(2024-12-31\)"):
        load_study_inputs(load_config(tmp_path / "s.yaml"))


# ------------------------------------------------------------------ C35: tz-aware dates
@pytest.mark.parametrize("stamp", ["2025-01-27 00:00:00+00:00", "2025-01-27 00:00:00-05:00"])
def test_c35_tz_aware_event_dates_and_price_index_are_wall_clock_dates(stamp):

    import numpy as np

    from eventstudy import EventStudy
    from eventstudy.data.calendar import sessions

    idx = sessions("XNYS", pd.Timestamp("2024-01-02"), pd.Timestamp("2025-03-31"))
    rng = np.random.default_rng(1)
    m = pd.Series(rng.normal(0, 0.01, len(idx)), index=idx)
    r = pd.DataFrame({"A": 1.1 * m + rng.normal(0, 0.01, len(idx))}, index=idx)
    tz = pd.Timestamp(stamp).tz
    ra, ma = r.copy(), m.copy()
    ra.index = ma.index = pd.DatetimeIndex([pd.Timestamp(f"{d.date()} 00:00", tz=tz)
                                            for d in idx])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = EventStudy([{"event_id": "e", "ticker": "A", "date": "2025-01-27"}], r, m,
                         estimation_window=(-200, -11), event_windows=[(0, 0)]).fit()
        got = EventStudy([{"event_id": "e", "ticker": "A", "date": stamp}], ra, ma,
                         estimation_window=(-200, -11), event_windows=[(0, 0)]).fit()
    assert pd.Timestamp(got.estimate.dates[0, 0]) == pd.Timestamp("2025-01-27")
    np.testing.assert_array_equal(got.estimate.ar, ref.estimate.ar)


# ------------------------------------------------------------------ C39: dividend counted twice
def test_c39_adjusted_close_never_gets_the_dividend_added_again(tmp_path):
    from eventstudy.data.files import read_price_file

    (tmp_path / "XYZ.csv").write_text("date,close_raw,close_adj,dividend\n"
                                      "2024-03-07,100.00,98.00,0\n2024-03-08,98.00,98.00,2.00\n")
    series, notes, adjusted = read_price_file(tmp_path / "XYZ.csv", tickers=["XYZ"])
    close = series["XYZ"]["close"]
    assert adjusted is True
    r = close.loc["2024-03-08"] / close.loc["2024-03-07"] - 1
    assert r == pytest.approx(0.0, abs=1e-12)  # 0.00%, never +2.04%
    raw, _, raw_adjusted = read_price_file(tmp_path / "XYZ.csv", tickers=["XYZ"],
                                           price_field="close")
    assert raw_adjusted is False  # the series says it is raw: dividends are reported, not added
    assert raw["XYZ"]["close"].tolist() == [100.0, 98.0]


# ------------------------------------------------------------------ C43: Ken French files
FRENCH = """This file was created using the 202504 CRSP database. The 1-month TBill rate data until \
202405 are from Ibbotson Associates. Starting from 202406, the 1-month TBill rate is from ICE BofA \
US 1-Month Treasury Bill Index.

,Mkt-RF,SMB,HML,RF
20250401,  -0.25,   0.10,  -0.05,  0.017
20250402,   0.72,  -0.30,   0.20,  0.017
20250403,  -4.85, -99.99,   0.90,  0.017

 Copyright 2025 Eugene F. Fama and Kenneth R. French
"""


def test_c43_french_file_layout_sentinels_units_and_vintage(tmp_path):

    from eventstudy.data.french import read_french

    p = tmp_path / "F-F_Research_Data_Factors_daily.CSV"
    p.write_text(FRENCH)
    f = read_french(p)
    assert len(f) == 3
    np.testing.assert_allclose(f["Mkt-RF"].to_numpy(), [-0.0025, 0.0072, -0.0485])
    assert np.isnan(f.loc["2025-04-03", "SMB"])  # not -0.9999
    assert f["RF"].iat[0] == pytest.approx(0.00017)
    assert f.attrs["vintages"] == ["202504"]


@pytest.mark.parametrize("backend", ["memory", "chunked"])
def test_c43_event_after_the_factor_file_names_its_last_date(tmp_path, backend):
    import warnings

    import numpy as np

    from eventstudy import EventStudy
    from eventstudy.data.calendar import sessions
    from eventstudy.exceptions import DataUnavailableError

    idx = sessions("XNYS", pd.Timestamp("2024-01-02"), pd.Timestamp("2025-06-30"))
    rng = np.random.default_rng(1)
    f = pd.DataFrame(rng.normal(0, 0.01, (len(idx), 4)), index=idx,
                     columns=["Mkt-RF", "SMB", "HML", "RF"]).loc[:"2025-04-03"]
    m = pd.Series(rng.normal(0, 0.01, len(idx)), index=idx)
    r = pd.DataFrame({"A": 1.1 * m + rng.normal(0, 0.01, len(idx))}, index=idx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataUnavailableError, match=r"no factor returns on 2025-05-14\.\."
                           r"2025-05-22 \(event window \[-1,\+5\] of e:A\).*ends 2025-04-03, "
                           r"but the window needs factor returns to 2025-05-22"):
            EventStudy([{"event_id": "e", "ticker": "A", "date": "2025-05-15"}], r, m,
                       model="ff3", factors=f, estimation_window=(-200, -11),
                       event_windows=[(-1, 5)]).fit(backend=backend)


def test_c43_vintage_is_shown_in_the_report_notes(tmp_path):
    from eventstudy.inputs import _factor_notes

    f = pd.DataFrame({"Mkt-RF": [0.01]}, index=pd.DatetimeIndex(["2025-04-03"]))
    f.attrs = {"files": ["ff.csv"], "vintages": ["202504"]}
    assert _factor_notes(f) == ["factors ff.csv: CRSP vintage 202504, data 2025-04-03..2025-04-03"]


def test_bad_bar_in_a_recorded_yfinance_download_is_repaired(tmp_path, monkeypatch):
    prices = datasets.load()[["^GSPC", "AAPL", "MSFT"]].loc["2024-01-01":"2025-03-31"].copy()
    pos = prices.index.get_loc(pd.Timestamp("2025-01-27"))
    prices.iloc[pos, 2] *= 100.0  # MSFT x100 on day 0 in the download, back the next session
    fake = FakeYF(prices)
    monkeypatch.setattr("eventstudy.data.yahoo._import_yfinance",
                        lambda: types.SimpleNamespace(download=fake))
    cfg = {"study": "yf", "data": {"source": "yfinance", "cache_dir": str(tmp_path / "c")},
           "market": "^GSPC", "events": [{"id": "e", "date": "2025-01-27"}],
           "groups": {"g": ["AAPL", "MSFT"]},
           "estimation_window": [-200, -11], "event_windows": [[0, 0]], "tests": ["t"]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "bad price in MSFT on 2025-01-27 repaired" in result.output
    ar = pd.read_csv(out / "yf" / "ar.csv")
    assert ar["ar"].abs().max() < 0.2


def _ff_study(tmp_path, factor_file, event, windows, model="ff3"):
    cfg = {"study": "ff", "data": {"source": "bundled"}, "market": "^GSPC",
           "events": [{"id": "e1", "date": event}], "groups": {"g": ["NVDA", "AMD"]},
           "estimation_window": [-250, -11], "event_windows": windows, "model": model,
           "factors": [str(factor_file)]}
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return runner.invoke(app, ["run", str(path), "-o", str(tmp_path / "out"),
                               "--formats", "csv"])


def test_c43_real_factor_file_ending_inside_the_event_window_fails_naming_it(tmp_path,
                                                                             shared_data):
    # The real 5-factor file ends 2026-01-30; the window [+0,+5] of 2026-01-28 needs 2026-02-04.
    # Before: exit 0, CAAR[+0,+5] n/a and only "6 event-window returns missing".
    f = shared_data / "factors" / "F-F_Research_Data_5_Factors_2x3_daily.CSV"
    out = _ff_study(tmp_path, f, "2026-01-28", [[0, 0], [0, 5]])
    assert out.exit_code == 1, out.output
    assert ("no factor returns on 2026-02-02..2026-02-04 (event window [+0,+5] of e1:NVDA, "
            "e1:AMD): F-F_Research_Data_5_Factors_2x3_daily.CSV ends 2026-01-30, but the window "
            "needs factor returns to 2026-02-04") in " ".join(out.output.split())
    assert "Traceback" not in out.output and not (tmp_path / "out" / "ff").exists()


def test_c43_case_file_event_names_the_files_last_date_and_the_date_needed(tmp_path):
    # C43: the 2025-05-15 event fails naming the file's last date (2025-04-03, although SMB is
    # missing there) and the date the window [-1, 5] needs; before, "ff3.CSV cover
    # 2025-04-01..2025-04-02" after an estimation-window skip, without the date needed.
    p = tmp_path / "ff3.CSV"
    p.write_text(FRENCH)
    out = _ff_study(tmp_path, p, "2025-05-15", [[-1, 5]])
    assert out.exit_code == 1, out.output
    text = " ".join(out.output.split())
    assert ("ff3.CSV ends 2025-04-03 (every factor the model needs only to 2025-04-02), but the "
            "window needs factor returns to 2025-05-22") in text
    assert "cover 2025-04-01..2025-04-02" not in text


def test_c43_factor_file_starting_late_states_its_coverage_and_the_dates_needed(tmp_path):
    # Factors cover the event window but not the estimation window: every security-event is
    # skipped; the message gives the file's real span and the sessions the windows need.
    import numpy as np

    from eventstudy.data.calendar import sessions

    days = sessions("XNYS", pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30"))
    rows = "\n".join(f"{d:%Y%m%d},{0.1 * np.sin(i):.2f},0.10,-0.05,0.017"
                     for i, d in enumerate(days))
    p = tmp_path / "late.CSV"
    p.write_text(f"created using the 202507 CRSP database\n\n,Mkt-RF,SMB,HML,RF\n{rows}\n\n")
    out = _ff_study(tmp_path, p, "2025-05-15", [[-1, 5]])
    assert out.exit_code == 1, out.output
    text = " ".join(out.output.split())
    assert ("factor returns: late.CSV cover 2025-04-01..2025-06-30; the windows need "
            "2024-05-15..2025-05-22") in text, text
