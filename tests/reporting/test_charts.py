"""Each chart has a title and labelled axes with units; drawn values equal independent ones."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, datasets
from eventstudy.reporting import plots

CHART_FUNCS = [plots.plot_caar, plots.plot_ar, plots.plot_car, plots.plot_ar_heatmap,
               plots.plot_ar_distribution, plots.plot_normalized_prices,
               plots.plot_index_contributions]


def _labels(fig):
    axes = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    sup = (fig.texts[0] if fig.texts else None, fig._supxlabel, fig._supylabel)
    return axes, [s.get_text() if s is not None else "" for s in sup]


def _title(ax) -> str:
    """The finding (left title) and the method (subtitle), whitespace collapsed."""
    return " ".join(" ".join([ax.get_title(loc="left"), *(t.get_text() for t in ax.texts)]).split())


@pytest.mark.parametrize("func", CHART_FUNCS, ids=lambda f: f.__name__)
def test_chart_has_title_labels_and_units(deepseek, func):
    fig = func(deepseek)
    axes, _ = _labels(fig)
    assert len(axes) == 1
    ax = axes[0]
    assert ax.get_title(loc="left").strip()
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
    units = ax.get_xlabel() + ax.get_ylabel()
    assert "(%)" in units or "= 100" in units or "tau" in units or "(percentage points)" in units


@pytest.mark.parametrize("func", CHART_FUNCS, ids=lambda f: f.__name__)
def test_chart_draws_on_the_given_ax(deepseek, func):
    fig, (left, right) = plt.subplots(1, 2)
    assert func(deepseek, ax=right) is fig
    assert right.has_data() and not left.has_data()


def test_small_multiples_have_figure_title_and_labels(deepseek):
    fig = plots.plot_car_grid(deepseek)
    axes, (title, xlabel, ylabel) = _labels(fig)
    assert title and "tau" in xlabel and ylabel == "CAR (%) from tau -1"
    shown = [a for a in axes if a.get_visible()]
    assert len(shown) == 24  # the named securities of the four named groups
    titles = {a.get_title(loc="left").split()[0] for a in shown}
    assert {"NVDA", "VST", "SMH"} <= titles
    # the NVDA panel ends at CAR[-1,+20] in percent
    nvda = next(a for a in shown if a.get_title(loc="left").startswith("NVDA Nvidia\n"))
    y = nvda.get_lines()[0].get_ydata()
    car = deepseek.car_window(-1, 20).loc[("app_store", "NVDA")]
    assert y[-1] == pytest.approx(car * 100, rel=1e-12)


def test_paths_say_where_they_are_cumulated_from(deepseek):
    """Pages 2 and 3 say that the paths cumulate from tau -1, the widest window's first day.

    Their day-20 value is CAR[-1,+20], not caar.csv's CAAR[0,+20].
    """
    assert deepseek.car.index[0] == -1
    note = "cumulated from tau -1, the first day of the widest event window"
    caar = plots.plot_caar(deepseek).axes[0]
    assert caar.get_ylabel() == "CAAR (%) from tau -1" and note in _title(caar)
    grid = plots.plot_car_grid(deepseek)
    assert any(note in " ".join(t.get_text().lower().split()) for t in grid.texts)
    car = plots.plot_car(deepseek).axes[0]
    assert car.get_ylabel() == "CAR (%) from tau -1" and note in _title(car).lower()
    # the CAAR path's last point is the mean CAR[-1,+20] of the group, not CAAR[0,+20]
    line = next(ln for ln in caar.get_lines() if ln.get_label().startswith("Power"))
    members = [k for k in deepseek.car.columns
               if k[1] in deepseek.group_members("power")]
    expected = deepseek.car_window(-1, 20).loc[members].mean() * 100
    assert line.get_ydata()[-1] == pytest.approx(expected, rel=1e-12)
    plt.close("all")


def test_heatmap_cells_are_ar_in_percent(deepseek):
    fig = plots.plot_ar_heatmap(deepseek)
    mesh = fig.axes[0].collections[0]
    data = np.asarray(mesh.get_array()).reshape(24, -1)
    np.testing.assert_allclose(data[0], deepseek.ar[("app_store", "NVDA")].to_numpy() * 100)


def test_distribution_counts_every_universe_member(deepseek):
    fig = plots.plot_ar_distribution(deepseek)
    counts = sum(p.get_height() for p in fig.axes[0].patches)
    assert counts == 503


def test_ar_bars_are_sorted_and_in_percent(deepseek):
    fig = plots.plot_ar(deepseek)
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert widths == sorted(widths)
    day0 = deepseek.to_frame().query("tau == 0 and ticker == 'VST'")["ar"].iloc[0]
    assert min(widths) == pytest.approx(day0 * 100, rel=1e-12)  # VST fell most


def test_normalized_prices_match_bundled_closes(deepseek):
    # Independent computation from the raw bundled closes: P(tau) / P(day -1) * 100, averaged
    # over the ten AI-hardware names, and the S&P 500 level 6101.24 -> 6012.28 (published closes).
    norm = plots.normalized_prices(deepseek)
    tickers = ["NVDA", "AVGO", "TSM", "AMD", "ASML", "MU", "MRVL", "ARM", "SMCI", "INTC"]
    close = datasets.load([*tickers, "^GSPC"])
    d0 = close.index.get_loc(pd.Timestamp("2025-01-27"))
    expect = (close[tickers].iloc[d0] / close[tickers].iloc[d0 - 1] * 100).mean()
    assert norm.loc[0, "ai_hardware"] == pytest.approx(expect, rel=1e-12)
    assert norm.loc[0, "market (^GSPC)"] == pytest.approx(6012.28 / 6101.24 * 100, abs=1e-3)
    assert (norm.loc[-1] == 100).all()  # the pre-event close: a crash falls from 100


def test_normalized_prices_from_returns_when_no_levels():
    # A study built from returns alone: prices are compounded from the returns (1.1 * 0.9 = 0.99).
    idx = pd.bdate_range("2024-01-01", periods=40)
    rng = np.random.default_rng(0)
    m = pd.Series(rng.normal(0, 0.01, 40), index=idx)
    r = pd.DataFrame({"AAA": 0.5 * m + rng.normal(0, 0.01, 40)}, index=idx)
    r.iloc[30, 0], r.iloc[31, 0] = 0.10, -0.10
    res = EventStudy([{"event_id": "e", "ticker": "AAA", "date": idx[31]}], r, m,
                     estimation_window=(-25, -6), event_windows=[(-1, 2)]).fit()
    norm = plots.normalized_prices(res, before=2, base=0)
    assert norm.loc[-1, "all"] == pytest.approx(100 / 0.9, rel=1e-12)
    assert norm.loc[-2, "all"] == pytest.approx(100 / (1.1 * 0.9), rel=1e-12)
    assert norm.loc[1, "market"] == pytest.approx(100 * (1 + m.iloc[32]), rel=1e-12)
    assert plots.normalized_prices(res, before=2).loc[0, "all"] == pytest.approx(90, rel=1e-12)


def test_many_securities_are_capped_to_a_readable_page(deepseek):
    # a study whose only group is the S&P 500: 503 security-events, at most 36 rows or panels
    from eventstudy import EventStudy

    spec = deepseek.spec
    sp500 = {"sp500": list(spec.groups["sp500"])}
    events = spec.events[spec.events["ticker"].isin(sp500["sp500"])]
    res = EventStudy(events, deepseek.returns, deepseek.market, groups=sp500,
                     estimation_window=spec.estimation_window,
                     event_windows=spec.event_windows).fit()
    bars = plots.plot_ar(res).axes[0]
    assert len(bars.patches) == 36 and "18 lowest and 18 highest of 503" in _title(bars)
    day0 = res.to_frame().query("tau == 0")["ar"].sort_values().to_numpy() * 100
    widths = [p.get_width() for p in bars.patches]
    np.testing.assert_allclose(widths, np.r_[day0[:18], day0[-18:]], rtol=1e-12)
    heat = plots.plot_ar_heatmap(res).axes[0]
    assert len(heat.get_yticks()) == 36 and "36 largest |AR(0)| of 503" in _title(heat)
    shown = {t.get_text().split()[0] for t in heat.get_yticklabels()}
    biggest = res.ar.loc[0].abs().sort_values().index[-36:].get_level_values("ticker")
    assert shown == set(biggest)
    grid = plots.plot_car_grid(res)
    assert sum(a.get_visible() for a in grid.axes) == 36


@pytest.mark.parametrize("method", ["plot_caar", "plot_ar", "plot_car"])
def test_results_plot_methods_return_the_figure_of_the_given_ax(deepseek, method):
    fig, ax = plt.subplots()
    assert getattr(deepseek, method)(ax=ax) is fig and ax.has_data()
    alone = getattr(deepseek, method)()
    assert alone is not fig and alone.axes[0].get_title(loc="left")


def test_titles_state_the_finding_with_the_headline_numbers(deepseek):
    """The CAAR chart's title names the groups and the values of the headline table."""
    h = deepseek.headline().query("tau_start == 0 and tau_end == 0").set_index("group")
    title = plots.caar_title(deepseek)
    assert title == ("Power and AI hardware fell "
                     f"{-h.loc['power', 'caar'] * 100:.1f}% and "
                     f"{-h.loc['ai_hardware', 'caar'] * 100:.1f}% beyond the market on "
                     "27 January 2025")
    assert "ai_hardware" not in title and "19.0%" in title
    contributions = plots.plot_index_contributions(deepseek).axes[0]
    nvda = deepseek.top_members(5, by="contribution").set_index("ticker").loc["NVDA"]
    assert f"NVDA Nvidia alone took {-nvda['contribution'] * 100:.2f} percentage points" in _title(
        contributions)
    plt.close("all")


