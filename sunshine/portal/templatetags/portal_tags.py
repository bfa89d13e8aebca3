"""Small helpers for the parents' templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def errors_for(errors: Mapping[str, Any] | None, name: str) -> list[str]:
    """The messages for one field from a ``{field: [messages]}`` mapping."""
    if not errors:
        return []
    return list(errors.get(name) or [])


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{round(value * 100)}%"


@register.filter
def get(mapping: Mapping[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)
