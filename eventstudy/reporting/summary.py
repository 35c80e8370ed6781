"""Summary tables of a results object, shared by the PDF, summary.md, summary.html and LaTeX.

Every table is built once here and only rendered elsewhere, so the outputs show the same numbers.
Tables hold decimals; the headline table alone shows CAAR in percent, with ``%`` in each cell.
"""

from __future__ import annotations

import textwrap
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import pandas as pd

from eventstudy.statistics.battery import TEST_REFERENCES

if TYPE_CHECKING:
    from statsmodels.iolib.summary2 import Summary

    from eventstudy.results import EventStudyResults

__all__ = [
    "headline_table", "headline_note", "HEADLINE_TESTS", "settings_table", "build_summary",
    "stars", "claims_table", "claim_verdicts", "verdict_reasons", "answer_tables", "pct",
    "billions",
    "tests_table",
    "day0_extremes", "diagnostics_table", "quality_table", "warnings_table", "DIAGNOSTICS_COLUMNS",
    "plural", "summary_sections", "Section", "reactions_table", "REACTIONS_NOTE", "reactions_note",
    "window_label", "tau_range", "STARS_NOTE", "TEST_REFERENCES", "tests_note", "format_number",
    "format_frame", "wrap", "SPANNING", "spanning_returns", "quality_findings", "headline_display",
    "answer_event", "band_widened", "caar_band",
]

_T = TypeVar("_T")

STARS_NOTE = "*** p<0.01, ** p<0.05, * p<0.10"
TOP_MEMBERS = 5  # index members listed each way (falls, gains) by the summary and the chart


def tests_note(res: EventStudyResults) -> str:
    """Return the note under a test table: how to read a cell and the paper of each test shown."""
    from eventstudy.reporting.labels import test_label

    names = list(dict.fromkeys(res.tests["test"])) if len(res.tests) else []
    refs = "; ".join(f"{test_label(n)}: {TEST_REFERENCES[n]}" for n in names
                     if n in TEST_REFERENCES)
    clustered = ""
    if res.clustering.all_share:
        clustered = ("All security-events share day 0, so their ARs are cross-correlated: the "
                     "t test, Patell and BMP ignore it and overstate significance; "
                     "Kolari-Pynn\u00f6nen adjusts for it. ")
    adjusted = ""
    if _adjusted(res):
        method = str(res.options.p_adjust)
        adjusted = (f"p-values adjusted for multiple testing across the event windows of each "
                    f"group and test: {_ADJUST_NAMES.get(method, method)} (p_adjust: {method}; "
                    "unadjusted: p_value in tests.csv). ")
    spanning = ""
    if len(spanning_returns(res)):
        spanning = (f"{SPANNING} by a window: it holds a return that spans more than one session "
                    "of its exchange (the sessions between have no close), judged against a "
                    "one-session variance (listed with the data quality). ")
    return (f"Cells: statistic (p-value) stars, {STARS_NOTE}; H0: CAAR = 0 over the window. "
            + adjusted + (f"Tests: {refs}. " if refs else "") + clustered + spanning
            + "Exact values: tests.csv.")
QUALITY_COLUMNS = ["ticker", "date", "check", "severity", "message"]
WARNING_COLUMNS = ["category", "message"]
DIAGNOSTICS_COLUMNS = ["kind", "event_id", "ticker", "date", "check", "severity", "message"]
CLAIMS_COLUMNS = ["claim_id", "claim", "test", "metric", "value", "p_value", "verdict"]


