"""Reads of verification results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sunshine.engine.checks import FACT_TYPES, Facts, FactType, FactValue


def stored_facts(values: Mapping[str, object]) -> Facts:
    """The facts a category assignment stored as JSON, with dates restored."""
    restored: dict[str, FactValue] = {}
    for name, value in values.items():
        if FACT_TYPES.get(name) is FactType.DATE and isinstance(value, str):
            restored[name] = dt.date.fromisoformat(value)
        elif isinstance(value, bool | int):
            restored[name] = value
    return Facts(restored)
