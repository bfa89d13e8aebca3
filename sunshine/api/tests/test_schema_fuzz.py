"""Schemathesis against the served OpenAPI schema, in-process: no input makes a server error.

Every operation is called with generated (and, in the coverage phase, boundary
and invalid) inputs, as a logged-in parent of a client app that has a child, a
draft and an application, so that some generated ids reach real rows.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from sunshine.api.tokens import create_client_app, issue_access_token
from sunshine.audit.services import Actor
from sunshine.portal import services
from sunshine.portal.tests import world as w
from sunshine.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def same_connection():
    """Keep the test's database connection across calls, as Django's test client does:
    the WSGI handler would otherwise close it at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(db, same_connection):
    city = w.world()
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    parent = Actor("p", "parent")
    child = services.add_child(
        parent,
        user,
        name=fam.child_name,
        id_number=fam.child_id,
        parent=services.ParentInput(fam.parent_name, fam.parent_id, "父亲"),
    )
    draft = services.open_draft(parent, user, child, city.round)
    services.save_draft(
        draft, {"residence_address": w.HOME, "housing": "own", "property_certificate_no": "x"}
    )
    client, key = create_client_app(Actor("bureau", "city"), "fuzz")
    _, token = issue_access_token(client, user)
    return {"X-Client-Key": key, "Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_input_makes_a_server_error(case, credentials):
    case.call_and_validate(headers=credentials, checks=[not_a_server_error])