def test_groups_and_securities_carry_reader_names(deepseek):
    from dataclasses import replace

    from eventstudy.reporting.labels import group_labels, security_label

    assert group_labels(deepseek) == {"ai_hardware": "AI hardware", "hyperscalers": "Hyperscalers",
                                      "power": "Power", "etfs": "ETFs",
                                      "sp500": "S&P 500 members"}
    assert security_label("NVDA") == "NVDA Nvidia" and security_label("TSM") == "TSM TSMC (ADR)"
    assert security_label("^GSPC") == "^GSPC S&P 500" and security_label("^VIX") == "^VIX"
    assert security_label("ZZZZ") == "ZZZZ"  # nothing known: the ticker alone
    yaml_text = "groups:\n  power: {label: Power producers, tickers: [VST]}\n"
    labelled = deepseek.with_provenance(replace(deepseek.provenance, config_yaml=yaml_text))
    assert group_labels(labelled)["power"] == "Power producers"
    legend = [t.get_text() for t in plots.plot_caar(deepseek).axes[0].get_legend().get_texts()]
    assert "AI hardware (N=10)" in legend and not any("_" in t for t in legend)
    plt.close("all")


def test_heatmap_shows_losses_warm_and_separates_groups(deepseek):
    ax = plots.plot_ar_heatmap(deepseek).axes[0]
    mesh = ax.collections[0]
    red, _, blue, _ = mesh.cmap(mesh.norm(-5.0))
    assert red > blue  # a loss is red, a gain blue
    red, _, blue, _ = mesh.cmap(mesh.norm(5.0))
    assert blue > red
    separators = [ln for ln in ax.get_lines() if ln.get_ydata()[0] == ln.get_ydata()[-1]]
    assert [ln.get_ydata()[0] for ln in separators] == [9.5, 15.5, 20.5]  # 10 | 6 | 5 | 3
    plt.close("all")


