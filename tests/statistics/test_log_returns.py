"""Compounding under log returns, the kind of returns passed to the API, and from_prices (issue 13).

A stock going 100 -> 150 -> 100 against a flat market has a buy-and-hold abnormal return of 0:
compounding log returns as if simple gives (1 + ln 1.5)(1 + ln(2/3)) - 1 = -16.4%.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.data.calendar import sessions
from eventstudy.exceptions import SpecificationError


def _prices(n_before: int = 150) -> tuple[pd.DataFrame, pd.Series]:
    idx = sessions("XNYS", pd.Timestamp("2023-01-03"), pd.Timestamp("2024-06-28"))
    rng = np.random.default_rng(5)
    m = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, len(idx))))
    s = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.015, len(idx))))
    market = pd.Series(m, index=idx, name="MKT")
    stock = pd.Series(s, index=idx, name="XYZ")
    day0 = n_before
    market.iloc[day0 - 1:day0 + 3] = market.iat[day0 - 1]  # flat market around the event
    stock.iloc[day0 - 1] = 100.0
    stock.iloc[day0] = 150.0
    stock.iloc[day0 + 1] = 100.0
    stock.iloc[day0 + 2:] = stock.iloc[day0 + 2:] / stock.iat[day0 + 2] * 100.0
    return stock.to_frame(), market


def _fit(kind: str):
    stock, market = _prices()
    day0 = stock.index[150]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = EventStudy.from_prices([{"event_id": "e", "ticker": "XYZ", "date": day0}],
                                       stock, market, returns=kind, model="market_adjusted",
                                       estimation_window=(-120, -11),
                                       event_windows=[(0, 1)])
        return study.fit()


@pytest.mark.parametrize("kind", ["simple", "log"])
def test_bhar_up_and_back_against_flat_market_is_zero(kind):
    res = _fit(kind)
    assert res.provenance.returns == kind
    bhar = res.bhar_window(0, 1)
    assert float(bhar.iat[0]) == pytest.approx(0.0, abs=1e-12)  # never -16.4%
    if kind == "log":
        car = res.car_window(0, 1)
        assert float(car.iat[0]) == pytest.approx(0.0, abs=1e-12)  # ln 1.5 + ln(2/3)


def test_returns_kind_travels_in_attrs_and_a_mix_is_an_error():
    stock, market = _prices()
    r = np.log(stock / stock.shift(1)).iloc[1:]
    r.attrs["returns"] = "log"
    m = (market / market.shift(1) - 1).iloc[1:]
    m.attrs["returns"] = "simple"
    ev = [{"event_id": "e", "ticker": "XYZ", "date": stock.index[150]}]
    with pytest.raises(SpecificationError, match=r"returns of different kinds: "
                       r"returns.attrs\['returns'\] = 'log', market.attrs\['returns'\] = 'simple'"):
        EventStudy(ev, r, m)
    m.attrs["returns"] = "log"
    with pytest.raises(SpecificationError, match="metadata"):
        EventStudy(ev, r, m, metadata={"returns": "simple"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = EventStudy(ev, r, np.log1p(m).rename("MKT"), estimation_window=(-120, -11))
    assert study.provenance.returns == "log"  # recorded from attrs


def test_from_prices_rejects_unknown_kind_and_undated_prices():
    stock, market = _prices()
    ev = [{"event_id": "e", "ticker": "XYZ", "date": stock.index[150]}]
    with pytest.raises(SpecificationError, match="returns must be 'simple' or 'log', not 'pct'"):
        EventStudy.from_prices(ev, stock, market, returns="pct")
    with pytest.raises(Exception, match="prices must be indexed by dates"):
        EventStudy.from_prices(ev, stock.reset_index(drop=True), market)


def test_c29_missing_close_gives_a_two_session_return_never_a_fake_zero():
    # C29: 05-27 has a session but no close for this stock; pandas 2 filled a 0% day, pandas 3
    # leaves both days NaN and a skip-NaN sum loses the -0.98%
    from eventstudy.returns import aligned_returns

    idx = pd.DatetimeIndex(["2024-05-23", "2024-05-24", "2024-05-27", "2024-05-28",
                            "2024-05-29"])
    stock = pd.DataFrame({"S": [100.0, 102.0, np.nan, 101.0, 103.02]}, index=idx)
    market = pd.Series([10.0, 10.0, 10.0, 10.0, 10.0], index=idx)
    r, _ = aligned_returns(stock, market)
    assert np.isnan(r.loc["2024-05-27", "S"])
    assert r.loc["2024-05-28", "S"] == pytest.approx(101 / 102 - 1)  # -0.9804%, over 2 sessions
    assert round(r.loc["2024-05-28", "S"] * 100, 4) == -0.9804
    total = r.loc["2024-05-24":"2024-05-29", "S"].sum()
    assert total == pytest.approx(0.030196, abs=5e-7)  # never 0.0400


def test_from_prices_screens_bad_bars_and_skips_a_broken_security():
    from eventstudy import datasets

    px = datasets.load()[["AAPL", "MSFT", "KO"]].loc["2024-01-01":"2025-03-31"].copy()
    mkt = datasets.load()["^GSPC"].loc["2024-01-01":"2025-03-31"]
    day0 = pd.Timestamp("2025-01-27")
    pos = px.index.get_loc(day0)
    px.iloc[pos, 0] *= 100.0  # AAPL: a x100 slip on day 0, back the next session
    px.loc["2024-09-03":, "KO"] /= 100.0  # KO: a unit switch that stays
    ev = [{"event_id": "e", "ticker": t, "date": day0} for t in px.columns]
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        res = EventStudy.from_prices(ev, px, mkt, estimation_window=(-200, -11),
                                     event_windows=[(0, 0)]).fit()
    q = res.provenance.quality
    assert q.loc[q["check"] == "bad_bar_repaired", "ticker"].tolist() == ["AAPL"]
    assert res.dropped["ticker"].tolist() == ["KO"]
    assert res.dropped["reason"].iat[0].startswith("data-quality error: possible unit switch")
    assert np.nanmax(np.abs(res.estimate.ar)) < 0.2
    said = " ".join(w["message"] for w in res.provenance.warnings)
    assert "bad price in AAPL on 2025-01-27 repaired" in said
    assert "KO (event e) excluded" in said
