"""Abnormal volume: a hand-computed closed-form panel, bad input, and NVDA on 2025-01-27."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from eventstudy.exceptions import (
    ConfigError,
    DataQualityError,
    DataShapeError,
    EstimationError,
    InsufficientEstimationDataWarning,
)
from eventstudy.volume import TURNOVER_CONSTANT, abnormal_volume, volume_measure

DAYS = pd.bdate_range("2024-01-01", periods=6, name="date")
EVENTS = [{"event_id": "e", "ticker": "A", "date": DAYS[4]},
          {"event_id": "e", "ticker": "B", "date": DAYS[4]}]


def _panel() -> pd.DataFrame:
    """Volumes whose log(1 + V) is exactly the designed log volume (V = exp(v) - 1)."""
    m = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    a = 1.0 + m + np.array([0.1, -0.1, -0.1, 0.1, 0.5, 0.3])
    b = 2.0 + 0.5 * m + np.array([-0.2, 0.2, 0.2, -0.2, 0.2, -0.2])
    return pd.DataFrame(np.expm1(np.c_[a, b, m]), index=DAYS, columns=["A", "B", "M"])


def _fit(**kw):
    return abnormal_volume(EVENTS, _panel(), "M", estimation_window=(-4, -1),
                           event_windows=[(0, 0), (0, 1)], tests=("t", "bmp", "patell"), **kw)


def test_closed_form_panel():
    """Abnormal log volume of two securities against a market volume measure, by hand.

    Market log volume m = 1, 2, 3, 4 on the estimation days (tau -4..-1), 5 and 6 on tau 0 and 1.
    A: v = 1 + m + e with e = (0.1, -0.1, -0.1, 0.1); e sums to zero and is orthogonal to m, so OLS
    gives alpha = 1, beta = 1 exactly and s^2 = e'e / (4 - 2) = 0.02. On tau 0, 1 the designed
    abnormal volume is 0.5 and 0.3: CAV(0, 1) = 0.8.
    B: v = 2 + 0.5 m + e, e = (-0.2, 0.2, 0.2, -0.2): alpha 2, beta 0.5, s^2 = 0.16 / 2 = 0.08;
    AV = 0.2 and -0.2, CAV(0, 1) = 0.
    Forecast-error term on tau 0: 1/M + (m - mean m)^2 / S_mm = 1/4 + 2.5^2 / 5 = 1.5, so
    Var(AV_0) = s^2 (1 + 1.5): SAR_A = 0.5 / sqrt(0.05) = 2.23607, SAR_B = 0.2 / sqrt(0.2) =
    0.44721.
    t(0, 0): mean 0.35, s = 0.3 / sqrt(2), t = 0.35 / (s / sqrt 2) = 0.35 / 0.15 = 2.33333.
    BMP(0, 0): mean SAR 1.34164, s = 1.78885 / sqrt(2) = 1.26491, t = 1.34164 / 0.89443 = 1.5.
    AAV(0) = 0.35; CAAV(0..1) = (0.8 + 0) / 2 = 0.4.
    """
    res = _fit()
    assert_allclose(res.params[["alpha", "beta"]].to_numpy(), [[1.0, 1.0], [2.0, 0.5]], atol=1e-9)
    assert_allclose(res.params["sigma"] ** 2, [0.02, 0.08], rtol=1e-9)
    assert_allclose(res.av.loc[0].to_numpy(), [0.5, 0.2], atol=1e-9)
    assert_allclose(res.cav.loc[1].to_numpy(), [0.8, 0.0], atol=1e-9)
    assert_allclose(res.aav.loc[0], 0.35, atol=1e-9)
    assert_allclose(res.caav.loc[1], 0.4, atol=1e-9)
    scav = res.cav_table.query("tau_start == 0 and tau_end == 0")["scav"]
    assert_allclose(scav, [0.5 / np.sqrt(0.05), 0.2 / np.sqrt(0.2)], rtol=1e-9)
    tests = res.tests.set_index(["tau_start", "tau_end", "test"])["statistic"]
    assert_allclose(tests[(0, 0, "t")], 7.0 / 3.0, rtol=1e-9)
    assert_allclose(tests[(0, 0, "bmp")], 1.5, rtol=1e-9)
    assert res.test("bmp", (0, 0)).dist == "t(1)"
    tidy = res.to_frame()
    assert list(tidy.columns) == ["event_id", "ticker", "tau", "measure", "normal", "av", "cav"]
    assert_allclose(tidy.query("ticker == 'A' and tau == 1")["cav"], 0.8, atol=1e-9)


def test_market_series_equals_column():
    """Market volume as a Series (raw shares) gives the fit of the column name."""
    panel = _panel()
    a = _fit()
    b = abnormal_volume(EVENTS, panel[["A", "B"]], panel["M"], estimation_window=(-4, -1),
                        event_windows=[(0, 0), (0, 1)], tests=("t",))
    assert_allclose(b.av.to_numpy(), a.av.to_numpy(), atol=1e-12)


def test_default_market_is_equal_weighted_mean():
    """market_volume=None: the market measure is the mean of the securities' log volume."""
    panel = _panel()[["A", "B"]]
    res = abnormal_volume(EVENTS, panel, None, estimation_window=(-4, -1), event_windows=[(0, 0)])
    v = np.log1p(panel)
    m = v.mean(axis=1)
    beta, alpha = np.polyfit(m.iloc[:4], v["A"].iloc[:4], 1)
    assert_allclose(res.av.loc[0].iloc[0], v["A"].iloc[4] - alpha - beta * m.iloc[4], atol=1e-9)
    assert res.market.startswith("equal-weighted")


