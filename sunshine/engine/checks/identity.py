"""Identity: the child and every guardian exist in the register under the declared name."""

from __future__ import annotations

from dataclasses import dataclass

from sunshine.engine import idnumber
from sunshine.engine.checks.common import (
    CheckContext,
    child_words,
    guardian_field,
    guardian_words,
    parse_id,
    unavailable,
)
from sunshine.engine.checks.departments import DepartmentRecords, DepartmentUnavailable
from sunshine.engine.checks.results import CheckName, CheckResult, ReasonCode, conclude
from sunshine.engine.records import Declaration

_PROBLEMS_EN = {
    idnumber.IdNumberProblem.LENGTH: "it must have 18 characters",
    idnumber.IdNumberProblem.CHARACTERS: (
        "the first 17 characters must be digits and the last a digit or X"
    ),
    idnumber.IdNumberProblem.REGION: "the first six digits are not a valid region code",
    idnumber.IdNumberProblem.BIRTH_DATE: "the birth date in it is not a valid date",
    idnumber.IdNumberProblem.CHECK_DIGIT: (
        "the check digit is wrong, please compare it digit by digit"
    ),
}
# Names of ethnic minorities join their parts with a middle dot typed many ways.
_NAME_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", ".": "·", "‧": "·"})


def same_name(declared: str, recorded: str) -> bool:
    if declared == recorded:  # as it mostly is; the same text cleans up the same
        return True

    def clean(name: str) -> str:
        return "".join(name.split()).translate(_NAME_DOTS)

    return clean(declared) == clean(recorded)


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    id_number: str
    guardian: int | None  # the position among the guardians; None for the child

    def field(self, part: str) -> str:
        if self.guardian is None:
            return f"child_{part}"
        return guardian_field(self.guardian, part)

    def words(self, declaration: Declaration) -> dict[str, str | int]:
        if self.guardian is None:
            return child_words()
        return guardian_words(declaration, self.guardian)


def _people(declaration: Declaration) -> list[_Person]:
    """The child, then each guardian; fields and words are worked out for messages only."""
    people = [_Person(declaration.child_name, declaration.child_id_number, None)]
    for index, guardian in enumerate(declaration.guardians):
        people.append(_Person(guardian.name, guardian.id_number, index))
    return people


def check_identity(
    declaration: Declaration, records: DepartmentRecords, context: CheckContext
) -> CheckResult:
    """Every ID number well formed (GB 11643), known to the register, under the declared name.

    All numbers are checked for form before the register is asked anything.
    """
    check = CheckName.IDENTITY
    people = _people(declaration)
    valid_ids: list[str] = []
    for person in people:
        try:
            valid_ids.append(parse_id(person.id_number, today=context.reference_date).value)
        except idnumber.InvalidIdNumber as error:
            return conclude(
                check,
                ReasonCode.ID_NUMBER_INVALID,
                field=person.field("id_number"),
                facts={"problem": error.problem.value},
                words={
                    **person.words(declaration),
                    "problem": error.problem.message,
                    "problem_en": _PROBLEMS_EN[error.problem],
                },
            )
    try:
        for person, id_number in zip(people, valid_ids, strict=True):
            record = records.hukou(id_number)
            if record is None:
                code = ReasonCode.IDENTITY_NOT_FOUND
                words = person.words(declaration)
                return conclude(check, code, field=person.field("id_number"), words=words)
            if not same_name(person.name, record.name):
                code = ReasonCode.IDENTITY_NAME_MISMATCH
                words = person.words(declaration)
                return conclude(check, code, field=person.field("name"), words=words)
    except DepartmentUnavailable as error:
        return unavailable(check, error)
    return conclude(check, ReasonCode.IDENTITY_VERIFIED, facts={"people_checked": len(people)})
