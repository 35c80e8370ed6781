"""Charts of a results object (matplotlib, imported only when a chart is drawn).

Charts show returns in percent; tables keep decimals. Colours follow the Okabe-Ito colour-blind-safe
palette; the heatmap uses the diverging ``RdBu_r`` map (blue and red stay apart for the common
colour-vision deficiencies). Every function draws on a given ``ax`` (``fig`` for the small
multiples), creates a figure only when none is given, and returns the Figure.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eventstudy.results import EventStudyResults

__all__ = [
    "plot_caar", "plot_ar", "plot_car", "plot_car_grid", "plot_ar_heatmap", "plot_ar_distribution",
    "plot_normalized_prices", "normalized_prices", "named_groups", "PALETTE",
]

PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
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
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(res.groups)}


def _named_securities(res: EventStudyResults, tickers: list[str] | None) -> list[tuple[str, str]]:
    """(event_id, ticker) of the named securities in group order, at most MAX_SECURITIES."""
    ev = res.events
    if tickers is None:
        order: list[str] = []
        for g in named_groups(res):
            order += [t for t in res.spec.groups[g] if t not in order]
    else:
        order = list(dict.fromkeys(tickers))
    rank = {t: i for i, t in enumerate(order)}
    sub = ev[ev["ticker"].isin(rank)].copy()
    sub["_rank"] = sub["ticker"].map(rank)
    sub = sub.sort_values(["_rank", "event_id"], kind="stable")
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
    return f"{key[1]} ({key[0]})" if multi else key[1]


def _day(tau: int) -> str:
    return "0" if tau == 0 else f"{tau:+d}"


def cumulated_from(res: EventStudyResults) -> str:
    """Return the note under a CAR or CAAR path: where it is cumulated from.

    Paths sum ARs from the first tau of the widest event window, so their value at tau equals the
    CAR over [first tau, tau], not the window CARs of car.csv and caar.csv that start elsewhere.
    """
    t0 = int(res.car.index[0])
    return (f"cumulated from tau {_day(t0)}, the first day of the widest event window "
            f"(window values in car.csv and caar.csv start at their own first day)")


def _mark_day0(ax: Axes, *, horizontal_zero: bool = True) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # tau: sessions
    ax.axvline(0, color="0.3", lw=0.8, ls="--")
    if horizontal_zero:
        ax.axhline(0, color="0.3", lw=0.6)


def plot_caar(
    res: EventStudyResults, ax: Axes | None = None, *, ci: float = 0.95,
    groups: list[str] | None = None,
) -> Figure:
    """Plot the CAAR path of each group over the widest event window with a confidence band.

    Parameters
    ----------
    res : EventStudyResults
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is created when omitted.
    ci : float, default 0.95
        Band coverage (cross-sectional t band, see :meth:`EventStudyResults.caar_path`).
    groups : list of str, optional
        Groups to draw (default: all).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _fig_ax(ax, (8, 4.8))
    path = res.caar_path(ci=ci)
    colors = _group_colors(res)
    units = list(dict.fromkeys(path["event_id"]))
    styles = ["-", "--", ":", "-."]
    for k, e in enumerate(units):
        for g in groups or res.groups:
            sub = path[(path["group"] == g) & (path["event_id"] == e)]
            n = int(sub["n"].max()) if len(sub) else 0
            label = f"{g} (N={n})" if len(units) == 1 else f"{e}: {g} (N={n})"
            ax.plot(sub["tau"], sub["caar"] * 100, color=colors[g], lw=1.8,
                    ls=styles[k % len(styles)], label=label)
            ax.fill_between(sub["tau"], sub["lower"] * 100, sub["upper"] * 100, color=colors[g],
                            alpha=0.15, lw=0)
    _mark_day0(ax)
    ax.set_xlabel(TAU_LABEL)
    ax.set_ylabel(f"CAAR (%) from tau {_day(int(res.car.index[0]))}")
    ax.set_title(f"Cumulative average abnormal return by group, {ci:.0%} confidence band "
                 f"(dashed line: day 0)\n{cumulated_from(res)}", fontsize=10)
    _legend(ax, fontsize=8, frameon=False, loc="best")
    ax.grid(alpha=0.3)
    return fig