def test_turnover_measure():
    """Campbell and Wasley's log turnover: log(100 V / S + 0.000255)."""
    vol = pd.DataFrame({"A": [1_000.0, 0.0]}, index=DAYS[:2])
    out = volume_measure(vol, pd.Series({"A": 50_000.0}))
    assert_allclose(out["A"].iloc[0], np.log(2.0 + TURNOVER_CONSTANT))
    assert np.isnan(out["A"].iloc[1])  # zero volume: no measure, never log(0.000255)


def test_zero_volume_security_is_skipped_with_reason():
    """An index whose Yahoo volume is 0 and a stock without trades are skipped, never NaN/log(0)."""
    panel = _panel()
    panel["IDX"] = 0.0
    panel["THIN"] = [0.0, 0.0, 0.0, 5.0, 9.0, 9.0]  # one trading day of four: < 3 needed
    events = [*EVENTS, {"event_id": "e", "ticker": "IDX", "date": DAYS[4]},
              {"event_id": "e", "ticker": "THIN", "date": DAYS[4]}]
    with pytest.warns(InsufficientEstimationDataWarning, match="IDX volume is zero or missing"):
        res = abnormal_volume(events, panel, "M", estimation_window=(-4, -1),
                              event_windows=[(0, 0), (0, 1)], tests=("t", "bmp"))
    assert list(res.dropped["ticker"]) == ["IDX", "THIN"]
    assert "4 of 4 estimation days" in res.dropped["reason"].iat[0]
    assert "3 of 4 estimation days" in res.dropped["reason"].iat[1]
    assert list(res.events["ticker"]) == ["A", "B"]
    assert np.isfinite(res.av.to_numpy()).all()
    assert np.isfinite(res.tests["statistic"]).all()
    assert_allclose(res.av.to_numpy(), _fit().av.to_numpy(), atol=1e-12)


def test_zero_volume_event_day_is_missing_not_zero():
    """A zero volume on tau 1 leaves AV NaN that day (CAV(0, 1) NaN), never log(1 + 0) = 0."""
    panel = _panel()
    panel.loc[DAYS[5], "B"] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = abnormal_volume(EVENTS, panel, "M", estimation_window=(-4, -1),
                              event_windows=[(0, 0), (0, 1)])
    assert np.isnan(res.av.loc[1, ("e", "B")])
    assert np.isnan(res.cav_table.query("ticker == 'B' and tau_end == 1")["cav"].iat[0])


