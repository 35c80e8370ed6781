"""The report page's geometry and palette, shared by the text pages, the charts and the PDF."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MARGIN", "PAGE_SIZE", "PALETTE", "UNIVERSE_COLOR", "MARKERS", "group_colors"]

PAGE_SIZE = (11.69, 8.27)
"""A4 landscape, inches (width, height)."""

MARGIN = 0.55
"""Left and right margin of every report page, inches: header, footer, text and charts alike."""

PALETTE = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#E69F00"]
"""Okabe-Ito colour-blind-safe colours (Okabe and Ito 2008), in the order groups take them."""

UNIVERSE_COLOR = "#7F7F7F"
"""The universe group's colour (grey: the background the named groups stand out from)."""

MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
"""Marker shapes that tell lines apart where colours alone may not (one per PALETTE colour)."""


def group_colors(groups: Sequence[str], universe: str | None = None) -> dict[str, str]:
    """Return the one colour of each group of a study, used by every chart of its report.

    Parameters
    ----------
    groups : sequence of str
        The study's groups in their order (``res.groups``).
    universe : str, optional
        The universe group (``universe:``), drawn in :data:`UNIVERSE_COLOR` when other groups
        are named.

    Returns
    -------
    dict of str to str
        Group -> hex colour: the k-th named group takes ``PALETTE[k]`` (cycling), so a group
        keeps its colour from the CAAR paths to the markets chart and the prices.
    """
    named = [g for g in groups if g != universe] or list(groups)
    colors = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(named)}
    return {g: colors.get(g, UNIVERSE_COLOR) for g in groups}