def plot_ar(res: EventStudyResults, ax: Axes | None = None, *, tau: int = 0) -> Figure:
    """Plot AR(tau) of the securities of the named groups as a sorted bar chart.

    Bars are coloured by group; a solid bar is significant at 5%, a hatched pale one is not (AR t
    test with the forecast-error-corrected variance, MacKinlay 1997); stars give the level.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch

    from eventstudy.reporting.summary import stars

    frame = res.to_frame()
    groups = named_groups(res)
    sub = frame[(frame["tau"] == tau) & frame["group"].isin(groups)].sort_values("ar")
    note = ""
    if len(sub) > MAX_SECURITIES:
        half = MAX_SECURITIES // 2
        note = f" (the {half} lowest and {half} highest of {len(sub)})"
        sub = pd.concat([sub.head(half), sub.tail(half)])
    multi = sub["event_id"].nunique() > 1
    labels = [_label((e, t), multi) for e, t in zip(sub["event_id"], sub["ticker"], strict=True)]
    fig, ax = _fig_ax(ax, (8, max(3.5, 0.22 * len(sub) + 1.5)))
    colors = _group_colors(res)
    y = np.arange(len(sub))
    vals = sub["ar"].to_numpy() * 100
    for yi, (v, g, p) in enumerate(zip(vals, sub["group"], sub["p_value"], strict=True)):
        sig = bool(p < 0.05)
        ax.barh(y[yi], v, color=colors[g], hatch=None if sig else "///",
                edgecolor="white" if sig else colors[g], alpha=1.0 if sig else 0.45)
        if np.isfinite(v) and stars(p):
            ax.text(v, y[yi], f" {stars(p)} " if v >= 0 else f"{stars(p)} ", va="center",
                    ha="left" if v >= 0 else "right", fontsize=7)
    ax.set_yticks(y, labels, fontsize=7)
    ax.margins(x=0.12)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xlabel(f"Abnormal return on day {_day(tau)} (%)")
    ax.set_ylabel("Security")
    ax.set_title(f"Abnormal return on day {_day(tau)} of the named securities{note}\n"
                 "solid: p < 0.05, hatched: not significant; *** p<0.01, ** p<0.05, * p<0.10",
                 fontsize=10)
    ax.legend(handles=[Patch(color=colors[g], label=g) for g in groups], fontsize=8, frameon=False,
              loc="lower right")
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
    fig, ax = _fig_ax(ax, (8, 4.8))
    car = res.car
    if tickers is None:
        tickers = list(res.spec.groups[named_groups(res)[0]])
    columns = cast("list[tuple[str, str]]", list(car.columns))  # (event_id, ticker)
    shown = [c for c in columns if c[1] in set(tickers)]
    multi = len({c[0] for c in shown}) > 1
    for i, c in enumerate(shown):
        ax.plot(car.index, car[c] * 100, color=PALETTE[i % len(PALETTE)],
                ls=["-", "--", ":", "-."][(i // len(PALETTE)) % 4], lw=1.4, label=_label(c, multi))
    _mark_day0(ax)
    ax.set_xlabel(TAU_LABEL)
    ax.set_ylabel(f"CAR (%) from tau {_day(int(car.index[0]))}")
    ax.set_title(f"Cumulative abnormal return by security\n{cumulated_from(res)}", fontsize=10)
    _legend(ax, fontsize=7, frameon=False, ncol=2)
    ax.grid(alpha=0.3)
    return fig


def plot_car_grid(
    res: EventStudyResults, fig: Figure | None = None, *, tickers: list[str] | None = None
) -> Figure:
    """Draw small multiples of the CAR path of each named security, on shared axes.

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
        Title, x label and y label are the figure's (``suptitle``, ``supxlabel``, ``supylabel``).
    """
    plt = _import_mpl()
    keys = _named_securities(res, tickers)
    n = max(len(keys), 1)
    ncols = min(n, max(2, math.ceil(math.sqrt(n * 1.5))))
    nrows = math.ceil(n / ncols)
    if fig is None:
        fig = plt.figure(figsize=(min(2.0 * ncols + 1, 12), 1.6 * nrows + 1.4))
    # fixed margins (in inches) instead of constrained layout: 6x as fast with 24+ panels
    fig.set_layout_engine("none")
    w, h = fig.get_size_inches()
    grid = {"left": 0.75 / w, "right": 1 - 0.2 / w, "bottom": 0.75 / h, "top": 1 - 1.05 / h,
            "hspace": 0.38, "wspace": 0.12}
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False, gridspec_kw=grid)
    car = res.car * 100
    colors = _group_colors(res)
    group_of = res.events.set_index(["event_id", "ticker"])["group"]
    multi = len({k[0] for k in keys}) > 1
    for ax, key in zip(axes.flat, keys, strict=False):
        g = group_of.loc[key]
        ax.plot(car.index, car[key], color=colors.get(g, PALETTE[0]), lw=1.4)
        _mark_day0(ax)
        last = car[key].iloc[-1]
        ax.set_title(f"{_label(key, multi)}: {last:+.1f}%", fontsize=8, pad=2)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(keys):]:
        ax.set_visible(False)
    from matplotlib.lines import Line2D

    shown = list(dict.fromkeys(group_of.loc[k] for k in keys))
    fig.legend(handles=[Line2D([], [], color=colors.get(g, PALETTE[0]), label=g) for g in shown],
               loc="lower center", bbox_to_anchor=(0.5, 1 - 0.95 / h), ncol=max(len(shown), 1),
               frameon=False, fontsize=8)
    tau = res.car.index
    fig.suptitle(f"CAR path of each named security{_of(keys, res) if tickers is None else ''}, "
                 f"tau {tau[0]:+d} to {tau[-1]:+d} (panel title: CAR at the last day)",
                 fontsize=11, y=1 - 0.3 / h, va="top")
    fig.text(0.5, 1 - 0.54 / h, cumulated_from(res).capitalize(), fontsize=8.5, ha="center",
             va="top", color="0.25")
    fig.supxlabel(TAU_LABEL, fontsize=9, y=0.3 / h, va="bottom")
    fig.supylabel(f"CAR (%) from tau {_day(int(tau[0]))}", fontsize=9, x=0.15 / w, ha="left")
    return fig


def plot_ar_heatmap(
    res: EventStudyResults, ax: Axes | None = None, *, tickers: list[str] | None = None
) -> Figure:
    """Plot abnormal returns as a heatmap: named securities (rows) by event day (columns).

    Rows follow the group order; colours are symmetric around 0 and clipped at the 98th percentile
    of |AR| so that one extreme day does not wash out the rest (the colour bar shows the clip).

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
    mesh = ax.pcolormesh(np.append(tau, tau[-1] + 1) - 0.5, np.arange(len(keys) + 1) - 0.5, data,
                         cmap="RdBu_r", vmin=-lim, vmax=lim, edgecolors="white", linewidth=0.3)
    ax.set_yticks(np.arange(len(keys)), [_label(k, multi) for k in keys], fontsize=7)
    ax.invert_yaxis()
    step = max(1, len(tau) // 22)
    ax.set_xticks(tau[::step])
    ax.tick_params(axis="x", labelsize=7)
    ax.axvline(-0.5, color="0.2", lw=0.8)
    ax.axvline(0.5, color="0.2", lw=0.8)
    cb = ax.figure.colorbar(mesh, ax=ax, extend="both", shrink=0.8)
    if cb.solids is not None:
        cb.solids.set_rasterized(False)  # matplotlib rasterises bars of 50+ colours; keep vector
        cb.solids.set_edgecolor("face")  # no hairline seams between the colour bar's cells
    cb.set_label(f"Abnormal return (%), clipped at ±{lim:.1f}")
    ax.set_xlabel(TAU_LABEL)
    ax.set_ylabel("Security")
    note = _of(keys, res) if tickers is None else ""
    ax.set_title(f"Abnormal return by security and event day (day 0 framed){note}", fontsize=10)
    return fig


def _universe_group(res: EventStudyResults) -> str:
    universe = res.provenance.universe
    if universe in res.groups:
        return str(universe)
    return max(res.groups, key=lambda g: len(res.spec.groups[g]))


def plot_ar_distribution(
    res: EventStudyResults, ax: Axes | None = None, *, tau: int = 0, group: str | None = None
) -> Figure:
    """Plot the distribution of AR(tau) across a group (default: the universe or largest group).

    A histogram of the security-events' AR, with the mean and median marked, and the named
    securities as ticks along the bottom, coloured by group.

    Returns
    -------
    matplotlib.figure.Figure
    """
    group = group or _universe_group(res)
    frame = res.to_frame()
    day = frame[frame["tau"] == tau]
    members = set(res.spec.groups[group])
    vals = day.loc[day["ticker"].isin(members), "ar"].dropna().to_numpy() * 100
    fig, ax = _fig_ax(ax, (8, 4.8))
    if vals.size:
        bins = min(60, max(10, int(np.sqrt(vals.size) * 2)))
        ax.hist(vals, bins=bins, color=PALETTE[5], edgecolor="white", lw=0.4)
        mean, med = float(vals.mean()), float(np.median(vals))
        ax.axvline(mean, color="black", lw=1.5, label=f"mean {mean:+.2f}%")
        ax.axvline(med, color="0.45", lw=1.5, ls="--", label=f"median {med:+.2f}%")
        p = day.loc[day["ticker"].isin(members), "p_value"].to_numpy()
        ax.text(0.01, 0.97, f"N = {vals.size}\nAR < 0: {np.mean(vals < 0):.0%}\n"
                f"AR significant at 5%: {np.mean(p < 0.05):.0%}", transform=ax.transAxes,
                va="top", fontsize=8)
    colors = _group_colors(res)
    for g in named_groups(res):
        if g != group:
            x = day.loc[day["group"] == g, "ar"].to_numpy() * 100
            ax.plot(x, np.zeros_like(x), "|", color=colors[g], ms=14, mew=2, label=g,
                    transform=ax.get_xaxis_transform(), clip_on=False)
    ax.axvline(0, color="0.3", lw=0.6)
    ax.set_xlabel(f"Abnormal return on day {_day(tau)} (%)")
    ax.set_ylabel("Number of securities")
    ax.set_title(f"Distribution of day {_day(tau)} abnormal returns across {group} "
                 "(ticks: named securities)", fontsize=10)
    _legend(ax, fontsize=8, frameon=False, loc="center left")
    ax.grid(axis="y", alpha=0.3)
    return fig


def normalized_prices(res: EventStudyResults, before: int = 5) -> pd.DataFrame:
    """Return prices normalised to 100 at each security-event's day-0 close.

    Parameters
    ----------
    res : EventStudyResults
    before : int, default 5
        Sessions shown before day 0 at least (more when the event windows start earlier).

    Returns
    -------
    pandas.DataFrame
        (n_tau, n_series) indexed by tau: one column per group of the study (equal-weighted mean of
        its security-events' normalised prices) and ``market``. Prices come from
        ``res.price_levels()`` (levels as loaded or, for studies built from returns, compounded
        from the returns).
    """
    levels = res.price_levels()
    market = res.provenance.market
    mcol = market if market in levels.columns else "market"
    tau = np.arange(min(int(res.ar.index[0]), -before), int(res.ar.index[-1]) + 1)
    ev = res.events
    pos0 = levels.index.get_indexer(pd.DatetimeIndex(ev["day0"]))
    rows = pos0[:, None] + tau[None, :]
    ok = (pos0[:, None] >= 0) & (rows >= 0) & (rows < len(levels))
    rows = np.clip(rows, 0, len(levels) - 1)
    values = levels.to_numpy(dtype="float64")
    cols = levels.columns.get_indexer(pd.Index(ev["ticker"]))
    from eventstudy.reporting.markets import market_of

    if len({market_of(t) for t in ev["ticker"]}) > 1:
        # securities on several exchanges: tau counts each one's own priced sessions, not rows
        for i in np.flatnonzero((pos0 >= 0) & (cols >= 0)):
            own = np.flatnonzero(np.isfinite(values[:, cols[i]]))
            k0 = int(np.searchsorted(own, pos0[i]))
            k = k0 + tau
            ok[i] = (k >= 0) & (k < len(own))
            rows[i] = own[np.clip(k, 0, max(len(own) - 1, 0))] if len(own) else 0
    sec = np.where(ok & (cols[:, None] >= 0), values[rows, np.maximum(cols, 0)[:, None]], np.nan)
    base = sec[:, [int(np.flatnonzero(tau == 0)[0])]]
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = sec / base * 100
    out = {}
    for g in res.groups:
        mask = ev["ticker"].isin(set(res.spec.groups[g])).to_numpy()
        out[g] = np.nanmean(norm[mask], axis=0) if mask.any() else np.full(len(tau), np.nan)
    if mcol in levels.columns:
        m = levels[mcol].to_numpy(dtype="float64")
        first = np.unique(pos0[pos0 >= 0])
        mrows = np.clip(first[:, None] + tau[None, :], 0, len(levels) - 1)
        mnorm = m[mrows] / m[first][:, None] * 100
        out[f"market ({market})" if mcol != "market" else "market"] = mnorm.mean(axis=0)
    return pd.DataFrame(out, index=pd.Index(tau, name="tau"))


def plot_normalized_prices(
    res: EventStudyResults, ax: Axes | None = None, *, before: int = 5
) -> Figure:
    """Plot group-average prices and the market, normalised to 100 at the day-0 close.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns of empty groups
        norm = normalized_prices(res, before=before)
    fig, ax = _fig_ax(ax, (8, 4.8))
    colors = _group_colors(res)
    for col in norm.columns:
        if col in colors:
            ax.plot(norm.index, norm[col], color=colors[col], lw=1.8, label=col)
        else:
            ax.plot(norm.index, norm[col], color="0.35", lw=2.2, ls=":", label=col)
    _mark_day0(ax, horizontal_zero=False)
    ax.axhline(100, color="0.3", lw=0.6)
    ax.set_xlabel(TAU_LABEL)
    ax.set_ylabel("Price, day-0 close = 100")
    ax.set_title("Normalised prices around the event: equal-weighted group averages and the market",
                 fontsize=10)
    _legend(ax, fontsize=8, frameon=False, loc="best")
    ax.grid(alpha=0.3)
    return fig
