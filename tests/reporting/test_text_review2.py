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
    return _fit_edited(repo, tmp_path_factory.mktemp("bmp") / "deepseek_bmp.yaml", cfg)


def _fit_edited(repo, path, cfg):
    """Fit ``cfg`` (the shipped study, edited) written to ``path``, its relative paths kept."""
    for key in ("market_values", "data_dir", "universe_file"):
        if isinstance(cfg.get(key), str) and not cfg[key].startswith("/"):
            cfg[key] = str(repo / "configs" / cfg[key])
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


def _body_below_footer(res, tmp_path) -> list[tuple[int, str, float]]:
    """Text of the report's text pages drawn lower than the footer's top: (page, text, top)."""
    from pypdf import PdfReader

    from eventstudy.reporting import pages

    plan = [(i, kind) for i, (kind, _) in enumerate(pages.page_plan(res), start=1)]
    path = tmp_path / "text.pdf"
    pages.render_text(res, plan, path)
    w, h = pages.PAGE_SIZE
    footer = {s for _, _, s, _, _ in pages.furniture(res, 1, len(plan))}
    footer_top = (h - 0.01 * h - 7 / 72) * 72  # points from the top edge
    low: list[tuple[int, str, float]] = []
    for n, page in enumerate(PdfReader(path).pages, start=1):
        def visit(text, cm, tm, font, size, n=n):
            baseline = h * 72 - tm[5]  # points from the top edge
            if text.strip() and baseline + 0.24 * size > footer_top - 1 and text.strip() not in (
                    *footer, f"page {n} of {len(plan)}"):
                low.append((n, text.strip(), baseline))
        page.extract_text(visitor_text=visit)
    return low


@pytest.fixture(scope="module")
def many_claims(repo, tmp_path_factory):
    """deepseek_2025 with its claims three times over: page 1's verdicts and note run long."""
    cfg = yaml.safe_load((repo / "configs" / "deepseek_2025.yaml").read_text(encoding="utf-8"))
    cfg["claims"] = [dict(c, id=f"{c['id']}_{k}") for k in range(3) for c in cfg["claims"]]
    return _fit_edited(repo, tmp_path_factory.mktemp("many") / "deepseek_many.yaml", cfg)


@pytest.mark.parametrize("which", ["deepseek", "many_claims"])
def test_no_text_runs_into_the_footer(which, request, tmp_path):
    """Page 1's headline note overprinted the footer (deepseek_2025): the page shrinks what can
    shrink, and text that still does not fit goes on a next page, counted in the plan ("page N
    of M" and the pages list)."""
    from pypdf import PdfReader

    from eventstudy.reporting import pages

    res = request.getfixturevalue(which)
    assert _body_below_footer(res, tmp_path) == []
    plan = pages.page_plan(res)
    assert len(PdfReader(tmp_path / "text.pdf").pages) == len(plan)
    # deepseek_2025 fits page 1 in smaller type; three times its claims continue on page 2
    assert [k for k, _ in plan].count("summary") == (1 if which == "deepseek" else 2)
    text = " ".join(" ".join(pages.draw_page(res, "summary").strings).split())
    assert "Decimal values and every test: caar.csv, tests.csv." in text
    assert "more row" not in text  # every verdict shown, none cut
