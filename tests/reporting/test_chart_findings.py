"""The chart review's findings: each chart's drawn artists checked against what it must show.

Prices on the security's own sessions (deepseek_global's Frankfurt), one set behind the
distribution's bars and ticks, one colour per group across charts, small-multiple titles that
never overlap, titles that state their own finding, labels inside the frame, the power chart's
lines told apart.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from eventstudy import EventStudy
from eventstudy.reporting import plots
from eventstudy.reporting.layout import PALETTE, group_colors
from eventstudy.reporting.markets import plot_markets

MINUS = "\u2212"


@pytest.fixture(scope="module")
def world(repo):
    """configs/deepseek_global.yaml fitted (bundled data, offline)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy.from_yaml(repo / "configs" / "deepseek_global.yaml").fit()


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_prices_count_each_securitys_own_sessions(world):
    """ENR.DE has no close on 17-21 and 24 January (XETR sessions): tau -1 is 24 January (as in
    ar.csv), a gap, and the line is indexed to the 23 January close (58.80). The chart counted
    only rows with a close and put 14, 15, 16, 22 and 23 January at tau -5..-1."""
    norm = plots.normalized_prices(world)
    fra = norm["frankfurt"]
    assert fra.loc[[-5, -4, -1]].isna().all()
    assert fra.loc[-2] == pytest.approx(100.0, rel=1e-12)
    assert fra.loc[-3] == pytest.approx(55.139999 / 58.799999 * 100, rel=1e-6)
    assert fra.loc[0] == pytest.approx(48.32 / 58.799999 * 100, rel=1e-6)
    frame = world.to_frame().query("ticker == 'ENR.DE' and tau == -1")
    assert str(frame["date"].iloc[0])[:10] == "2025-01-24"
    ax = plots.plot_normalized_prices(world).axes[0]
    assert f"Frankfurt {MINUS}17.8% (from day {MINUS}2's close)" in ax.get_title(loc="left")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"Frankfurt (from day {MINUS}2's close: no close on day {MINUS}1)" in legend
    color = group_colors(world.groups)["frankfurt"]
    bridge = [ln for ln in ax.get_lines()
              if ln.get_linestyle() == ":" and to_hex(ln.get_color()) == color.lower()]
    assert len(bridge) == 1  # the gap at tau -1, bridged by a dotted line
    ys = np.asarray(bridge[0].get_ydata(), dtype=float)
    assert np.isfinite(ys[list(norm.index).index(-1)])


def test_distribution_bars_and_ticks_count_the_same_securities(world):
    """Without a universe the histogram held the first group (7 US AI hardware) while ticks
    showed the other ten: now all 17, stacked by group, each group in the legend."""
    ax = plots.plot_ar_distribution(world).axes[0]
    bars = sum(p.get_height() for p in ax.patches)
    ticks = [ln for ln in ax.get_lines() if ln.get_marker() == "|"]
    n_ticks = sum(len(ln.get_xdata()) for ln in ticks)
    assert bars == n_ticks == 17
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"US AI hardware (7)", "US power (4)", "Tokyo (3)", "Frankfurt (1)", "Paris (1)",
            "Taipei (1)"} <= set(legend)
    assert ax.get_title(loc="left").startswith("17 of 17 securities (the 6 groups) fell")
    colors = group_colors(world.groups)
    for ln in ticks:  # each tick in its group's colour, as its bar
        assert to_hex(ln.get_color()) in {c.lower() for c in colors.values()}


def test_distribution_with_a_universe_names_the_rest_of_it(deepseek):
    ax = plots.plot_ar_distribution(deepseek).axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "other S&P 500 members (487)" in legend and "AI hardware (6)" in legend
    ticks = sum(len(ln.get_xdata()) for ln in ax.get_lines() if ln.get_marker() == "|")
    assert ticks == 503 - 487  # the named members of the universe, no ETF outside it


