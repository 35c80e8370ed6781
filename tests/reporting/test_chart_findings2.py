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
