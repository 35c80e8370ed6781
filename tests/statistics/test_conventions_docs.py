"""The README's conventions table lists every option of ``Conventions`` and each preset's value."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from eventstudy.statistics.conventions import CONVENTIONS, Conventions

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_conventions_table_lists_every_option_and_preset_value():
    """One row per field; the eventstudy, estudy2 and eventstudy_r columns give the presets."""
    rows = {}
    header = None
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[:2] == ["option", "values (default first)"]:
            header = [c.strip("`") for c in cells]
        elif header and len(cells) == len(header) and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = dict(zip(header, cells, strict=True))
    assert header is not None, "no conventions table in the README"
    assert set(rows) == {f.name for f in fields(Conventions)}
    for preset in ("eventstudy", "estudy2", "eventstudy_r"):
        conv = CONVENTIONS[preset]
        for name, row in rows.items():
            value = str(getattr(conv, name)).lower()
            assert row[preset].split(" ")[0].lower() == value, (preset, name, row[preset])
