"""The seeded opening-day city is one the load generator can really apply in."""

from __future__ import annotations

import pytest
from django.test import Client

from sunshine.applications.models import Application
from sunshine.operations.opening_day import seed

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def test_a_seeded_parent_applies_once_through_the_api_with_a_retry():
    households = seed(children=12)
    assert households
    parent = households[0]
    http = Client(
        headers={
            "X-Client-Key": parent.client_key,
            "Authorization": f"Bearer {parent.access_token}",
        }
    )
    assert http.get(f"{V1}/auth/me").status_code == 200
    opened = http.post(
        f"{V1}/drafts",
        {"child_id": parent.child_id, "round_id": parent.round_id},
        content_type="application/json",
    )
    # Registration is open now, so the draft opens; the seeded declaration fills it.
    assert opened.status_code == 201, opened.content
    draft = opened.json()
    saved = http.patch(f"{V1}/drafts/{draft['id']}", parent.draft, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["problems"] == {}
    body = {"idempotency_key": draft["idempotency_key"], "consent": True}
    first = http.post(f"{V1}/drafts/{draft['id']}/submit", body, content_type="application/json")
    retry = http.post(f"{V1}/drafts/{draft['id']}/submit", body, content_type="application/json")
    assert first.status_code == 201, first.content
    assert retry.json()["id"] == first.json()["id"]
    assert Application.objects.filter(child_id=parent.child_id).count() == 1
