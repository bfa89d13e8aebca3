"""Every operation of API v1, as a client app and a parent use it."""

import datetime as dt

import pytest
from django.test import Client

from sunshine.admissions import services as admissions
from sunshine.api.models import AccessToken, ClientApp
from sunshine.api.tokens import create_client_app, digest, token_for
from sunshine.applications.models import Application, Status
from sunshine.audit.services import Actor
from sunshine.engine.idnumber import compose
from sunshine.portal.models import Draft
from sunshine.portal.tests import world as w
from sunshine.verification.services import verify_round

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


class App:
    """A client app talking to the API, optionally on behalf of a logged-in parent."""

    def __init__(self, key: str) -> None:
        self.http = Client()
        self.key = key
        self.token = ""

    def headers(self) -> dict[str, str]:
        headers = {"X-Client-Key": self.key, "X-End-User-Address": "203.0.113.50"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str):
        return self.http.get(V1 + path, headers=self.headers())

    def send(self, method: str, path: str, body: object = None):
        return getattr(self.http, method)(
            V1 + path, body, content_type="application/json", headers=self.headers()
        )

    def post(self, path: str, body: object = None):
        return self.send("post", path, body)

    def log_in(self, phone: str) -> None:
        assert self.post("/auth/sms-code", {"phone": phone}).status_code == 202
        answer = self.post("/auth/token", {"phone": phone, "code": w.last_code_in_file()})
        assert answer.status_code == 201, answer.content
        self.token = answer.json()["access_token"]


@pytest.fixture
def city():
    return w.world()


@pytest.fixture
def app():
    _, key = create_client_app(Actor("bureau", "city"), "wechat")
    return App(key)


def child_body(fam, **extra):
    return {
        "name": fam.child_name,
        "id_number": fam.child_id,
        "parent_name": fam.parent_name,
        "parent_id_number": fam.parent_id,
        "relation": "父亲",
        **extra,
    }


