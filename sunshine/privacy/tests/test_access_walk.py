"""Every URL of the project and every API operation, as every role, answers as it should.

The tables below are the project's access policy in one place. A URL or API
operation added without a line here fails ``test_every_url_is_classified``
(or ``..._api_operation_...``): whoever adds a page decides who may open it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from sunshine.accounts.models import Role, User
from sunshine.admissions.models import AdmissionRun, Ceremony, CeremonySource, LotteryDraw
from sunshine.api.tokens import create_client_app, issue_access_token
from sunshine.applications.models import Application, Child, Guardian
from sunshine.audit.services import Actor
from sunshine.classes.models import PlacementRun
from sunshine.demo.year import run_year
from sunshine.portal.models import Draft
from sunshine.portal.notice import notice_token
from sunshine.schools.models import School, Term
from sunshine.verification.models import ReviewCase

ANONYMOUS, PARENT, SCHOOL, DISTRICT, CITY, OBSERVER = (
    "anonymous",
    Role.PARENT.value,
    Role.SCHOOL.value,
    Role.DISTRICT.value,
    Role.CITY.value,
    Role.OBSERVER.value,
)
ROLES = (ANONYMOUS, PARENT, SCHOOL, DISTRICT, CITY, OBSERVER)
SIGNED_IN = ROLES[1:]
STAFF = (SCHOOL, DISTRICT, CITY)
READERS = (*STAFF, OBSERVER)
BUREAUS = (DISTRICT, CITY)
ADMISSION_READERS = (*BUREAUS, OBSERVER)
CEREMONY_RUNNERS = (CITY,)

# Outcomes: "ok" is 200 or a redirect that is not to a log-in page; "login" a redirect to one.
OK, LOGIN, ACCEPTED = "ok", "login", "accepted"
UNAUTHORIZED, FORBIDDEN, MISSING, NOT_ALLOWED = 401, 403, 404, 405
Outcome = str | int
World = dict[str, Any]


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(ROLES, outcome)


def only(allowed: tuple[str, ...], outcome: Outcome = OK) -> dict[str, Outcome]:
    """A signed-in page: anonymous visitors log in, roles not listed are refused."""
    outcomes: dict[str, Outcome] = {role: FORBIDDEN for role in SIGNED_IN}
    outcomes.update(dict.fromkeys(allowed, outcome))
    return {ANONYMOUS: LOGIN, **outcomes}


def post_only(allowed: tuple[str, ...]) -> dict[str, Outcome]:
    """A form target behind login and role checks: GET is refused once the role is known."""
    return only(allowed, NOT_ALLOWED)


GET_REFUSED = everyone(NOT_ALLOWED)  # require_POST comes first: a link can change nothing


def posting(allowed: tuple[str, ...], outcome: Outcome = ACCEPTED) -> dict[str, Outcome]:
    """What an empty POST gets: anonymous visitors log in, other roles are refused."""
    return only(allowed, outcome)


@dataclass(frozen=True)
class Route:
    outcomes: dict[str, Outcome]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    # For form targets: who may POST (walked after every GET, since a POST may change state).
    post: dict[str, Outcome] | None = None


def form_target(
    allowed: tuple[str, ...], kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
) -> Route:
    return Route(GET_REFUSED, kwargs, posting(allowed))


def _pk(key: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"pk": world[key].pk}


ADMIN_ANY = everyone(LOGIN)  # no account of any role is a Django staff user
PARENTS = only((PARENT,))
CONSOLE_STAFF = only(STAFF)
CONSOLE_READERS = only(READERS)

URLS: dict[str, Route] = {
    # Transparency: anyone.
    "": Route(everyone(OK)),
    "public/timetable/": Route(everyone(OK)),
    "public/schools/": Route(everyone(OK)),
    "public/lotteries/": Route(everyone(OK)),
    "public/lotteries/how-to-verify/": Route(everyone(OK)),
    "public/lotteries/<str:reference>/": Route(
        everyone(OK), lambda w: {"reference": w["draw"].reference}
    ),
    "public/lotteries/<str:reference>/record.json": Route(
        everyone(OK), lambda w: {"reference": w["draw"].reference}
    ),
    "public/ceremonies/": Route(everyone(OK)),
    "public/ceremonies/<int:pk>/": Route(everyone(OK), _pk("ceremony")),
    "public/ceremonies/<int:pk>/projector/": Route(everyone(OK), _pk("ceremony")),
    "public/ceremonies/<int:pk>/record/": Route(everyone(OK), _pk("ceremony")),
    "public/results/": Route(everyone(OK)),
    "public/statistics/": Route(everyone(OK)),
    "public/audit/": Route(everyone(OK)),
    "healthz": Route(everyone(OK)),
    "readyz": Route(everyone(OK)),
    "metrics": Route(everyone(FORBIDDEN)),  # only with the scraper's token
    "i18n/setlang/": Route(everyone(OK)),
    # Log-in pages: anyone may open them.
    "accounts/login/": Route(everyone(OK)),
    "accounts/logout/": Route(everyone(NOT_ALLOWED)),  # log-out is a POST
    "portal/login/": Route(everyone(OK)),
    # The province's identity service is not configured in tests: the routes are off.
    "portal/login/oidc/": Route(everyone(MISSING)),
    "portal/login/oidc/callback/": Route(everyone(MISSING)),
    "portal/notice-check/<str:token>/": Route(everyone(OK), lambda w: {"token": w["notice"]}),
    # The parents' portal: the parent, on their own family's rows.
    "portal/": Route(PARENTS),
    "portal/children/new/": Route(PARENTS),
    "portal/children/<int:pk>/": Route(PARENTS, _pk("child")),
    "portal/children/<int:child_pk>/rounds/<int:round_pk>/apply/": Route(
        post_only((PARENT,)),
        lambda w: {"child_pk": w["child"].pk, "round_pk": w["round"].pk},
        posting((PARENT,)),
    ),
    "portal/drafts/<int:pk>/discard/": Route(
        post_only((PARENT,)), _pk("draft"), posting((PARENT,))
    ),
    "portal/drafts/<int:pk>/<slug:step>/": Route(
        PARENTS, lambda w: {"pk": w["draft"].pk, "step": "address"}
    ),
    "portal/applications/<int:pk>/": Route(PARENTS, _pk("application")),
    "portal/applications/<int:pk>/edit/": Route(
        post_only((PARENT,)), _pk("application"), posting((PARENT,))
    ),
    "portal/applications/<int:pk>/withdraw/": Route(
        post_only((PARENT,)), _pk("application"), posting((PARENT,))
    ),
    "portal/applications/<int:pk>/confirm/": Route(
        post_only((PARENT,)), _pk("application"), posting((PARENT,))
    ),
    "portal/applications/<int:pk>/review/": Route(
        post_only((PARENT,)), _pk("application"), posting((PARENT,))
    ),
    "portal/applications/<int:pk>/notice.pdf": Route(PARENTS, _pk("application")),
    # Verification: staff worklists; the observer reads published data, not families.
    "console/verification/": Route(CONSOLE_STAFF),
    "console/verification/cases/<int:pk>/": Route(CONSOLE_STAFF, _pk("case")),
    # Documents are found by token within the caller's scope; others learn nothing (404).
    "console/verification/documents/<str:token>/": Route(
        {ANONYMOUS: LOGIN, **dict.fromkeys(SIGNED_IN, MISSING)},
        lambda w: {"token": "no-such-document"},
    ),
    "console/verification/terms/<int:pk>/policy/": Route(only(BUREAUS), _pk("term")),
    # The family's own view of its checks: found only among the parent's applications.
    "console/verification/family/<str:reference>/": Route(
        {ANONYMOUS: LOGIN, **dict.fromkeys(SIGNED_IN, MISSING), PARENT: OK},
        lambda w: {"reference": w["application"].reference},
    ),
    # The staff console (decorators in sunshine/console/*_views.py).
    "console/": Route(CONSOLE_READERS),
    "console/setup/": Route(only((CITY,))),
    "console/setup/rounds/<int:pk>/": Route(only((CITY,)), _pk("round")),
    "console/setup/schools/": Route(only(BUREAUS)),
    "console/setup/schools/<str:code>/": Route(only(BUREAUS), lambda w: {"code": w["school"].code}),
    "console/setup/schools/<str:code>/rounds/<int:round_pk>/seats/": form_target(
        BUREAUS, lambda w: {"code": w["school"].code, "round_pk": w["round"].pk}
    ),
    "console/setup/zones/": Route(only(BUREAUS)),
    "console/setup/zones/template.xlsx": Route(only(BUREAUS)),
    "console/admission/": Route(only(ADMISSION_READERS)),
    "console/admission/rounds/<int:pk>/preview/": form_target((CITY,), _pk("round")),
    "console/admission/rounds/<int:pk>/supplementary/": Route(only((CITY,)), _pk("round")),
    "console/admission/runs/<int:pk>/": Route(only(ADMISSION_READERS), _pk("run")),
    "console/admission/runs/<int:pk>/commit/": form_target((CITY,), _pk("run")),
    "console/admission/runs/<int:pk>/publish/": form_target((CITY,), _pk("run")),
    "console/admission/runs/<int:pk>/coordinated/": Route(only(BUREAUS), _pk("run")),
    "console/admission/runs/<int:pk>/refill/": Route(only((CITY,)), _pk("run")),
    # No refill was made in the demo year: bureaus find none, the others are refused first.
    "console/admission/refills/<int:pk>/": Route(only(BUREAUS, MISSING), _pk("run")),
    "console/admission/refills/<int:pk>/commit/": Route(
        GET_REFUSED, _pk("run"), posting((CITY,), MISSING)
    ),
    "console/admission/compare/": Route(only(BUREAUS)),
    "console/admission/notify/": form_target((CITY,)),
    "console/statistics/": Route(CONSOLE_READERS),
    "console/statistics/<str:table>.<str:fmt>": Route(
        CONSOLE_READERS, lambda w: {"table": "school", "fmt": "csv"}
    ),
    "console/exports/": Route(CONSOLE_STAFF),
    "console/ceremonies/": Route(only(ADMISSION_READERS)),
    "console/ceremonies/new/": form_target(BUREAUS),
    # The sample ceremony is city-wide, which only the city bureau runs; a district runs
    # its own schools' ceremonies (admissions.ceremony_selectors.may_manage).
    "console/ceremonies/<int:pk>/": Route(only(ADMISSION_READERS), _pk("ceremony")),
    "console/ceremonies/<int:pk>/freeze/": form_target(CEREMONY_RUNNERS, _pk("ceremony")),
    "console/ceremonies/<int:pk>/announce/<str:kind>/": form_target(
        CEREMONY_RUNNERS, lambda w: {"pk": w["ceremony"].pk, "kind": "lottery"}
    ),
    "console/ceremonies/<int:pk>/close/": form_target(CEREMONY_RUNNERS, _pk("ceremony")),
    "console/ceremonies/<int:pk>/sources/<int:source_pk>/": form_target(
        CEREMONY_RUNNERS, lambda w: {"pk": w["ceremony"].pk, "source_pk": w["source"].pk}
    ),
    "console/ceremonies/<int:pk>/draw/": form_target(CEREMONY_RUNNERS, _pk("ceremony")),
    "console/ceremonies/<int:pk>/redraw/": form_target(CEREMONY_RUNNERS, _pk("ceremony")),
    "console/ceremonies/<int:pk>/admission/": form_target(CEREMONY_RUNNERS, _pk("ceremony")),
    # Classes are the schools' and bureaus' work; observers see published records only.
    "console/classes/": Route(CONSOLE_STAFF),
    "console/classes/runs/<int:pk>/": Route(CONSOLE_STAFF, _pk("class_run")),
    "console/classes/runs/<int:pk>/freeze/": form_target(STAFF, _pk("class_run")),
    "console/classes/runs/<int:pk>/draw/": form_target(STAFF, _pk("class_run")),
    "console/classes/<str:code>/": Route(CONSOLE_STAFF, lambda w: {"code": w["school"].code}),
    "console/classes/<str:code>/place/": form_target(STAFF, lambda w: {"code": w["school"].code}),
    "console/classes/<str:code>/teachers/": form_target(
        STAFF, lambda w: {"code": w["school"].code}
    ),
    # The JSON API, reached with a browser session: sessions never authenticate it.
    "api/v1/openapi.json": Route(everyone(OK)),
    "api/v1/docs": Route(everyone(OK)),
    "api/v1/": Route(everyone(MISSING)),
    "api/v1/auth/sms-code": Route(everyone(NOT_ALLOWED)),
    "api/v1/auth/token": Route(everyone(NOT_ALLOWED)),
    "api/v1/auth/logout": Route(everyone(NOT_ALLOWED)),
    "api/v1/auth/me": Route(everyone(UNAUTHORIZED)),
    "api/v1/children": Route(everyone(UNAUTHORIZED)),
    "api/v1/children/<child_id>": Route(everyone(UNAUTHORIZED), lambda w: {"child_id": 1}),
    "api/v1/rounds/<round_id>/private-schools": Route(
        everyone(UNAUTHORIZED), lambda w: {"round_id": w["round"].pk}
    ),
    "api/v1/rounds/<round_id>/zone-school": Route(
        everyone(NOT_ALLOWED), lambda w: {"round_id": w["round"].pk}
    ),
    "api/v1/drafts": Route(everyone(NOT_ALLOWED)),
    "api/v1/drafts/<draft_id>": Route(everyone(UNAUTHORIZED), lambda w: {"draft_id": 1}),
    "api/v1/drafts/<draft_id>/submit": Route(everyone(NOT_ALLOWED), lambda w: {"draft_id": 1}),
    "api/v1/applications": Route(everyone(UNAUTHORIZED)),
    "api/v1/applications/<application_id>": Route(
        everyone(UNAUTHORIZED), lambda w: {"application_id": 1}
    ),
    "api/v1/applications/<application_id>/withdraw": Route(
        everyone(NOT_ALLOWED), lambda w: {"application_id": 1}
    ),
    "api/v1/applications/<application_id>/enrollment": Route(
        everyone(NOT_ALLOWED), lambda w: {"application_id": 1}
    ),
    "api/v1/applications/<application_id>/review": Route(
        everyone(NOT_ALLOWED), lambda w: {"application_id": 1}
    ),
    "api/v1/applications/<application_id>/notice": Route(
        everyone(UNAUTHORIZED), lambda w: {"application_id": 1}
    ),
    "api/v1/public/privacy-notice": Route(everyone(UNAUTHORIZED)),
    # Anyone holding a printed notice may check it, as on the portal's check page.
    "api/v1/public/notices/<token>": Route(everyone(OK), lambda w: {"token": "x"}),
}

_ADMIN_MODELS = (
    "auth/group",
    "schools/district",
    "schools/compound",
    "otp_totp/totpdevice",
    "axes/accessattempt",
    "axes/accesslog",
    "axes/accessfailurelog",
)
URLS.update(
    {
        "admin/": Route(ADMIN_ANY),
        "admin/login/": Route(everyone(LOGIN)),  # sent to the staff log-in with its code
        "admin/logout/": Route(everyone(OK)),  # a GET is sent back to the admin index
        "admin/password_change/": Route(ADMIN_ANY),
        "admin/password_change/done/": Route(ADMIN_ANY),
        "admin/autocomplete/": Route(ADMIN_ANY),
        "admin/jsi18n/": Route(ADMIN_ANY),
        "admin/r/<path:content_type_id>/<path:object_id>/": Route(
            ADMIN_ANY, lambda w: {"content_type_id": 1, "object_id": 1}
        ),
        "admin/^(?P<app_label>auth|otp_totp|axes|schools)/$": Route(
            ADMIN_ANY, lambda w: {"app_label": "auth"}
        ),
        "admin/otp_totp/totpdevice/<int:pk>/config/": Route(ADMIN_ANY, lambda w: {"pk": 1}),
        "admin/otp_totp/totpdevice/<int:pk>/qrcode/": Route(ADMIN_ANY, lambda w: {"pk": 1}),
        "admin/(?P<url>.*)$": Route(ADMIN_ANY, lambda w: {"url": "nothing/"}),
    }
)
for _model in _ADMIN_MODELS:
    URLS[f"admin/{_model}/"] = Route(ADMIN_ANY)
    URLS[f"admin/{_model}/add/"] = Route(ADMIN_ANY)
    for _suffix in ("history/", "delete/", "change/", ""):
        URLS[f"admin/{_model}/<path:object_id>/{_suffix}"] = Route(
            ADMIN_ANY, lambda w: {"object_id": 1}
        )


def url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Every route of the project as its pattern text, resolvers walked depth first."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def fill(pattern: str, kwargs: dict[str, Any]) -> str:
    """The path of a pattern with sample arguments put in place of its parameters."""
    path = pattern.replace("^", "").replace("$", "")
    path = _GROUP.sub(lambda m: str(kwargs[m.group(1)]), path)
    return "/" + _CONVERTER.sub(lambda m: str(kwargs[m.group(1)]), path)


def test_every_url_is_classified():
    walked = set(url_patterns())
    assert walked - set(URLS) == set(), "new URLs need a line in URLS"
    assert set(URLS) - walked == set(), "URLS lists routes that no longer exist"


def test_sample_arguments_fill_every_placeholder():
    for pattern, route in URLS.items():
        path = fill(pattern, route.kwargs(_FAKE_WORLD))
        assert "<" not in path and "(?P" not in path, pattern


class _Anything:
    pk = 1
    reference = "R1"
    code = "S1"


_FAKE_WORLD: World = {
    key: _Anything()
    for key in (
        "draw",
        "ceremony",
        "child",
        "round",
        "draft",
        "application",
        "case",
        "term",
        "school",
        "run",
        "source",
        "class_run",
    )
} | {"notice": "token"}


def _world() -> tuple[World, dict[str, User]]:
    """A demo year, with the school and district accounts moved to where a review case is,
    and a parent account holding the first admitted child's family."""
    run_year(40, 3, progress=False)
    users = {role: User.objects.get(username=role) for role in READERS}
    users[PARENT] = User.objects.create_user("parent", role=Role.PARENT)
    admitted = Application.objects.filter(placements__school__isnull=False).first()
    assert admitted is not None
    Guardian.objects.filter(children=admitted.child).update(user=users[PARENT])
    case = (
        ReviewCase.objects.filter(school__in=PlacementRun.objects.values("school"))
        .select_related("school")
        .first()
    )
    assert case is not None and case.school is not None
    User.objects.filter(pk=users[SCHOOL].pk).update(school=case.school)
    User.objects.filter(pk=users[DISTRICT].pk).update(district=case.school.district)
    parent = users[PARENT]
    child = Child.objects.filter(guardians__user=parent).first()
    application = Application.objects.filter(child=child).first()
    assert application is not None
    placement = application.placements.filter(school__isnull=False).first()
    now = timezone.now()
    ceremony = Ceremony.objects.filter(school__isnull=True).first()
    world: World = {
        "draw": LotteryDraw.objects.first(),
        "ceremony": ceremony,
        "source": CeremonySource.objects.filter(ceremony=ceremony).first(),
        "child": child,
        "application": application,
        "round": application.round,
        "draft": Draft.objects.create(
            user=parent, child=child, round=application.round, created_at=now, updated_at=now
        ),
        "notice": notice_token(placement) if placement else "none",
        "case": case,
        "term": Term.objects.first(),
        "school": case.school,
        "run": AdmissionRun.objects.first(),
        "class_run": PlacementRun.objects.filter(school=case.school).first(),
    }
    return world, users


