"""The report page's geometry, shared by the text pages, the charts and the PDF assembly."""

from __future__ import annotations

__all__ = ["MARGIN", "PAGE_SIZE"]

PAGE_SIZE = (11.69, 8.27)
"""A4 landscape, inches (width, height)."""

MARGIN = 0.55
"""Left and right margin of every report page, inches: header, footer, text and charts alike."""
