"""The second chart review's findings: each chart's drawn artists checked against what it shows.

Small multiples that say why a panel has no CAR from tau -1, titles that name the event of a
security-event, the spanning-return mark (‡) where that return is drawn, legends and top labels
clear of the data, group labels as written mid-sentence, security labels without the ticker twice.
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
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
    others = [ax for ax in fig.axes if ax.get_visible() and ax is not panel]
    assert not any("CAR from tau" in ax.get_title(loc="left") for ax in others)
