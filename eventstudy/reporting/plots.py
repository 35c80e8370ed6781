"""Charts of a results object (matplotlib, imported only when a chart is drawn).

Charts are for readers: the title states the finding in words and numbers read from the results
(the same values as the tables), a smaller subtitle gives the method; returns are in percent.
Groups and securities carry the names readers know (:mod:`eventstudy.reporting.labels`). Colours
are distinct hues of the Okabe-Ito colour-blind-safe palette (the universe in grey); the heatmap's
diverging ``RdBu`` map shows losses red (warm) and gains blue (cool). Every function draws on a
given ``ax`` (``fig`` for the small multiples), creates a figure only when none is given, and
returns the Figure.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from eventstudy.reporting.layout import MARGIN, PALETTE, UNIVERSE_COLOR, group_colors
from eventstudy.reporting.legends import clear_legend

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eventstudy.results import EventStudyResults

__all__ = [
    "plot_caar", "plot_ar", "plot_car", "plot_car_grid", "plot_ar_heatmap", "plot_ar_distribution",
    "plot_normalized_prices", "normalized_prices", "named_groups", "PALETTE",
    "plot_index_contributions", "caar_title",
]

TAU_LABEL = "Event day tau (trading sessions relative to day 0)"
MAX_SECURITIES = 36  # small multiples and heatmap rows beyond this are unreadable on one page


def _import_mpl() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a runtime dependency
        raise ImportError("plotting needs matplotlib: pip install matplotlib") from exc
    return plt


def _fig_ax(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    plt = _import_mpl()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax  # type: ignore[return-value]  # a Figure unless drawn in a SubFigure


def _legend(ax: Axes, **kwargs: Any) -> None:
    """Draw the legend only when something is labelled (an empty group draws no line)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kwargs)


def named_groups(res: EventStudyResults) -> list[str]:
    """Return the groups named in the study (the universe group left out when there are others)."""
    universe = res.provenance.universe
    named = [g for g in res.groups if g != universe]
    return named or res.groups


def _group_colors(res: EventStudyResults) -> dict[str, str]:
    """Return each group's one colour in every chart (:func:`.layout.group_colors`)."""
    return group_colors(res.groups, res.provenance.universe)


def _labels(res: EventStudyResults) -> dict[str, str]:
    from eventstudy.reporting.labels import group_labels

    return group_labels(res)


def _titles(ax: Axes, title: str, subtitle: str) -> None:
    """Set the finding as the title (bold, left) and the method as a small grey subtitle under it.

    Both are wrapped to the axes' width; blank title lines leave room for the subtitle.
    """
    import textwrap

    fig = ax.figure
    width = ax.get_position().width * fig.get_size_inches()[0]  # type: ignore[union-attr]
    t_lines = textwrap.wrap(title, max(int(width * 72 / (11 * 0.6)), 30))
    s_lines = textwrap.wrap(subtitle, max(int(width * 72 / (8 * 0.56)), 40))
    room = math.ceil(len(s_lines) * 8 / 11) + 1
    # y=1.0 is where matplotlib's automatic placement puts the title (its 6-point pad clears the
    # descent, x tick labels are at the bottom, and no y axis here shows an offset text: they span
    # 0, name categories or, indexed prices, span more than the 0.05 points an offset needs),
    # given explicitly: the automatic placement measured the y axis at each layout pass and draw
    ax.set_title("\n".join(t_lines) + "\n" * room, loc="left", fontsize=11, fontweight="bold",
                 y=1.0)
    ax.text(0, 1.015, "\n".join(s_lines), transform=ax.transAxes, fontsize=8, color="0.3",
            va="bottom", ha="left")


def _fig_titles(fig: Figure, title: str, subtitle: str, top: float) -> float:
    """Write a figure's title and subtitle from ``top`` inches; return where they end (inches)."""
    import textwrap

    w, h = fig.get_size_inches()
    # wrapped to the width between the margins (bold DejaVu Sans: about 0.66 em a character)
    heads = textwrap.wrap(title, max(int((w - 2 * MARGIN) * 72 / (11 * 0.66)), 20))
    fig.text(MARGIN / w, 1 - top / h, "\n".join(heads), fontsize=11, fontweight="bold",
             ha="left", va="top")
    top += 0.25 + (len(heads) - 1) * 11 * 1.2 / 72
    lines = textwrap.wrap(subtitle, max(int((w - 2 * MARGIN) * 72 / (8 * 0.56)), 40))
    fig.text(MARGIN / w, 1 - top / h, "\n".join(lines), fontsize=8, color="0.3", ha="left",
             va="top")
    return top + len(lines) * 8 * 1.25 / 72


def _pct(x: float, digits: int = 1) -> str:
    return f"{x * 100:+.{digits}f}%".replace("-", "\u2212")


def _first_window_headline(res: EventStudyResults) -> pd.DataFrame:
    """Return the headline rows (group, caar, p_value) of the first window and event unit."""
    h = res.headline()
    t1, t2 = res.event_windows[0]
    h = h[(h["tau_start"] == t1) & (h["tau_end"] == t2)]
    if "event_id" in h and h["event_id"].nunique() > 1:
        h = h[h["event_id"] == h["event_id"].iloc[0]]
    return h.set_index("group")


def _named_securities(res: EventStudyResults, tickers: list[str] | None) -> list[tuple[str, str]]:
    """(event_id, ticker) of the named securities in group order, at most MAX_SECURITIES."""
    ev = res.events
    if tickers is None:
        order: list[str] = []
        for g in named_groups(res):
            order += [t for t in res.spec.groups[g] if t not in order]
    else:
        order = list(dict.fromkeys(tickers))
    from eventstudy.reporting.labels import event_order

    rank = {t: i for i, t in enumerate(order)}
    when = {e: i for i, e in enumerate(event_order(res))}  # a security's events by date
    sub = ev[ev["ticker"].isin(rank)].copy()
    sub["_rank"] = sub["ticker"].map(rank)
    sub["_when"] = sub["event_id"].astype(str).map(when)
    sub = sub.sort_values(["_rank", "_when"], kind="stable")
    keys = list(zip(sub["event_id"], sub["ticker"], strict=True))
    if len(keys) > MAX_SECURITIES:  # keep the largest day-0 moves, in group order
        tau0 = 0 if 0 in res.ar.index else int(res.ar.index[0])
        # pandas-stubs has no overload for (row label, list of column tuples)
        size = res.ar.loc[tau0, keys].abs().fillna(-1.0).to_numpy()  # type: ignore[index]
        keep = set(np.argsort(-size, kind="stable")[:MAX_SECURITIES].tolist())
        keys = [k for i, k in enumerate(keys) if i in keep]
    return keys


def _of(keys: list[tuple[str, str]], res: EventStudyResults) -> str:
    """Title note when only part of the named security-events is shown."""
    n = int(res.events["ticker"].isin(
        {t for g in named_groups(res) for t in res.spec.groups[g]}).sum())
    return f" ({len(keys)} largest |AR(0)| of {n})" if len(keys) < n else ""


def _label(key: tuple[str, str], multi: bool) -> str:
    from eventstudy.reporting.labels import security_label

    return f"{security_label(key[1])}\n({key[0]})" if multi else security_label(key[1])


def _day(tau: int) -> str:
    return "0" if tau == 0 else f"{tau:+d}"