def stars(p: float) -> str:
    """Return significance stars: *** p < 0.01, ** p < 0.05, * p < 0.10."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""


def window_label(t1: int, t2: int) -> str:
    """Return the label of an event window: ``AAR[0]`` for day 0, ``CAAR[-1,+1]`` otherwise."""
    return f"CAAR[{t1:+d},{t2:+d}]" if (t1, t2) != (0, 0) else "AAR[0]"


def tau_range(t1: int, t2: int) -> str:
    """Return an event window as text, e.g. ``[-1,+1]``, ``[0,+20]``, ``[0,0]``."""
    def one(t: int) -> str:
        return "0" if t == 0 else f"{int(t):+d}"
    return f"[{one(t1)},{one(t2)}]"


HEADLINE_TESTS = {
    "t": "cross-sectional t test (Brown and Warner 1985)",
    "kolari_pynnonen": ("Kolari-Pynnonen adjusted BMP test (Kolari and Pynnonen 2010), robust "
                        "to the cross-correlation of security-events that share day 0"),
    "bmp": "BMP test (Boehmer, Musumeci and Poulsen 1991)",
    "patell": "Patell test (Patell 1976)",
    "calendar_time": "calendar-time portfolio test (Jaffe 1974; Mandelker 1974)",
    "crude_dependence": "crude dependence adjustment (Brown and Warner 1985)",
}


def band_widened(res: EventStudyResults) -> bool:
    """Whether the CAAR chart's band is widened for cross-correlation (Kolari-Pynnonen).

    So it is when their test stars the headline (``res.headline_test``): the band then tells
    the story the stars tell. The chart draws by this rule and :func:`caar_band` words it.
    """
    return res.headline_test == "kolari_pynnonen"


def caar_band(res: EventStudyResults, ci: float = 0.90) -> str:
    """Return what the CAAR chart's band is, in the words of its subtitle and of its caption.

    One rule for both (:func:`eventstudy.reporting.plots.plot_caar` draws by it): the band is the
    pointwise cross-sectional t band, widened for the cross-correlation of security-events as
    Kolari and Pynnonen (2010) when their test stars the headline (``res.headline_test``).

    Parameters
    ----------
    res : EventStudyResults
    ci : float, default 0.90
        The band's coverage (the chart's default).

    Returns
    -------
    str
        E.g. "pointwise 90% band of the cross-sectional t, widened for cross-correlation as
        Kolari-Pynnonen".
    """
    text = f"pointwise {ci:.0%} band of the cross-sectional t"
    if band_widened(res):
        return text + ", widened for cross-correlation as Kolari-Pynnonen"
    return text + " (ignores cross-correlation)"


def headline_note(res: EventStudyResults) -> str:
    """Return the footnote of the headline: which test stars the CAARs, and why.

    E.g. "Stars: Kolari-Pynnonen adjusted BMP test (Kolari and Pynnonen 2010), robust to the
    cross-correlation of security-events that share day 0 (511 of 511 share one); *** p<0.01, ...".
    """
    name = res.headline_test
    what = HEADLINE_TESTS.get(name, f"the {name} test")
    why = ""
    c = res.clustering
    if name == "kolari_pynnonen" and c.n_sharing:
        why = f" ({c.n_sharing} of {c.n_events} security-events share their day 0)"
    adjusted = (" (unadjusted p-values; the test statistics table shows them adjusted, "
                f"p_adjust: {res.options.p_adjust})" if _adjusted(res) else "")
    news = res.confounders
    other = ""
    if len(news):
        items = news[["date", "label"]].drop_duplicates()
        other = (f" {CONFOUNDED} the window holds other news, so its CAAR mixes it in: "
                 + "; ".join(f"{pd.Timestamp(d).date()} {lab}"
                             for d, lab in items.itertuples(index=False, name=None)) + ".")
    spans = spanning_returns(res)
    spanning = ""
    if len(spans):
        spanning = (f" {SPANNING} the window holds a return that spans more than one session of "
                    "its exchange (the sessions between have no close), judged against a "
                    "one-session variance: " + "; ".join(
                        f"{r.ticker} on {r.date} (day {_day(int(cast(int, r.tau)))}, event "
                        f"{r.event_id}) "
                        f"runs from the {r.since} close" for r in spans.itertuples()) + ".")
    return (f"CAAR in percent. Stars: {what}{why}; {STARS_NOTE}{adjusted}. N: the group's "
            "security-events; a window's CAAR averages those with a complete CAR there (n in "
            f"caar.csv).{other}{spanning}")


CONFOUNDED = "\u2020"  # dagger: a headline cell whose window holds a confounder (other news)
SPANNING = "\u2021"  # double dagger: a headline cell whose window holds a multi-session return


def _day(tau: int) -> str:
    """Return an event day as text: "0", "+1", "-1"."""
    return "0" if tau == 0 else f"{tau:+d}"


def _spanning(res: EventStudyResults) -> set[tuple[str, str, int]]:
    """(event_id, group, tau) of each event-window return spanning sessions, by group.

    ``'pooled'`` stands for any event (the headline of pooled events).
    """
    spans = spanning_returns(res)
    if not len(spans):
        return set()
    frame = res.to_frame()
    own = {(str(e), str(t)): str(g) for e, t, g in
           frame[["event_id", "ticker", "group"]].drop_duplicates().itertuples(index=False,
                                                                               name=None)}
    groups = res.spec.groups
    out = set()
    for e, t, tau in zip(spans["event_id"], spans["ticker"], spans["tau"], strict=True):
        member = {str(g) for g in res.groups if t in groups.get(g, ())}
        member.add(own.get((str(e), str(t)), ""))
        for g in member - {""}:
            out |= {(str(e), g, int(tau)), ("pooled", g, int(tau))}
    return out


def _confounded(res: EventStudyResults) -> set[tuple[str, int, int]]:
    """(event_id, tau_start, tau_end) of the event windows that hold a confounder.

    ``'pooled'`` is included for a window when any event has one there.
    """
    news = res.confounders
    out = {(str(e), int(a), int(b)) for e, a, b in
           news[["event_id", "tau_start", "tau_end"]].itertuples(index=False, name=None)}
    return out | {("pooled", a, b) for _, a, b in out}


_ADJUST_NAMES = {"holm": "Holm (1979) step-down, family-wise error",
                 "fdr_bh": "Benjamini and Hochberg (1995), false discovery rate"}


def _adjusted(res: EventStudyResults) -> bool:
    """Whether the study adjusts its p-values for multiple testing (``p_adjust``)."""
    return bool(res.options.p_adjust) and "p_value_adjusted" in res.tests.columns


def headline_table(res: EventStudyResults) -> pd.DataFrame:
    """Return the headline table: one row per group, one column per event window.

    Cells read "-12.34% ***" (CAAR in percent, stars of the headline test ``res.headline_test``:
    *** p < 0.01, ** p < 0.05, * p < 0.10; see :func:`headline_note`), with a dagger when the
    window holds a confounder (``confounders:``, :attr:`EventStudyResults.confounders`); column
    ``N`` gives the security-events of the group.
    """
    from eventstudy.reporting.labels import event_order

    t = res.headline()
    units = list(dict.fromkeys(t["event_id"]))
    by_date = [e for e in event_order(res) if e in units]
    units = by_date + [e for e in units if e not in by_date]  # events by date (q4_fy24 first)
    if len(units) == 1:
        index = pd.Index(res.groups, name="group")
        t = t.assign(key=t["group"])
    else:  # events reported apart: one block of groups per event (issue 11)
        index = pd.MultiIndex.from_product([units, res.groups], names=["event_id", "group"])
        pairs = list(zip(t["event_id"], t["group"], strict=True))
        t = t.assign(key=pd.Series(pairs, index=t.index, dtype=object))
    out = pd.DataFrame(index=index)
    out["N"] = t.groupby("key")["n"].max().reindex(out.index).astype(int)
    news = _confounded(res)
    spans = _spanning(res)
    for key, sub in t.groupby(["tau_start", "tau_end"], sort=False):
        t1, t2 = cast("tuple[int, int]", key)
        sub = sub.set_index("key").reindex(out.index)
        out[window_label(t1, t2)] = [
            (f"{c * 100:+.2f}% {stars(p)}".rstrip()
             + (f" {CONFOUNDED}" if (str(e), int(t1), int(t2)) in news else "")
             + (f" {SPANNING}" if any((str(e), str(g), tau) in spans
                                     for tau in range(int(t1), int(t2) + 1)) else ""))
            if np.isfinite(c) else "n/a"
            for c, p, e, g in zip(sub["caar"], sub["p_value"], sub["event_id"], sub["group"],
                                  strict=True)
        ]
    return out


def headline_display(res: EventStudyResults) -> pd.DataFrame:
    """Return :func:`headline_table` for readers: group labels, events by name and date.

    Columns (event, when events are reported apart), group, N and one per event window; rows in
    the order of :func:`headline_table`.
    """
    from eventstudy.reporting.labels import event_label, group_labels

    labels = group_labels(res)
    table = headline_table(res).reset_index()
    table["group"] = [labels.get(str(g), str(g)) for g in table["group"]]
    if "event_id" in table:
        table = table.rename(columns={"event_id": "event"})
        table["event"] = [event_label(res, str(e)) for e in table["event"]]
    return table


def _events_text(res: EventStudyResults, limit: int = 6) -> str:
    ev = res.spec.events
    first = ev.groupby("event_id", sort=False)[["date", "label"]].first()
    parts = [f"{e} ({d.date()}){': ' + str(lab) if lab else ''}"
             for e, (d, lab) in first.iterrows()]
    more = f"; ... {len(parts) - limit} more" if len(parts) > limit else ""
    return "; ".join(parts[:limit]) + more


def settings_table(res: EventStudyResults) -> list[tuple[str, str]]:
    """Return (label, value) pairs describing what ran and on which data."""
    from eventstudy.reporting.labels import market_label, security_label

    md = res.provenance

    def moved(r: Any) -> str:
        """Name the securities whose day 0 moved (one exchange's, not the whole event's)."""
        tickers = str(getattr(r, "tickers", "") or "").replace(",", " ").split()
        who = (f" ({', '.join(security_label(t) for t in tickers)} only)"
               if tickers and hasattr(r, "exchange") else
               f" ({', '.join(security_label(t) for t in tickers)})" if tickers else "")
        return f"{r.event_id}{who}: {_iso_date(r.date)} -> {_iso_date(r.anchored_date)}"

    shifted = "; ".join(moved(r) for r in res.shifted.itertuples())
    rows = [
        ("Study", str(md.title or md.study)),
        ("Events", _events_text(res)),
        ("Model", f"{res.model_name} (OLS)" if res.model_name == "market" else res.model_name),
        ("Market", market_label(res) if len(md.benchmarks) < 2 else
         f"each security's own benchmark: {', '.join(md.benchmarks)} (default {md.market})"),
        ("Estimation window", f"[{res.estimation_window[0]}, {res.estimation_window[1]}] sessions"),
        ("Event windows", ", ".join(f"[{a},{b}]" for a, b in res.event_windows)),
        ("Security-events", f"{len(res.events)} fitted, {len(res.dropped)} skipped"),
        ("Returns", f"{md.returns}, decimals"),
        ("Data", f"{md.source}, vintage {md.vintage}, "
                 f"adjusted: {str(md.adjusted).lower()}"),
    ]
    if shifted:
        rows.append(("Shifted event dates", shifted))
    return rows


def claims_table(res: EventStudyResults) -> pd.DataFrame | None:
    """Return the claim verdicts (``res.claims``) when the study has claims, else None.

    Columns claim_id, claim, test, metric, value, p_value, verdict (value and p_value decimals).
    """
    table = _once(res, "claims_table", lambda: _claims_table(res))
    return None if table is None else table.copy()


def _claims_table(res: EventStudyResults) -> pd.DataFrame | None:
    """:func:`claims_table`, built once per results object (the report asks about 30 times)."""
    claims = getattr(res, "claims", None)
    if not isinstance(claims, pd.DataFrame) or claims.empty:
        return None
    cols = [c for c in CLAIMS_COLUMNS if c in claims.columns]
    return _ids_labelled(res, claims[cols].reset_index(drop=True), ("metric",))


def _ids_labelled(res: EventStudyResults, frame: pd.DataFrame,
                  columns: Sequence[str]) -> pd.DataFrame:
    """Return ``frame`` with the group ids in its text ``columns`` written as labels.

    The claims' texts are made by :mod:`eventstudy.claims` with group ids ("ai_hardware+power");
    the report prints them with the labels readers know (:func:`labels.label_ids`).
    """
    from eventstudy.reporting.labels import label_ids

    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = [label_ids(str(v), res) if isinstance(v, str) else v for v in out[c]]
    return out


def verdict_reasons(res: EventStudyResults) -> pd.DataFrame | None:
    """Return each claim's verdict and each test's, with its one-line reason, or None.

    Columns claim_id, claim, test, verdict, reason (``claim_results.verdicts()``); the claim row
    first, then its tests.
    """
    table = _once(res, "verdict_reasons", lambda: _verdict_reasons(res))
    return None if table is None else table.copy()


def _verdict_reasons(res: EventStudyResults) -> pd.DataFrame | None:
    """:func:`verdict_reasons`, built once per results object."""
    report = getattr(res, "claim_results", None)
    if report is None or not hasattr(report, "verdicts"):
        return None
    frame = report.verdicts()
    claims = claims_table(res)
    if frame.empty or claims is None or set(frame["claim_id"]) != set(claims["claim_id"]):
        return None  # the claims shown are res.claims: reasons only when they are its own
    return _ids_labelled(res, frame.reset_index(drop=True), ("reason",))


def claim_verdicts(res: EventStudyResults) -> pd.DataFrame | None:
    """Return one row per claim (claim_id, claim, verdict, reason) when the study has claims.

    None without claims.

    The rows of ``res.claims`` whose test is ``claim`` when it has such rows (the claims developer's
    layout: each claim's verdict row, then its metric rows), else every row.
    """
    reasons = verdict_reasons(res)
    if reasons is not None and "reason" in reasons:
        rows = reasons[reasons["test"] == "claim"]
        return rows[["claim_id", "claim", "verdict", "reason"]].reset_index(drop=True)
    claims = claims_table(res)
    if claims is None:
        return None
    if "test" in claims and (claims["test"] == "claim").any():
        claims = claims[claims["test"] == "claim"]
    return claims[[c for c in ("claim_id", "claim", "verdict") if c in claims]].reset_index(
        drop=True)


def _iso_date(value: object) -> str:
    """Return a date as ``YYYY-MM-DD`` (empty for a missing one, other text unchanged)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d")  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return str(value)


def quality_table(res: EventStudyResults) -> pd.DataFrame:
    """Return the data-quality findings of ``metadata["quality"]``.

    Columns ticker, date (text ``YYYY-MM-DD``), check, severity, message; empty when the data
    layer reported none.
    """
    q = res.provenance.quality
    if not isinstance(q, pd.DataFrame):
        return pd.DataFrame(columns=QUALITY_COLUMNS)
    q = q.reset_index(drop=True)
    if "date" in q:
        q = q.assign(date=[_iso_date(d) for d in q["date"]])
    return q


def quality_findings(res: EventStudyResults) -> pd.DataFrame:
    """Return the data-quality findings a reader is shown: the screen's, then spanning returns.

    :func:`quality_table` and one row per event-window return that spans more than one session
    (check ``multi_session_return``, :func:`spanning_returns`), as in diagnostics.csv. Columns
    ticker, date, check, severity, message.
    """
    q = quality_table(res)
    spans = spanning_returns(res)
    if not len(spans):
        return q
    rows = pd.DataFrame({"ticker": spans["ticker"], "date": spans["date"],
                         "check": "multi_session_return", "severity": "warning",
                         "message": spans["message"]})
    return pd.concat([q, rows], ignore_index=True) if len(q) else rows


def warnings_table(res: EventStudyResults) -> pd.DataFrame:
    """Return the warnings the run collected in ``metadata["warnings"]``.

    Columns category, message: one row per distinct warning, in order, leaving out those already
    listed as skipped security-events or data-quality findings (which are also issued as
    warnings); empty when there are none.
    """
    raw: Sequence[object] = res.provenance.warnings or []
    shown = set(res.dropped["reason"].astype(str)) if "reason" in res.dropped else set()
    shown |= set(quality_table(res).get("message", pd.Series(dtype=str)).astype(str))
    rows: dict[tuple[str, str], None] = {}
    for w in raw:
        if isinstance(w, dict):
            cat, msg = str(w.get("category", "") or ""), str(w.get("message", ""))
        else:
            cat, msg = "", str(w)
        if msg and msg not in shown:
            rows[(cat, msg)] = None
    return pd.DataFrame(list(rows), columns=WARNING_COLUMNS)


def tests_table(res: EventStudyResults) -> pd.DataFrame:
    """Return the test statistics as one row per group and window, one column per test.

    Cells read "-7.99 (0.000) ***": statistic, p-value in parentheses and stars (the adjusted
    p-value when the study sets ``p_adjust``, :func:`tests_note` says so); ``n`` is the largest
    number of security-events among the tests. Exact values are in ``res.tests``.
    """
    t = res.tests
    if t.empty:
        return pd.DataFrame(columns=["group", "window", "n"])
    t = t.assign(window=[tau_range(a, b) for a, b in zip(t["tau_start"], t["tau_end"],
                                                         strict=True)])
    p_col = "p_value_adjusted" if _adjusted(res) else "p_value"  # as the study asks (p_adjust)
    t["cell"] = [f"{s:.2f} ({p:.3f}) {stars(p)}".rstrip() if np.isfinite(s) else "n/a"
                 for s, p in zip(t["statistic"], t[p_col], strict=True)]
    keys = ["group", "tau_start", "tau_end", "window"]
    if t["event_id"].nunique() > 1:  # events reported apart (issue 11)
        keys = ["event_id", *keys]
    wide = t.pivot_table(index=keys, columns="test", values="cell", aggfunc="first", sort=False)
    wide = wide[list(dict.fromkeys(t["test"]))]
    n = t.groupby(keys, sort=False)["n"].max()
    wide.insert(0, "n", n.reindex(wide.index).astype(int))
    wide = wide.reset_index().drop(columns=["tau_start", "tau_end"])
    g_order = {g: i for i, g in enumerate(res.groups)}
    w_order = {tau_range(a, b): i for i, (a, b) in enumerate(res.event_windows)}
    rank = wide["group"].map(g_order).fillna(len(g_order)) * 1000 + wide["window"].map(
        w_order).fillna(999)
    if "event_id" in wide.columns:
        from eventstudy.reporting.labels import event_order

        ids = [*event_order(res), *dict.fromkeys(t["event_id"])]  # by date
        e_order = {e: i for i, e in enumerate(dict.fromkeys(ids))}
        rank = rank + wide["event_id"].map(e_order).fillna(len(e_order)) * 1_000_000
    wide = wide.iloc[np.argsort(rank.to_numpy(), kind="stable")]
    wide.columns.name = None
    spans = _spanning(res)
    if spans:  # the window holds a return over several sessions, as the headline marks it
        event = (wide["event_id"] if "event_id" in wide.columns
                 else pd.Series(str(t["event_id"].iloc[0]), index=wide.index))
        bounds = {w: range(int(a), int(b) + 1)
                  for w, a, b in zip(t["window"], t["tau_start"], t["tau_end"], strict=True)}
        wide["window"] = [
            f"{w} {SPANNING}" if n and any((str(e), str(g), tau) in spans
                                           for tau in bounds[w]) else w
            for e, g, w, n in zip(event, wide["group"], wide["window"], wide["n"], strict=True)]
    return _readable(res, wide.reset_index(drop=True))


def _readable(res: EventStudyResults, table: pd.DataFrame) -> pd.DataFrame:
    """Return a display table with group labels and test names readers know, not ids."""
    from eventstudy.reporting.labels import group_labels, test_label

    labels = group_labels(res)
    out = table.copy()
    if "group" in out:
        out["group"] = [labels.get(str(g), str(g)) for g in out["group"]]
    keep = {"group", "window", "n", "event_id", "measure", "value", "ticker", "date", "ret", "ar",
            "p_value"}
    return out.rename(columns={c: test_label(str(c)) for c in out.columns if c not in keep})


def day0_extremes(res: EventStudyResults, k: int = 5) -> pd.DataFrame:
    """Return the ``k`` smallest and largest day-0 ARs.

    Columns event_id, ticker, group, date, ret, ar, t, p_value (decimals).
    """
    frame = res.to_frame()
    day0 = frame[frame["tau"] == 0].sort_values("ar")
    show = pd.concat([day0.head(k), day0.tail(k)]).drop_duplicates()
    return show[["event_id", "ticker", "group", "date", "ret", "ar", "t", "p_value"]].reset_index(
        drop=True)


def _day0_marked(res: EventStudyResults) -> tuple[pd.DataFrame, str]:
    """Return :func:`day0_extremes` with the ticker of a multi-session return marked, and its note.

    A day-0 return that spans more than one session (:func:`spanning_returns`) gets
    :data:`SPANNING` after its ticker ("ENR.DE ‡"); the note (" ‡ ...", or "" when
    no row is marked) says what the mark means and where the return starts.
    """
    day0 = day0_extremes(res)
    spans = spanning_returns(res)
    spans = spans[spans["tau"].astype(int) == 0]
    since = {(str(e), str(t)): str(d) for e, t, d in
             zip(spans["event_id"], spans["ticker"], spans["since"], strict=True)}
    hit = [(str(e), str(t)) in since for e, t in zip(day0["event_id"], day0["ticker"],
                                                       strict=True)]
    if not any(hit):
        return day0, ""
    day0["ticker"] = [f"{t} {SPANNING}" if h else str(t)
                      for t, h in zip(day0["ticker"], hit, strict=True)]
    which = "; ".join(f"{t} from the {d} close" for (_, t), d in since.items()
                      if any(str(x).startswith(f"{t} {SPANNING}") for x in day0["ticker"]))
    return day0, (f" {SPANNING} the day-0 return spans more than one session of its exchange "
                  f"(the sessions between have no close), judged against a one-session "
                  f"variance: {which}.")


def diagnostics_table(res: EventStudyResults) -> pd.DataFrame:
    """Return every diagnostic row, one finding per row.

    Columns kind, event_id, ticker, date, check, severity, message (:data:`DIAGNOSTICS_COLUMNS`):

    - ``skipped``: a security-event left out (date: its event date; check ``estimation_window``);
    - ``shifted``: an event date that is not a session (date: as given; check ``non_trading_day``;
      the message names day 0);
    - ``quality``: a data-quality finding (ticker, date, check and severity of the screen), and
      each event-window return spanning more than one session (check ``multi_session_return``,
      :func:`spanning_returns`);
    - ``warning``: a warning of the run (check: its category, e.g. ``MissingReturnsWarning``);
    - ``note``: where the data came from (severity ``info``).

    Dates are text ``YYYY-MM-DD``; a column that does not apply to a row is empty.
    """
    ev = res.spec.events
    day = {(e, t): d for e, t, d in zip(ev["event_id"], ev["ticker"], ev["date"], strict=True)}
    rows: list[tuple[object, ...]]
    rows = [("skipped", r.event_id, r.ticker, _iso_date(day.get((r.event_id, r.ticker))),
             "estimation_window", "warning", r.reason) for r in res.dropped.itertuples()]
    rows += [("shifted", r.event_id, str(getattr(r, "tickers", "")), _iso_date(r.date),
              "non_trading_day", "info",
              f"{_iso_date(r.date)} is not a"
              + (f" {r.exchange}" if hasattr(r, "exchange") else "")  # a study across exchanges
              + f" session; day 0 = {_iso_date(r.anchored_date)}")
             for r in res.shifted.itertuples()]
    q = quality_table(res)
    rows += [("quality", "", str(getattr(r, "ticker", "")), str(getattr(r, "date", "")),
              str(getattr(r, "check", "")), str(getattr(r, "severity", "")),
              str(getattr(r, "message", ""))) for r in q.itertuples()]
    rows += [("quality", r.event_id, r.ticker, r.date, "multi_session_return", "warning",
              r.message) for r in spanning_returns(res).itertuples()]
    rows += [("warning", "", "", "", r.category, "warning", r.message)
             for r in warnings_table(res).itertuples()]
    rows += [("note", "", "", "", "", "info", str(n)) for n in res.provenance.notes]
    return pd.DataFrame(rows, columns=DIAGNOSTICS_COLUMNS)


def spanning_returns(res: EventStudyResults) -> pd.DataFrame:
    """Return the event-window returns that span more than one session of their exchange.

    A session without a close (a filler row, a suspension) has no return and the next return
    covers both sessions (case C29): that AR is then judged against a one-session variance.
    Listed so that a reader of a day-0 AR knows it (deepseek_global: ENR.DE on 27 January runs
    from the close of 23 January).

    Returns
    -------
    pandas.DataFrame
        Columns event_id, ticker, date (``YYYY-MM-DD``), tau, since (the close the return starts
        from), message; one row per such return inside an event window. Computed once per
        results object (the headline, the tests, the tables and the charts all ask); a copy.
    """
    return _once(res, "spanning", lambda: _spanning_returns(res)).copy()


def _spanning_returns(res: EventStudyResults) -> pd.DataFrame:
    """:func:`spanning_returns`, computed."""
    from eventstudy.data.calendar import sessions
    from eventstudy.reporting.markets import market_of, several_markets
    from eventstudy.returns import spans_sessions

    cols = ["event_id", "ticker", "date", "tau", "since", "message"]
    levels = res.price_levels()
    f = res.to_frame()
    f = f[np.isfinite(f["ret"].to_numpy(dtype="float64")) & f["ticker"].isin(levels.columns)]
    if not len(f) or not len(levels):
        return pd.DataFrame(columns=cols)
    tickers = list(dict.fromkeys(f["ticker"]))
    several = several_markets(res)
    by_exchange: dict[str, list[str]] = {}
    for t in tickers:
        by_exchange.setdefault(market_of(t) if several else res.provenance.calendar, []).append(t)
    rows = []
    for exchange, names in by_exchange.items():
        own = sessions(exchange, levels.index[0], levels.index[-1])
        on = levels[names].reindex(own)
        priced = on.notna().to_numpy()
        gap = spans_sessions(priced)  # a close after a session without one
        if not gap.any():
            continue
        last = on.ffill().shift(1)  # the close a return starts from
        since = pd.DataFrame(np.where(priced, own.to_numpy()[:, None], np.datetime64("NaT")),
                             index=own, columns=names).ffill().shift(1)
        flagged = pd.DataFrame(gap, index=own, columns=names)
        sub = f[f["ticker"].isin(set(names))]
        for e, t, d, tau in zip(sub["event_id"], sub["ticker"], pd.to_datetime(sub["date"]),
                                sub["tau"], strict=True):
            if (d in flagged.index and bool(flagged.at[d, t])
                    and np.isfinite(float(cast(float, last.at[d, t])))):
                start = pd.Timestamp(cast(str, since.at[d, t])).date()
                rows.append((e, t, str(d.date()), int(tau), str(start),
                             f"{t}'s return on {d.date()} (tau {int(tau):+d}) runs from the close "
                             f"of {start}: the {exchange} session(s) between have no close, so "
                             "its AR covers more than one session but is judged against a "
                             "one-session variance"))
    return pd.DataFrame(rows, columns=cols)


@dataclass(frozen=True)
class Section:
    """One titled table of the summary documents."""

    key: str
    title: str
    table: pd.DataFrame
    note: str = ""
    html_note: str = ""
    """The note of summary.html when it shows the table otherwise (percentages for decimals)."""


REACTIONS_NOTE = (
    "Volume: mean cumulative abnormal log volume (CAV) against a market model of log volume "
    "(Campbell and Wasley 1996), shown as the geometric-mean multiple of normal daily volume, "
    "exp(CAV / L) over the window's L days; volatility: mean ratio of squared abnormal returns "
    "to the market model's variance (1 = normal). n: security-events with data of the group's "
    "n_group. Cells: statistic (p-value) stars. The volatility tests treat security-events as "
    "independent: with a common day 0 they overstate significance. Decimals in "
    "abnormal_volume.csv, abnormal_volatility.csv.")


def reactions_note(res: EventStudyResults) -> str:
    """Return :data:`REACTIONS_NOTE` and, when volume covers part of a group, why.

    The bundled volume (:data:`eventstudy.datasets.VOLUME_SOURCE`) holds 54 stocks: a universe of
    503 has volume for those only, which the "n" column shows and this note explains.
    """
    from eventstudy.datasets import VOLUME_SOURCE
    from eventstudy.reporting.labels import group_labels

    t = res.tables.get("abnormal_volume")
    if t is None or not len(t):
        return REACTIONS_NOTE
    labels = group_labels(res)
    part = t.groupby("group", sort=False)[["n", "n_group"]].max()
    short = [f"{int(r.n)} of {int(r.n_group)} {labels.get(str(g), str(g))}"
             for g, r in part.iterrows() if int(r.n) < int(r.n_group)]
    if not short:
        return REACTIONS_NOTE
    return (f"{REACTIONS_NOTE} Volume covers {', '.join(short)}: the others have no volume in "
            f"the data ({VOLUME_SOURCE}).")


def reactions_table(res: EventStudyResults) -> pd.DataFrame | None:
    """Abnormal volume and volatility by group and window, one row each, tests side by side.

    None when the study asked for neither (``abnormal_volume:``, ``abnormal_volatility:``).
    """
    rows = []
    for name, what in (("abnormal_volume", "volume"), ("abnormal_volatility", "volatility")):
        t = res.tables.get(name)
        if t is None or not len(t):
            continue
        for key in t[["group", "tau_start", "tau_end"]].drop_duplicates().to_numpy().tolist():
            g, a, b = str(key[0]), int(key[1]), int(key[2])
            part = t[(t["group"] == g) & (t["tau_start"] == a) & (t["tau_end"] == b)]
            v = float(part["value"].to_numpy(dtype="float64")[0])
            row: dict[str, object] = {
                "measure": what, "group": g, "window": f"[{a:+d},{b:+d}]",
                "n": f"{int(part['n'].max())} of {int(part['n_group'].to_numpy()[0])}",
                # CAV sums daily log ratios: exp(CAV / L) is the geometric-mean daily multiple
                "value": (f"{np.exp(v / (b - a + 1)):.2f}x normal daily volume"
                          if what == "volume" else f"{v:.1f}x normal variance")}
            for test, stat, p in zip(part["test"].tolist(), part["statistic"].tolist(),
                                     part["p_value"].tolist(), strict=True):
                row[str(test)] = f"{float(stat):.2f} ({float(p):.3f}){stars(float(p))}"
            rows.append(row)
    return _readable(res, pd.DataFrame(rows).fillna("")) if rows else None


# the display tables of a results object, built once: summary.md, summary.html (three times)
# and the PDF's pages each asked for them (0.5 s a build); results are frozen, so the tables are
_BUILT: weakref.WeakKeyDictionary[EventStudyResults, dict[str, Any]] = weakref.WeakKeyDictionary()


def _once(res: EventStudyResults, key: str, build: Callable[[], _T]) -> _T:
    """Return ``build()`` for ``res``, computed on the first call for this results object."""
    done = _BUILT.setdefault(res, {})
    if key not in done:
        done[key] = build()
    return cast(_T, done[key])


def summary_sections(res: EventStudyResults) -> list[Section]:
    """Return the tables of summary.md and summary.html, in order (each caller its own copies).

    Built once per results object; see :func:`_summary_sections`.
    """
    return [replace(s, table=s.table.copy())
            for s in _once(res, "sections", lambda: _summary_sections(res))]


def _summary_sections(res: EventStudyResults) -> list[Section]:
    """Return the tables of summary.md and summary.html, in order.

    Claim verdicts (when present, first), settings, headline CAAR table, the numbers behind the
    verdicts, test statistics, the extreme day-0
    ARs, skipped security-events, shifted event dates and data-quality findings (when any).
    """
    settings = pd.DataFrame(settings_table(res), columns=["item", "value"])
    out: list[Section] = []
    verdicts = claim_verdicts(res)
    if verdicts is not None:  # verdicts come first (issue 6)
        out.append(Section("claims", "Claims and verdicts", verdicts))
    out += [
        Section("settings", "What ran", settings),
        Section("headline", "Headline: CAAR by group and event window",
                headline_display(res),
                f"{headline_note(res)} "
                "Full tables in caar.csv, tests.csv, car.csv, ar.csv (decimals)."),
    ]
    if verdicts is not None:
        numbers = claims_table(res)
        assert numbers is not None  # claim_verdicts found claims
        numbers = numbers.drop(columns=["claim"]) if "claim" in numbers else numbers
        out.append(Section("claim_numbers", "The numbers behind the verdicts", numbers,
                           "value and p_value are decimals (counts and ranks whole numbers); "
                           "full table in claims.csv."))
    out.append(Section("tests", "Test statistics by group and window", tests_table(res),
                       tests_note(res)))
    reactions = reactions_table(res)
    if reactions is not None:
        out.append(Section("reactions", "Trading volume and volatility", reactions,
                           reactions_note(res)))
    day0, spanned = _day0_marked(res)
    out.append(Section("day0", "Smallest and largest day-0 abnormal returns",
                       _readable(res, day0),
                       "ret and ar are decimals; t uses the forecast-error-corrected variance "
                       f"(MacKinlay 1997).{spanned}",
                       html_note="ret and ar in percent (the decimal on hover); t uses the "
                                 f"forecast-error-corrected variance (MacKinlay 1997).{spanned}"))
    if len(res.dropped):
        out.append(Section("skipped", "Skipped security-events", res.dropped))
    if len(res.shifted):
        out.append(Section("shifted", "Shifted event dates", res.shifted))
    quality = quality_findings(res)
    if len(quality):
        out.append(Section("quality", "Data quality", quality))
    warned = warnings_table(res)
    if len(warned):
        out.append(Section("warnings", "Warnings", warned,
                           "Warnings of the run; every diagnostic is also in diagnostics.csv."))
    return out


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """Return a count with its noun: ``1 security-event``, ``2 security-events``, ``1 security``."""
    consonant_y = singular.endswith("y") and singular[-2:-1] not in ("a", "e", "o", "u")
    many = plural_form if plural_form is not None else (
        singular[:-1] + "ies" if consonant_y else singular + "s")
    return f"{n} {singular if n == 1 else many}"


def wrap(text: str, width: int) -> str:
    """Wrap ``text`` to ``width`` characters per line."""
    return "\n".join(textwrap.wrap(str(text), width)) or ""


def build_summary(res: EventStudyResults) -> Summary:
    """Build the statsmodels ``Summary`` shown by ``print(res)`` and ``res.summary()``."""
    from statsmodels.iolib.summary2 import Summary

    smry = Summary()
    smry.add_title(f"Event study: {res.provenance.title or res.provenance.study}")
    verdicts = claim_verdicts(res)
    if verdicts is not None:  # verdicts come first (issue 6)
        smry.add_df(format_frame(verdicts), index=False, header=True)
    settings = pd.DataFrame(settings_table(res))
    smry.add_df(settings, index=False, header=False)
    # cells as text: statsmodels would print the counts N as floats with 4 decimals
    smry.add_df(format_frame(headline_table(res).reset_index()), index=False, header=True)
    smry.add_text(headline_note(res))
    return smry


def format_number(x: object) -> str:
    """Format a table cell.

    Floats to 4 decimals (scientific below 1e-4; whole numbers of 2 or more, such as ranks and
    counts, without decimals), NaN as "n/a", anything else as text.
    """
    if isinstance(x, (float, np.floating)):
        v = float(x)
        if not np.isfinite(v):
            return "n/a"
        if abs(v) >= 2 and v.is_integer():
            return str(int(v))
        return f"{v:.2e}" if v != 0 and abs(v) < 1e-4 else f"{v:.4f}"
    if isinstance(x, (np.integer, int)) and not isinstance(x, bool):
        return str(int(x))
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)