def outcome_of(response: Any) -> Outcome:
    if response.status_code in (301, 302, 303):
        target = response.headers.get("Location", "")
        return LOGIN if "login" in target else OK
    return OK if response.status_code == 200 else response.status_code


def _accepted(outcome: Outcome) -> bool:
    """An allowed POST: anything but a refusal or a server error."""
    return outcome not in (LOGIN, UNAUTHORIZED, FORBIDDEN, NOT_ALLOWED) and not (
        isinstance(outcome, int) and outcome >= 500
    )


def _client_for(role: str, users: dict[str, User]) -> Client:
    # A public address: loopback callers are trusted by the metrics endpoint.
    client = Client(REMOTE_ADDR="203.0.113.50")
    if role != ANONYMOUS:
        client.force_login(users[role])
    return client


def _walk(method: str, world: World, users: dict[str, User]) -> tuple[int, list[str]]:
    wrong, walked = [], 0
    for role in ROLES:
        client = _client_for(role, users)
        for pattern in dict.fromkeys(url_patterns()):  # API routes repeat once per method
            route = URLS[pattern]
            expected = route.outcomes if method == "GET" else route.post
            if expected is None:
                continue
            path = fill(pattern, route.kwargs(world))
            got = outcome_of(getattr(client, method.lower())(path))
            walked += 1
            fine = _accepted(got) if expected[role] == ACCEPTED else got == expected[role]
            if not fine:
                wrong.append(f"{role:9} {method} {path} -> {got}, expected {expected[role]}")
    return walked, wrong


