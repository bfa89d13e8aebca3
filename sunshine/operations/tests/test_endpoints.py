"""Health, readiness and metrics endpoints as a load balancer and Prometheus use them."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.test import Client

from sunshine.operations import views

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_when_the_database_is_migrated(client, monkeypatch):
    monkeypatch.setattr(views, "_migrations_known_applied", False)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_readyz_refuses_traffic_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(views, "unapplied_migrations", lambda: 2)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["unapplied_migrations"] == 2


def test_readyz_refuses_traffic_when_the_database_is_down(client, monkeypatch):
    def unreachable() -> int:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(views, "unapplied_migrations", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_metrics_count_requests_by_view_for_a_loopback_scraper(client):
    client.get("/public/schools/")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'sunshine_http_requests_total{method="GET",status="2xx",view="public:schools"}' in text
    assert "sunshine_http_request_duration_seconds_bucket" in text


def test_metrics_are_refused_to_outside_callers_without_the_token(settings):
    settings.SUNSHINE_METRICS_TOKEN = "scrape-secret"
    outsider = Client(REMOTE_ADDR="203.0.113.9")
    assert outsider.get("/metrics").status_code == 403
    assert outsider.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    allowed = outsider.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert allowed.status_code == 200


def test_server_errors_are_counted_by_view(rf):
    from django.http import HttpResponse
    from django.urls import resolve

    from sunshine.operations import metrics
    from sunshine.operations.middleware import RequestMetricsMiddleware

    request = rf.get("/public/schools/")
    request.resolver_match = resolve("/public/schools/")
    before = metrics.SERVER_ERRORS.labels("public:schools")._value.get()
    RequestMetricsMiddleware(lambda r: HttpResponse(status=503))(request)
    assert metrics.SERVER_ERRORS.labels("public:schools")._value.get() == before + 1
