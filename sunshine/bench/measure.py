"""Small helpers shared by the benchmarks."""

from __future__ import annotations

import base64
import json
import resource
import secrets
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


def production_settings() -> dict[str, str]:
    """DEBUG off, as production runs, with keys made for this run's database alone.

    With DEBUG on, Django keeps the text of every statement in memory (a batch's audit
    insert of 750 kB included) and serves static files unhashed; that is a development
    aid, not part of the cost being measured.
    """
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SUNSHINE_FIELD_KEYS": f"bench:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "SUNSHINE_BLIND_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