@pytest.mark.django_db(transaction=True)
def test_every_url_answers_every_role_as_the_table_says():
    world, users = _world()
    assert not [key for key, value in world.items() if value is None]
    got_walked, wrong = _walk("GET", world, users)
    # Form targets last: an allowed POST may commit, publish or draw.
    posted, wrong_posts = _walk("POST", world, users)
    print(f"URL walk: {len(URLS)} routes x {len(ROLES)} roles: {got_walked} GET, {posted} POST")
    assert not wrong + wrong_posts, "\n".join(wrong + wrong_posts)


# ------------------------------------------------------------------ API operations
# The API serves parents through client apps: every call carries the app's key; a
# parent's calls also carry the parent's bearer token. Staff have no API access: their
# browser session does not authenticate it. Empty bodies make writes fail validation
# (or act on the parent's own rows), which is "accepted": the role got through.

CLIENT_ONLY = {role: ACCEPTED for role in ROLES}
PARENT_READ = {**everyone(UNAUTHORIZED), PARENT: OK}
PARENT_WRITE = {**everyone(UNAUTHORIZED), PARENT: ACCEPTED}


@dataclass(frozen=True)
class Operation:
    outcomes: dict[str, Outcome]
    path_params: Callable[[World], dict[str, Any]] = lambda world: {}