def format_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every cell formatted by :func:`format_number` (strings)."""
    return frame.astype(object).apply(lambda col: col.map(format_number))


def _number(x: object) -> float | str:
    """``x`` as a finite float, else the text to show for it ("n/a", or ``x`` itself)."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    return v if np.isfinite(v) else "n/a"


def pct(x: object, digits: int = 2, points: bool = False) -> str:
    """Format a decimal as a percentage ("-1.46%") or percentage points ("-1.15 pp")."""
    v = _number(x)
    return v if isinstance(v, str) else f"{v * 100:+.{digits}f}{' pp' if points else '%'}"


def billions(x: object) -> str:
    """Format dollars in billions ("-$592.7 bn")."""
    v = _number(x)
    return v if isinstance(v, str) else f"{'-' if v < 0 else '+'}${abs(v) / 1e9:,.1f} bn"


def answer_tables(res: EventStudyResults) -> dict[str, pd.DataFrame]:
    """Return the market-value lens as display tables (text), in the order a reader asks.

    ``index`` (day 0: the index move, its reconstruction and each group's contribution, share of
    the move, dollar change and the index without the group), ``members`` (the largest single
    contributors), ``context`` (day-0 moves of the market and the context series) and ``recovery``
    (market, groups and context: sessions until the day -1 close was regained, deepest
    drawdown). Tables the results cannot give (no market values, no context) are left out.
    Every number is read from the results (``index_contributions``, ``top_members``,
    ``context_moves``, ``recovery_table``).
    """
    # built once (the PDF page, summary.md and summary.html ask), each caller its own copies
    return {k: v.copy() for k, v in _once(res, "answer", lambda: _answer_tables(res)).items()}


