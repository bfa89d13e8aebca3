"""Retention: erasing the personal data of a closed term, keeping what the public relies on.

A term's personal data is kept ``SUNSHINE_RETENTION_YEARS`` years after its
reference date (a term may have its own figure in ``SUNSHINE_RETENTION_BY_TERM``).
After that, ``apply_retention`` erases children, guardians, declarations, check
facts, department records, review cases' notes and uploads, drafts and SMS
phones of the term. It keeps the rows statistics count (applications with their
round, status and choices; placements; classes) and every published record
(lottery draws, ceremony lists, admission runs), whose names and IDs were
masked when they were published. The audit log is never touched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from sunshine.applications.models import Application, Child, Guardian, Guardianship
from sunshine.audit.services import Actor, record
from sunshine.notifications.models import OutboxMessage
from sunshine.portal.models import Draft
from sunshine.schools.models import Term
from sunshine.verification.models import (
    ApplicationFacts,
    CategoryAssignment,
    DepartmentExtract,
    DepartmentRecord,
    HomeVisit,
    ReviewCase,
    ReviewDocument,
    VerificationCheck,
)
from sunshine.verification.records import KINDS, key_index
from sunshine.verification.reviews import document_path

DEFAULT_RETENTION_YEARS = 3
ERASED_NAME = "（已删除）"
ACTOR = Actor.system("retention")


@dataclass
class RetentionReport:
    term: int
    dry_run: bool
    counts: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"term": self.term, "dry_run": self.dry_run, **dict(sorted(self.counts.items()))}


def retention_years(term: Term) -> int:
    by_term: dict[int, int] = getattr(settings, "SUNSHINE_RETENTION_BY_TERM", {})
    default = int(getattr(settings, "SUNSHINE_RETENTION_YEARS", DEFAULT_RETENTION_YEARS))
    return int(by_term.get(term.year, default))


def retention_ends(term: Term) -> dt.date:
    """The first day the term's personal data may no longer be kept."""
    start = term.reference_date
    years = retention_years(term)
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def is_closed(term: Term, today: dt.date) -> bool:
    return today >= retention_ends(term)


def apply_retention(year: int, *, today: dt.date, dry_run: bool = False) -> RetentionReport:
    """Erase the personal data of the term ``year``; one transaction, one audit event."""
    term = Term.objects.filter(year=year).first()
    if term is None:
        raise ValidationError({"term": f"没有{year}年度的招生学期"})
    if not is_closed(term, today):
        ends = retention_ends(term)
        raise ValidationError({"term": f"{year}年度的个人信息须保存至{ends:%Y-%m-%d}，尚不能删除"})
    report = RetentionReport(term=year, dry_run=dry_run)
    with transaction.atomic():
        _erase_term(term, report)
        if dry_run:
            transaction.set_rollback(True)
        else:
            record(ACTOR, "retention.applied", term, **dict(sorted(report.counts.items())))
    if not dry_run:
        _remove_files(report.files)
    return report


def _erase_term(term: Term, report: RetentionReport) -> None:
    applications = Application.objects.filter(round__term=term)
    children = Child.objects.filter(applications__round__term=term).distinct()
    later = Application.objects.exclude(round__term=term)
    # Resolved now: the queries below would no longer find these rows once links are erased.
    erasable_children = list(children.exclude(applications__in=later))
    kept_children = Child.objects.exclude(pk__in=[c.pk for c in erasable_children])
    guardians = list(Guardian.objects.filter(children__in=children).distinct())
    erasable_guardians = [g for g in guardians if not kept_children.filter(guardians=g).exists()]
    department_keys = set(_declared_strings(applications))
    department_keys |= {c.id_number for c in erasable_children}
    department_keys |= {g.id_number for g in erasable_guardians}
    phone_indexes = {g.phone_index for g in guardians}

    _erase_reviews(applications, report)
    _erase_applications(applications, report)
    _erase_department_records(department_keys, report)
    _erase_messages(phone_indexes, term, report)
    report.counts["drafts_deleted"] = Draft.objects.filter(round__term=term).delete()[0]
    _erase_guardians(erasable_guardians, report)
    _erase_children(erasable_children, report)


def _declared_strings(applications: Iterable[Application]) -> Iterator[str]:
    for application in applications:
        yield from _strings_in(json.loads(application.declaration_json or "{}"))


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


def _erase_reviews(applications: Any, report: RetentionReport) -> None:
    cases = ReviewCase.objects.filter(application__in=applications)
    documents = ReviewDocument.objects.filter(case__in=cases)
    report.files += [str(document_path(d.stored_name)) for d in documents]
    report.counts["uploads_deleted"] = documents.delete()[0]
    report.counts["home_visits_deleted"] = HomeVisit.objects.filter(case__in=cases).delete()[0]
    report.counts["review_cases_anonymised"] = cases.update(
        parent_note="", decision_reason="", settled_facts={}
    )


def _erase_applications(applications: Any, report: RetentionReport) -> None:
    # The field encrypts what it is given, so the empty declaration is stored encrypted too.
    report.counts["declarations_erased"] = applications.update(
        declaration_json="{}", home_latitude=None, home_longitude=None, idempotency_key=None
    )
    checks = VerificationCheck.objects.filter(application__in=applications)
    report.counts["check_facts_erased"] = checks.update(facts_json="")
    facts = ApplicationFacts.objects.filter(application__in=applications)
    report.counts["application_facts_deleted"] = facts.delete()[0]
    # The category and its reasons stay (statistics count them); the facts behind them go.
    CategoryAssignment.objects.filter(application__in=applications).update(facts={})


def _erase_department_records(keys: set[str], report: RetentionReport) -> None:
    indexes = Q()
    for kind in KINDS:
        found = {key_index(kind, key) for key in keys if key}
        indexes |= Q(kind=kind, key_index__in=found)
    report.counts["department_records_deleted"] = DepartmentRecord.objects.filter(indexes).delete()[
        0
    ]
    emptied = DepartmentExtract.objects.filter(records__isnull=True)
    report.counts["department_extracts_emptied"] = emptied.delete()[0]


def _erase_messages(phone_indexes: set[str], term: Term, report: RetentionReport) -> None:
    messages = OutboxMessage.objects.filter(
        phone_index__in=phone_indexes, created_at__year__lte=term.year
    )
    report.counts["sms_messages_deleted"] = messages.delete()[0]


def _erase_guardians(guardians: list[Guardian], report: RetentionReport) -> None:
    pks = [g.pk for g in guardians]
    Guardianship.objects.filter(guardian__in=pks).delete()
    report.counts["guardians_deleted"] = Guardian.objects.filter(pk__in=pks).delete()[0]


def _erase_children(children: list[Child], report: RetentionReport) -> None:
    """Children stay as anonymous rows: their applications and placements are statistics."""
    count = 0
    for child in children:
        child.name = ERASED_NAME
        child.id_number = ""
        child.id_index = f"erased:{child.pk}"
        child.birth_date = child.birth_date.replace(month=1, day=1)
        child.twin_group = ""
        child.save(update_fields=["name", "id_number", "id_index", "birth_date", "twin_group"])
        count += 1
    report.counts["children_anonymised"] = count


def _remove_files(paths: list[str]) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)