def _spanning_marks(res: EventStudyResults) -> tuple[set[tuple[str, str, int]], str]:
    """Return the (event_id, ticker, tau) of returns spanning sessions and the caption's clause.

    From :func:`eventstudy.reporting.summary.spanning_returns` (deepseek_global: ENR.DE's day 0
    runs from the close of 23 January); the chart marks each with
    :data:`~eventstudy.reporting.summary.SPANNING`, as the headline table marks its cells.
    """
    from eventstudy.reporting.labels import security_label
    from eventstudy.reporting.summary import SPANNING, spanning_returns

    spans = spanning_returns(res)
    if not len(spans):
        return set(), ""
    keys = {(str(e), str(t), int(tau)) for e, t, tau in
            zip(spans["event_id"], spans["ticker"], spans["tau"], strict=True)}
    first = spans.iloc[0]
    since = pd.Timestamp(str(first["since"]))
    clause = (f"{SPANNING}: a return over more than one session "
              f"({security_label(str(first['ticker']))}: from the "
              f"{since.day} {since.strftime('%B')} close"
              + (f", and {len(spans) - 1} more" if len(spans) > 1 else "") + ")")
    return keys, clause


def _event_when(res: EventStudyResults, event_id: str, date: object, tau: int) -> str:
    """Return "27 February 2025 (day 0 of q4_fy25)": a day of one event of several, in words."""
    d = pd.Timestamp(str(date))
    return f"{d.day} {d.strftime('%B %Y')} (day {_day(tau)} of {event_id})".replace("-", "\u2212")


def cumulated_from(res: EventStudyResults) -> str:
    """Return the note under a CAR or CAAR path: where it is cumulated from.

    Paths sum ARs from the first tau of the widest event window, so their value at tau equals the
    CAR over [first tau, tau], not the window CARs of car.csv and caar.csv that start elsewhere.
    """
    t0 = int(res.car.index[0])
    return (f"cumulated from tau {_day(t0)}, the first day of the widest event window "
            f"(window values in car.csv and caar.csv start at their own first day)")


def _top_label(ax: Axes, x: float, text: str, *, right: bool = False, **kw: Any) -> Any:
    """Write ``text`` at the top of ``ax`` at data ``x``, inside the frame at any figure size.

    The label is fitted when drawn (:class:`_InsideLabel`): wrapped to the room between ``x``
    and the frame on its side (the other side when that has more), a few points below the top
    frame, and below the labels written before it, so labels touch neither the frame nor each
    other.
    """
    from matplotlib.text import Annotation

    class _InsideLabel(Annotation):
        def draw(self, renderer: Any) -> None:
            _fit_label(self, renderer)
            super().draw(renderer)

    label = _InsideLabel(text, xy=(x, 1.0), xycoords=ax.get_xaxis_transform(),
                         xytext=(0, 0), textcoords="offset points", va="top",
                         ha="right" if right else "left", annotation_clip=False, **kw)
    label.set_in_layout(False)  # inside the axes: never widens the layout
    label._full_text = text  # type: ignore[attr-defined]  # wrapped anew at each draw
    label._right = right  # type: ignore[attr-defined]
    ax.add_artist(label)
    if "_top_labels" not in ax.__dict__:
        ax.add_artist(_headroom())
    ax.__dict__.setdefault("_top_labels", []).append(label)
    return label


def _headroom() -> Any:
    """Return an artist that, drawn first, raises the y limit so no data reaches the top labels.

    The labels are fitted at each draw (wrapped, stacked: :func:`_fit_label`), so the band they
    take is known only then: this artist fits them, measures the band and extends the top of the
    y range by it (deepseek_r1_release: the Power line crossed "other news" at the top), before
    any line is drawn.
    """
    from matplotlib.artist import Artist

    class _Headroom(Artist):
        def draw(self, renderer: Any) -> None:
            ax = self.axes
            labels = ax.__dict__.get("_top_labels", []) if ax is not None else []
            if not labels or ax is None:
                return
            for label in labels:
                _fit_label(label, renderer)
            frame = ax.get_window_extent(renderer)
            low = min(t.get_window_extent(renderer).y0 for t in labels)
            # a clear strip under the lowest label: its box's pad, a line's width, a gap
            f = (frame.y1 - low + 2 * LABEL_PAD * renderer.points_to_pixels(1.0)) / frame.height
            data = ax.dataLim
            lo, hi = ax.get_ylim()
            if not (0 < f < 0.5) or not np.isfinite(data.y1) or data.y1 < lo:
                return
            top = max(float(data.y1), lo)  # the highest data point below (1 - f) of the axes
            need = lo + (top - lo) / (1 - f)
            if need > hi:
                ax.set_ylim(lo, need)

    art = _Headroom()
    art.set_zorder(-1e9)  # drawn before every other artist of the axes
    art.set_in_layout(False)
    return art


LABEL_PAD = 3.0  # points between a top label and the frame, and between two labels


def _fit_label(label: Any, renderer: Any) -> None:
    """Wrap, side and stack one top label (see :func:`_top_label`) for this draw."""
    import textwrap

    ax = label.axes
    box = ax.get_window_extent(renderer)
    px = renderer.points_to_pixels(1.0)
    x = ax.get_xaxis_transform().transform((label.xy[0], 1.0))[0]
    rooms = {False: box.x1 - x, True: x - box.x0}
    right = label._right if rooms[label._right] >= box.width / 3 else \
        max(rooms, key=lambda k: rooms[k])
    room = rooms[right] - 2 * LABEL_PAD * px
    label.set_ha("right" if right else "left")
    text = label._full_text.strip()
    for chars in range(len(text), 5, -1):
        label.set_text("\n".join(textwrap.wrap(text, chars)))
        if label.get_window_extent(renderer).width <= room:
            break
    above = ax.__dict__.get("_top_labels", [])
    drop = LABEL_PAD
    for other in above[: above.index(label)]:
        drop += other.get_window_extent(renderer).height / px + LABEL_PAD
    label.xyann = ((-LABEL_PAD if right else LABEL_PAD), -drop)


def _mark_day0(ax: Axes, *, horizontal_zero: bool = True, date: str = "") -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # tau: sessions
    ax.axvline(0, color="0.3", lw=0.8, ls="--")
    if date:  # "day 0" alone when the day 0s differ by security (event_date_text)
        _top_label(ax, 0, "day 0" if date == "day 0" else f"day 0: {date}", fontsize=7.5,
                   color="0.25")
    if horizontal_zero:
        ax.axhline(0, color="0.3", lw=0.6)


def _mark_confounders(ax: Axes, res: EventStudyResults) -> None:
    """Mark each confounder inside the plotted event windows: a dotted line at its tau, labelled.

    A reader of a path that drops inside the window sees which other news it mixes in
    (``confounders:``; :attr:`EventStudyResults.confounders`).
    """
    found = res.confounders
    if not len(found):
        return
    lo, hi = float(res.car.index[0]), float(res.car.index[-1])
    marks = found[["tau", "date", "label"]].drop_duplicates().sort_values("tau")
    for tau, date, label in marks.itertuples(index=False, name=None):
        at = float(tau)
        if not lo <= at <= hi:
            continue
        ax.axvline(at, color="0.45", lw=0.9, ls=":")
        when = pd.Timestamp(date)
        text = f"other news, {when.day} {when.strftime('%b')}: {label}"
        _top_label(ax, at, re.sub(r"(?<![\w])-(?=\d)", "\u2212", text),  # minus signs only
                   right=at > (lo + hi) / 2, fontsize=7, color="0.25",  # the side with room
                   bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1})