def _line_colors(ax) -> dict[str, str]:
    return {ln.get_label(): to_hex(ln.get_color()) for ln in ax.get_lines()
            if not ln.get_label().startswith("_")}


def test_each_group_has_one_colour_in_every_chart(world):
    """Tokyo was green on the CAAR paths and pink on the markets chart, Paris light blue then
    green; now each group takes PALETTE by its position, everywhere."""
    colors = {g: c.lower() for g, c in group_colors(world.groups).items()}
    assert colors["tokyo"] == PALETTE[2].lower() and colors["taipei"] == PALETTE[5].lower()
    caar = _line_colors(plots.plot_caar(world).axes[0])
    assert caar["Tokyo (N=3)"] == caar.get("Tokyo (N=3)") == colors["tokyo"]
    assert caar["Paris (N=1)"] == colors["paris"]
    markets = _line_colors(plot_markets(world).axes[0])
    assert markets["Tokyo (N=3)"] == colors["tokyo"] and markets["Paris (N=1)"] == colors["paris"]
    assert markets["New York: US power (N=4)"] == colors["us_power"]
    assert markets["New York: US AI hardware (N=7)"] == colors["us_ai_hardware"]
    prices = _line_colors(plots.plot_normalized_prices(world).axes[0])
    assert prices["Tokyo"] == colors["tokyo"] and prices["US power"] == colors["us_power"]
    # Frankfurt: no CAAR line from tau -1, cumulated from tau 0 on the markets chart: both say so
    assert any("the markets chart cumulates from its first abnormal return" in k for k in caar)
    assert "Frankfurt (N=1; no AR at tau -1: cumulated from tau 0)" in markets


def _sp500_only(deepseek):
    spec = deepseek.spec
    sp500 = {"sp500": list(spec.groups["sp500"])}
    events = spec.events[spec.events["ticker"].isin(sp500["sp500"])]
    return EventStudy(events, deepseek.returns, deepseek.market, groups=sp500,
                      estimation_window=spec.estimation_window,
                      event_windows=spec.event_windows).fit()


@pytest.fixture(scope="module")
def many(deepseek):
    return _sp500_only(deepseek)


@pytest.mark.parametrize("count", [1, 5, 36])
@pytest.mark.parametrize("page", [False, True])
def test_small_multiples_titles_overlap_nothing(many, count, page):
    """nvda_earnings' panel titles ran into each other ("raw +9.6%day 0: AR -6.5%")."""
    from eventstudy.reporting.layout import PAGE_SIZE

    tickers = list(many.spec.groups["sp500"])[:count] if count < 36 else None
    fig = plt.figure(figsize=PAGE_SIZE) if page else None
    fig = plots.plot_car_grid(many, fig=fig, tickers=tickers)
    r = fig.canvas.get_renderer()
    panels = [a for a in fig.axes if a.get_visible()]
    assert len(panels) == count
    titles = [a.title if a.title.get_text() else a._left_title for a in panels]
    boxes = [t.get_window_extent(r) for t in titles]
    figbox = fig.bbox
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    for t, box in zip(titles, boxes, strict=True):
        assert figbox.x0 <= box.x0 and box.x1 <= figbox.x1 + 0.5
        for other in panels:  # nor any panel's plotting area or tick labels
            if other.title is t or other._left_title is t:
                continue
            assert not box.overlaps(other.get_window_extent(r))
            for lab in other.get_yticklabels():
                if lab.get_visible() and lab.get_text():
                    assert not box.overlaps(lab.get_window_extent(r))
    head = [t.get_window_extent(r) for t in fig.texts] + [fig.legends[0].get_window_extent(r)]
    for a, b in itertools.product(head, boxes):
        assert not a.overlaps(b)
    for a in head:
        assert a.x1 <= figbox.x1 + 0.5  # the figure's title and legend fit its width