API: dict[tuple[str, str], Operation] = {
    ("POST", "/api/v1/auth/sms-code"): Operation(CLIENT_ONLY),
    ("POST", "/api/v1/auth/token"): Operation(CLIENT_ONLY),
    ("GET", "/api/v1/auth/me"): Operation(PARENT_READ),
    ("GET", "/api/v1/children"): Operation(PARENT_READ),
    ("POST", "/api/v1/children"): Operation(PARENT_WRITE),
    ("GET", "/api/v1/children/{child_id}"): Operation(
        PARENT_READ, lambda w: {"child_id": w["child"].pk}
    ),
    ("GET", "/api/v1/rounds/{round_id}/private-schools"): Operation(
        PARENT_READ, lambda w: {"round_id": w["round"].pk}
    ),
    ("POST", "/api/v1/rounds/{round_id}/zone-school"): Operation(
        PARENT_WRITE, lambda w: {"round_id": w["round"].pk}
    ),
    ("POST", "/api/v1/drafts"): Operation(PARENT_WRITE),
    ("GET", "/api/v1/drafts/{draft_id}"): Operation(
        PARENT_READ, lambda w: {"draft_id": w["draft"].pk}
    ),
    ("PATCH", "/api/v1/drafts/{draft_id}"): Operation(
        PARENT_WRITE, lambda w: {"draft_id": w["draft"].pk}
    ),
    ("POST", "/api/v1/drafts/{draft_id}/submit"): Operation(
        PARENT_WRITE, lambda w: {"draft_id": w["draft"].pk}
    ),
    ("DELETE", "/api/v1/drafts/{draft_id}"): Operation(
        PARENT_WRITE, lambda w: {"draft_id": w["draft"].pk}
    ),
    ("GET", "/api/v1/applications"): Operation(PARENT_READ),
    ("GET", "/api/v1/applications/{application_id}"): Operation(
        PARENT_READ, lambda w: {"application_id": w["application"].pk}
    ),
    ("GET", "/api/v1/applications/{application_id}/notice"): Operation(
        PARENT_READ, lambda w: {"application_id": w["application"].pk}
    ),
    ("POST", "/api/v1/applications/{application_id}/review"): Operation(
        PARENT_WRITE, lambda w: {"application_id": w["application"].pk}
    ),
    ("POST", "/api/v1/applications/{application_id}/enrollment"): Operation(
        PARENT_WRITE, lambda w: {"application_id": w["application"].pk}
    ),
    ("POST", "/api/v1/applications/{application_id}/withdraw"): Operation(
        PARENT_WRITE, lambda w: {"application_id": w["application"].pk}
    ),
    ("GET", "/api/v1/public/privacy-notice"): Operation(CLIENT_ONLY),
    ("GET", "/api/v1/public/notices/{token}"): Operation(everyone(OK), lambda w: {"token": "x"}),
    # Last: it ends the parent's token.
    ("POST", "/api/v1/auth/logout"): Operation(PARENT_WRITE),
}


