"""Small helpers shared by the benchmarks."""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Run ``function`` ``repeats`` times; return the wall times and the last result."""
    seconds: list[float] = []
    result: Any = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def emit(figures: dict[str, Any]) -> None:
    """Print the figures as the last line of output, one JSON object."""
    sys.stdout.flush()
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True), flush=True)
