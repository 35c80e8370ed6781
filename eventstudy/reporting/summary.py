"""Summary tables: the headline CAAR table and the statsmodels ``Summary`` of a results object."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from statsmodels.iolib.summary2 import Summary

    from eventstudy.results import EventStudyResults

__all__ = ["headline_table", "settings_table", "build_summary", "stars"]


def stars(p: float) -> str:
    """Return significance stars: *** p < 0.01, ** p < 0.05, * p < 0.10."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""


def _window_label(t1: int, t2: int) -> str:
    return f"CAAR[{t1:+d},{t2:+d}]" if (t1, t2) != (0, 0) else "AAR[0]"


def headline_table(res: EventStudyResults) -> pd.DataFrame:
    """Return the headline table: one row per group, one column per event window.

    Cells read "-12.34% ***" (CAAR in percent, cross-sectional t-test stars: *** p < 0.01,
    ** p < 0.05, * p < 0.10); column ``N`` gives the security-events of the group.
    """
    t = res.caar_table()
    out = pd.DataFrame(index=pd.Index(res.groups, name="group"))
    out["N"] = t.groupby("group")["n"].max().reindex(out.index).astype(int)
    for (t1, t2), sub in t.groupby(["tau_start", "tau_end"], sort=False):
        sub = sub.set_index("group").reindex(out.index)
        out[_window_label(t1, t2)] = [
            f"{c * 100:+.2f}% {stars(p)}".rstrip() if np.isfinite(c) else "n/a"
            for c, p in zip(sub["caar"], sub["p_value"], strict=True)
        ]
    return out


def settings_table(res: EventStudyResults) -> list[tuple[str, str]]:
    """Return (label, value) pairs describing what ran and on which data."""
    md = res.metadata
    ev = res.study.events
    events = ", ".join(
        f"{e} ({d.date()})" for e, d in ev.groupby("event_id", sort=False)["date"].first().items()
    )
    shifted = "; ".join(
        f"{r.event_id}: {r.date} -> {r.anchored_date}" for r in res.shifted.itertuples()
    )
    rows = [
        ("Study", str(md.get("title") or md.get("study", ""))),
        ("Events", events),
        ("Model", f"{res.model_name} (OLS)" if res.model_name == "market" else res.model_name),
        ("Market", str(md.get("market", "given"))),
        ("Estimation window", f"[{res.estimation_window[0]}, {res.estimation_window[1]}] sessions"),
        ("Event windows", ", ".join(f"[{a},{b}]" for a, b in res.event_windows)),
        ("Security-events", f"{len(res.events)} fitted, {len(res.dropped)} skipped"),
        ("Returns", f"{md.get('returns', 'simple')}, decimals"),
        ("Data", f"{md.get('source', 'user-supplied')}, vintage {md.get('vintage', 'n/a')}, "
                 f"adjusted: {str(md.get('adjusted', 'n/a')).lower()}"),
    ]
    if shifted:
        rows.append(("Shifted event dates", shifted))
    return rows


def build_summary(res: EventStudyResults) -> Summary:
    """Build the statsmodels ``Summary`` shown by ``print(res)`` and in Jupyter."""
    from statsmodels.iolib.summary2 import Summary

    smry = Summary()
    smry.add_title(f"Event study: {res.metadata.get('title') or res.metadata.get('study', '')}")
    settings = pd.DataFrame(settings_table(res))
    smry.add_df(settings, index=False, header=False)
    smry.add_df(headline_table(res).reset_index(), index=False, header=True)
    smry.add_text(
        "CAAR: mean cumulative abnormal return, cross-sectional t test; "
        "*** p<0.01, ** p<0.05, * p<0.10."
    )
    return smry
