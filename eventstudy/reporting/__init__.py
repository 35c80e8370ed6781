"""Reporting: text/HTML summaries, charts and the report folder."""

from __future__ import annotations

__all__: list[str] = []
