"""Identifiers users give in configs (study, event, group and claim ids): one rule, one check."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["ID_PATTERN", "ID_RULE", "check_id", "Identifier"]

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ID_RULE = "use letters, digits, '_', '-' or '.' (at most 64)"


def check_id(value: str) -> str:
    """Return ``value`` when it is a valid id; raise ``ValueError`` stating the rule otherwise."""
    if not ID_PATTERN.match(value):
        raise ValueError(ID_RULE)
    return value


Identifier = Annotated[str, AfterValidator(check_id)]
"""A pydantic string field holding an id (safe in file names and tables)."""
