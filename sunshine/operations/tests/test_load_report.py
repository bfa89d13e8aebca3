"""The load run's own verdict: figures read correctly, lost or doubled applications caught."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command

from sunshine import testing
from sunshine.operations.cputime import children_of, process_seconds, tree_seconds
from sunshine.operations.load_report import (
    cpu_per_request,
    exactly_once,
    locust_totals,
    served_requests,
    server_counts,
)

pytestmark = pytest.mark.django_db


def _line(application) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(
        {
            "application_id": application.pk,
            "child_id": application.child_id,
            "round_id": application.round_id,
        }
    )


def test_every_submitted_application_found_once_passes():
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=5)
    stored = [testing.verified_application(round_, school, 1) for _ in range(3)]
    # A retried submission reports the same application twice; it is still one application.
    lines = [_line(a) for a in stored] + [_line(stored[0])]
    assert exactly_once(lines) == {"submitted": 3, "missing": 0, "duplicated": 0}


def test_an_application_the_client_saw_but_the_database_lacks_is_missing():
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=5)
    kept = testing.verified_application(round_, school, 1)
    lost = testing.verified_application(round_, school, 1)
    lines = [_line(kept), _line(lost)]
    lost.delete()
    assert exactly_once(lines)["missing"] == 1


def test_locust_aggregate_row_and_server_counters_are_read(tmp_path):
    stats = tmp_path / "run_stats.csv"
    stats.write_text(
        "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%\n"
        "GET,poll,10,0,5.0,20,40,50\n"
        ",Aggregated,1200,3,301.25,35,180,420\n",
        encoding="utf-8",
    )
    assert locust_totals(stats) == {
        "requests": 1200,
        "failures": 3,
        "requests_per_second": 301.2,
        "p50_ms": 35.0,
        "p95_ms": 180.0,
        "p99_ms": 420.0,
    }
    metrics = (
        'sunshine_http_server_errors_total{view="api-v1:submit"} 2.0\n'
        'sunshine_http_server_errors_total{view="public:schools"} 1.0\n'
        "sunshine_http_shed_total 17.0\n"
    )
    assert server_counts(metrics) == {"server_5xx": 3, "shed_429": 17}


def test_requests_served_count_every_view_and_the_shed_ones():
    metrics = (
        'sunshine_http_requests_total{method="GET",status="2xx",view="public:schools"} 300.0\n'
        'sunshine_http_requests_total{method="POST",status="4xx",view="api-v1:submit"} 20.0\n'
        'sunshine_http_requests_created{method="GET",status="2xx",view="public:schools"} 1.7e9\n'
        "sunshine_http_shed_total 5.0\n"
    )
    assert served_requests(metrics) == 325


def test_cpu_per_request_is_given_per_side_and_summed():
    figures = cpu_per_request({"server": 12.0, "client": 3.0, "database": 1.5}, requests=3000)
    assert figures == {
        "server_cpu_ms_per_request": 4.0,
        "client_cpu_ms_per_request": 1.0,
        "database_cpu_ms_per_request": 0.5,
        "total_cpu_ms_per_request": 5.5,
    }


def test_cpu_of_a_process_tree_counts_its_busy_child():
    """A gunicorn master does nothing itself; the CPU is in its workers."""
    busy_child = (
        "import time\n"
        "end = time.process_time() + 0.3\n"
        "while time.process_time() < end: pass\n"
        "time.sleep(30)\n"
    )
    idle_parent = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {busy_child!r}])\n"
        "time.sleep(30)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", idle_parent])
    try:
        deadline = time.monotonic() + 20
        while tree_seconds(parent.pid) < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tree_seconds(parent.pid) >= 0.3
        assert process_seconds(parent.pid) < 0.3
    finally:
        for child in children_of(parent.pid):
            os.kill(child, signal.SIGKILL)
        parent.kill()
        parent.wait()


def _run_files(tmp_path, lines: list[str]):  # type: ignore[no-untyped-def]
    stats = tmp_path / "run_stats.csv"
    stats.write_text(
        "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%\n"
        ",Aggregated,1000,0,250.0,30,200,400\n",
        encoding="utf-8",
    )
    request_line = 'sunshine_http_requests_total{{method="GET",status="2xx",view="v"}} {}\n'
    (tmp_path / "before.txt").write_text(request_line.format(100.0), encoding="utf-8")
    (tmp_path / "after.txt").write_text(request_line.format(2100.0), encoding="utf-8")
    submitted = tmp_path / "submitted.jsonl"
    submitted.write_text("\n".join(lines), encoding="utf-8")
    return [
        "--stats", str(stats), "--metrics", str(tmp_path / "after.txt"),
        "--metrics-before", str(tmp_path / "before.txt"), "--submitted", str(submitted),
        "--seconds", "60", "--workers", "4",
    ]  # fmt: skip


def test_the_report_gives_cpu_per_request_served_during_the_run(tmp_path, capsys):
    round_ = testing.round_()
    stored = testing.verified_application(round_, testing.school("S1", round_, seats=5), 1)
    arguments = _run_files(tmp_path, [_line(stored)])
    call_command(
        "load_report", *arguments, "--server-cpu", "10", "--client-cpu", "1", "--database-cpu", "2"
    )
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["requests_served"] == 2000
    assert figures["server_cpu_ms_per_request"] == 5.0
    assert figures["total_cpu_ms_per_request"] == 6.5
    assert figures["applications_missing"] == 0


def test_the_report_fails_the_run_when_an_application_was_lost(tmp_path):
    round_ = testing.round_()
    lost = testing.verified_application(round_, testing.school("S1", round_, seats=5), 1)
    arguments = _run_files(tmp_path, [_line(lost)])
    lost.delete()
    with pytest.raises(CommandError, match="lost or duplicated"):
        call_command("load_report", *arguments)