def caar_title(res: EventStudyResults) -> str:
    """Return the finding of the headline window in words: which groups moved, by how much.

    Groups whose headline test gives p < 0.10 in the first event window are named with their CAAR
    (the values of the headline table, rounded to 0.1 point); the universe group is left out when
    there are named groups. Groups are the subject as labelled ("Power, AI hardware and ETFs
    fell ..."): a label may already name securities (ETFs, Chip peers), so no noun is added.
    """
    from eventstudy.reporting.labels import event_date_text

    h = _first_window_headline(res)
    caar = {str(g): float(v) for g, v in h["caar"].items()}
    pval = {str(g): float(v) for g, v in h["p_value"].items()}
    labels = _labels(res)
    named = [g for g in named_groups(res) if g in caar]
    t1, t2 = res.event_windows[0]
    when = (f"on {event_date_text(res)}" if (t1, t2) == (0, 0)
            else f"over sessions {_day(t1)} to {_day(t2)}")
    sig = [g for g in named if pval[g] < 0.10]
    if not sig:
        if not named:
            return f"No group moved beyond the market {when}"
        g = max(named, key=lambda x: abs(caar[x]))
        # the group as labelled, mid-sentence too ("largest: Power +3.2%", not "power")
        return (f"No group moved significantly beyond the market {when} (largest: "
                f"{labels[g]} {_pct(caar[g])})")
    sig.sort(key=lambda g: caar[g])
    parts = []
    for gs, verb in (([g for g in sig if caar[g] < 0], "fell"),
                     ([g for g in sig if caar[g] >= 0], "rose")):
        if gs:
            names = [labels[g] for g in gs]
            nums = [f"{abs(caar[g]) * 100:.1f}%" for g in gs]
            # the groups as labelled, no noun added: "ETFs stocks", "Chip peers stocks"
            parts.append(f"{_and(names)} {verb} {_and(nums)}")
    text = "; ".join(parts) + f" beyond the market {when}"
    return text[:1].upper() + text[1:]


def _and(items: list[str]) -> str:
    """Join "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _no_path_note(res: EventStudyResults) -> str:
    """Legend note of a group with members but no complete CAAR path from the first tau.

    With several markets the markets chart does draw the group's market, cumulated from its first
    abnormal return: the note says so, so the two pages do not seem to disagree.
    """
    from eventstudy.reporting.markets import several_markets

    note = (f": no line, a return missing at tau {_day(int(res.car.index[0]))}"
            " (window values in car.csv")
    if several_markets(res):
        note += "; the markets chart cumulates from its first abnormal return"
    return note + ")"


def plot_caar(
    res: EventStudyResults, ax: Axes | None = None, *, ci: float = 0.90,
    groups: list[str] | None = None, highlight: list[str] | None = None,
) -> Figure:
    """Plot the CAAR path of each group over the widest event window.

    Parameters
    ----------
    res : EventStudyResults
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is created when omitted.
    ci : float, default 0.90
        Band coverage (cross-sectional t band, see :meth:`EventStudyResults.caar_path`),
        widened for cross-correlation (Kolari and Pynnonen 2010) when the headline test is
        theirs, so that the band and the headline's stars tell the same story. The default
        matches the title, which names the groups significant at 10% (one star).
    groups : list of str, optional
        Groups to draw (default: all).
    highlight : list of str, optional
        Groups drawn with their band (default: the named groups significant at 1 - ``ci`` in
        the first event window by the headline test, so that a shaded group is one whose band's
        level it passes); the others are thin lines, so bands never overlap into an unreadable
        blur.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from eventstudy.reporting.labels import event_date_text
    from eventstudy.reporting.summary import band_widened, caar_band, tau_range

    fig, ax = _fig_ax(ax, (8, 4.8))
    path = res.caar_path(ci=ci, cross_correlation=band_widened(res))
    colors = _group_colors(res)
    labels = _labels(res)
    if highlight is None:
        h = _first_window_headline(res)
        pval = {str(g): float(v) for g, v in h["p_value"].items()}
        highlight = [g for g in named_groups(res) if pval.get(g, 1.0) < 1.0 - ci]
    units = list(dict.fromkeys(path["event_id"]))
    styles = ["-", "--", ":", "-."]
    for k, e in enumerate(units):
        for g in groups or res.groups:
            sub = path[(path["group"] == g) & (path["event_id"] == e)]
            n = int(sub["n"].max()) if len(sub) else 0
            label = f"{labels[g]} (N={n})" if len(units) == 1 else f"{e}: {labels[g]} (N={n})"
            if n == 0 and res.spec.groups.get(g):  # members, but no complete path
                label += _no_path_note(res)
            strong = g in highlight
            ax.plot(sub["tau"], sub["caar"] * 100, color=colors[g], lw=2.2 if strong else 1.2,
                    ls=styles[k % len(styles)], label=label, alpha=1.0 if strong else 0.8)
            if strong:
                ax.fill_between(sub["tau"], sub["lower"] * 100, sub["upper"] * 100,
                                color=colors[g], alpha=0.13, lw=0)
    _mark_day0(ax, date=event_date_text(res))
    _mark_confounders(ax, res)
    ax.set_xlabel(TAU_LABEL)
    ax.set_ylabel(f"CAAR (%) from tau {_day(int(res.car.index[0]))}")
    shaded = ("shaded: " + caar_band(res, ci)  # one wording with summary.html's caption
              + f", for the groups the headline test finds significant at {1 - ci:.0%}: "
              + ", ".join(labels[g] for g in highlight) if highlight
              else f"no band: no group significant at {1 - ci:.0%} by the headline test in the "
              f"first event window, {tau_range(*res.event_windows[0])}")
    _titles(ax, caar_title(res),
            f"Cumulative average abnormal return by group ({res.model_name} model; {shaded}). "
            f"Title: CAAR of the first event window, as in the headline table; the lines are "
            f"{cumulated_from(res)}")
    clear_legend(ax, band="lower", fontsize=8, frameon=False)  # the top holds the labels
    ax.grid(alpha=0.3)
    return fig


def _raw(res: EventStudyResults) -> pd.DataFrame:
    """Raw returns (percent) by tau, one column per (event_id, ticker), as in ``to_frame``."""
    f = res.to_frame()
    return f.pivot_table(index="tau", columns=["event_id", "ticker"], values="ret",
                         aggfunc="first") * 100


