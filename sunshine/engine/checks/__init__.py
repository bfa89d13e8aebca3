"""Verification of a family's declaration against department records.

Each check ends verified, mismatch (naming the field), not found, or needs
review, with a reason code and messages in Chinese and English. A department
that does not answer never fails a family: its checks end in a retryable
review. ``derive_facts`` turns the results into the facts a category policy
reads.
"""

from sunshine.engine.checks.certificate import (
    CertificateNumber,
    canonical_certificate_no,
    parse_certificate_no,
)
from sunshine.engine.checks.common import CheckContext
from sunshine.engine.checks.departments import (
    Department,
    DepartmentRecords,
    DepartmentUnavailable,
    InMemoryDepartments,
)
from sunshine.engine.checks.facts import (
    ALWAYS_EXPECTED,
    FACT_TYPES,
    Facts,
    FactType,
    FactValue,
    derive_facts,
)
from sunshine.engine.checks.guardianship import check_guardianship
from sunshine.engine.checks.hukou import check_hukou
from sunshine.engine.checks.identity import check_identity
from sunshine.engine.checks.property import check_property
from sunshine.engine.checks.rental import check_rental
from sunshine.engine.checks.residence_permit import check_residence_permit
from sunshine.engine.checks.results import (
    REASONS,
    CheckName,
    CheckResult,
    CheckStatus,
    JSONValue,
    Reason,
    ReasonCode,
)
from sunshine.engine.checks.run import CHECKS, CheckFunction, applicable_checks, run_checks
from sunshine.engine.checks.social_insurance import check_social_insurance

__all__ = [
    "ALWAYS_EXPECTED",
    "CHECKS",
    "FACT_TYPES",
    "REASONS",
    "CertificateNumber",
    "CheckContext",
    "CheckFunction",
    "CheckName",
    "CheckResult",
    "CheckStatus",
    "Department",
    "DepartmentRecords",
    "DepartmentUnavailable",
    "FactType",
    "FactValue",
    "Facts",
    "InMemoryDepartments",
    "JSONValue",
    "Reason",
    "ReasonCode",
    "applicable_checks",
    "canonical_certificate_no",
    "check_guardianship",
    "check_hukou",
    "check_identity",
    "check_property",
    "check_rental",
    "check_residence_permit",
    "check_social_insurance",
    "derive_facts",
    "parse_certificate_no",
    "run_checks",
]
