"""Charts of a results object (matplotlib, imported only when a chart is drawn).

Charts show returns in percent; tables keep decimals. Colours follow the Okabe-Ito colour-blind-safe
palette.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eventstudy.results import EventStudyResults

__all__ = ["plot_caar", "plot_ar", "plot_car", "PALETTE"]

PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]


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
    return ax.figure, ax


def named_groups(res: EventStudyResults) -> list[str]:
    """Groups named in the study (the universe group left out when there are others)."""
    universe = res.metadata.get("universe")
    named = [g for g in res.groups if g != universe]
    return named or res.groups


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
    for i, g in enumerate(groups or res.groups):
        sub = path[path["group"] == g]
        color = PALETTE[i % len(PALETTE)]
        n = int(sub["n"].max()) if len(sub) else 0
        ax.plot(sub["tau"], sub["caar"] * 100, color=color, lw=1.8, label=f"{g} (N={n})")
        ax.fill_between(sub["tau"], sub["lower"] * 100, sub["upper"] * 100, color=color, alpha=0.15,
                        lw=0)
    ax.axvline(0, color="0.3", lw=0.8, ls="--")
    ax.axhline(0, color="0.3", lw=0.6)
    ax.set_xlabel("Event day tau (trading sessions relative to day 0)")
    ax.set_ylabel("CAAR (%)")
    title = res.metadata.get("title") or "Event study"
    ax.set_title(f"Cumulative average abnormal return by group, {int(ci * 100)}% band\n{title}",
                 fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="best")
    ax.grid(alpha=0.3)
    return fig


def plot_ar(res: EventStudyResults, ax: Axes | None = None, *, tau: int = 0) -> Figure:
    """Plot AR(tau) of the securities of the named groups as a sorted bar chart.

    Bars are coloured by group; a hatched bar is not significant at 5% (t test with the
    forecast-error-corrected variance).

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame = res.to_frame()
    groups = named_groups(res)
    sub = frame[(frame["tau"] == tau) & frame["group"].isin(groups)].copy()
    sub = sub.sort_values("ar")
    multi = sub["event_id"].nunique() > 1
    labels = [f"{t} ({e})" if multi else t for t, e in zip(sub["ticker"], sub["event_id"], strict=True)]
    fig, ax = _fig_ax(ax, (8, max(3.5, 0.22 * len(sub) + 1.5)))
    colors = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    y = np.arange(len(sub))
    for yi, (ar, g, p) in enumerate(zip(sub["ar"], sub["group"], sub["p_value"], strict=True)):
        ax.barh(y[yi], ar * 100, color=colors[g], hatch=None if p < 0.05 else "///",
                edgecolor="white" if p < 0.05 else colors[g], alpha=1.0 if p < 0.05 else 0.45)
    ax.set_yticks(y, labels, fontsize=7)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xlabel(f"Abnormal return on day {tau:+d} (%)")
    ax.set_ylabel("Security")
    ax.set_title(f"Abnormal return on day {tau:+d}, named securities (solid: p < 0.05)", fontsize=10)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=colors[g], label=g) for g in groups], fontsize=8, frameon=False,
              loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_car(
    res: EventStudyResults, ax: Axes | None = None, *, tickers: list[str] | None = None
) -> Figure:
    """Plot the CAR path of securities (default: those of the first named group).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _fig_ax(ax, (8, 4.8))
    car = res.car
    if tickers is None:
        first = named_groups(res)[0]
        tickers = list(res.study.groups[first])
    shown = [c for c in car.columns if c[1] in set(tickers)]
    multi = len({c[0] for c in shown}) > 1
    for i, c in enumerate(shown):
        ax.plot(car.index, car[c] * 100, color=PALETTE[i % len(PALETTE)],
                ls=["-", "--", ":", "-."][(i // len(PALETTE)) % 4], lw=1.4,
                label=f"{c[1]} ({c[0]})" if multi else c[1])
    ax.axvline(0, color="0.3", lw=0.8, ls="--")
    ax.axhline(0, color="0.3", lw=0.6)
    ax.set_xlabel("Event day tau (trading sessions relative to day 0)")
    ax.set_ylabel("CAR (%)")
    ax.set_title("Cumulative abnormal return by security", fontsize=10)
    ax.legend(fontsize=7, frameon=False, ncol=2)
    ax.grid(alpha=0.3)
    return fig
