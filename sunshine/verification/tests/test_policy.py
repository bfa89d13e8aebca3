"""What-if counts for a changed category policy, and adopting it."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sunshine.accounts.models import Role, User
from sunshine.applications.models import Application, Status
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor
from sunshine.schools.models import Term
from sunshine.verification import selectors
from sunshine.verification.connectors import ExtractRecords
from sunshine.verification.services import adopt_policy, validated_policy, verify_round
from sunshine.verification.tests import builders as b

pytestmark = pytest.mark.django_db
BUREAU = Actor(name="city-bureau", role="city")
CATEGORY_ONE = """condition = \"\"\"
hukou_in_zone and hukou_move_in_date < move_in_cutoff
and property_in_zone_owned_by_guardian and hukou_same_as_property
\"\"\""""


def home_first_policy() -> str:
    """Category 1 for any guardian-owned home in the zone, whatever the hukou."""
    text = b.policy_text()
    assert CATEGORY_ONE in text
    return text.replace(CATEGORY_ONE, 'condition = "property_in_zone_owned_by_guardian"')


@pytest.fixture
def families():
    city = b.city()
    made = {
        "owner": b.family(city, home=b.flat("C1", 3, 2, 501)),
        "mistyped": b.family(
            city, home=b.flat("C1", 4, 1, 301), declared_certificate=b.certificate(9999)
        ),
        "owner_hukou_elsewhere": b.family(
            city, home=b.flat("C1", 7, 1, 101), hukou_at=b.flat("C2", 3, 1, 101)
        ),
        "neither": b.family(
            city, home=b.flat("C1", 5, 1, 101), hukou_at=b.flat("C2", 1, 1, 101), owns_home=False
        ),
        "p2_owner": b.family(city, home=b.flat("C2", 2, 1, 101)),
    }
    b.import_records(*made.values())
    verify_round(Actor.system("verification"), city.round, records=ExtractRecords())
    return city, made


def counts(report, code: str) -> dict[int, tuple[int, int]]:
    (school,) = [s for s in report.schools if s.school_code == code]
    return {
        n: (now, then)
        for n, (now, then, _) in zip(report.numbers, school.cells(report.numbers), strict=True)
    }


def test_what_if_counts_each_school_and_category_under_both_policies(families):
    city, _ = families
    report = selectors.what_if_report(city.round.term, validated_policy(home_first_policy()))
    assert report.applications == 5
    # P1: the owner (1), the mistyped certificate (hukou only: 2), the owner whose hukou is
    # elsewhere (3) and the family with neither (5). Under the new policy both owners are 1.
    assert counts(report, "P1") == {1: (1, 2), 2: (1, 1), 3: (1, 0), 4: (0, 0), 5: (1, 1)}
    assert counts(report, "P2") == {1: (1, 1), 2: (0, 0), 3: (0, 0), 4: (0, 0), 5: (0, 0)}
    assert report.totals() == [(2, 3, 1), (1, 1, 0), (1, 0, -1), (0, 0, 0), (1, 1, 0)]
    # Looking changes nothing.
    assert Term.objects.get(pk=city.round.term.pk).policy_toml == b.policy_text()


def test_a_policy_with_mistakes_is_refused_with_the_line_of_each():
    text = home_first_policy().replace(
        'condition = "property_in_zone_owned_by_guardian"',
        'condition = "property_in_zone_owned_by_guardain"',
    )
    bad = 'condition = "property_in_zone_owned_by_guardain"'
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if line == bad]
    assert len(lines) == 2, "categories 1 and 3 both name the misspelt fact"
    with pytest.raises(ValidationError) as refused:
        validated_policy(text)
    problems = refused.value.message_dict["policy"]
    assert [p.split("：")[0] for p in problems] == [f"第{n}行" for n in lines]
    assert all("property_in_zone_owned_by_guardain" in p for p in problems)


def test_adopting_writes_the_term_policy_and_re_derives_categories(families):
    city, made = families
    old = Term.objects.get(pk=city.round.term.pk).policy_toml
    adopt_policy(BUREAU, city.round.term, home_first_policy())
    term = Term.objects.get(pk=city.round.term.pk)
    assert term.policy_toml == home_first_policy()
    moved = Application.objects.get(pk=made["owner_hukou_elsewhere"].application.pk)
    assert moved.category.category == 1
    event = AuditEvent.objects.get(action="term.policy_adopted")
    assert event.data["old_sha256"] == hashlib.sha256(old.encode()).hexdigest()
    assert event.data["new_sha256"] == hashlib.sha256(home_first_policy().encode()).hexdigest()
    assert event.data["re_evaluated"] == 5


def test_no_new_policy_once_admission_has_decided_anyone(families):
    city, made = families
    Application.objects.filter(pk=made["owner"].application.pk).update(status=Status.ADMITTED)
    with pytest.raises(ValidationError, match="已有录取结果"):
        adopt_policy(BUREAU, city.round.term, home_first_policy())
    assert Term.objects.get(pk=city.round.term.pk).policy_toml == b.policy_text()


def test_the_policy_page_shows_errors_then_counts_and_only_the_city_adopts(families, client):
    city, _ = families
    url = reverse("verification:policy", args=[city.round.term.pk])
    district = User.objects.create_user(
        username="district", password="x", role=Role.DISTRICT, district=b.District.objects.get()
    )
    client.force_login(district)
    broken = client.post(url, {"action": "preview", "policy_text": "[policy]\nname = 1\n"})
    assert "第2行" in broken.content.decode()
    preview = client.post(url, {"action": "preview", "policy_text": home_first_policy()})
    assert "1 → 2" in preview.content.decode()
    assert (
        client.post(url, {"action": "adopt", "policy_text": home_first_policy()}).status_code == 403
    )
    client.force_login(User.objects.create_user(username="city", password="x", role=Role.CITY))
    adopted = client.post(url, {"action": "adopt", "policy_text": home_first_policy()})
    assert adopted.status_code == 302
    assert Term.objects.get(pk=city.round.term.pk).policy_toml == home_first_policy()
    school = User.objects.create_user(
        username="school", password="x", role=Role.SCHOOL, school=city.p1
    )
    client.force_login(school)
    assert client.get(url).status_code == 403
