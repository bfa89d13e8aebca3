"""Retention erases a closed term's personal data and keeps statistics and published records."""

import datetime as dt
import json
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from sunshine import testing
from sunshine.admissions.models import CeremonyEntry, LotteryDraw, Placement
from sunshine.applications.models import Application, Child, Guardian
from sunshine.audit.models import AuditEvent
from sunshine.audit.selectors import verify_chain
from sunshine.demo.city import generate_city
from sunshine.demo.year import run_year
from sunshine.notifications.models import OutboxMessage
from sunshine.privacy.retention import ERASED_NAME, apply_retention, retention_ends
from sunshine.verification.models import DepartmentRecord, VerificationCheck
from sunshine.verification.records import key_index

CHILDREN, SEED = 60, 5
LONG_AFTER = dt.date(2040, 1, 1)


def _statistics() -> dict[str, object]:
    """What the public pages and the bureau's reports count: none of it may change."""
    return {
        "applications": Counter(Application.objects.values_list("round_id", "status")),
        "placements": Counter(Placement.objects.values_list("school_id", "stage")),
        "draws": sorted(LotteryDraw.objects.values_list("reference", "record_hash")),
        "ceremony_entries": sorted(CeremonyEntry.objects.values_list("code", "masked_name")),
    }


def _audit_text() -> str:
    rows = AuditEvent.objects.values_list("actor", "object_id", "data", "source")
    return json.dumps(list(rows), ensure_ascii=False, default=str)


@pytest.mark.django_db(transaction=True)
def test_a_closed_years_people_are_erased_and_its_public_record_kept():
    run_year(CHILDREN, SEED, progress=False)
    city = generate_city(CHILDREN, SEED)
    people = [p for f in city.families for p in (*f.children, *f.guardians)]
    applicant_ids = {c.id_number for f in city.families for c in f.children}
    assert Guardian.objects.exists() and OutboxMessage.objects.exists()
    kept = _statistics()
    events_before = AuditEvent.objects.count()

    dry = apply_retention(city.entry_year, today=LONG_AFTER, dry_run=True)
    assert Guardian.objects.exists() and AuditEvent.objects.count() == events_before
    report = apply_retention(city.entry_year, today=LONG_AFTER)

    assert dry.counts == report.counts and report.counts["guardians_deleted"] > 0
    assert not Guardian.objects.exists() and not OutboxMessage.objects.exists()
    assert set(Child.objects.values_list("name", flat=True)) == {ERASED_NAME}
    assert set(Child.objects.values_list("id_number", flat=True)) == {""}
    assert all(a.declaration == {} for a in Application.objects.all())
    assert not VerificationCheck.objects.exclude(facts_json="").exists()
    for kind in ("hukou", "birth"):
        indexes = {key_index(kind, number) for number in applicant_ids}
        assert not DepartmentRecord.objects.filter(kind=kind, key_index__in=indexes).exists()
    assert _statistics() == kept
    assert AuditEvent.objects.count() == events_before + 1 and verify_chain().ok
    # The audit log kept everything, so it must never have held personal data.
    audit = _audit_text()
    leaked = [p for p in people if p.id_number in audit or p.name in audit]
    assert not leaked and not any(p.phone in audit for f in city.families for p in f.guardians)


def _small_year(year: int = 2024) -> Application:
    round_ = testing.round_(year=year)
    school = testing.school(f"S{year}", round_, seats=5)
    return testing.verified_application(round_, school, 1)


@pytest.mark.django_db
def test_a_term_inside_its_retention_period_is_refused(settings):
    application = _small_year()
    settings.SUNSHINE_RETENTION_YEARS = 3
    ends = retention_ends(application.round.term)
    assert ends == dt.date(2027, 6, 30)
    with pytest.raises(ValidationError) as refused:
        apply_retention(2024, today=ends - dt.timedelta(days=1))
    assert "term" in refused.value.message_dict
    assert Child.objects.get().name != ERASED_NAME


@pytest.mark.django_db
def test_a_term_may_be_kept_longer_than_the_default(settings):
    application = _small_year()
    settings.SUNSHINE_RETENTION_YEARS = 3
    settings.SUNSHINE_RETENTION_BY_TERM = {2024: 10}
    assert retention_ends(application.round.term) == dt.date(2034, 6, 30)
    with pytest.raises(ValidationError):
        apply_retention(2024, today=dt.date(2030, 1, 1))


@pytest.mark.django_db
def test_a_child_applying_again_in_a_later_term_keeps_its_identity():
    earlier = _small_year(2024)
    later_round = testing.round_(year=2030)
    later = Application.objects.create(
        reference="LATER", round=later_round, child=earlier.child, declaration_json="{}"
    )
    apply_retention(2024, today=LONG_AFTER)
    earlier.refresh_from_db()
    later.refresh_from_db()
    assert earlier.declaration == {} and earlier.home_latitude is None
    assert later.child.name != ERASED_NAME and later.child.id_number


@pytest.mark.django_db
def test_the_command_reports_counts_and_refuses_an_unknown_term(capsys, settings):
    settings.SUNSHINE_RETENTION_YEARS = 1  # the command judges by today's date
    _small_year()
    call_command("apply_retention", "--term", "2024", "--dry-run")
    printed = json.loads(capsys.readouterr().out)
    assert printed["dry_run"] is True and printed["children_anonymised"] == 1
    assert Child.objects.get().name != ERASED_NAME
    with pytest.raises(CommandError, match="1999"):
        call_command("apply_retention", "--term", "1999")