def test_day0_bars_show_the_raw_return_beside_the_abnormal_return(deepseek):
    ax = plots.plot_ar(deepseek).axes[0]
    raw = ax.get_lines()[0].get_xdata()
    day0 = deepseek.to_frame().query("tau == 0 and group != 'sp500'").sort_values("ar")
    np.testing.assert_allclose(raw, day0["ret"].to_numpy() * 100, rtol=1e-12)
    assert "NVDA Nvidia" in [t.get_text() for t in ax.get_yticklabels()]
    plt.close("all")


def test_small_multiples_have_their_own_scales(deepseek):
    fig = plots.plot_car_grid(deepseek)
    panels = {a.get_title(loc="left").split()[0]: a for a in fig.axes if a.get_visible()}
    assert panels["NVDA"].get_ylim() != panels["SMCI"].get_ylim()
    assert "own scale" in " ".join(t.get_text() for t in fig.texts)
    plt.close("all")


@pytest.mark.parametrize(("date", "label"), [("27 January 2025", "day 0: 27 January 2025"),
                                             ("day 0", "day 0")])
def test_day0_marker_names_the_date_once(date, label):
    """With day 0s on different dates (a shifted listing) the marker read "day 0: day 0"."""
    import matplotlib.pyplot as plt

    from eventstudy.reporting.plots import _mark_day0

    fig, ax = plt.subplots()
    _mark_day0(ax, date=date)
    assert [t.get_text() for t in ax.texts] == [label]
    plt.close(fig)


def test_day0_stars_sit_in_the_ar_column_not_by_the_raw_return(deepseek):
    """The stars are the AR t test's: in a column right of the plot, one per security with
    p < 0.10 (beside the bars they sat next to the raw-return diamond and read as its stars)."""
    from eventstudy.reporting.summary import stars

    ax = plots.plot_ar(deepseek).axes[0]
    day0 = deepseek.to_frame().query("tau == 0 and group != 'sp500'").sort_values("ar")
    want = [s for s in (stars(p) for p in day0["p_value"]) if s]
    texts = [t for t in ax.texts if set(t.get_text()) == {"*"}]
    assert [t.get_text() for t in texts] == want and len(want) == 17
    fig = ax.figure
    fig.canvas.draw()
    right = ax.get_window_extent().x1
    assert all(t.get_window_extent().x0 > right for t in texts)  # outside the bars' area
    assert "AR" in [t.get_text() for t in ax.texts]
    plt.close("all")


