"""The second chart review's findings: each chart's drawn artists checked against what it shows.

Small multiples that say why a panel has no CAR from tau -1, titles that name the event of a
security-event, the spanning-return mark (‡) where that return is drawn, legends and top labels
clear of the data, group labels as written mid-sentence, security labels without the ticker twice.
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.reporting import labels, plots


def _fit(repo, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy.from_yaml(repo / "configs" / f"{name}.yaml").fit()


@pytest.fixture(scope="module")
def world(repo):
    """configs/deepseek_global.yaml fitted (bundled data, offline)."""
    return _fit(repo, "deepseek_global")


@pytest.fixture(scope="module")
def r1(repo):
    """configs/deepseek_r1_release.yaml fitted (bundled data, offline)."""
    return _fit(repo, "deepseek_r1_release")


@pytest.fixture(scope="module")
def nvda(repo):
    """configs/nvda_earnings.yaml fitted (bundled data, offline)."""
    return _fit(repo, "nvda_earnings")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


# 5: group labels as written ---------------------------------------------------------------------

def test_caar_title_keeps_the_group_label_as_written(r1):
    """deepseek_r1_release: "(largest: power +3.2%)" for the group labelled "Power"."""
    title = plots.caar_title(r1)
    assert "(largest: Power +3.2%)" in title, title


# 6: security labels -------------------------------------------------------------------------------

@pytest.mark.parametrize(("ticker", "label"), [
    ("NRG", "NRG Energy"), ("ASML", "ASML Holding"), ("META", "META Meta Platforms"),
    ("NVDA", "NVDA Nvidia"), ("2330.TW", "2330.TW TSMC"), ("AES", "AES")])
def test_security_label_names_the_ticker_once(ticker, label):
    """"NRG NRG Energy", "ASML ASML Holding": the name starting with the ticker is printed alone."""
    assert labels.security_label(ticker) == label


# 1: the small multiples' panel without a return at the first tau ---------------------------------

def test_small_multiple_without_a_first_return_draws_its_car_and_says_from_where(world):
    """deepseek_global: ENR.DE's panel had only the raw return (its tau -1 return is missing, so
    its CAR from tau -1 is NaN) and no note; the markets chart cumulates it from tau 0."""
    fig = plots.plot_car_grid(world)
    panel = next(ax for ax in fig.axes if ax.get_title(loc="left").startswith("ENR.DE"))
    assert "CAR from tau 0: no return at tau \u22121" in " ".join(
        panel.get_title(loc="left").split("\n"))
    car = panel.lines[0]  # the CAR line, in the group's colour
    x, y = np.asarray(car.get_xdata(), float), np.asarray(car.get_ydata(), float)
    assert np.isfinite(y).sum() == 6 and x[0] == 0
    expected = world.ar[("deepseek", "ENR.DE")].loc[0:].cumsum().to_numpy() * 100
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    # no other panel says so unless it lacks its first return too (exchange_calendars 4.7, the
    # minimum, holds 23-24 January 2025 as Taipei sessions: 2330.TW then misses tau -1 as well)
    first = world.ar.index[0]
    for ax in fig.axes:
        head = " ".join(ax.get_title(loc="left").split("\n"))
        if ax is panel or not ax.get_visible() or not head:
            continue
        ticker = head.split()[0]
        missing = bool(np.isnan(world.ar[("deepseek", ticker)].loc[first]))
        assert ("CAR from tau" in head) == missing, head


# 2: titles naming one security-event of several events ------------------------------------------

def test_day0_bars_title_names_the_event_and_its_date(nvda):
    """nvda_earnings: "SMCI Supermicro fell 16.0% on day 0" did not say which of the 5 events."""
    title = " ".join(plots.plot_ar(nvda).axes[0].get_title(loc="left").split())
    f = nvda.to_frame()
    worst = f[(f["tau"] == 0) & f["group"].isin(plots.named_groups(nvda))].sort_values("ar")
    e, d = str(worst["event_id"].iloc[0]), pd.Timestamp(worst["date"].iloc[0])
    when = f"{d.day} {d.strftime('%B %Y')} (day 0 of {e})"
    assert e == "q4_fy25" and f"fell 16.0% on {when}," in title, title


def test_heatmap_title_names_the_event_of_its_largest_cell(nvda):
    title = " ".join(plots.plot_ar_heatmap(nvda).axes[0].get_title(loc="left").split())
    assert "the largest: SMCI Supermicro +26.8% on 22 February 2024 (day 0 of q4_fy24)" in title


# 3: the mark of a return over several sessions --------------------------------------------------

def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_day0_bars_mark_a_return_over_several_sessions(world):
    """deepseek_global: ENR.DE's day-0 return runs from the 23 January close (headline: ‡)."""
    from eventstudy.reporting.summary import SPANNING

    ax = plots.plot_ar(world).axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    at = rows.index("ENR.DE Siemens Energy")
    marks = {round(t.get_position()[1]): t.get_text() for t in ax.texts
             if t.get_text().startswith("*")}
    from eventstudy.reporting.summary import spanning_returns

    assert marks[at] == "***" + SPANNING
    # one mark per spanning return (ENR.DE; 2330.TW too with exchange_calendars 4.7's Taipei)
    column = [t.get_text() for t in ax.texts if t.get_text().endswith(SPANNING)
              and len(t.get_text()) <= 4]  # the AR column's marks: "***‡", or "‡" alone
    assert len(column) == len(spanning_returns(world))
    assert f"{SPANNING}: a return over more than one session (ENR.DE Siemens Energy: from the " \
           "23 January close" in " ".join(" ".join(_texts(ax)).split())