def submitted(app, city, fam):
    app.log_in(fam.phone)
    child = app.post("/children", child_body(fam)).json()
    draft = app.post("/drafts", {"child_id": child["id"], "round_id": city.round.pk}).json()
    app.send(
        "patch",
        f"/drafts/{draft['id']}",
        {
            "residence_address": w.HOME,
            "housing": "own",
            "property_certificate_no": fam.certificate,
        },
    )
    answer = app.post(
        f"/drafts/{draft['id']}/submit",
        {"idempotency_key": draft["idempotency_key"], "consent": True},
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_the_schema_is_served_as_openapi_3_with_both_credentials_on_parent_calls(client):
    schema = client.get(V1 + "/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    security = schema["paths"]["/api/v1/children"]["get"]["security"]
    assert security == [{"ParentToken": [], "ClientKey": []}]


def test_without_a_valid_client_key_nothing_answers(app):
    app.key = "sck_wrong"
    assert app.post("/auth/sms-code", {"phone": "13700000001"}).status_code == 401


def test_only_hashes_of_keys_and_tokens_are_stored(app, city):
    app.log_in("13700000011")
    row = AccessToken.objects.get()
    assert row.token_hash == digest(app.token) and app.token not in row.token_hash
    assert row.client.key_hash == digest(app.key)


def test_sms_log_in_is_rate_limited_like_the_pages(app):
    assert app.post("/auth/sms-code", {"phone": "13700000012"}).status_code == 202
    again = app.post("/auth/sms-code", {"phone": "13700000012"})
    assert again.status_code == 429 and int(again["Retry-After"]) > 0
    assert "phone" in again.json()["errors"]
    wrong = app.post("/auth/token", {"phone": "13700000012", "code": "12"})
    assert wrong.status_code == 422 and "code" in wrong.json()["errors"]


def test_a_token_works_only_with_its_own_client_app_and_dies_at_logout(app, city):
    app.log_in("13700000013")
    assert app.get("/auth/me").json()["masked_phone"] == "137****0013"
    _, other_key = create_client_app(Actor("bureau", "city"), "province-app")
    stolen = App(other_key)
    stolen.token = app.token
    assert stolen.get("/auth/me").status_code == 401
    assert app.post("/auth/logout").status_code == 204
    assert app.get("/auth/me").status_code == 401


def test_switching_a_client_app_off_logs_its_parents_out(app, city):
    app.log_in("13700000015")
    assert app.get("/auth/me").status_code == 200
    ClientApp.objects.update(active=False)
    assert app.get("/auth/me").status_code == 401


def test_an_expired_token_is_refused(app, city):
    app.log_in("13700000014")
    AccessToken.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert app.get("/children").status_code == 401


def test_a_deactivated_parent_account_is_refused(app, city):
    app.log_in("13700000016")
    AccessToken.objects.get().user.__class__.objects.update(is_active=False)
    assert app.get("/auth/me").status_code == 401


@pytest.mark.parametrize("role", ["observer", "city"])
def test_a_token_dies_when_its_account_stops_being_a_parents(app, city, role):
    app.log_in("13700000018")
    AccessToken.objects.get().user.__class__.objects.update(role=role)
    assert app.get("/applications").status_code == 401


def test_the_token_check_brings_the_parent_and_the_client_app(app, city):
    app.log_in("13700000017")
    row = AccessToken.objects.select_related("user", "client").get()
    found = token_for(app.key, app.token)
    assert (found.pk, found.client.name, found.user.username) == (
        row.pk,
        row.client.name,
        row.user.username,
    )
    assert (found.user.role, found.user.district_id, found.user.school_id) == ("parent", None, None)
    assert found.user.phone == "13700000017"
    # What the check does not read loads when first used, as it is stored.
    assert found.expires_at == row.expires_at
    assert token_for(app.key, app.token, now=row.expires_at) is None


def test_children_are_added_listed_and_shown_masked(app, city):
    fam = w.family(import_records=False)
    app.log_in(fam.phone)
    added = app.post("/children", child_body(fam))
    assert added.status_code == 201
    child = added.json()
    assert child["birth_date"] == "2018-03-01" and child["sex"] == "M"
    assert child["masked_id_number"] == fam.child_id[:6] + "********" + fam.child_id[-4:]
    assert [r["state"] for r in child["rounds"]] == ["open"]
    assert [c["id"] for c in app.get("/children").json()] == [child["id"]]
    assert app.get(f"/children/{child['id']}").json()["name"] == fam.child_name
    twin = app.post(
        "/children",
        child_body(
            fam,
            name="王二宝",
            id_number=compose("430702", dt.date(2018, 3, 1), 990),
            twin_of=child["id"],
        ),
    ).json()
    assert twin["twins"] == [child["id"]]


def test_bad_input_is_named_in_chinese_with_422(app, city):
    fam = w.family(import_records=False)
    app.log_in(fam.phone)
    answer = app.post("/children", child_body(fam, id_number="123"))
    assert answer.status_code == 422
    assert answer.json()["errors"]["id_number"] == ["身份证号码应为18位"]


def test_another_familys_child_draft_and_application_are_not_found(app, city):
    fam = w.family()
    owner = App(app.key)
    done = submitted(owner, city, fam)
    app.log_in(w.family(import_records=False).phone)
    assert app.get(f"/children/{done['child_id']}").status_code == 404
    assert app.get(f"/applications/{done['id']}").status_code == 404
    assert app.get(f"/drafts/{Draft.objects.get().pk}").status_code == 404
    assert app.post(f"/applications/{done['id']}/withdraw").status_code == 404


def test_rounds_tell_private_schools_with_demand_and_the_zone_of_an_address(app, city):
    app.log_in("13700000015")
    schools = app.get(f"/rounds/{city.round.pk}/private-schools").json()
    assert schools == [
        {
            "code": "V1",
            "name": "测试学校V1",
            "seats": 1,
            "applicants": 0,
            "applicants_per_seat": 0.0,
            "estimated_chance": 1.0,
        }
    ]
    zone = app.post(f"/rounds/{city.round.pk}/zone-school", {"address": w.HOME}).json()
    assert zone == {"school_code": "P1", "school_name": "测试学校P1"}
    nowhere = app.post(f"/rounds/{city.round.pk}/zone-school", {"address": "火星"}).json()
    assert nowhere == {"school_code": None, "school_name": None}


def test_a_draft_is_saved_field_by_field_and_reports_what_blocks_submission(app, city):
    fam = w.family(import_records=False)
    app.log_in(fam.phone)
    child = app.post("/children", child_body(fam)).json()
    draft = app.post("/drafts", {"child_id": child["id"], "round_id": city.round.pk})
    assert draft.status_code == 201
    draft_id = draft.json()["id"]
    saved = app.send("patch", f"/drafts/{draft_id}", {"residence_address": w.HOME}).json()
    assert saved["zone_school"] == "测试学校P1"
    assert "housing" in saved["problems"] and "residence_address" not in saved["problems"]
    assert app.get(f"/drafts/{draft_id}").json()["data"]["residence_address"] == w.HOME
    assert app.send("delete", f"/drafts/{draft_id}").status_code == 204
    assert app.get(f"/drafts/{draft_id}").status_code == 404


def test_submission_needs_consent_and_a_retry_returns_the_same_application(app, city):
    fam = w.family()
    app.log_in(fam.phone)
    child = app.post("/children", child_body(fam)).json()
    draft = app.post("/drafts", {"child_id": child["id"], "round_id": city.round.pk}).json()
    app.send(
        "patch",
        f"/drafts/{draft['id']}",
        {"residence_address": w.HOME, "housing": "own", "property_certificate_no": fam.certificate},
    )
    url = f"/drafts/{draft['id']}/submit"
    key = draft["idempotency_key"]
    refused = app.post(url, {"idempotency_key": key, "consent": False})
    assert refused.status_code == 422 and "consent" in refused.json()["errors"]
    first = app.post(url, {"idempotency_key": key, "consent": True})
    retry = app.post(url, {"idempotency_key": key, "consent": True})
    assert first.status_code == retry.status_code == 201
    assert first.json()["id"] == retry.json()["id"]
    assert Application.objects.count() == 1
    app.send("patch", f"/drafts/{draft['id']}", {"choices": ["V1"]})
    reused = app.post(url, {"idempotency_key": key, "consent": True})
    assert reused.status_code == 409


def test_the_status_follows_the_year_to_the_notice_and_enrollment(app, city):
    fam = w.family()
    done = submitted(app, city, fam)
    assert done["status"] == "submitted" and done["actions"]["editable"]
    w.close_registration(city.round)
    verify_round(w.BUREAU, city.round)
    status = app.get(f"/applications/{done['id']}").json()
    assert {c["check"] for c in status["checks"]} == {
        "identity",
        "guardianship",
        "hukou",
        "property",
    }
    assert status["category"]["number"] == 1
    run = admissions.preview_admission(w.BUREAU, city.round, sources=w.SOURCES)
    admissions.commit_admission(w.BUREAU, run)
    status = app.get(f"/applications/{done['id']}").json()
    assert status["status"] == "admitted" and status["placement"]["school_code"] == "P1"
    assert status["placement"]["explanation"][0]["admitted"]
    assert status["actions"]["notice_available"]
    pdf = app.get(f"/applications/{done['id']}/notice")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    confirmed = app.post(f"/applications/{done['id']}/enrollment")
    assert confirmed.json()["status"] == "enrolled"
    assert app.post(f"/applications/{done['id']}/enrollment").status_code == 200
    assert [a["status"] for a in app.get("/applications").json()] == ["enrolled"]


def test_polling_a_fresh_submission_costs_three_queries(app, city, django_assert_num_queries):
    """On the first morning most calls are families polling what they just submitted:
    the token, the application and its checks, nothing more."""
    fam = w.family()
    done = submitted(app, city, fam)
    app.get(f"/applications/{done['id']}")  # the first call in a process builds its caches
    with django_assert_num_queries(3):
        status = app.get(f"/applications/{done['id']}").json()
    assert status["status"] == "submitted" and status["placement"] is None
    assert status["actions"]["editable"] and status["checks"] == []


def test_a_failed_check_is_corrected_through_the_draft(app, city):
    fam = w.family()
    app.log_in(fam.phone)
    child = app.post("/children", child_body(fam)).json()
    draft = app.post("/drafts", {"child_id": child["id"], "round_id": city.round.pk}).json()
    url = f"/drafts/{draft['id']}"
    wrong = fam.certificate.replace("第0", "第9")
    app.send(
        "patch",
        url,
        {"residence_address": w.HOME, "housing": "own", "property_certificate_no": wrong},
    )
    app.post(url + "/submit", {"idempotency_key": draft["idempotency_key"], "consent": True})
    w.close_registration(city.round)
    verify_round(w.BUREAU, city.round)
    application = Application.objects.get()
    failed = app.get(f"/applications/{application.pk}").json()
    (property_check,) = [c for c in failed["checks"] if c["check"] == "property"]
    assert property_check["status"] == "not_found"
    assert property_check["correct_at_step"] == "housing" and failed["actions"]["correctable"]
    fresh = app.send("patch", url, {"property_certificate_no": fam.certificate}).json()
    corrected = app.post(
        url + "/submit", {"idempotency_key": fresh["idempotency_key"], "consent": True}
    )
    assert corrected.status_code == 201, corrected.content
    checks = {c["check"]: c["status"] for c in corrected.json()["checks"]}
    assert checks["property"] == "verified" and corrected.json()["category"]["number"] == 1


def test_withdrawal_and_review_requests(app, city):
    fam = w.family()
    done = submitted(app, city, fam)
    review = app.post(f"/applications/{done['id']}/review", {"note": "房产证为旧版"})
    assert review.status_code == 422  # only after verification
    withdrawn = app.post(f"/applications/{done['id']}/withdraw")
    assert withdrawn.json()["status"] == Status.WITHDRAWN
    assert app.post(f"/applications/{done['id']}/withdraw").status_code == 422
    assert app.get(f"/applications/{done['id']}/notice").status_code == 422


def test_a_review_can_be_asked_for_after_verification(app, city):
    fam = w.family()
    done = submitted(app, city, fam)
    w.close_registration(city.round)
    verify_round(w.BUREAU, city.round)
    review = app.post(f"/applications/{done['id']}/review", {"note": "房产证为旧版"})
    assert review.status_code == 201 and review.json()["status"] == "review"


def test_public_notice_and_notice_check(app, client):
    notice = app.get("/public/privacy-notice").json()
    assert notice["version"] and len(notice["sha256"]) == 64 and notice["paragraphs"]
    check = client.get(V1 + "/public/notices/forged-token").json()
    assert check["genuine"] is False


def test_the_command_prints_a_key_that_opens_the_api(capsys):
    from django.core.management import call_command

    call_command("create_client_app", "province-app")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    answer = App(key).get("/public/privacy-notice")
    assert answer.status_code == 200