def api_operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    ]


def _api_clients(users: dict[str, User]) -> dict[str, tuple[Client, dict[str, str]]]:
    client_app, key = create_client_app(Actor("city-bureau", Role.CITY), "access-walk")
    _, token = issue_access_token(client_app, users[PARENT])
    clients = {}
    for role in ROLES:
        headers = {"X-Client-Key": key}
        if role == PARENT:
            headers["Authorization"] = f"Bearer {token}"
        clients[role] = (_client_for(role, users), headers)
    return clients


@pytest.mark.django_db(transaction=True)
def test_every_api_operation_answers_every_role_as_the_table_says():
    world, users = _world()
    schema = Client().get("/api/v1/openapi.json").json()
    served = api_operations(schema)
    assert set(served) == set(API), "API operations and the API table differ"
    clients = _api_clients(users)
    wrong, walked = [], 0
    for role in ROLES:
        client, headers = clients[role]
        for method, template in API:
            operation = API[(method, template)]
            path = template.format(**operation.path_params(world))
            response = client.generic(
                method, path, data="{}", content_type="application/json", headers=headers
            )
            got = outcome_of(response)
            walked += 1
            expected = operation.outcomes[role]
            if not (_accepted(got) if expected == ACCEPTED else got == expected):
                wrong.append(f"{role:9} {method} {path} -> {got}, expected {expected}")
    print(f"API walk: {len(API)} operations x {len(ROLES)} roles = {walked} calls")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db(transaction=True)