def answer_event(res: EventStudyResults) -> str:
    """Return which event the day-0 context and recovery tables are for, when there are several.

    "" for one event; else e.g. " (Q4 FY2024 results: data-center revenue +409% y/y, q4_fy24,
    day 0 22 February 2024, only: the first of 5 events; the headline averages all of them)"
    (the event's label from the study file when it has one;
    :meth:`EventStudyResults.context_moves` and
    ``recovery_table`` read the first event).
    """
    from eventstudy.reporting.labels import event_order

    ids = list(dict.fromkeys(str(e) for e in res.events["event_id"]))
    if len(ids) < 2:
        return ""
    first = ids[0]  # the event context_moves() and recovery_table() read by default
    rows = res.events.loc[res.events["event_id"] == first]
    day = pd.Timestamp(rows["day0"].min())
    said = ([str(v) for v in rows["label"] if isinstance(v, str) and v.strip()]
            if "label" in rows else [])
    name = f"{said[0]}, {first}" if said else first  # what the study file calls it, and its id
    which = "the first" if event_order(res)[:1] == [first] else "one"
    pooled = res.headline()["event_id"].nunique() == 1
    return (f" ({name}, day 0 {day.day} {day.strftime('%B %Y')}, only: {which} of {len(ids)} "
            "events" + ("; the headline averages all of them)" if pooled else ")"))


