"""Studies across exchanges: CAAR per market and the chart "did the shock travel, and when?".

A market is a security's exchange (from its symbol suffix: ``.T`` Tokyo, ``.DE`` Frankfurt, no
suffix New York, ...). Each security's abnormal returns are in its own event time (its own
sessions) and its own currency against its own benchmark; per market they are averaged at the same
tau, and placed on the calendar by each security's own dates, so a market whose day 0 came late
(Taipei after Lunar New Year) shows where it sits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.data.calendar import exchange_for_symbol
from eventstudy.reporting.layout import MARGIN, UNIVERSE_COLOR, group_colors
from eventstudy.reporting.legends import clear_legend

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from eventstudy.results import EventStudyResults

__all__ = ["MARKET_NAMES", "market_of", "market_table", "market_summary", "plot_markets",
           "several_markets", "side_by_side"]

#: Exchange calendar code -> the market's name in tables and charts.
MARKET_NAMES: dict[str, str] = {
    "XNYS": "New York", "XTKS": "Tokyo", "XETR": "Frankfurt", "XPAR": "Paris", "XTAI": "Taipei",
    "XLON": "London", "XAMS": "Amsterdam", "XHKG": "Hong Kong", "XKRX": "Seoul",
    "XSWX": "Zurich", "XTSE": "Toronto", "XASX": "Sydney", "XSHG": "Shanghai", "XBOM": "Mumbai",
}

#: A market-level day-0 average abnormal return below this counts as "hit" in the chart's title.
HIT = -0.02


def market_of(ticker: str) -> str:
    """Return the market (exchange calendar code) of a security from its symbol."""
    return exchange_for_symbol(ticker)


def _name(code: object) -> str:
    return MARKET_NAMES.get(str(code), str(code))


def _frame(res: EventStudyResults) -> pd.DataFrame:
    f = res.to_frame().copy()
    f["market"] = [market_of(t) for t in f["ticker"]]
    return f


def market_table(res: EventStudyResults) -> pd.DataFrame | None:
    """Return the CAAR of each market over each event window, or None with a single market.

    Returns
    -------
    pandas.DataFrame or None
        One row per (event, market, window): event_id, market (exchange code), name, n
        (securities with a CAR over the window), day0 (their day-0 dates), tau_start, tau_end,
        caar (the mean CAR, decimals) and min_car, max_car.
    """
    f = _frame(res)
    if f["market"].nunique() < 2:
        return None
    car = res.car_table().copy()
    car["market"] = [market_of(t) for t in car["ticker"]]
    day0 = (f[f["tau"] == 0].groupby(["event_id", "market"])["date"]
            .agg(lambda d: ", ".join(sorted({str(pd.Timestamp(x).date()) for x in d}))))
    order = list(dict.fromkeys(f["market"]))
    rows = []
    for key, sub in car.groupby(["event_id", "market", "tau_start", "tau_end"], sort=False):
        k = tuple(key)  # type: ignore[arg-type]
        eid, mkt, a, b = str(k[0]), str(k[1]), int(str(k[2])), int(str(k[3]))
        c = sub["car"].dropna()
        rows.append((eid, mkt, _name(mkt), len(c), day0.get((eid, mkt), ""), a, b,
                     float(c.mean()) if len(c) else np.nan,
                     float(c.min()) if len(c) else np.nan,
                     float(c.max()) if len(c) else np.nan))
    out = pd.DataFrame(rows, columns=["event_id", "market", "name", "n", "day0", "tau_start",
                                      "tau_end", "caar", "min_car", "max_car"])
    out["_o"] = out["market"].map(order.index)
    return (out.sort_values(["event_id", "tau_start", "tau_end", "_o"], kind="stable")
            .drop(columns="_o").reset_index(drop=True))


def _day0_moves(res: EventStudyResults) -> pd.DataFrame:
    """Per market: day-0 date(s) and the average day-0 abnormal return."""
    f = _frame(res)
    d0 = f[f["tau"] == 0]
    return (d0.groupby("market", sort=False)
            .agg(aar=("ar", "mean"), n=("ar", "count"),
                 date=("date", lambda d: pd.Timestamp(min(d)))))


def market_summary(res: EventStudyResults) -> str | None:
    """Return the one-sentence answer to "did the shock travel, and when?" (None: one market)."""
    moves = _day0_moves(res)
    if len(moves) < 2:
        return None
    hit = moves[moves["aar"] <= HIT]
    calm = moves[moves["aar"] > HIT]

    def part(m: pd.DataFrame) -> str:
        return ", ".join(f"{_name(k)} {v.aar:+.1%} ({v.date:%d %b})"  # type: ignore[attr-defined]
                         for k, v in m.sort_values("date").iterrows())

    first = moves["date"].min()
    text = (f"Hit on day 0 (average abnormal return below {HIT:.0%}): {part(hit) or 'none'}"
            + (f"; not hit: {part(calm)}" if len(calm) else "")
            + f". The earliest day 0 is {first:%d %b %Y}")
    late = moves[moves["date"] > first]
    if len(late):
        text += "; " + "; ".join(
            f"{_name(k)} was closed: its day 0 is {v.date:%d %b}, its first session after the "  # type: ignore[attr-defined]
            f"news (abnormal return {v.aar:+.1%} against its index)"  # type: ignore[attr-defined]
            for k, v in late.iterrows())
    return text + "."


def _title(moves: pd.DataFrame) -> str:
    hit = moves[moves["aar"] <= HIT].sort_values("aar")
    calm = moves[moves["aar"] > HIT]
    first = moves["date"].min()
    same_day = hit[hit["date"] == first]
    head = (f"The shock hit {', '.join(_name(k) for k in same_day.index)} on "
            f"{first:%d %b}" if len(same_day) else "No market fell more than 2% on day 0")
    late_hit = hit[hit["date"] > first]
    if len(late_hit):
        head += "; " + ", ".join(f"{_name(k)} on {v:%d %b}" for k, v in late_hit["date"].items())
    if len(calm):
        head += "; " + ", ".join(
            (f"{_name(k)}, first open on {v.date:%d %b}," if v.date > first  # type: ignore[attr-defined]
             else f"{_name(k)}")
            + f" only {v.aar:+.1%} against its index"  # type: ignore[attr-defined]
            for k, v in calm.iterrows())
    return head


def _gaps(aar: pd.Series) -> str:
    """Legend note for a path with days without an AR (the cumulated sum skips them)."""
    gaps = [int(t) for t in aar.index[aar.isna()]]
    if not gaps:
        return ""
    start = next((int(t) for t in aar.index[aar.notna()]), None)
    return (f"; no AR at tau {', '.join(map(str, gaps))}"
            + (f": cumulated from tau {start}" if start is not None and start > gaps[0] else ""))


def _series(res: EventStudyResults, f: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """Return the lines of the markets chart: (market, group, label, colour), in group order.

    A market holding one group is one line, named after the market; a market holding several
    (New York: US AI hardware and US power) is one line per group. Each line takes its group's
    colour (:func:`~eventstudy.reporting.layout.group_colors`), as in every chart of the report.
    """
    from eventstudy.reporting.labels import group_labels

    colors = group_colors(res.groups, res.provenance.universe)
    labels = group_labels(res)
    pairs = f[["market", "group"]].drop_duplicates()
    rank = {g: i for i, g in enumerate(res.groups)}
    pairs = pairs.assign(_r=pairs["group"].map(rank).fillna(len(rank))).sort_values("_r",
                                                                                   kind="stable")
    per_market = pairs.groupby("market")["group"].nunique()
    out = []
    for m, g in zip(pairs["market"], pairs["group"], strict=True):
        name, glabel = _name(m), labels.get(str(g), str(g))
        label = name if per_market[m] == 1 and glabel == name else f"{name}: {glabel}"
        out.append((str(m), str(g), label, colors.get(str(g), UNIVERSE_COLOR)))
    return out


def several_markets(res: EventStudyResults) -> bool:
    """Whether the securities of ``res`` trade on more than one exchange (the markets chart)."""
    return len({market_of(t) for t in dict.fromkeys(res.events["ticker"])}) > 1


def plot_markets(res: EventStudyResults, fig: Figure | None = None) -> Figure | None:
    """Chart the CAAR by market in event time and the day-0 move by market on the calendar.

    Left: the CAAR path of each market over the widest event window (each security on its own
    sessions, averaged at the same tau). Right: each market's average abnormal return on each
    calendar date of the event windows, day 0 marked, so a market whose day 0 came later shows
    when it moved. The title states the finding.

    Parameters
    ----------
    res : EventStudyResults
    fig : matplotlib Figure, optional
        Empty figure to draw on (the report's page, laid out by its engine); a new 12 x 5.2 inch
        figure, laid out here, when omitted.

    Returns
    -------
    matplotlib.figure.Figure or None
        None when the study has a single market.
    """
    f = _frame(res)
    if f["market"].nunique() < 2:
        return None
    import matplotlib.pyplot as plt

    moves = _day0_moves(res)
    series = _series(res, f)
    own = fig is None
    grid: dict[str, object] = {"width_ratios": [1, 1.3]}
    if fig is None:
        fig = plt.figure(figsize=(12, 5.2))
    else:  # a report page: fixed margins within its header and footer, no layout engine
        if fig.get_layout_engine() is not None:  # none at all on the report's page
            fig.set_layout_engine("none")
        w = fig.get_size_inches()[0]
        grid.update(left=(MARGIN + 0.65) / w, right=1 - MARGIN / w, top=0.85, bottom=0.17,
                    wspace=0.2)
    left, right = fig.subplots(1, 2, gridspec_kw=grid)
    lo = int(f["tau"].min())
    for m, g, label, color in series:
        sub = f[(f["market"] == m) & (f["group"] == g)]
        aar = sub.groupby("tau")["ar"].mean().sort_index()
        left.plot(aar.index, aar.cumsum().to_numpy() * 100, marker="o", ms=3, lw=1.8,
                  color=color, label=f"{label} (N={sub['ticker'].nunique()}{_gaps(aar)})")
    left.axvline(0, color="0.4", ls="--", lw=1)
    left.axhline(0, color="0.6", lw=0.8)
    left.set_xlabel("tau (sessions of each security's own exchange; 0 = its day 0)")
    left.set_ylabel(f"CAAR (%) from tau {lo}")
    left.set_title("CAAR by market in event time", fontsize=10)
    left.grid(alpha=0.3)

    cal = (f.assign(date=pd.to_datetime(f["date"])).groupby(["market", "group", "date"])["ar"]
           .mean())
    dates = sorted(cal.index.get_level_values("date").unique())
    pos = {d: i for i, d in enumerate(dates)}
    width = 0.8 / len(series)
    for k, (m, g, label, color) in enumerate(series):
        s = cal.loc[(m, g)]
        x = np.array([pos[d] for d in s.index]) - 0.4 + width * (k + 0.5)
        right.bar(x, s.to_numpy() * 100, width=width, color=color, label=label)
        d0 = pd.Timestamp(str(moves.loc[m, "date"]))
        right.plot([pos[d0] - 0.4 + width * (k + 0.5)], [float(s.get(d0, 0.0)) * 100 - 0.6],
                   marker="^", color=color, ms=6)
    right.axhline(0, color="0.6", lw=0.8)
    right.set_xticks(range(len(dates)))
    right.set_xticklabels([f"{d:%d %b}" for d in dates], rotation=60, fontsize=7)
    right.set_xlabel("calendar date (triangle: the market's day 0)")
    right.set_ylabel("average abnormal return (%)")
    right.set_title("When each market moved: average AR by calendar date", fontsize=10)
    right.grid(alpha=0.3, axis="y")
    # on a report page, below its header and above its footer
    x0 = 0.01 if own else MARGIN / fig.get_size_inches()[0]
    fig.suptitle(_title(moves), fontsize=11, fontweight="bold", x=x0, ha="left",
                 **({} if own else {"y": 0.935}))
    fig.supxlabel("Abnormal returns in each security's own currency against its own benchmark "
                  f"({res.model_name} model); markets from the symbol suffix.", fontsize=7.5,
                  color="0.35", x=x0, ha="left", **({} if own else {"y": 0.04}))
    if own:
        fig.tight_layout(rect=(0, 0.0, 1, 0.97))
    # placed on the laid-out axes, where it covers no market's line
    clear_legend(left, fontsize=8, frameon=False)
    return fig


def side_by_side(res: EventStudyResults, first: str, second: str,
                 event_id: str | None = None) -> pd.DataFrame:
    """Return two listings of one company (an ADR and its home line) on one calendar.

    Parameters
    ----------
    res : EventStudyResults
    first, second : str
        Tickers of the study, e.g. ``"TSM"`` and ``"2330.TW"``.
    event_id : str, optional
        The event (default: the first one holding both).

    Returns
    -------
    pandas.DataFrame
        One row per calendar date either traded in the event window (sorted): date, then per
        ticker its tau, return and abnormal return (``tau_TSM``, ``ret_TSM``, ``ar_TSM``, ...;
        NaN on dates its exchange was closed).

    Raises
    ------
    KeyError
        When a ticker is not in an event of the study.
    """
    f = res.to_frame()
    if event_id is None:
        both = f.groupby("event_id")["ticker"].agg(lambda t: {first, second} <= set(t))
        if not both.any():
            raise KeyError(f"no event of the study holds both {first} and {second}")
        event_id = str(both.index[both.to_numpy()][0])
    parts = []
    for t in (first, second):
        sub = f[(f["event_id"] == event_id) & (f["ticker"] == t)]
        if sub.empty:
            raise KeyError(f"{t} is not in event {event_id}")
        parts.append(sub.assign(date=pd.to_datetime(sub["date"])).set_index("date")
                     [["tau", "ret", "ar"]].add_suffix(f"_{t}"))
    return pd.concat(parts, axis=1, sort=True).rename_axis("date").reset_index()
