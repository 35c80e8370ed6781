"""The report page's geometry and palette, shared by the text pages, the charts and the PDF."""

from __future__ import annotations

__all__ = ["MARGIN", "PAGE_SIZE", "PALETTE"]

PAGE_SIZE = (11.69, 8.27)
"""A4 landscape, inches (width, height)."""

MARGIN = 0.55
"""Left and right margin of every report page, inches: header, footer, text and charts alike."""

PALETTE = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#E69F00"]
"""Okabe-Ito colour-blind-safe colours (Okabe and Ito 2008), in the order groups take them."""