def _answer_tables(res: EventStudyResults) -> dict[str, pd.DataFrame]:
    from eventstudy.reporting.labels import group_labels, market_label, security_label

    labels = group_labels(res)
    out: dict[str, pd.DataFrame] = {}
    if res.market_values is not None:
        ic = res.index_contributions()
        ic = ic[(ic["tau_start"] == 0) & (ic["tau_end"] == 0)]
        ic = ic[ic["event_id"] == ic["event_id"].iloc[0]]
        rows = []
        for r in ic.itertuples():
            if r.group == res.provenance.universe or not np.isfinite(r.n) or r.n == 0:
                continue
            name = (f"whole index ({res.index_name})" if r.group == "index"
                    else labels.get(str(r.group), str(r.group)))
            rows.append({"group": name, "members in index": int(r.n),
                         "weight": pct(r.weight, 1).lstrip("+"),
                         "contribution": pct(r.contribution, 2, points=True),
                         "share of the move": pct(r.share_of_move, 0).lstrip("+"),
                         "dollar change": billions(r.dollar_change),
                         "index without the group": pct(r.index_without_group),
                         "equal-weighted return": pct(r.equal_weighted)})
        idx = ic[ic["group"] == "index"].iloc[0]
        out["index"] = pd.DataFrame(rows)
        members = res.index_move().members
        no_dollars = members.loc[members["market_value_before"].isna(), "ticker"].tolist()
        dollars = (f" Dollar changes cover {len(members) - len(no_dollars)} of {len(members)} "
                   f"members (no total share count for {', '.join(no_dollars[:5])}"
                   f"{', ...' if len(no_dollars) > 5 else ''})." if no_dollars else "")
        out["index_note"] = pd.DataFrame({"note": [
            f"{res.index_name} actual move {pct(idx['index_return'])}; reconstructed from "
            f"its members' weights (shares x day -1 close) {pct(idx['reconstructed'])} (gap "
            f"{pct(idx['gap'], 2, points=True)}).{dollars}"]})
        top = res.top_members(n=TOP_MEMBERS, by="contribution")
        out["members"] = pd.DataFrame({
            "security": [security_label(str(t)) for t in top["ticker"]],
            "group": [labels.get(str(g), str(g)) for g in top["group"]],
            "return": [pct(v) for v in top["ret"]],
            "abnormal return": [pct(v) for v in top["ar"]],
            "contribution": [pct(v, 2, points=True) for v in top["contribution"]],
            "dollar change": [billions(v) for v in top["dollar_change"]]})
    ctx = res.context_moves()

    def series(name: str) -> str:
        """Name a series: a group's label, the built market's or an index's ("^GSPC S&P 500")."""
        if name in labels:
            return labels[name]
        if name == str(res.provenance.market) and res.provenance.market_built:
            return market_label(res)
        return security_label(name)

    if len(ctx):
        out["context"] = pd.DataFrame({
            "series": [series(str(n)) for n in ctx["series"]],
            "close before": [f"{v:,.2f}" for v in ctx["level_before"]],
            "close on day 0": [f"{v:,.2f}" for v in ctx["level_end"]],
            "day-0 move": [pct(v) for v in ctx["ret"]]})
    rec = res.recovery_table()
    rec = rec[rec["kind"].isin(["market", "group", "context"])]
    gone = rec[rec["missing"].astype(str) != ""]
    rec = rec[rec["missing"].astype(str) == ""]
    before = _day_minus_1(res, rec)
    later = [pd.notna(b) and before is not None and pd.Timestamp(b) < before
             for b in rec["base_date"]]
    # regained on day 0 without a drawdown: it never fell below the day -1 close before
    # regaining it (where it stood later is the last column), so no "0 sessions, +0.00%"
    never = [(r is True or r == 1) and pd.notna(n) and int(n) == 0
             and not (pd.notna(d) and float(d) < 0)
             for r, n, d in zip(rec["recovered"], rec["sessions"], rec["drawdown"], strict=True)]
    if len(rec):
        out["recovery"] = pd.DataFrame({
            "series": [series(str(n)) + (f" (from {_iso_date(b)}) {RECOVERY_BASE}"
                                         if moved else "")
                       for n, b, moved in zip(rec["name"], rec["base_date"], later,
                                              strict=True)],
            "regained the day -1 close": [
                ("not lost: day 0 closed above it" if held else "yes") if r is True or r == 1
                else "not regained" for r, held in zip(rec["recovered"], never, strict=True)],
            "sessions": [f"{int(v)}" if pd.notna(v) and not held else ""
                         for v, held in zip(rec["sessions"], never, strict=True)],
            "on": [_iso_date(d) if not held else ""
                   for d, held in zip(rec["date"], never, strict=True)],
            "deepest drawdown": [pct(v) if not held else "none"
                                 for v, held in zip(rec["drawdown"], never, strict=True)],
            "on (drawdown)": [_iso_date(d) if not held else ""
                              for d, held in zip(rec["drawdown_date"], never, strict=True)],
            # where each stood at the end, as the page's heading says
            "window's last session": [_iso_date(d) for d in rec["last_date"]],
            "from the day -1 close": [pct(v) for v in rec["ret_end"]]})
    note = recovery_note(rec, gone, before, later, series)
    if note:
        out["recovery_note"] = pd.DataFrame({"note": [note]})
    return out


