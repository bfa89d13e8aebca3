"""Load shedding and access logs: busy means 429, never a lost write or a logged ID."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from sunshine.operations import queue_wait
from sunshine.operations.jsonlog import JsonFormatter
from sunshine.operations.middleware import (
    ConcurrencyLimitMiddleware,
    RequestMetricsMiddleware,
    masked_path,
)


class HeldView:
    """A view that stays busy until released, to fill the process up."""

    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def __call__(self, request):  # type: ignore[no-untyped-def]
        self.entered.release()
        self.release.wait(5)
        return HttpResponse("done")


@pytest.fixture
def limited(settings):  # type: ignore[no-untyped-def]
    settings.SUNSHINE_MAX_CONCURRENT_REQUESTS = 2
    settings.SUNSHINE_WRITE_RESERVE = 1
    view = HeldView()
    return ConcurrencyLimitMiddleware(view), view


def _fill(middleware, view, count):  # type: ignore[no-untyped-def]
    factory = RequestFactory()
    threads = [
        threading.Thread(target=middleware, args=(factory.get("/public/schools/"),))
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    for _ in range(count):
        assert view.entered.acquire(timeout=5)
    return threads


def test_reads_past_the_limit_get_a_queue_page_that_retries(limited):
    middleware, view = limited
    threads = _fill(middleware, view, 2)
    try:
        response = middleware(RequestFactory().get("/public/schools/", HTTP_ACCEPT="text/html"))
    finally:
        view.release.set()
        for thread in threads:
            thread.join()
    assert response.status_code == 429
    assert response["Retry-After"] == "3"
    body = response.content.decode()
    assert "排队中，请稍候" in body
    assert 'http-equiv="refresh"' in body


def test_a_draft_save_still_gets_through_when_reads_are_shed(limited):
    middleware, view = limited
    threads = _fill(middleware, view, 2)
    factory = RequestFactory()
    try:
        read = middleware(factory.get("/api/v1/drafts/1"))
        holder = threading.Thread(target=middleware, args=(factory.patch("/api/v1/drafts/1"),))
        holder.start()
        assert view.entered.acquire(timeout=5)
        second_write = middleware(factory.post("/api/v1/drafts/1/submit"))
    finally:
        view.release.set()
        for thread in [*threads, holder]:
            thread.join()
    assert read.status_code == 429
    assert read["Content-Type"] == "application/json"
    # The reserve admitted one write; the next one is told to retry, never dropped silently.
    assert second_write.status_code == 429
    assert json.loads(second_write.content)["detail"] == "busy"


def test_a_form_post_turned_away_asks_to_resend_instead_of_reloading(limited):
    middleware, view = limited
    threads = _fill(middleware, view, 2)
    factory = RequestFactory()
    try:
        holder = threading.Thread(target=middleware, args=(factory.post("/portal/x/"),))
        holder.start()
        assert view.entered.acquire(timeout=5)
        response = middleware(factory.post("/portal/x/", HTTP_ACCEPT="text/html"))
    finally:
        view.release.set()
        for thread in [*threads, holder]:
            thread.join()
    body = response.content.decode()
    assert response.status_code == 429
    # A reload would resend nothing the family typed: the page must not reload by itself.
    assert 'http-equiv="refresh"' not in body
    assert "请返回上一页" in body


def test_requests_pass_again_once_the_load_falls(limited):
    middleware, view = limited
    view.release.set()
    for _ in range(5):
        assert middleware(RequestFactory().get("/")).status_code == 200


def test_health_checks_are_never_shed(limited):
    middleware, view = limited
    threads = _fill(middleware, view, 2)
    try:
        probe = threading.Thread(target=middleware, args=(RequestFactory().get("/healthz"),))
        probe.start()
        assert view.entered.acquire(timeout=5)
    finally:
        view.release.set()
        for thread in [*threads, probe]:
            thread.join()


def test_paths_in_logs_carry_no_identifiers():
    assert masked_path("/portal/applications/123456/") == "/portal/applications/:n/"
    assert masked_path("/api/v1/notices/Zx9kQ2bW8mN4pL7rT1vY3/") == "/api/v1/notices/:token/"
    assert masked_path("/x/11010120180101123X/status") == "/x/:token/status"
    assert masked_path("/api/v1/drafts/7/") == "/api/v1/drafts/:n/"


def test_access_log_is_json_without_query_string(caplog):
    request = RequestFactory().get("/portal/children/42/", {"phone": "13800138000"})
    with caplog.at_level(logging.INFO, logger="sunshine.access"):
        RequestMetricsMiddleware(lambda r: HttpResponse(status=200))(request)
    (record,) = [r for r in caplog.records if r.name == "sunshine.access"]
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["path"] == "/portal/children/:n/"
    assert entry["status"] == 200
    assert "13800138000" not in line
    assert "42" not in entry["path"]


class SlowView:
    """A view that takes 50 ms, like every request on a machine whose cores are saturated."""

    def __call__(self, request):  # type: ignore[no-untyped-def]
        time.sleep(0.05)
        return HttpResponse("done")


@pytest.fixture
def slow_process(settings):  # type: ignore[no-untyped-def]
    """A process whose every request takes 50 ms, shedding reads past a 10 ms mean."""
    settings.SUNSHINE_MAX_CONCURRENT_REQUESTS = 0
    settings.SUNSHINE_SHED_AFTER_MS = 10
    return ConcurrencyLimitMiddleware(SlowView())


def test_a_slow_process_turns_reads_away_but_keeps_taking_writes(slow_process):
    middleware, factory = slow_process, RequestFactory()
    statuses = [middleware(factory.get("/api/v1/children")).status_code for _ in range(8)]
    assert statuses[0] == 200 and 429 in statuses
    assert middleware(factory.post("/api/v1/drafts")).status_code == 200


def test_shedding_eases_off_once_the_reads_turned_away_bring_the_mean_down(slow_process):
    middleware, factory = slow_process, RequestFactory()
    statuses = [middleware(factory.get("/api/v1/children")).status_code for _ in range(40)]
    first_shed = statuses.index(429)
    assert 200 in statuses[first_shed:], "reads must be taken again after some were shed"
    assert 429 in statuses[first_shed + statuses[first_shed:].index(200) :]


def test_a_read_that_waited_too_long_for_a_thread_is_turned_away_though_views_are_quick(
    settings,
):
    settings.SUNSHINE_MAX_CONCURRENT_REQUESTS = 0
    settings.SUNSHINE_SHED_AFTER_MS = 0
    settings.SUNSHINE_SHED_AFTER_QUEUED_MS = 100
    middleware = ConcurrencyLimitMiddleware(lambda request: HttpResponse("done"))
    factory = RequestFactory()
    try:
        queue_wait.note(0.08)  # behind an ordinary request or two: under the threshold
        short_queue = middleware(factory.get("/")).status_code
        queue_wait.note(0.5)  # the server's queue is long: this one waited half a second
        long_queue_read = middleware(factory.get("/")).status_code
        long_queue_write = middleware(factory.post("/api/v1/drafts")).status_code
        queue_wait.note(0.005)
        queue_short_again = middleware(factory.get("/")).status_code
    finally:
        queue_wait.note(0.0)
    assert (short_queue, long_queue_read, long_queue_write, queue_short_again) == (
        200,
        429,
        200,
        200,
    )


def test_without_either_limit_nothing_is_shed(settings):
    settings.SUNSHINE_MAX_CONCURRENT_REQUESTS = 0
    settings.SUNSHINE_SHED_AFTER_MS = 0
    middleware = ConcurrencyLimitMiddleware(SlowView())
    factory = RequestFactory()
    assert {middleware(factory.get("/")).status_code for _ in range(6)} == {200}