def test_heatmap_marks_a_return_over_several_sessions(world):
    from eventstudy.reporting.summary import SPANNING

    ax = plots.plot_ar_heatmap(world).axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    from eventstudy.reporting.summary import spanning_returns

    marks = [t for t in ax.texts if t.get_text() == SPANNING]
    assert len(marks) == len(spanning_returns(world))  # 2330.TW too at exchange_calendars 4.7
    cells = {(x, rows[round(y)]) for x, y in (m.get_position() for m in marks)}
    assert (0, "ENR.DE Siemens Energy") in cells
    assert f"{SPANNING}: a return over more than one session" in " ".join(
        " ".join(_texts(ax)).split())


def test_no_mark_without_a_spanning_return(nvda):
    from eventstudy.reporting.summary import SPANNING

    for fig in (plots.plot_ar(nvda), plots.plot_ar_heatmap(nvda)):
        assert not any(SPANNING in t for t in _texts(fig.axes[0]))


# 4: legends and top labels clear of the data ----------------------------------------------------

def _data_hits(ax, box):
    """Data lines (in data coordinates) and bars whose drawn path crosses ``box`` (pixels)."""
    hits = [ln.get_label() for ln in ax.lines if ln.get_transform() == ax.transData
            and ln.get_transform().transform_path(ln.get_path()).intersects_bbox(box, False)]
    hits += [p for p in ax.patches if p.get_window_extent().overlaps(box)]
    return hits


def test_markets_legend_covers_no_line(world):
    """deepseek_global page 3: the left panel's legend sat on the US power line."""
    from eventstudy.reporting.markets import plot_markets

    fig = plot_markets(world)
    fig.canvas.draw()
    left = fig.axes[0]
    box = left.get_legend().get_window_extent()
    assert len(left.get_legend().get_texts()) == 6
    assert not _data_hits(left, box)
    # the day-0 line it crosses runs behind a white ground, not through the labels
    frame = left.get_legend().get_frame()
    assert left.get_legend().get_frame_on() and frame.get_facecolor()[:3] == (1.0, 1.0, 1.0)


def test_distribution_legend_covers_no_bar(world):
    """deepseek_global page 7: the legend sat over the US power bar at -25%."""
    fig = plots.plot_ar_distribution(world)
    fig.canvas.draw()
    ax = fig.axes[0]
    box = ax.get_legend().get_window_extent()
    assert not _data_hits(ax, box)
    stats = next(t for t in ax.texts if t.get_text().startswith("N = "))
    assert not stats.get_window_extent().overlaps(box)


@pytest.mark.parametrize("size", [(8, 4.8), (11, 6.5)])
def test_caar_top_labels_clear_of_the_lines(r1, size):
    """deepseek_r1_release page 2: the Power line crossed "other news" at the top."""
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    plots.plot_caar(r1, ax=ax)
    fig.canvas.draw()
    tops = [t for t in ax.texts if t.get_text().startswith(("day 0", "other news"))]
    assert len(tops) == 2
    for t in tops:
        assert not _data_hits(ax, t.get_window_extent().padded(2)), t.get_text()
    assert not _data_hits(ax, ax.get_legend().get_window_extent())


def test_small_multiple_marks_a_return_over_several_sessions(world):
    """Third review: ENR.DE's panel gave its day-0 AR (-17.4%) without the headline's mark."""
    from eventstudy.reporting.summary import SPANNING

    fig = plots.plot_car_grid(world)
    heads = {" ".join(ax.get_title(loc="left").split("\n")): ax for ax in fig.axes
             if ax.get_visible() and ax.get_title(loc="left")}
    enr = next(h for h in heads if h.startswith("ENR.DE"))
    assert f"AR \u221217.4%{SPANNING}" in enr
    assert f"{SPANNING}: a return over more than one session (ENR.DE Siemens Energy: from the " \
           "23 January close" in " ".join(" ".join(t.get_text() for t in fig.texts).split())
    paris = next(h for h in heads if h.startswith("SU.PA"))
    assert SPANNING not in paris
