"""The market-value lens (eventstudy.valuation) and recovery (eventstudy.recovery), issue 11.

Hand-computed panels first, then the facts of the DeepSeek sell-off from the bundled data
(``shared/data/market/README``): ^GSPC -1.46% on 2025-01-27, NVDA's market value down about
$592 billion, the index back above its 24 January close on 13 February.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import datasets
from eventstudy.exceptions import DataUnavailableError, SpecificationError
from eventstudy.recovery import recovery
from eventstudy.valuation import check_market_values, index_move

IDX = pd.bdate_range("2024-03-01", periods=6)


def _levels():
    # A: 100 -> 90 (-10%), B: 50 -> 55 (+10%), C: 20 -> 20; index of 2A + 4B + 5C shares
    lv = pd.DataFrame({"A": [100, 100, 90, 95, 101, 99.0], "B": [50, 50, 55, 52, 50, 49.0],
                       "C": [20, 20, 20, 21, 21, 22.0]}, index=IDX)
    idx = 2 * lv["A"] + 4 * lv["B"] + 5 * lv["C"]
    return lv, idx


def test_contributions_by_hand():
    lv, idx = _levels()
    shares = pd.DataFrame({"shares_held": [2.0, 4.0, 5.0], "shares_outstanding": [10.0, 20.0, np.nan]},
                          index=["A", "B", "C"])
    mv = index_move(lv, idx, shares, IDX[2], (0, 0))
    # caps before: 200, 200, 100 of 500 -> w = .4, .4, .2; r = -.1, +.1, 0
    m = mv.members.set_index("ticker")
    np.testing.assert_allclose(m["weight"], [0.4, 0.4, 0.2], rtol=1e-12)
    np.testing.assert_allclose(m["contribution"], [-0.04, 0.04, 0.0], atol=1e-15)
    assert mv.reconstructed == pytest.approx(0.0, abs=1e-15)
    assert mv.index_return == pytest.approx((2 * 90 + 4 * 55 + 100) / 500 - 1, abs=1e-15)
    assert mv.gap == pytest.approx(0.0, abs=1e-15)  # the index is exactly these members
    # dollars: A 10 x 100 = 1000 -> -100; B 20 x 50 = 1000 -> +100; C has no total share count
    np.testing.assert_allclose(m["dollar_change"].to_numpy(), [-100.0, 100.0, np.nan])
    g = mv.group(["A"])
    assert g["contribution"] == pytest.approx(-0.04) and np.isnan(g["share_of_move"])
    assert g["without"] == pytest.approx((0.4 * 0.1 + 0.2 * 0.0) / 0.6, rel=1e-12)


def test_window_runs_from_the_close_before_t1():
    lv, idx = _levels()
    shares = pd.DataFrame({"shares_held": [2.0, 4.0, 5.0]}, index=["A", "B", "C"])
    mv = index_move(lv, idx, shares, IDX[2], (0, 2))
    assert mv.date_before == IDX[1] and mv.date_end == IDX[4]
    m = mv.members.set_index("ticker")
    assert m.loc["A", "ret"] == pytest.approx(0.01) and m.loc["C", "ret"] == pytest.approx(0.05)


def test_missing_members_are_named_not_zero():
    lv, idx = _levels()
    shares = pd.DataFrame({"shares_held": [2.0, 4.0, 5.0, 7.0]}, index=["A", "B", "C", "GONE"])
    mv = index_move(lv, idx, shares, IDX[2])
    assert mv.missing == ("GONE",) and len(mv.members) == 3
    assert mv.members["weight"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [0.0, -5.0])
def test_non_positive_shares_name_the_row(bad):
    with pytest.raises(SpecificationError, match="shares_held of B is"):
        check_market_values(pd.DataFrame({"shares_held": [1.0, bad]}, index=["A", "B"]), "f.csv")
    with pytest.raises(SpecificationError, match="need a column"):
        check_market_values(pd.DataFrame({"cap": [1.0]}, index=["A"]), "f.csv")


def test_window_outside_the_data_is_an_error():
    lv, idx = _levels()
    shares = pd.DataFrame({"shares_held": [1.0, 1.0, 1.0]}, index=["A", "B", "C"])
    with pytest.raises(DataUnavailableError, match="outside the prices"):
        index_move(lv, idx, shares, IDX[0])


def test_deepseek_index_reconstruction_and_nvda_dollars():
    """The members' cap-weighted day-0 move against the index's own -1.46%.

    Weights use the index share counts of 2024-12-24 at the unadjusted closes of 2025-01-24
    (bundled adjusted closes scaled by each member's 2024-12-24 close): -1.455%, 0.003 pp from the
    index. With the adjusted closes unscaled the sum is -1.51% (NVDA -1.19 pp): dividends paid after
    January 2025 lower the adjusted levels of payers, not of NVDA, and overweight it.
    """
    lv = datasets.load()
    mv = index_move(lv, lv["^GSPC"], datasets.index_shares(), pd.Timestamp("2025-01-27"))
    assert mv.index_return == pytest.approx(6012.28 / 6101.24 - 1, abs=1e-6)
    assert mv.reconstructed == pytest.approx(-0.01455, abs=5e-5)
    assert abs(mv.gap) < 1e-4 and not mv.missing
    nvda = mv.members.set_index("ticker").loc["NVDA"]
    assert nvda["contribution"] == pytest.approx(-0.0115, abs=5e-5)      # -1.15 pp
    assert nvda["dollar_change"] == pytest.approx(-592e9, rel=0.005)     # 24.49 bn x -24.20 USD
    assert mv.members["dollar_change"].sum() == pytest.approx(-800e9, rel=0.01)


def test_recovery_by_hand():
    s = pd.Series([10.0, 10.0, 9.0, 8.5, 9.9, 10.0, 11.0], index=pd.bdate_range("2024-01-01", periods=7))
    r = recovery(s, s.index[2], "X")
    assert r.recovered and r.sessions == 3 and r.date == s.index[5]
    assert r.drawdown == pytest.approx(-0.15) and r.drawdown_date == s.index[3]
    never = recovery(s.iloc[:5], s.index[2], "X")
    assert not never.recovered and never.sessions is None and "had not regained" in never.text()
    up = recovery(s, s.index[6], "X")
    # day 0 rose 10%: no drawdown (0, not a gain; review finding), and ret_end says where it stood
    assert up.sessions == 0 and up.drawdown == 0.0 and up.ret_end == pytest.approx(0.1)


def test_gspc_regained_its_january_24_close_on_february_13():
    lv = datasets.load(["^GSPC"])["^GSPC"]
    r = recovery(lv, pd.Timestamp("2025-01-27"))
    assert r.date == pd.Timestamp("2025-02-13") and r.sessions == 13
    assert r.drawdown_date == pd.Timestamp("2025-02-03")


def test_bundled_vix_and_shares():
    v = datasets.vix()
    assert v["2025-01-24"] == 14.85 and v["2025-01-27"] == 17.90
    assert pd.Timestamp("2025-01-09") not in v.index  # CBOE row on an NYSE holiday dropped
    sh = datasets.index_shares()
    assert len(sh) == 503 and sh.loc["BRK-B", "symbol"] == "BRK.B"
    assert np.isnan(sh.loc["BRK-B", "shares_outstanding"]) and sh["shares_held"].gt(0).all()


def test_python_api_index_lens_equals_the_yaml_one():
    """Reviewer's case: built from returns, the lens weights by the table's close (BRK-B's derived
    from the fund weight), never by a level compounded from 1; without closes or caps, an error."""
    import warnings

    from eventstudy import EventStudy
    from eventstudy.data import BundledSource

    members = datasets.sp500_constituents()["yahoo"].tolist()
    close = BundledSource().get_prices([*members, "^GSPC"], pd.Timestamp("2024-01-02"),
                                       pd.Timestamp("2025-02-28")).close
    r = close.pct_change(fill_method=None).iloc[1:]
    ev = [{"event_id": "e", "ticker": t, "date": "2025-01-27"} for t in members]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(ev, r[members], r["^GSPC"], event_windows=[(0, 0)],
                         market_values=datasets.index_shares()).fit()
        mv = res.index_move()
        assert mv.missing == () and mv.reconstructed == pytest.approx(-0.01455, abs=5e-5)
        brk = mv.members.set_index("ticker").loc["BRK-B", "weight"]
        assert brk == pytest.approx(0.0164, abs=0.0005)  # the fund's 1.64%
        bare = EventStudy(ev, r[members], r["^GSPC"], event_windows=[(0, 0)],
                          market_values=datasets.index_shares()[["shares_held"]]).fit()
    with pytest.raises(SpecificationError, match="built from returns"):
        bare.index_move()


@pytest.mark.parametrize(("rows", "match"), [
    ({"ticker": ["A", "B"], "shares_held": ["10", ""]}, "shares_held of B is empty"),
    ({"ticker": ["A", "B"], "shares_held": ["10", "lots"]}, "shares_held of B is lots"),
    ({"ticker": ["A", "B"], "shares_held": [10.0, np.inf]}, "shares_held of B is inf"),
    ({"ticker": [], "shares_held": []}, "no rows"),
    ({"ticker": ["A"], "shares_outstanding": [5.0], "market_cap": [1.0]}, "not both"),
])
def test_bad_market_value_cells_name_ticker_and_column(rows, match):
    with pytest.raises(SpecificationError, match=match):
        check_market_values(pd.DataFrame(rows).set_index("ticker"), "mv.csv")
