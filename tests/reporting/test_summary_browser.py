"""summary.html as a browser shows it: headless Chromium loads it offline, runs its script without
errors and shows every chart (marker ``browser``; skipped, saying why, where no browser exists)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from eventstudy.reporting.html import CHART_CAPTIONS

pytestmark = pytest.mark.browser
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no headless browser: install Debian's chromium package (.ci/run installs it when "
                f"missing); looked for {', '.join(BROWSERS)} on PATH")


def _run(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--disable-background-networking",
                           "--virtual-time-budget=5000", *args],
                          capture_output=True, text=True, timeout=120)


def test_summary_html_loads_without_errors_and_shows_every_chart(report, tmp_path):
    browser = _browser()
    page = (report / "summary.html").as_uri()
    dom = _run(browser, "--dump-dom", page)
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", dom.stdout)
    assert body, dom.stdout[:500]
    attrs = dict(re.findall(r'data-(\w+)="([^"]*)"', body.group(1)))
    assert "errors" not in attrs, f"script errors: {attrs.get('errors')}"
    n_charts = len(list((report / "figures").glob("*.png")))
    # every chart but the by-market one, which only studies across exchanges draw
    assert n_charts == len(CHART_CAPTIONS) - 1
    assert attrs.get("charts") == str(n_charts)  # every chart is in the page ...
    assert attrs.get("ok") == "1"  # ... and decoded (an image that failed shows no pixels)
    shot = tmp_path / "summary.png"
    done = _run(browser, "--window-size=1200,2000", f"--screenshot={shot}", page)
    assert done.returncode == 0 and shot.stat().st_size > 10_000


def test_summary_html_is_self_contained(report):
    text = (report / "summary.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=['"](https?:)?//""", text)  # nothing fetched
    assert text.count("src='data:image/png;base64,") == len(CHART_CAPTIONS) - 1  # no markets chart