def plot_ar(res: EventStudyResults, ax: Axes | None = None, *, tau: int = 0) -> Figure:
    """Plot AR(tau) of the securities of the named groups as a sorted bar chart, raw return beside.

    Bars are coloured by group; a solid bar is significant at 5%, a hatched pale one is not (AR t
    test with the forecast-error-corrected variance, MacKinlay 1997); stars give the level. A
    black diamond marks each security's raw return, so readers see both numbers.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.transforms import blended_transform_factory

    from eventstudy.reporting.labels import event_date_text, security_label
    from eventstudy.reporting.summary import SPANNING, stars

    frame = res.to_frame()
    groups = named_groups(res)
    labels_g = _labels(res)
    sub = frame[(frame["tau"] == tau) & frame["group"].isin(groups)].sort_values("ar")
    note = ""
    if len(sub) > MAX_SECURITIES:
        half = MAX_SECURITIES // 2
        note = f" (the {half} lowest and {half} highest of {len(sub)})"
        sub = pd.concat([sub.head(half), sub.tail(half)])
    multi = sub["event_id"].nunique() > 1
    labels = [_label((e, t), multi).replace("\n", " ")
              for e, t in zip(sub["event_id"], sub["ticker"], strict=True)]
    fig, ax = _fig_ax(ax, (8, max(3.5, 0.22 * len(sub) + 1.5)))
    colors = _group_colors(res)
    y = np.arange(len(sub))
    vals = sub["ar"].to_numpy() * 100
    raw = sub["ret"].to_numpy() * 100
    # the AR's stars in a column right of the plot, one per row: beside the bars they sat next
    # to the raw-return diamond whenever it lay beyond the bar, and read as the raw return's
    column = blended_transform_factory(ax.transAxes, ax.transData)
    spans, span_note = _spanning_marks(res)
    for yi, (v, g, p, e, t) in enumerate(zip(vals, sub["group"], sub["p_value"], sub["event_id"],
                                             sub["ticker"], strict=True)):
        sig = bool(p < 0.05)
        ax.barh(y[yi], v, color=colors[g], hatch=None if sig else "///",
                edgecolor="white" if sig else colors[g], alpha=1.0 if sig else 0.45, height=0.7)
        # the headline's mark of a return over several sessions, beside the AR's stars
        mark = stars(p) + (SPANNING if (str(e), str(t), tau) in spans else "")
        if np.isfinite(v) and mark:
            ax.text(1.01, y[yi], mark, transform=column, va="center", ha="left",
                    fontsize=7, clip_on=False)
    if len(sub):
        ax.text(1.01, y[-1] + 0.75, "AR", transform=column, va="bottom", ha="left", fontsize=7,
                weight="bold", clip_on=False)
    ax.plot(raw, y, "D", color="black", ms=3.5, zorder=3)
    ax.set_yticks(y, labels, fontsize=7)
    ax.margins(x=0.12)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xlabel(f"Return on day {_day(tau)} (%)")
    ax.set_ylabel("Security")
    when = event_date_text(res) if tau == 0 else f"day {_day(tau)}"
    if len(sub):
        worst = sub.iloc[0]
        # one security-event of several events: its event and date ("SMCI fell ... on 27
        # February 2025 (day 0 of q4_fy25)", not "on day 0")
        on = (_event_when(res, str(worst["event_id"]), worst["date"], tau)
              if res.events["event_id"].nunique() > 1 else when)
        title = (f"{security_label(str(worst['ticker']))} fell {abs(worst['ret']) * 100:.1f}% on "
                 f"{on}, {abs(worst['ar']) * 100:.1f}% beyond what the market explains"
                 if worst["ar"] < 0 and worst["ret"] < 0 else
                 f"Abnormal returns of the named securities on {when}")
    else:
        title = f"Abnormal returns on {when}"
    _titles(ax, f"{title}{note}",
            "Abnormal return on day " + _day(tau) + " of the named securities (bars, "
            f"{res.model_name} model) and raw return (diamonds); solid: p < 0.05, hatched: not "
            "significant at 5%; stars in the AR column at the right: *** p<0.01, ** p<0.05, "
            "* p<0.10"
            + (f"; {span_note}" if span_note else ""))
    handles: list[Any] = [Patch(color=colors[g], label=labels_g[g]) for g in groups]
    handles.append(Line2D([], [], marker="D", color="black", ls="", ms=4, label="raw return"))
    # where it covers least: lower right when some bars are gains, upper left when every
    # security fell (the bars then reach the zero line at the right, deepseek_global)
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="best")
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_car(
    res: EventStudyResults, ax: Axes | None = None, *, tickers: list[str] | None = None
) -> Figure:
    """Plot the CAR path of securities on one axes (default: those of the first named group).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from eventstudy.reporting.labels import event_date_text

    fig, ax = _fig_ax(ax, (8, 4.8))
    car = res.car
    if tickers is None:
        tickers = list(res.spec.groups[named_groups(res)[0]])
    columns = cast("list[tuple[str, str]]", list(car.columns))  # (event_id, ticker)
    shown = [c for c in columns if c[1] in set(tickers)]
    multi = len({c[0] for c in shown}) > 1
    for i, c in enumerate(shown):
        ax.plot(car.index, car[c] * 100, color=PALETTE[i % len(PALETTE)],
                ls=["-", "--", ":", "-."][(i // len(PALETTE)) % 4], lw=1.4,
                label=_label(c, multi).replace("\n", " "))
    _mark_day0(ax, date=event_date_text(res))
    ax.set_xlabel(TAU_LABEL)
    ax.set_ylabel(f"CAR (%) from tau {_day(int(car.index[0]))}")
    _titles(ax, "Cumulative abnormal return by security", cumulated_from(res).capitalize())
    _legend(ax, fontsize=7, frameon=False, ncol=2)
    ax.grid(alpha=0.3)
    return fig


PANEL_FONT = 7  # points: the small multiples' panel titles


def tau0_of(res: EventStudyResults) -> int:
    """Day 0, or the first tau when the event windows start after it."""
    return 0 if 0 in res.ar.index else int(res.ar.index[0])


def _panel_title(key: tuple[str, str], multi: bool, ar0: float, r0: float, width: float,
                 note: str = "", mark: str = "") -> str:
    """Return a small multiple's title, wrapped to the panel's ``width`` (inches).

    Lines: the security (and its event), then the day-0 AR and raw return (percent), then
    ``note`` (where the CAR line starts when not at the first tau), each line cut at the words;
    ``mark`` follows the day-0 AR (:data:`~eventstudy.reporting.summary.SPANNING` for a return
    over more than one session, as the headline marks it),
    so that it fits the panel (a digit of DejaVu Sans is 0.64 em wide; 0.66 is used), so a title
    never runs into the next panel's.
    """
    import textwrap

    chars = max(int(width * 72 / (PANEL_FONT * 0.66)), 8)
    stats = f"day 0: AR {ar0:+.1f}%{mark}, raw {r0:+.1f}%".replace("-", "\u2212")
    lines = [*_label(key, multi).split("\n"), *([stats] if len(stats) <= chars else
                                                  stats.split(", ")), *([note] if note else [])]
    return "\n".join(part for line in lines for part in textwrap.wrap(line, chars))


def _late_paths(res: EventStudyResults, keys: list[tuple[str, str]]
                ) -> dict[tuple[str, str], tuple[pd.Series, str]]:
    """CAR paths of the security-events without an AR on the first tau, cumulated from their first.

    The CAR from the first tau is NaN throughout when that day's return is missing (deepseek_global:
    ENR.DE has no close on 24 January, tau -1); as the markets chart does, the path is cumulated
    from the first abnormal return, and the note says so. Returns percent paths by tau and the
    panel's note ("CAR from tau 0: no return at tau -1").
    """
    out = {}
    t0 = int(res.car.index[0])
    for key in keys:
        ar = res.ar[key]
        if np.isfinite(ar.loc[t0]) or not ar.notna().any():
            continue
        start = int(ar.first_valid_index())  # type: ignore[arg-type]
        path = ar.loc[start:].cumsum() * 100  # skips a later missing day, as the markets chart
        out[key] = (path, f"CAR from tau {_day(start)}: no return at tau {_day(t0)}"
                    .replace("-", "\u2212"))
    return out


def plot_car_grid(
    res: EventStudyResults, fig: Figure | None = None, *, tickers: list[str] | None = None
) -> Figure:
    """Draw small multiples of each named security: CAR path and cumulative raw return.

    Each panel has its own y scale (a crash of 17% and a rally of 60% both stay readable); the
    panel title gives the day-0 abnormal and raw returns.

    Parameters
    ----------
    res : EventStudyResults
    fig : matplotlib Figure, optional
        Figure to draw on (it should be empty); a new one is created when omitted.
    tickers : list of str, optional
        Securities to show (default: the named groups', in group order); at most 36 panels.

    Returns
    -------
    matplotlib.figure.Figure
        Title, x label and y label are the figure's (texts, ``supxlabel``, ``supylabel``).
    """
    from matplotlib.ticker import MaxNLocator

    from eventstudy.reporting.summary import SPANNING


    plt = _import_mpl()
    keys = _named_securities(res, tickers)
    n = max(len(keys), 1)
    ncols = min(n, max(2, math.ceil(math.sqrt(n * 1.5))))
    nrows = math.ceil(n / ncols)
    multi = len({k[0] for k in keys}) > 1
    if fig is None:
        fig = plt.figure(figsize=(max(min(2.0 * ncols + 1, 12), 4.5),
                                  (1.75 if multi else 1.6) * nrows + 2.0))
    # fixed margins (in inches) instead of constrained layout: 6x as fast with 24+ panels
    fig.set_layout_engine("none")
    w, h = fig.get_size_inches()
    car = res.car * 100
    raw = _raw(res).reindex(car.index)
    colors = _group_colors(res)
    group_of = res.events.set_index(["event_id", "ticker"])["group"]
    tau0 = tau0_of(res)
    handles = _grid_handles(res, [group_of.loc[k] for k in keys], colors)
    end = _grid_header(res, fig, keys, tickers, tau0, handles)
    left, right, wspace = MARGIN + 0.6, MARGIN, 0.32
    panel = (w - left - right) / (ncols + wspace * (ncols - 1))  # each panel's width, inches
    late = _late_paths(res, keys)
    spans, _ = _spanning_marks(res)
    heads = {k: _panel_title(k, multi, float(res.ar[k].loc[tau0]) * 100,
                             float(raw[k].loc[tau0]) if k in raw else np.nan, panel,
                             late[k][1] if k in late else "",
                             SPANNING if (str(k[0]), str(k[1]), int(tau0)) in spans else "")
             for k in keys}
    head = max((t.count("\n") + 1 for t in heads.values()), default=2) * PANEL_FONT * 1.3 / 72
    gap = head + 0.1  # each row's panel titles, between it and the row above
    top = end + gap
    tall = (h - top - 0.75 - gap * (nrows - 1)) / nrows
    grid = {"left": left / w, "right": 1 - right / w, "bottom": 0.75 / h, "top": 1 - top / h,
            "hspace": gap / max(tall, 0.1), "wspace": wspace}
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=False, squeeze=False, gridspec_kw=grid)
    raw_cum = raw.cumsum()
    for ax, key in zip(axes.flat, keys, strict=False):
        g = group_of.loc[key]
        path = late[key][0] if key in late else car[key]
        ax.plot(path.index, path, color=colors.get(g, PALETTE[0]), lw=1.5)
        if key in raw_cum:
            ax.plot(raw_cum.index, raw_cum[key], color="0.15", lw=0.9, ls=(0, (2, 1.2)))
    # the paths of all panels first: a day-0 line asks for the shared x range, which rescales all
    # the panels at once only when no panel has added a path since (each line drawn in its panel
    # in the same order as before)
    for ax, key in zip(axes.flat, keys, strict=False):
        _mark_day0(ax)
        # the title's lowest point on the panel's top edge, where matplotlib's automatic placement
        # put it (a 2-point pad is less than the text's descent; y spans 0, so no offset text),
        # given explicitly: the automatic placement measured every panel's y axis at each draw
        ax.set_title(heads[key], fontsize=PANEL_FONT, pad=0, loc="left", y=1.0, va="bottom")
        ax.tick_params(labelsize=6.5, pad=1, length=2)
        # the panels' own axis labels are empty (the page has one of each): placed, not measured
        # against the tick labels at each draw
        ax.xaxis.set_label_coords(0.5, 0)
        ax.yaxis.set_label_coords(0, 0.5)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))  # 4 ticks: each a text to draw
        ax.grid(alpha=0.3, axis="y")
    for ax in list(axes.flat)[len(keys):]:
        ax.set_visible(False)
    fig.supxlabel(TAU_LABEL, fontsize=9, y=0.3 / h, va="bottom")
    fig.supylabel(f"CAR (%) from tau {_day(int(res.car.index[0]))}", fontsize=9, x=MARGIN / w,
                  ha="left")
    return fig