def test_a_parent_cannot_reach_another_familys_rows_through_the_api():
    world, _ = _world()
    stranger = User.objects.create_user("stranger", role=Role.PARENT)
    client_app, key = create_client_app(Actor("city-bureau", Role.CITY), "stranger-app")
    _, token = issue_access_token(client_app, stranger)
    headers = {"X-Client-Key": key, "Authorization": f"Bearer {token}"}
    client = _client_for(PARENT, {PARENT: stranger})
    reachable = []
    for (method, template), operation in API.items():
        params = operation.path_params(world)
        if not params or operation.outcomes is not PARENT_READ:
            continue
        response = client.generic(method, template.format(**params), headers=headers)
        if response.status_code != MISSING:
            reachable.append(f"{method} {template} -> {response.status_code}")
    # The round's schools are not family data; every other row belongs to a family.
    assert reachable == ["GET /api/v1/rounds/{round_id}/private-schools -> 200"]


OTHER_FAMILY_PAGES = (
    "portal/children/<int:pk>/",
    "portal/drafts/<int:pk>/<slug:step>/",
    "portal/applications/<int:pk>/",
    "portal/applications/<int:pk>/notice.pdf",
    "console/verification/family/<str:reference>/",
)
OTHER_SCHOOL_PAGES = (
    "console/verification/cases/<int:pk>/",
    "console/classes/runs/<int:pk>/",
    "console/classes/<str:code>/",
)


@pytest.mark.django_db(transaction=True)
def test_pages_of_another_family_or_school_are_not_found():
    world, _ = _world()
    stranger = User.objects.create_user("stranger", role=Role.PARENT)
    elsewhere = School.objects.exclude(district=world["school"].district).first()
    other_staff = User.objects.create_user("elsewhere", role=Role.SCHOOL, school=elsewhere)
    reached = []
    for user, patterns in ((stranger, OTHER_FAMILY_PAGES), (other_staff, OTHER_SCHOOL_PAGES)):
        client = _client_for(PARENT, {PARENT: user})
        for pattern in patterns:
            path = fill(pattern, URLS[pattern].kwargs(world))
            if client.get(path).status_code not in (FORBIDDEN, MISSING):
                reached.append(f"{user.username} reached {path}")
    assert not reached
