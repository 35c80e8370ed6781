"""Second text review (editor and finance referee): captions that agree with their charts, pages
whose text never runs into the footer, markers and names readers know."""

from __future__ import annotations

import pytest
import yaml

from eventstudy import EventStudy
from eventstudy.reporting import html as html_mod
from eventstudy.reporting import plots, summary


def _squeezed(text: str) -> str:
    """``text`` without whitespace (the chart's subtitle is wrapped, also at hyphens)."""
    return "".join(text.split())


def _subtitle(fig) -> str:
    ax = fig.axes[0]
    return _squeezed(" ".join([ax.get_title(loc="left"), *(t.get_text() for t in ax.texts)]))


@pytest.fixture(scope="module")
def deepseek(repo):
    """configs/deepseek_2025.yaml: the headline test is Kolari-Pynnonen (day 0 shared)."""
    return EventStudy.from_yaml(repo / "configs" / "deepseek_2025.yaml").fit()


@pytest.fixture(scope="module")
def deepseek_bmp(repo, tmp_path_factory):
    """The same study with BMP starring the headline: a band not widened for cross-correlation."""
    cfg = yaml.safe_load((repo / "configs" / "deepseek_2025.yaml").read_text(encoding="utf-8"))
    cfg["headline_test"] = "bmp"
    cfg.pop("claims", None)
    for key in ("market_values", "data_dir", "universe_file"):
        if isinstance(cfg.get(key), str) and not cfg[key].startswith("/"):
            cfg[key] = str(repo / "configs" / cfg[key])
    path = tmp_path_factory.mktemp("bmp") / "deepseek_bmp.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return EventStudy.from_yaml(path).fit()


@pytest.mark.parametrize("which", ["deepseek", "deepseek_bmp"])
def test_caar_caption_says_what_the_chart_band_is(which, request):
    """summary.html's caption said "cross-sectional t, ignores cross-correlation" beside a chart
    whose band is widened as Kolari-Pynnonen: both now take one wording (summary.caar_band)."""
    res = request.getfixturevalue(which)
    band = summary.caar_band(res)
    caption = html_mod._caption("caar_paths", res)
    assert band in caption
    assert _squeezed(band) in _subtitle(plots.plot_caar(res))
    widened = "widened for cross-correlation as Kolari-Pynnonen"
    assert (widened in caption) == (res.headline_test == "kolari_pynnonen")
    assert ("ignores cross-correlation" in caption) == (res.headline_test != "kolari_pynnonen")
    page = html_mod.summary_html(res, {"caar_paths": b"\x89PNG"})
    assert f"<figcaption>{caption.replace('&', '&amp;')}" in page