def _grid_handles(res: EventStudyResults, groups: list[str], colors: dict[str, str]
                  ) -> list[Any]:
    """Legend entries of the small multiples: each shown group's CAR, the raw return."""
    from matplotlib.lines import Line2D

    labels = _labels(res)
    handles = [Line2D([], [], color=colors.get(g, PALETTE[0]), label=f"CAR, {labels.get(g, g)}")
               for g in dict.fromkeys(groups)]
    handles.append(Line2D([], [], color="0.15", lw=0.9, ls=(0, (2, 1.2)),
                          label="cumulative raw return"))
    return handles


def _grid_header(res: EventStudyResults, fig: Figure, keys: list[tuple[str, str]],
                 tickers: list[str] | None, tau0: int, handles: list[Any]) -> float:
    """Write the small multiples' title, subtitle and legend; return where they end (inches).

    The title wraps and the legend takes as many columns as fit the figure's width, so neither
    runs off a narrow figure (one panel).
    """
    from eventstudy.reporting.labels import event_date_text

    w, h = fig.get_size_inches()
    tau = res.car.index
    frame = res.to_frame()
    day0 = frame[(frame["tau"] == tau0) & frame["ticker"].isin({k[1] for k in keys})]
    fell = int((day0["ar"] < 0).sum())
    noun = "security-events" if day0["event_id"].nunique() > 1 else "securities"
    end = _fig_titles(fig, f"{fell} of {len(day0)} named {noun} fell beyond the market on "
                      f"{event_date_text(res)}; the paths show who recovered",
                      f"CAR path of each named security"
                      f"{_of(keys, res) if tickers is None else ''}, tau {tau[0]:+d} to "
                      f"{tau[-1]:+d}, and the cumulative raw return (dashed; the sum of daily "
                      f"returns, as the CAR sums ARs). Each panel has its own scale. "
                      f"{cumulated_from(res).capitalize()}"
                      + (f". {clause}" if (clause := _spanning_marks(res)[1]) else ""),
                      top=0.38)
    # a handle: its line (2 em), the gap and the label at about 0.6 em a character, 7.5 points
    each = max(len(x.get_label()) for x in handles) * 0.6 * 7.5 + 4 * 7.5
    ncol = max(1, min(len(handles), int((w - 2 * MARGIN) * 72 // each)))
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(MARGIN / w - 0.08 / w,
                                                                1 - (end + 0.02) / h),
               ncol=ncol, frameon=False, fontsize=7.5)
    rows = math.ceil(len(handles) / ncol)
    return end + 0.02 + rows * 7.5 * 1.7 / 72 + 0.1


def _heatmap_title(data: np.ndarray, tau: np.ndarray, keys: list[tuple[str, str]],
                   multi: bool, res: EventStudyResults | None = None) -> str:
    """Return the heatmap's finding: which event day carried the abnormal returns, the largest.

    The small multiples count who fell on day 0; the heatmap shows when the returns came: the
    day with the largest mean |AR| against the other days, and the single largest cell.
    """
    if not keys or not np.isfinite(data).any():
        return "Abnormal returns by security and event day"
    with np.errstate(invalid="ignore"):
        size = np.nanmean(np.abs(data), axis=0)
    top = int(np.nanargmax(size))
    rest = float(np.nanmean(np.delete(np.abs(data), top, axis=1))) if len(tau) > 1 else np.nan
    i, j = np.unravel_index(int(np.nanargmax(np.abs(np.nan_to_num(data)))), data.shape)
    def day(t: int) -> str:
        return _day(t).replace("-", "\u2212")

    key = keys[int(i)]
    where = f"day {day(int(tau[j]))}"
    if multi and res is not None:  # the event of the largest cell, with its date
        f = res.to_frame()
        row = f[(f["event_id"] == key[0]) & (f["ticker"] == key[1]) & (f["tau"] == tau[j])]
        if len(row):
            where = _event_when(res, key[0], row["date"].iloc[0], int(tau[j]))
    who = _label(key, multi and res is None).replace("\n", " ")
    head = "Day 0" if int(tau[top]) == 0 else f"Day {day(int(tau[top]))}, not day 0,"
    return (f"{head} carried the largest abnormal returns (mean |AR| {size[top]:.1f}% against "
            f"{rest:.1f}% on the other days); the largest: {who} {_pct(data[i, j] / 100)} on "
            f"{where}")


def plot_ar_heatmap(
    res: EventStudyResults, ax: Axes | None = None, *, tickers: list[str] | None = None
) -> Figure:
    """Plot abnormal returns as a heatmap: named securities (rows) by event day (columns).

    Rows follow the group order, groups separated by lines and named on the right; losses are
    red (warm), gains blue (cool), symmetric around 0 and clipped at the 98th percentile of |AR|
    so that one extreme day does not wash out the rest (the colour bar shows the clip).

    Returns
    -------
    matplotlib.figure.Figure
    """
    keys = _named_securities(res, tickers)
    multi = len({k[0] for k in keys}) > 1
    fig, ax = _fig_ax(ax, (9, max(3.5, 0.25 * len(keys) + 1.5)))
    data = res.ar[keys].T.to_numpy() * 100 if keys else np.zeros((0, len(res.ar.index)))
    finite = np.abs(data[np.isfinite(data)])
    lim = float(np.percentile(finite, 98)) if finite.size else 1.0
    lim = lim if lim > 0 else 1.0
    tau = res.ar.index.to_numpy()
    import matplotlib

    cmap = matplotlib.colormaps["RdBu"].with_extremes(bad="0.55")  # no AR: grey, never white 0
    mesh = ax.pcolormesh(np.append(tau, tau[-1] + 1) - 0.5, np.arange(len(keys) + 1) - 0.5,
                         np.ma.masked_invalid(data), cmap=cmap, vmin=-lim, vmax=lim,
                         edgecolors="white", linewidth=0.3)
    ax.set_yticks(np.arange(len(keys)), [_label(k, multi).replace("\n", " ") for k in keys],
                  fontsize=7)
    ax.invert_yaxis()
    step = max(1, len(tau) // 22)
    ax.set_xticks(tau[::step])
    ax.tick_params(axis="x", labelsize=7)
    ax.axvline(-0.5, color="0.1", lw=1.0)
    ax.axvline(0.5, color="0.1", lw=1.0)
    group_of = res.events.set_index(["event_id", "ticker"])["group"]
    groups = [group_of.loc[k] for k in keys]
    labels = _labels(res)
    start = 0
    for i in range(1, len(groups) + 1):
        if i == len(groups) or groups[i] != groups[start]:
            if i < len(groups):
                ax.axhline(i - 0.5, color="black", lw=1.2)
            ax.text(1.005, 1 - ((start + i) / 2) / max(len(groups), 1), labels.get(groups[start],
                    groups[start]), transform=ax.transAxes, fontsize=7.5, va="center",
                    ha="left", rotation=0, fontweight="bold")
            start = i
    cb = ax.figure.colorbar(mesh, ax=ax, extend="both", shrink=0.8, pad=0.12)
    if cb.solids is not None:
        cb.solids.set_rasterized(False)  # matplotlib rasterises bars of 50+ colours; keep vector
        cb.solids.set_edgecolor("face")  # no hairline seams between the colour bar's cells
    cb.set_label(f"Abnormal return (%), clipped at \u00b1{lim:.1f}: red loss, blue gain")
    ax.set_xlabel(TAU_LABEL)
    ax.set_ylabel("Security")
    note = _of(keys, res) if tickers is None else ""
    from eventstudy.reporting.summary import SPANNING

    spans, span_note = _spanning_marks(res)
    cells = {(k[0], k[1], int(t)): (r, c) for r, k in enumerate(keys) for c, t in enumerate(tau)}
    for at in sorted(spans & set(cells)):  # the headline's mark of a multi-session return
        r, c = cells[at]
        dark = abs(float(data[r, c])) > 0.6 * lim
        ax.text(float(tau[c]), r, SPANNING, ha="center", va="center", fontsize=9,
                fontweight="bold", color="white" if dark else "black")
    _titles(ax, _heatmap_title(data, tau, keys, multi, res) + note,
            f"Abnormal return by security and event day ({res.model_name} model), groups "
            "separated by lines" + ("; grey: no abnormal return that day (a missing price)"
                                    if np.isnan(data).any() else "")
            + (f"; {span_note}" if span_note else ""))
    return fig


def _distribution_set(res: EventStudyResults, group: str | None) -> tuple[list[str], str]:
    """Return the groups whose security-events the distribution shows, and the set's name.

    ``group`` given: that group. Otherwise the universe (``universe:``) when the study has one,
    else every named group together (the first group alone left the others' ticks under a
    histogram that did not hold them).
    """
    labels = _labels(res)
    if group is None and res.provenance.universe in res.groups:
        group = str(res.provenance.universe)
    if group is not None:
        return [group], labels.get(group, group)
    named = named_groups(res)
    names = [labels.get(g, g) for g in named]
    return named, (_and(names) if len(names) <= 3 else f"the {len(names)} groups")


def plot_ar_distribution(
    res: EventStudyResults, ax: Axes | None = None, *, tau: int = 0, group: str | None = None
) -> Figure:
    """Plot the distribution of AR(tau) across one set of security-events, coloured by group.

    The set is ``group``, else the universe, else all the named groups together
    (:func:`_distribution_set`). A histogram stacked by group (universe members outside the
    named groups in grey), the mean and median marked, and each named security-event of the set
    as a tick along the bottom in its group's colour: ticks and bars count the same securities.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from eventstudy.reporting.labels import event_date_text

    members, name = _distribution_set(res, group)
    labels, colors = _labels(res), _group_colors(res)
    frame = res.to_frame()
    inside = set().union(*(res.spec.groups[g] for g in members))
    day = frame[(frame["tau"] == tau) & frame["ticker"].isin(inside)
                & frame["group"].isin(res.groups)].dropna(subset=["ar"])
    order = [g for g in res.groups if g in set(day["group"])]
    vals = day["ar"].to_numpy() * 100
    fig, ax = _fig_ax(ax, (8, 4.8))
    when = event_date_text(res) if tau == 0 else f"day {_day(tau)}"
    noun = "security-events" if day["event_id"].nunique() > 1 else "securities"
    title = f"Abnormal returns across {name} on {when}"
    if vals.size:
        _stacked_histogram(ax, day, order, labels, colors, res.provenance.universe)
        mean, med = float(vals.mean()), float(np.median(vals))
        ax.axvline(mean, color="black", lw=1.5, label=f"mean {mean:+.2f}%")
        ax.axvline(med, color="0.45", lw=1.5, ls="--", label=f"median {med:+.2f}%")
        ax.text(0.01, 0.97, f"N = {vals.size}\nAR < 0: {np.mean(vals < 0):.0%}\n"
                "AR significant at 5% (two-sided t, either sign): "
                f"{np.mean(day['p_value'].to_numpy() < 0.05):.0%}",
                transform=ax.transAxes, va="top", fontsize=8)
        title = (f"{np.sum(vals < 0)} of {vals.size} {noun} ({name}) fell beyond the market on "
                 f"{when}; the average abnormal return was {mean:+.2f}%")
    for g in order:
        if g != res.provenance.universe:
            x = day.loc[day["group"] == g, "ar"].to_numpy() * 100
            ax.plot(x, np.zeros_like(x), "|", color=colors[g], ms=14, mew=2,
                    transform=ax.get_xaxis_transform(), clip_on=False)
    ax.axvline(0, color="0.3", lw=0.6)
    ax.set_xlabel(f"Abnormal return on day {_day(tau)} (%)")
    ax.set_ylabel(f"Number of {noun}")
    _titles(ax, title, f"Distribution of day {_day(tau)} abnormal returns across {name} "
            f"({res.model_name} model), bars stacked by group; ticks: the same security-events "
            "of the named groups, in their group's colour")
    clear_legend(ax, fontsize=8, frameon=False)  # counts: room above the bars, not below 0
    ax.grid(axis="y", alpha=0.3)
    return fig


def _stacked_histogram(ax: Axes, day: pd.DataFrame, order: list[str], labels: dict[str, str],
                       colors: dict[str, str], universe: str | None) -> None:
    """Draw the day's ARs (percent) as one histogram stacked by group, each group in the legend."""
    from matplotlib.ticker import MaxNLocator

    vals = day["ar"].to_numpy() * 100
    bins = np.histogram_bin_edges(vals, bins=min(60, max(10, int(np.sqrt(vals.size) * 2))))
    data = [day.loc[day["group"] == g, "ar"].to_numpy() * 100 for g in order]
    # the universe's bar holds its members outside the named groups: "other S&P 500 members"
    names = [("other " + labels.get(g, g) if k and g == universe
              else labels.get(g, g)) + f" ({len(x)})"
             for k, (g, x) in enumerate(zip(order, data, strict=True))]
    ax.hist(data, bins=bins.tolist(), stacked=True, color=[colors[g] for g in order], label=names,
            edgecolor="white", lw=0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of securities


def _own_rows(index: pd.DatetimeIndex, exchange: str) -> np.ndarray:
    """Rows of ``index`` that are sessions of ``exchange``, a close or not.

    Tau counts a security's own exchange's sessions (as in ar.csv): a session without a close
    is a gap in the security's path, never a reason to count its next close as that day.
    """
    from eventstudy.data.calendar import sessions

    own = index.get_indexer(sessions(exchange, index[0], index[-1]))
    return own[own >= 0]


def _closes(res: EventStudyResults, levels: pd.DataFrame, tau: np.ndarray) -> np.ndarray:
    """(N, len(tau)) close of each security-event at each tau, NaN where it has none."""
    from eventstudy.reporting.markets import several_markets

    ev = res.events
    pos0 = levels.index.get_indexer(pd.DatetimeIndex(ev["day0"]))
    rows = pos0[:, None] + tau[None, :]
    ok = (pos0[:, None] >= 0) & (rows >= 0) & (rows < len(levels))
    rows = np.clip(rows, 0, len(levels) - 1)
    values = levels.to_numpy(dtype="float64")
    cols = levels.columns.get_indexer(pd.Index(ev["ticker"]))
    if several_markets(res):
        from eventstudy.reporting.markets import market_of

        # securities on several exchanges: tau counts each one's own exchange's sessions
        index = pd.DatetimeIndex(levels.index)
        rows_of: dict[str, np.ndarray] = {}  # each exchange's rows, looked up once
        for i in np.flatnonzero((pos0 >= 0) & (cols >= 0)):
            exchange = market_of(str(ev["ticker"].iloc[i]))
            if exchange not in rows_of:
                rows_of[exchange] = _own_rows(index, exchange)
            own = rows_of[exchange]
            k = int(np.searchsorted(own, pos0[i])) + tau
            ok[i] = (k >= 0) & (k < len(own))
            rows[i] = own[np.clip(k, 0, max(len(own) - 1, 0))] if len(own) else 0
    return np.where(ok & (cols[:, None] >= 0), values[rows, np.maximum(cols, 0)[:, None]],
                    np.nan)


def _indexed(sec: np.ndarray, tau: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray]:
    """Index each row to 100 at its close on day ``base``, else its last close before it.

    Returns the indexed rows and each row's base day (NaN: no close up to ``base``).
    """
    at = int(np.flatnonzero(tau == base)[0])
    upto = sec[:, : at + 1]
    has = np.isfinite(upto)
    last = np.where(has.any(axis=1), at - np.argmax(has[:, ::-1], axis=1), -1)
    ref = np.where(last >= 0, sec[np.arange(len(sec)), np.maximum(last, 0)], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = sec / ref[:, None] * 100
    return norm, np.where(last >= 0, tau[np.maximum(last, 0)], np.nan)


def _price_frame(res: EventStudyResults, before: int, base: int
                 ) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Return :func:`normalized_prices` and, per group column, the base days of its members."""
    import warnings

    levels = res.price_levels()
    tau = np.arange(min(int(res.ar.index[0]), -before, base), int(res.ar.index[-1]) + 1)
    norm, based = _indexed(_closes(res, levels, tau), tau, base)
    ev = res.events
    out, bases = {}, {}
    for g in res.groups:
        mask = ev["ticker"].isin(set(res.spec.groups[g])).to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a tau without any close: NaN
            out[g] = np.nanmean(norm[mask], axis=0) if mask.any() else np.full(len(tau), np.nan)
        bases[g] = sorted({int(b) for b in based[mask] if np.isfinite(b)})
    market = res.provenance.market
    mcol = market if market in levels.columns else "market"
    if mcol in levels.columns:
        name = f"market ({market})" if mcol != "market" else "market"
        out[name] = _market_path(res, levels, mcol, tau, base)
    return pd.DataFrame(out, index=pd.Index(tau, name="tau")), bases


def _market_path(res: EventStudyResults, levels: pd.DataFrame, mcol: str, tau: np.ndarray,
                 base: int) -> np.ndarray:
    """Return the market's indexed path around the day 0s of the securities on its own exchange."""
    from eventstudy.reporting.markets import market_of

    ev = res.events
    pos0 = levels.index.get_indexer(pd.DatetimeIndex(ev["day0"]))
    m = levels[mcol].to_numpy(dtype="float64")
    # around the day 0s of the securities on the market's own exchange (deepseek_global: not
    # Taipei's 3 February, whose benchmark is its own index), on the market's own sessions
    # (the rows of several exchanges hold NaN on its holidays)
    home = market_of(res.provenance.market) if mcol != "market" else None
    ours = np.array([home is None or market_of(t) == home for t in ev["ticker"]])
    days = np.unique(pos0[(pos0 >= 0) & (ours if ours.any() else True)])
    priced = np.flatnonzero(np.isfinite(m))
    at_k = np.searchsorted(priced, days)[:, None] + tau[None, :]
    inside = (at_k >= 0) & (at_k < len(priced))
    mrows = priced[np.clip(at_k, 0, max(len(priced) - 1, 0))] if len(priced) else at_k * 0
    at = int(np.flatnonzero(tau == base)[0])
    mvals = np.where(inside, m[mrows], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cast("np.ndarray", np.nanmean(mvals / mvals[:, [at]] * 100, axis=0))


def normalized_prices(res: EventStudyResults, before: int = 5, base: int = -1) -> pd.DataFrame:
    """Return prices normalised to 100 at each security-event's close on day ``base``.

    Parameters
    ----------
    res : EventStudyResults
    before : int, default 5
        Sessions shown before day 0 at least (more when the event windows start earlier).
    base : int, default -1
        The event day whose close is 100: the pre-event close, so a crash shows as a fall
        from 100 (day 0 = 100 hides it). A security-event without a close that day is indexed
        to its last close before it (deepseek_global: ENR.DE to 23 January, day -2).

    Returns
    -------
    pandas.DataFrame
        (n_tau, n_series) indexed by tau: one column per group of the study (equal-weighted mean of
        its security-events' normalised prices, over those with a close at that tau) and
        ``market``. Prices come from ``res.price_levels()`` (levels as loaded or, for studies
        built from returns, compounded from the returns). With securities on several exchanges
        tau counts each security's own exchange's sessions, as in ar.csv; a session without a
        close is NaN (a gap), not the next close moved forward.
    """
    return _price_frame(res, before, base)[0]


def _bridge(ax: Axes, y: pd.Series, color: str) -> None:
    """Draw a thin dotted line across the interior gaps of ``y`` (sessions without a close)."""
    filled = y.interpolate(limit_area="inside")
    if filled.notna().sum() > y.notna().sum():
        ax.plot(y.index, filled.where(y.isna() | y.shift(1).isna() | y.shift(-1).isna()),
                color=color, lw=1.0, ls=":")


def _based(bases: list[int], base: int) -> str:
    """Note naming where a group's prices are indexed when not at day ``base``'s close."""
    other = [b for b in bases if b != base]
    if not other:
        return ""
    days = " and ".join(f"day {_day(b)}" for b in other).replace("-", "\u2212")
    return f"from {days}'s close"


def plot_normalized_prices(
    res: EventStudyResults, ax: Axes | None = None, *, before: int = 5
) -> Figure:
    """Plot group-average prices and the market, normalised to 100 at the pre-event close.

    A session of a security's exchange without a close is a gap in its line, bridged by a thin
    dotted line; a group whose members have no close on day -1 is indexed to their last close
    before it, and its legend entry and the title say so.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import warnings

    from eventstudy.reporting.labels import event_date_text

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns of empty groups
        norm, bases = _price_frame(res, before, -1)
    fig, ax = _fig_ax(ax, (8, 4.8))
    colors = _group_colors(res)
    labels = _labels(res)
    for col in norm.columns:
        if col in colors:
            note = _based(bases[col], -1)
            ax.plot(norm.index, norm[col], color=colors[col], lw=1.8,
                    label=labels[col] + (f" ({note}: no close on day \u22121)" if note else ""))
            _bridge(ax, norm[col], colors[col])
        else:
            ax.plot(norm.index, norm[col], color="black", lw=2.2, ls=":", label=col)
    _mark_day0(ax, horizontal_zero=False, date=event_date_text(res))
    ax.axhline(100, color="0.3", lw=0.6)
    ax.set_xlabel(TAU_LABEL)
    ax.set_ylabel("Price, day -1 close = 100")
    title = "Prices around the event"
    if 0 in norm.index:
        day0 = norm.loc[0].dropna()
        moves = [(str(c), float(v) - 100) for c, v in day0.to_dict().items()
                 if c in named_groups(res)]
        moves.sort(key=lambda x: -abs(x[1]))  # the three largest moves, either way
        mk = [c for c in day0.index if c not in colors]
        # labels as written (a list after a colon: "Frankfurt", not "frankfurt"); the move is
        # the plotted one, from the close the line is indexed to
        parts = [f"{labels[c]} {v:+.1f}%".replace("-", "\u2212")
                 + (f" ({_based(bases[c], -1)})" if _based(bases[c], -1) else "")
                 for c, v in moves[:3]]
        if mk:
            parts.append(f"the market {float(day0[mk[0]]) - 100:+.1f}%".replace("-", "\u2212"))
        if parts:
            title = (f"From the pre-event close to the close of {event_date_text(res)}: "
                     + ", ".join(parts))
    _titles(ax, title, "Equal-weighted group averages of prices and the market index, each "
            "indexed to its close on the session before day 0 (day -1 = 100; a security "
            "without a close that day: its last close before); tau counts each security's own "
            "sessions, dotted: across sessions without a close")
    _legend(ax, fontsize=8, frameon=False, loc="best")
    ax.grid(alpha=0.3)
    return fig


def plot_index_contributions(
    res: EventStudyResults, ax: Axes | None = None, *, n: int | None = None
) -> Figure:
    """Plot what moved the cap-weighted index on day 0: groups and the largest single members.

    Bars are contributions w_i r_i in percentage points (weights from shares x day -1 close;
    ``res.index_contributions`` and ``res.top_members(by='contribution')``), beside the index's
    actual move and the reconstruction from its members. ``n`` members each way (default
    :data:`eventstudy.reporting.summary.TOP_MEMBERS`, as the summary's table lists them).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When the results hold no market values.
    """
    from eventstudy.reporting.labels import (
        event_date_text,
        index_label,
        security_label,
    )
    from eventstudy.reporting.summary import TOP_MEMBERS

    if res.market_values is None:
        raise ValueError("plot_index_contributions needs market values (market_values:)")
    fig, ax = _fig_ax(ax, (8, 4.8))
    labels = _labels(res)
    colors = _group_colors(res)
    ic = res.index_contributions()
    ic = ic[(ic["tau_start"] == 0) & (ic["tau_end"] == 0)]
    ic = ic[ic["event_id"] == ic["event_id"].iloc[0]]
    idx = ic[ic["group"] == "index"].iloc[0]
    symbol = res.index_name
    market = index_label(symbol)
    rows: list[tuple[str, float, str]] = [
        (f"{market}{f' ({symbol})' if market != symbol else ''}, actual move",
         float(idx["index_return"]), "black"),
        (f"Reconstructed from its {int(idx['n'])} members", float(idx["reconstructed"]),
         "0.45"),
    ]
    for r in ic.itertuples():
        if r.group not in ("index", res.provenance.universe) and np.isfinite(r.contribution):
            rows.append((f"{labels.get(str(r.group), str(r.group))} ({int(r.n)} in the index)",
                         float(r.contribution), colors.get(str(r.group), PALETTE[0])))
    top = res.top_members(n=TOP_MEMBERS if n is None else n, by="contribution")  # falls, gains
    for r in top.itertuples():
        rows.append((f"{security_label(str(r.ticker))}", float(r.contribution),  # type: ignore[arg-type]
                     colors.get(str(r.group), UNIVERSE_COLOR)))
    y = np.arange(len(rows))
    vals = np.array([v for _, v, _ in rows]) * 100
    ax.barh(y, vals, color=[c for _, _, c in rows], height=0.65)
    for yi, v in zip(y, vals, strict=True):
        ax.text(float(v), float(yi), f" {v:+.2f} " if v >= 0 else f"{v:+.2f} ", va="center",
                ha="left" if v >= 0 else "right", fontsize=7.5)
    for at in (1.5, len(rows) - len(top) - 0.5):  # index | groups | single members
        ax.axhline(at, color="0.5", lw=0.6, ls=":", clip_on=True)
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.margins(x=0.15)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xlabel(f"Contribution to the {market} move on day 0 (percentage points)")
    ax.set_ylabel("Index, groups, members that moved it most")
    worst = top.sort_values("contribution").iloc[0]
    groups = [r for r in ic.itertuples() if r.group not in ("index", res.provenance.universe)
              and np.isfinite(r.contribution)]
    g = min(groups, key=lambda r: r.contribution) if groups else None
    title = (f"{security_label(str(worst['ticker']))} alone took "
             f"{abs(worst['contribution']) * 100:.2f} percentage points off the {market}'s "
             f"{abs(float(idx['index_return'])) * 100:.2f}% fall on {event_date_text(res)}")
    if g is not None:
        title += (f"; {labels.get(str(g.group), str(g.group))} together "
                  f"{abs(g.contribution) * 100:.2f}")
    if float(idx["index_return"]) >= 0:
        title = f"What moved the {market} on {event_date_text(res)}"
    _titles(ax, title, "Cap-weighted contribution (weight x return) of the groups and of the "
            f"{len(top) // 2} members that took most off the index and the {len(top) // 2} that "
            "added most (weights: bundled index shares x day -1 close); the reconstruction "
            "differs from the actual move by float adjustments and missing members")
    ax.grid(axis="x", alpha=0.3)
    return fig