def test_heatmap_title_states_its_own_finding(deepseek):
    """The heatmap repeated the small multiples' "N of M named securities fell"."""
    heat = plots.plot_ar_heatmap(deepseek).axes[0].get_title(loc="left")
    grid = plots.plot_car_grid(deepseek).texts[0].get_text()
    assert "named securities fell" in grid and "named securities fell" not in heat
    keys = plots._named_securities(deepseek, None)
    size = (deepseek.ar[keys].abs().mean(axis=1) * 100)
    top = int(size.idxmax())
    assert heat.startswith("Day 0 carried" if top == 0 else f"Day {top:+d}".replace("-", MINUS))
    assert f"mean |AR| {size.loc[top]:.1f}%" in " ".join(heat.split())


def test_caar_title_does_not_add_stocks_to_a_label(deepseek):
    """deepseek_2025_ex_ai: "Power, AI hardware and ETFs stocks fell"."""
    yaml_text = "groups:\n  power: {label: Utility ETFs, tickers: [VST]}\n"
    res = deepseek.with_provenance(replace(deepseek.provenance, config_yaml=yaml_text))
    title = plots.caar_title(res)
    assert title.startswith("Utility ETFs and AI hardware fell ") and "stocks" not in title


@pytest.mark.parametrize("size", [(6, 4), (8, 4.8), (12, 6)])
def test_caar_labels_sit_inside_the_frame_apart(deepseek, size):
    """The notebook's CAAR chart: "day 0" and "other news, 21 Feb ..." touched the top frame."""
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    plots.plot_caar(deepseek, ax=ax)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    frame = ax.get_window_extent(r)
    px = r.points_to_pixels(1.0)
    labels = [t for t in ax.texts if t.get_text().startswith(("day 0", "other news"))]
    assert len(labels) == 2
    boxes = [t.get_window_extent(r) for t in labels]
    for b in boxes:
        assert b.y1 <= frame.y1 - 2 * px and b.x0 >= frame.x0 + 2 * px
        assert b.x1 <= frame.x1 - 2 * px and b.y0 >= frame.y0
    assert not boxes[0].overlaps(boxes[1])


def test_power_chart_tells_every_test_apart():
    """bmp and kolari_pynnonen give the same rates on random dates: the second hid the first.
    Each test now has its own Okabe-Ito colour, marker and dashes."""
    from eventstudy.power import PowerResults

    rows = [(t, 10, ar, 1.0, 0, 100, rate, rate - 0.05, rate + 0.05)
            for t in ["t", "bmp", "kolari_pynnonen"] for ar, rate in [(0.0, 0.05), (0.01, 0.6)]]
    table = pd.DataFrame(rows, columns=["test", "n_events", "ar", "variance_multiple",
                                        "rejections", "reps", "rate", "ci_low", "ci_high"])
    res = PowerResults(table=table, alpha=0.05, window=(0, 0), reps=100, seed=0,
                       dates="random", candidates=1000, placebo_dates=100, model="market",
                       estimation_window=(-250, -11))
    ax = res.plot().axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    styles = {k: (to_hex(v.get_color()), v.get_marker(), v.get_linestyle())
              for k, v in lines.items()}
    assert len(set(styles.values())) == 3
    assert {s[0] for s in styles.values()} <= {c.lower() for c in PALETTE}
    assert len({s[1] for s in styles.values()}) == 3 and len({s[2] for s in styles.values()}) == 3


def test_small_multiples_of_several_events_count_security_events_in_date_order(repo):
    """nvda_earnings: 49 security-events of 10 securities were "49 named securities", and each
    security's panels ran q1_fy25, q2_fy25, q3_fy25, q4_fy24 (by id, not by date)."""
    from eventstudy.reporting.labels import event_order

    res = EventStudy.from_yaml(repo / "configs" / "nvda_earnings.yaml").fit()
    keys = plots._named_securities(res, None)
    dates = event_order(res)
    nvda = [e for e, t in keys if t == "NVDA"]
    assert nvda == [e for e in dates if e in nvda] and nvda[0] == "q4_fy24"
    fig = plots.plot_car_grid(res)
    assert " of 49 named security-events fell" in fig.texts[0].get_text()