RECOVERY_BASE = "\u00a7"  # section sign: a recovery row measured from a close before day -1


def _day_minus_1(res: EventStudyResults, rec: pd.DataFrame) -> pd.Timestamp | None:
    """Return the study's day -1 session of the recovery table's event (None without one)."""
    if not len(rec):
        return None
    ev = res.events
    day0 = pd.Timestamp(ev.loc[ev["event_id"] == rec["event_id"].iloc[0], "day0"].min())
    sessions = res.returns.index
    if day0 not in sessions:
        return None
    at = int(cast(int, sessions.get_loc(day0)))
    return pd.Timestamp(sessions[at - 1]) if at else None


def recovery_note(rec: pd.DataFrame, gone: pd.DataFrame, before: pd.Timestamp | None,
                  later: Sequence[bool], series: Callable[[str], str]) -> str:
    """Return the note under the recovery table: rows measured from another close, series left out.

    Parameters
    ----------
    rec : pandas.DataFrame
        The measured rows of :meth:`EventStudyResults.recovery_table` shown in the table.
    gone : pandas.DataFrame
        Its rows that could not be measured (column ``missing`` says why).
    before : pandas.Timestamp or None
        The study's day -1 session.
    later : sequence of bool
        Per row of ``rec``, whether it is measured from a close before ``before``.
    series : callable
        Names a series for readers.

    Returns
    -------
    str
        E.g. "\u00a7 measured from the 2025-01-23 close: Frankfurt (no close on day -1,
        2025-01-24). Not shown: Taipei (no member has a close on day 0 (2025-01-27); ...)."; ""
        when every series is measured from day -1 and none is left out.
    """
    parts = []
    moved = [f"{series(str(n))} from the {_iso_date(b)} close"
             for n, b, m in zip(rec["name"], rec["base_date"], later, strict=True) if m]
    if moved and before is not None:
        parts.append(f"{RECOVERY_BASE} not measured from the day -1 close ({_iso_date(before)}: "
                     "no close that session) but from the last close before it: "
                     + "; ".join(moved) + ".")
    if len(gone):
        parts.append("Not shown: " + "; ".join(
            f"{series(str(n))} ({why})" for n, why in zip(gone["name"], gone["missing"],
                                                         strict=True)) + ".")
    return " ".join(parts)
