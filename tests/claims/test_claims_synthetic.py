"""Claims on synthetic panels: the verdicts must follow the data.

A market-wide crash supports the market-risk claim and refutes concentration; a one-sector crash with
a rising rest does the opposite. Every panel is seeded; the shapes of the moves are set by hand so
that each verdict has a wide margin (the numbers in the comments).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import EventStudy
from eventstudy.claims import ClaimSpec
from eventstudy.claims.verdict import (
    INCONCLUSIVE,
    NOT_SUPPORTED,
    SUPPORTED,
    claim_verdict,
)
from eventstudy.exceptions import ConfigError

N_DAYS, DAY0, N_SECTOR, N_REST = 620, 560, 8, 32
SECTOR = [f"S{i}" for i in range(N_SECTOR)]
REST = [f"R{i}" for i in range(N_REST)]
DATES = pd.bdate_range("2022-01-03", periods=N_DAYS)
OTHER = {100: -0.030, 300: -0.025}  # named comparison dates: smaller falls than the crash


def panel(kind: str, seed: int = 7) -> tuple[pd.DataFrame, pd.Series]:
    """Return returns and market for a 'market' or a 'sector' crash.

    market: -8%, every stock with it; sector: sector -15%, rest +1.5%, index -2%.
    """
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0003, 0.01, N_DAYS)
    for pos, r in OTHER.items():
        m[pos] = r
    m[DAY0 + 1:] = -0.002 + rng.normal(0, 0.001, N_DAYS - DAY0 - 1)  # no rebound after day 0
    beta = rng.uniform(0.8, 1.2, N_SECTOR + N_REST)
    eps = rng.normal(0, 0.01, (N_DAYS, N_SECTOR + N_REST))
    r = m[:, None] * beta[None, :] + eps
    if kind == "market":
        m[DAY0] = -0.08
        r[DAY0] = -0.08 * beta + rng.normal(0, 0.005, len(beta))
    else:
        m[DAY0] = -0.02
        r[DAY0, :N_SECTOR] = -0.15 + rng.normal(0, 0.01, N_SECTOR)
        r[DAY0, N_SECTOR:] = 0.015 + rng.normal(0, 0.005, N_REST)
    returns = pd.DataFrame(r, index=DATES, columns=SECTOR + REST)
    return returns, pd.Series(m, index=DATES, name="MKT")


MARKET_RISK = {
    "id": "market_risk", "claim": "The news is the biggest risk for the stock market",
    "tests": [
        {"test": "market_wide"},
        {"test": "breadth"},
        {"test": "concentration", "groups": ["sector"], "expect": "not_concentrated"},
        {"test": "persistence", "measure": "market"},
        {"test": "comparison", "dates": [str(DATES[p].date()) for p in OTHER]},
    ],
}
CONCENTRATED = {
    "id": "sector_only", "claim": "The sell-off was concentrated in the sector",
    "tests": [{"test": "concentration", "groups": ["sector"]}, {"test": "breadth", "expect": "narrow"},
              {"test": "persistence", "groups": ["sector"], "horizons": [5, 20]}],
}


def fit(kind: str, claims=(MARKET_RISK, CONCENTRATED)):
    returns, market = panel(kind)
    events = [{"event_id": "news", "ticker": t, "date": DATES[DAY0]} for t in returns.columns]
    study = EventStudy(events, returns, market, groups={"sector": SECTOR, "rest": REST},
                       event_windows=[(0, 0), (0, 20)], claims=list(claims))
    return study.fit()


@pytest.fixture(scope="module")
def crash():
    return fit("market")


@pytest.fixture(scope="module")
def sector():
    return fit("sector")


def verdicts(res) -> pd.Series:
    return res.claim_results.verdicts().set_index(["claim_id", "test"])["verdict"]


def test_market_wide_crash_supports_market_risk(crash):
    v = verdicts(crash)
    for test in ("market_wide", "breadth", "concentration", "persistence", "comparison"):
        assert v[("market_risk", test)] == SUPPORTED, crash.claim_results.text()
    assert v[("market_risk", "claim")] == SUPPORTED
    assert v[("sector_only", "claim")] == NOT_SUPPORTED


def test_sector_crash_with_rising_rest_refutes_market_risk(sector):
    v = verdicts(sector)
    assert v[("market_risk", "breadth")] == NOT_SUPPORTED  # 32 of 40 rose
    assert v[("market_risk", "concentration")] == NOT_SUPPORTED
    assert v[("market_risk", "comparison")] == NOT_SUPPORTED  # -2% < the -3% and -2.5% named dates
    assert v[("market_risk", "claim")] == NOT_SUPPORTED
    assert v[("sector_only", "concentration")] == SUPPORTED
    assert v[("sector_only", "breadth")] == SUPPORTED
    assert v[("sector_only", "claim")] == SUPPORTED


def test_breadth_numbers_follow_the_panel(crash, sector):
    for res, kind in ((crash, "market"), (sector, "sector")):
        returns, market = panel(kind)
        day = returns.iloc[DAY0]
        t = res.claims
        row = t[(t["claim_id"] == "market_risk") & t["metric"].str.startswith("share of all securities "
                                                                              "with negative return")]
        assert row["value"].item() == pytest.approx((day < 0).mean())
        row = t[(t["claim_id"] == "market_risk") & t["metric"].str.startswith("equal-weighted mean")]
        assert row["value"].item() == pytest.approx(day.mean())


def test_sector_caar_and_rest_against_ols(sector):
    returns, market = panel("sector")
    est = slice(DAY0 - 250, DAY0 - 10)
    ar = {}
    for t in returns.columns:
        b, a = np.polyfit(market.iloc[est], returns[t].iloc[est], 1)
        ar[t] = returns[t].iloc[DAY0] - (a + b * market.iloc[DAY0])
    ar = pd.Series(ar)
    t = sector.claims
    rows = t[(t["claim_id"] == "sector_only") & (t["test"] == "concentration")].set_index("metric")
    assert rows.loc["CAAR[0,0] of sector (n = 8; p: cross-sectional t)", "value"] == pytest.approx(ar[SECTOR].mean(), rel=1e-8)
    assert rows.loc["CAAR[0,0] of the rest of all securities (n = 32; p: cross-sectional t)", "value"] == pytest.approx(
        ar[REST].mean(), rel=1e-8)


def test_sector_persistence_against_ols(sector):
    returns, market = panel("sector")
    est, evt = slice(DAY0 - 250, DAY0 - 10), slice(DAY0, DAY0 + 21)
    car = {}
    for t in SECTOR:
        b, a = np.polyfit(market.iloc[est], returns[t].iloc[est], 1)
        ar = returns[t].iloc[evt] - (a + b * market.iloc[evt])
        car[t] = ar.to_numpy()
    car = pd.DataFrame(car)  # rows tau 0..20
    t = sector.claims
    rows = t[(t["claim_id"] == "sector_only") & (t["test"] == "persistence")].set_index("metric")
    for k in (5, 20):
        caar_0k = car.iloc[:k + 1].sum().mean()
        assert rows.loc[f"CAAR of sector [0,{k}]", "value"] == pytest.approx(caar_0k, rel=1e-8)
        assert rows.loc[f"share of the day-0 move reversed by +{k}", "value"] == pytest.approx(
            1 - caar_0k / car.iloc[0].mean(), rel=1e-8)
        drift = car.iloc[1:k + 1].sum()
        tstat = drift.mean() / (drift.std(ddof=1) / np.sqrt(len(drift)))
        assert rows.loc[f"CAAR of sector [+1,+{k}]", "p_value"] == pytest.approx(
            2 * stats.t.sf(abs(tstat), len(drift) - 1), rel=1e-6)
    assert rows["verdict"].iloc[0] == SUPPORTED  # no drift after day 0: the fall persisted


def test_reversal_flips_persistence():
    returns, market = panel("market")
    market.iloc[DAY0 + 1:DAY0 + 11] = 0.01  # +10% over ten sessions undoes the -8% day
    returns.iloc[DAY0 + 1:DAY0 + 11] = 0.01
    events = [{"event_id": "news", "ticker": t, "date": DATES[DAY0]} for t in returns.columns]
    claim = {"id": "lasting", "claim": "The fall lasted",
             "tests": [{"test": "persistence", "measure": "market", "horizons": [5, 10]}]}
    res = EventStudy(events, returns, market, event_windows=[(0, 0)], claims=[claim]).fit()
    t = res.claims.set_index("metric")
    # the market's moves compound: -8% then ten days of +1% is (0.92)(1.01^10) - 1
    x0, x10 = market.iloc[DAY0], float(np.prod(1 + market.iloc[DAY0:DAY0 + 11]) - 1)
    assert t.loc["share of the day-0 move reversed by +10", "value"] == pytest.approx(1 - x10 / x0)
    assert t.loc["MKT [+1,+10]", "p_value"] < 0.05
    assert res.claim_results.claims[0].outcomes[0].finding == "reversed"
    assert res.claim_results.claims[0].verdict == NOT_SUPPORTED


def test_claim_rules():
    S, N, U = SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE
    assert claim_verdict([S, S, S]) == S
    assert claim_verdict([S, U, S]) == U
    assert claim_verdict([S, N, S]) == N
    assert claim_verdict([S, N, S], "majority") == S
    assert claim_verdict([S, N, U], "majority") == U
    assert claim_verdict([N, N, S], "majority") == N


def test_api_rejects_unknown_group_and_key():
    returns, market = panel("market")
    events = [{"event_id": "news", "ticker": t, "date": DATES[DAY0]} for t in returns.columns]
    bad = {"id": "x", "claim": "c", "tests": [{"test": "concentration", "groups": ["chips"]}]}
    with pytest.raises(ConfigError, match=r"claims\[0\] \(x\)\.tests\[0\] \(concentration\): unknown "
                                          r"group\(s\) \['chips'\]"):
        EventStudy(events, returns, market, claims=[bad])
    with pytest.raises(ConfigError, match="claims\\[0\\]: key 'tests.0.market_wide.zthreshold'"):
        EventStudy(events, returns, market,
                   claims=[{"id": "x", "claim": "c", "tests": [{"test": "market_wide", "zthreshold": 2}]}])
    far = {"id": "x", "claim": "c", "tests": [{"test": "concentration", "groups": ["all"],
                                                "window": [0, 5]}]}
    with pytest.raises(ConfigError, match=r"outside the event windows \[0, 0\]"):
        EventStudy(events, returns, market, event_windows=[(0, 0)], claims=[far])


def test_claim_spec_defaults_are_documented_values():
    spec = ClaimSpec.model_validate(MARKET_RISK)
    mw, br, co, pe, cm = spec.tests
    assert (mw.z_threshold, mw.percentile, mw.lookback_years) == (1.96, 0.05, 2.0)
    assert (br.min_share, br.alpha, co.alpha, pe.reversal_threshold, pe.horizons, cm.max_rank) == (
        0.6, 0.05, 0.05, 0.5, [5, 20], 1)
    assert spec.rule == "all" and spec.direction == "down"


def test_direction_up_mirrors_a_rally():
    returns, market = panel("market")
    returns, market = -returns, -market  # the crash becomes an +8% rally on day 0
    events = [{"event_id": "news", "ticker": t, "date": DATES[DAY0]} for t in returns.columns]
    claim = {"id": "rally", "claim": "The news lifted the whole market", "direction": "up",
             "tests": [{"test": "market_wide"}, {"test": "breadth"},
                       {"test": "comparison", "dates": [str(DATES[p].date()) for p in OTHER]}]}
    res = EventStudy(events, returns, market, event_windows=[(0, 0)], claims=[claim]).fit()
    assert res.claim_results.claims[0].verdict == SUPPORTED, res.claim_results.text()
    t = res.claims.set_index("metric")
    assert t.loc["share of all securities with positive return on day 0 (n = 40)", "value"] == 1.0
    day0 = DATES[DAY0]
    n_look = int(((DATES > day0 - pd.DateOffset(years=2)) & (DATES <= day0)).sum())
    assert t.loc[f"rank among {n_look} lookback windows [0,0] (1 = largest rise)", "value"] == 1


def test_short_history_is_reported_and_missing_history_is_an_error():
    from eventstudy.exceptions import DataUnavailableError

    returns, market = panel("market")
    events = [{"event_id": "news", "ticker": t, "date": DATES[DAY0]} for t in returns.columns]
    claim = {"id": "c", "claim": "c", "tests": [{"test": "market_wide", "lookback_years": 5}]}
    res = EventStudy(events, returns, market, event_windows=[(0, 0)], claims=[claim]).fit()
    outcome = res.claim_results.claims[0].outcomes[0]
    assert f"the data start {DATES[0].date()}, so the lookback is shorter" in outcome.reason
    n_look = DAY0 + 1  # every synthetic session up to day 0 (each row is already a return)
    assert f"rank 1 of {n_look} " in outcome.reason
    frame = pd.DataFrame({t: market for t in returns.columns})  # a per-security market, no history
    study = EventStudy(events, returns, frame, event_windows=[(0, 0)], claims=[claim])
    # claims are evaluated by fit(): results are frozen, so the error comes there, not later
    with pytest.raises(DataUnavailableError, match=r"claims\[0\] \(c\): market_wide.*market_history="):
        study.fit()


def test_comparison_date_without_a_session_is_named():
    returns, market = panel("market")
    events = [{"event_id": "news", "ticker": t, "date": DATES[DAY0]} for t in returns.columns]
    claim = {"id": "c", "claim": "c", "tests": [{"test": "comparison", "dates": ["2022-01-08"]}]}
    study = EventStudy(events, returns, market, event_windows=[(0, 0)], claims=[claim])
    with pytest.raises(ConfigError, match=r"claims\[0\] \(c\): comparison date 2022-01-08 has no MKT "
                                          r"return \(not a session"):
        study.fit()


def test_contribution_to_the_cap_weighted_move():
    returns, market = panel("sector")
    caps = {t: (50.0 if t in SECTOR else 10.0) + i for i, t in enumerate(returns.columns)}
    events = [{"event_id": "news", "ticker": t, "date": DATES[DAY0]} for t in returns.columns]
    claim = {"id": "c", "claim": "c",
             "tests": [{"test": "concentration", "groups": ["sector"], "market_caps": caps}]}
    res = EventStudy(events, returns, market, groups={"sector": SECTOR, "rest": REST},
                     event_windows=[(0, 0)], claims=[claim]).fit()
    day = returns.iloc[DAY0]
    w = pd.Series(caps) / sum(caps.values())
    total, part = (w * day).sum(), (w[SECTOR] * day[SECTOR]).sum()
    t = res.claims.set_index("metric")["value"]
    assert t["cap-weighted return of all securities [0,0] (caps for 40 of 40)"] == pytest.approx(total)
    assert t["contribution of sector (8 members) to it"] == pytest.approx(part)
    assert t["share of the cap-weighted move from sector"] == pytest.approx(part / total)
    assert part / total > 1  # the sector's fall more than explains the move: the rest rose


def test_market_caps_from_a_csv_next_to_the_study_file(tmp_path):
    (tmp_path / "caps.csv").write_text("ticker,market_cap\nNVDA,3.5e12\nAMD,2.0e11\nKO,2.7e11\n"
                                       "PG,3.9e11\n")
    (tmp_path / "s.yaml").write_text(
        "study: s\ndata: {source: bundled}\nevents: [{id: e, date: 2025-01-27}]\n"
        "groups: {chips: [NVDA, AMD], staples: [KO, PG]}\nevent_windows: [[0, 0]]\n"
        "claims:\n  - {id: c, claim: c, tests: [{test: concentration, groups: [chips], "
        "market_caps: caps.csv}]}\n")
    from eventstudy import datasets
    from eventstudy.data import BundledSource

    res = EventStudy.from_yaml(tmp_path / "s.yaml", source=BundledSource()).fit()
    px = datasets.load(["NVDA", "AMD", "KO", "PG"]).loc[:"2025-01-27"].iloc[-2:]
    r = px.iloc[1] / px.iloc[0] - 1
    caps = pd.Series({"NVDA": 3.5e12, "AMD": 2.0e11, "KO": 2.7e11, "PG": 3.9e11})
    w = caps / caps.sum()
    t = res.claims.set_index("metric")["value"]
    assert t["contribution of chips (2 members) to it"] == pytest.approx((w * r)[["NVDA", "AMD"]].sum())
    (tmp_path / "caps.csv").write_text("symbol,cap\nNVDA,1\n")
    study = EventStudy.from_yaml(tmp_path / "s.yaml", source=BundledSource())
    with pytest.raises(ConfigError, match=r"market_caps .*caps\.csv: need columns ticker,market_cap"):
        study.fit()


def test_comparison_needs_the_lookback_too_and_a_claim_after_its_event():
    """Review: one smaller named date made a 19th-worst day 'the largest'; a claim dated before its
    event ranked the event among dates 'known' before it happened."""
    returns, market = panel("market")
    events = [{"event_id": "news", "ticker": t, "date": DATES[DAY0]} for t in returns.columns]
    small = DATES[DAY0 - 30]
    market.iloc[DAY0 - 30] = -0.001
    market.iloc[DAY0 - 40] = market.iloc[DAY0] - 0.02  # a larger fall in the lookback
    claim = {"id": "big", "claim": "the largest", "tests": [{"test": "comparison",
                                                            "dates": [str(small.date())]}]}
    res = EventStudy(events, returns, market, event_windows=[(0, 0)], claims=[claim]).fit()
    out = res.claim_results.claims[0].outcomes[0]
    assert out.finding == "not_largest" and "ranks 1 of 2 named dates" in out.reason
    early = {**claim, "date": str(DATES[DAY0 - 5].date())}
    with pytest.raises(ConfigError, match="before its event"):
        EventStudy(events, returns, market, event_windows=[(0, 0)], claims=[early]).fit()


@pytest.mark.parametrize(("finding", "expect", "lead"), [
    ("narrow", "broad", "found a narrow fall, but the claim expects a broad fall: n"),
    ("narrow", "narrow", "found a narrow fall, as the claim expects: n"),
    ("unclear", "broad", "found neither (the claim expects a broad fall): n"),
])
def test_state_finding_leads_with_the_finding_relative_to_the_claim(finding, expect, lead):
    from eventstudy.claims.verdict import state_finding

    words = {"broad": "a broad fall", "narrow": "a narrow fall", "unclear": "neither"}
    assert state_finding(finding, expect, words, "n") == lead


@pytest.mark.parametrize(("share", "text"), [
    (-0.641, "the move grew by a further 64% (none of it reversed)"),
    (0.25, "25% of it reversed"),
    (1.5, "more than reversed (150% of it undone)"),
    (float("nan"), "share reversed n/a"),
])
def test_persistence_share_in_words(share, text):
    from eventstudy.claims.persistence import _reversal

    assert _reversal(share) == text
