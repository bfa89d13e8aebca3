"""The figures of a load run, and the exactly-once check of what it submitted."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

from sunshine.applications.models import Application

_SERVER_ERRORS_LINE = re.compile(r"^sunshine_http_server_errors_total\{[^}]*\}\s+([0-9.eE+]+)$")
_REQUESTS_LINE = re.compile(r"^sunshine_http_requests_total\{[^}]*\}\s+([0-9.eE+]+)$")
_SHED_LINE = re.compile(r"^sunshine_http_shed_total\s+([0-9.eE+]+)$")


def locust_totals(stats_csv: Path) -> dict[str, float]:
    """Requests/s, percentiles and failures from locust's ``*_stats.csv`` Aggregated row."""
    with stats_csv.open(encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
    }


def server_counts(metrics_text: str) -> dict[str, int]:
    """5xx responses and shed (429) requests as the server counted them."""
    errors = shed = 0.0
    for line in metrics_text.splitlines():
        if match := _SERVER_ERRORS_LINE.match(line):
            errors += float(match.group(1))
        elif match := _SHED_LINE.match(line):
            shed += float(match.group(1))
    return {"server_5xx": int(errors), "shed_429": int(shed)}


def served_requests(metrics_text: str) -> int:
    """Requests the web processes answered (operations endpoints excluded), shed ones included."""
    answered = sum(
        float(match.group(1))
        for line in metrics_text.splitlines()
        if (match := _REQUESTS_LINE.match(line))
    )
    return int(answered + server_counts(metrics_text)["shed_429"])


def cpu_per_request(cpu_seconds: dict[str, float], requests: int) -> dict[str, float]:
    """Milliseconds of CPU each side spent per request, and their sum.

    On a machine with ``c`` cores the sum bounds the rate at ``c × 1000 / total`` requests
    per second, whatever else the machine happens to be doing during the run.
    """
    per_request = {
        f"{side}_cpu_ms_per_request": round(seconds * 1000 / max(requests, 1), 2)
        for side, seconds in cpu_seconds.items()
    }
    per_request["total_cpu_ms_per_request"] = round(sum(per_request.values()), 2)
    return per_request


def exactly_once(submitted_lines: list[str]) -> dict[str, int]:
    """Every application the clients saw created exists once per child and round."""
    seen = [json.loads(line) for line in submitted_lines if line.strip()]
    pairs = {(s["child_id"], s["round_id"]) for s in seen}
    ids = {s["application_id"] for s in seen}
    stored = Counter(
        Application.objects.filter(child_id__in={c for c, _ in pairs}).values_list(
            "child_id", "round_id"
        )
    )
    found_ids = set(Application.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = {pair for pair in pairs if stored[pair] == 0} | {
        (s["child_id"], s["round_id"]) for s in seen if s["application_id"] not in found_ids
    }
    return {
        "submitted": len(pairs),
        "missing": len(missing),
        "duplicated": sum(1 for pair in pairs if stored[pair] > 1),
    }
