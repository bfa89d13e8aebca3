"""Bar charts drawn on the server as inline SVG: no script, no outside resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

register = template.Library()

ROW_HEIGHT = 22
LABEL_WIDTH = 170
BAR_WIDTH = 340


@register.inclusion_tag("console/_bar_chart.html")
def bar_chart(rows: Sequence[Any], value: str, title: str, percent: bool = True) -> dict[str, Any]:
    """One horizontal bar per row: ``value`` is a rate (0..1) or, with percent=False, a count."""
    values = [float(getattr(row, value)) for row in rows]
    top = 1.0 if percent else max(values, default=0.0) or 1.0
    bars = [
        {
            "label": row.label,
            "y": index * ROW_HEIGHT,
            "text_y": index * ROW_HEIGHT + 15,
            "width": round(BAR_WIDTH * min(v, top) / top, 1),
            "end": LABEL_WIDTH + round(BAR_WIDTH * min(v, top) / top, 1) + 6,
            "shown": f"{v * 100:.1f}%" if percent else f"{v:.0f}",
        }
        for index, (row, v) in enumerate(zip(rows, values, strict=True))
    ]
    return {
        "bars": bars,
        "title": title,
        "height": max(1, len(bars)) * ROW_HEIGHT + 4,
        "width": LABEL_WIDTH + BAR_WIDTH + 70,
        "label_width": LABEL_WIDTH,
    }