def test_contribution_chart_lists_the_members_the_summary_lists(deepseek):
    """The chart and the summary's table both show the 5 falls and 5 gains of top_members; the
    index is named as readers know it (S&P 500, not "the ^GSPC's")."""
    from eventstudy.reporting.labels import security_label
    from eventstudy.reporting.summary import TOP_MEMBERS, answer_tables

    ax = plots.plot_index_contributions(deepseek).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    top = deepseek.top_members(TOP_MEMBERS, by="contribution")
    assert labels[-2 * TOP_MEMBERS:] == [security_label(t) for t in top["ticker"]]
    assert labels[0] == "S&P 500 (^GSPC), actual move"
    assert "S&P 500's 1.46% fall" in _title(ax) and "^GSPC's" not in _title(ax)
    members = answer_tables(deepseek)["members"]  # summary.md/html and the answer page
    assert list(members["security"]) == labels[-2 * TOP_MEMBERS:]
    plt.close("all")


def test_caar_paths_mark_the_confounders_inside_the_window(deepseek):
    """The confounder of the study (21 February 2025, tau +18 of [0, +20]) is a dotted line with
    its label, so a drop there is not read as the event's (deepseek_r1_release: 27 January)."""
    ax = plots.plot_caar(deepseek).axes[0]
    conf = deepseek.confounders
    assert list(conf["tau"]) == [18]
    dotted = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert [float(ln.get_xdata()[0]) for ln in dotted] == [18.0]
    texts = [t.get_text() for t in ax.texts]
    assert any("other news, 21 Feb: late-February sell-off (S&P 500 \u22121.7%)" in t
               for t in texts), texts  # minus signs typeset, hyphens kept
    plt.close("all")


def test_heatmap_shows_a_missing_ar_in_grey(deepseek):
    """A cell without an AR is grey (it was white, the colour of an AR of 0)."""
    mesh = plots.plot_ar_heatmap(deepseek).axes[0].collections[0]
    assert mesh.cmap.get_bad()[:3] == pytest.approx((0.55, 0.55, 0.55), abs=0.01)
    plt.close("all")


def test_caar_band_is_widened_as_the_kolari_pynnonen_headline(deepseek):
    """The headline stars use Kolari-Pynnonen (day 0 shared): the shaded band is widened for
    cross-correlation too, and says so; a plain cross-sectional band looked significant where the
    headline's test is not (fresh review: the S&P 500 members' band excluded 0 at tau 0, p 0.11)."""
    from matplotlib.collections import PolyCollection

    assert deepseek.headline_test == "kolari_pynnonen"
    ax = plots.plot_caar(deepseek).axes[0]
    assert "widened for cross-correlation as Kolari-Pynnonen" in _title(ax)
    # the band's level is the one the title and the shading name: 90%, significant at 10%
    assert "pointwise 90% band" in _title(ax) and "significant at 10%: AI hardware" in _title(ax)
    want = deepseek.caar_path(ci=0.90, cross_correlation=True)
    want = want[want["group"] == "power"]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert bands, "no band drawn"
    spans = [(v[:, 1].min(), v[:, 1].max())
             for c in bands for v in (p.vertices for p in c.get_paths())]
    lo, hi = want["lower"].min() * 100, want["upper"].max() * 100
    assert any(a == pytest.approx(lo, abs=1e-9) and b == pytest.approx(hi, abs=1e-9)
               for a, b in spans), (lo, hi, spans)
    plain = deepseek.caar_path(ci=0.90)
    plain = plain[plain["group"] == "power"]
    assert (want["upper"] - want["lower"] > plain["upper"] - plain["lower"]).all()
    plt.close("all")


def test_caar_bands_only_for_groups_significant_at_the_bands_level(deepseek):
    """A 95% band is drawn only for groups significant at 5% (Power, p 0.003), not for AI
    hardware (p 0.079), whose 95% band the reader would see cross zero under a 'significant'
    label (fresh review: ETFs in deepseek_2025_ex_ai, a band of -63%..+46%)."""
    from matplotlib.collections import PolyCollection

    ax = plots.plot_caar(deepseek, ci=0.95).axes[0]
    assert "significant at 5%: Power" in _title(ax) and "AI hardware" not in _title(ax).split(
        "significant at 5%:")[1].split(")")[0]
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 1
    plt.close("all")
