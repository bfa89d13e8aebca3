"""A department going down in the middle of a batch fails no family and loses nothing."""

from __future__ import annotations

from sunshine.engine.checks import (
    CheckName,
    CheckResult,
    CheckStatus,
    Department,
    ReasonCode,
    applicable_checks,
    derive_facts,
    run_checks,
)
from sunshine.engine.checks.tests.city import CONTEXT, ZONES, Recording, World, declaration
from sunshine.engine.policy import evaluate, load_default_policy

POLICY = load_default_policy()


class RealEstateOutage:
    """The real-estate register answers the first ``answers`` questions, then goes down."""

    def __init__(self, answers: int) -> None:
        self.remaining = answers
        self.down = False

    def __call__(self, method: str, key: str) -> bool:
        if self.down or self.remaining == 0:
            self.down = True
            return True
        self.remaining -= 1
        return False


def test_outage_mid_batch_marks_only_the_affected_checks_and_recovers_on_retry() -> None:
    outage = RealEstateOutage(answers=2)
    worlds = [World() for _ in range(5)]
    departments = [
        Recording(w.departments(), down={"property": Department.REAL_ESTATE}, should_fail=outage)
        for w in worlds
    ]
    declared = declaration()

    batch = [run_checks(declared, d, CONTEXT) for d in departments]

    property_results = [next(r for r in rs if r.check is CheckName.PROPERTY) for rs in batch]
    assert [r.status for r in property_results] == [
        CheckStatus.VERIFIED,
        CheckStatus.VERIFIED,
        CheckStatus.NEEDS_REVIEW,
        CheckStatus.NEEDS_REVIEW,
        CheckStatus.NEEDS_REVIEW,
    ]
    assert all(
        r.reason_code is ReasonCode.DEPARTMENT_UNAVAILABLE and r.retryable
        for r in property_results[2:]
    )
    others = [r for rs in batch for r in rs if r.check is not CheckName.PROPERTY]
    assert all(r.status is CheckStatus.VERIFIED for r in others)

    expected = applicable_checks(declared)

    def categories(batches: list[tuple[CheckResult, ...]]) -> list[int | None]:
        return [
            evaluate(POLICY, derive_facts(rs, ZONES["wl-1"], expected=expected)).category
            for rs in batches
        ]

    # Hukou alone would give category 2 and hukou with the home category 1: no guessing.
    assert categories(batch) == [1, 1, None, None, None]

    outage.down = False
    outage.remaining = 10
    retried = []
    for results, d in zip(batch, departments, strict=True):
        again = {r.check for r in results if r.retryable}
        fresh = run_checks(declared, d, CONTEXT, only=again)
        retried.append(_latest(results + fresh))
    assert categories(retried) == [1, 1, 1, 1, 1]
    assert sum(1 for d in departments for method, _ in d.asked if method == "property") == 8


def _latest(results: tuple[CheckResult, ...]) -> tuple[CheckResult, ...]:
    by_check = {result.check: result for result in results}
    return tuple(by_check.values())