def test_all_skipped_and_bad_input_errors():
    """Bad input gives a clear error naming the ticker (and date).

    Every event skipped, a market of zeros, a negative volume, a returns-only test, a bad ticker.
    """
    panel = _panel()
    panel["IDX"] = 0.0
    with pytest.raises(EstimationError, match="IDX volume is zero"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        abnormal_volume([{"event_id": "e", "ticker": "IDX", "date": DAYS[4]}], panel, "M",
                        estimation_window=(-4, -1), event_windows=[(0, 0)])
    with pytest.raises(DataShapeError, match="IDX is zero or missing on every day"):
        abnormal_volume(EVENTS, panel, "IDX", estimation_window=(-4, -1), event_windows=[(0, 0)])
    bad = _panel()
    bad.loc[DAYS[2], "B"] = -5.0
    with pytest.raises(DataQualityError, match=r"for B on 2024-01-03"):
        abnormal_volume(EVENTS, bad, "M", estimation_window=(-4, -1), event_windows=[(0, 0)])
    with pytest.raises(ConfigError, match="do not apply to abnormal volume"):
        abnormal_volume(EVENTS, _panel(), "M", estimation_window=(-4, -1),
                        event_windows=[(0, 0)], tests=("skewness_adjusted_t",))
    with pytest.raises(DataShapeError, match="no volume column"):
        abnormal_volume([{"event_id": "e", "ticker": "ZZZ", "date": DAYS[4]}], _panel(), "M",
                        estimation_window=(-4, -1), event_windows=[(0, 0)])


def test_results_are_frozen():
    """The results record is a frozen snapshot."""
    res = _fit()
    with pytest.raises(AttributeError):
        res.av = None  # type: ignore[misc]


def test_nvda_volume_on_2025_01_27(shared_data):
    """NVDA traded 818.8 million shares on 2025-01-27, 3.49x the previous session.

    The shared file and the bundle hold the same numbers, and NVDA's abnormal log volume against
    SPY is what an OLS of log(1 + V) on SPY's over tau -250..-11, written out with numpy, gives.
    """
    from eventstudy.datasets import load_volume

    raw = pd.read_csv(shared_data / "prices" / "us_daily_ohlcv.csv.gz", parse_dates=["date"])
    wide = raw.pivot(index="date", columns="ticker", values="volume")
    nvda = wide["NVDA"]
    assert nvda.loc["2025-01-27"] == 818_830_900
    assert nvda.loc["2025-01-27"] / nvda.loc["2025-01-24"] == pytest.approx(3.49, abs=0.005)
    bundled = load_volume(["NVDA", "SPY"])
    assert_allclose(bundled.to_numpy(), wide[["NVDA", "SPY"]].to_numpy(dtype="float64"))

    res = abnormal_volume([{"event_id": "deepseek", "ticker": "NVDA", "date": "2025-01-27"}],
                          bundled, "SPY", event_windows=[(0, 0)])
    i0 = wide.index.get_loc(pd.Timestamp("2025-01-27"))
    est = np.log1p(wide.iloc[i0 - 250:i0 - 10][["NVDA", "SPY"]].to_numpy(dtype="float64"))
    beta, alpha = np.polyfit(est[:, 1], est[:, 0], 1)
    expected = np.log1p(818_830_900) - alpha - beta * np.log1p(wide["SPY"].iloc[i0])
    assert_allclose(res.av.loc[0].iat[0], expected, rtol=1e-9)
    assert res.av.loc[0].iat[0] > np.log(1.5)  # half again the volume SPY's day predicts


def test_read_volume_local_files(shared_data, tmp_path):
    """Local files with a volume column: long, yfinance download, history with tz, BOM, wide."""
    from eventstudy.volume import read_volume

    formats = shared_data / "formats"
    long = read_volume(shared_data / "prices" / "us_daily_ohlcv.csv.gz")
    assert long.shape == (751, 56)
    assert long.loc["2025-01-27", "NVDA"] == 818_830_900
    dl = read_volume(formats / "yfinance_download_multiheader_NVDA.csv")
    assert list(dl.columns) == ["NVDA"] and dl.loc["2023-07-03", "NVDA"] == 198_209_000
    hist = read_volume(formats / "yfinance_history_tz_suffix_ANSS.csv", ticker="ANSS")
    assert hist.index[0] == pd.Timestamp("2015-04-24") and hist.iat[0, 0] == 204_300
    sox = read_volume(formats / "yfinance_bom_adjclose_SOX.csv")
    assert list(sox.columns) == ["^SOX"] and (sox["^SOX"] == 0).all()
    wide = tmp_path / "wide.csv"
    wide.write_text("date,AAA,BBB\n2024-01-02,10,20\n2024-01-03,11,\n")
    w = read_volume(wide)
    assert w.loc["2024-01-03", "AAA"] == 11 and np.isnan(w.loc["2024-01-03", "BBB"])
    bad = tmp_path / "bad.csv"
    bad.write_text("date,ticker,volume\n2024-01-02,AAA,10\n2024-01-03,AAA,lots\n")
    with pytest.raises(DataQualityError, match="'lots' for AAA on 2024-01-03"):
        read_volume(bad)
    with pytest.raises(DataQualityError, match="AAA has volume in both"):
        read_volume(wide, wide)


def test_index_with_zero_volume_is_skipped_from_a_file(shared_data):
    """^SOX as Yahoo saves it (volume 0 every day) is skipped with the reason; NVDA is fitted."""
    from eventstudy.volume import read_volume

    vol = read_volume(shared_data / "formats" / "yfinance_bom_adjclose_SOX.csv",
                      shared_data / "prices" / "us_daily_ohlcv.csv.gz")
    events = [{"event_id": "d", "ticker": t, "date": "2025-01-27"} for t in ("NVDA", "^SOX")]
    with pytest.warns(InsufficientEstimationDataWarning, match=r"\^SOX volume is zero"):
        res = abnormal_volume(events, vol, "SPY", event_windows=[(0, 0)])
    assert list(res.events["ticker"]) == ["NVDA"]
    assert "240 of 240 estimation days" in res.dropped["reason"].iat[0]
    assert np.isfinite(res.av.to_numpy()).all()
