"""Request and response shapes of API v1. Personal data leaves only masked."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

# No control characters: they have no place in names or addresses, and a NUL would
# be refused by PostgreSQL.
_PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Text = Annotated[str, StringConstraints(max_length=200, pattern=_PRINTABLE)]
Short = Annotated[str, StringConstraints(max_length=32, pattern=_PRINTABLE)]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Token = Annotated[str, StringConstraints(max_length=300, pattern=_PRINTABLE)]
Key = Annotated[str, StringConstraints(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class Errors(Schema):
    errors: dict[str, list[str]] = Field(description="Messages by field ('__all__' for none)")


class RateLimitedOut(Errors):
    retry_after: int = Field(description="Seconds to wait before trying again")


class PhoneIn(Schema):
    phone: Annotated[str, StringConstraints(max_length=20, pattern=_PRINTABLE)]


class CodeIn(PhoneIn):
    code: Annotated[str, StringConstraints(max_length=6, pattern=_PRINTABLE)]


class CodeSentOut(Schema):
    masked_phone: str
    expires_at: dt.datetime
    resend_after_seconds: int


class TokenOut(Schema):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_at: dt.datetime


class MeOut(Schema):
    username: str
    masked_phone: str
    children: int


class GuardianIn(Schema):
    name: Short
    id_number: Short
    phone: Short
    relation: Short


class ChildIn(Schema):
    name: Short
    id_number: Short
    parent_name: Short
    parent_id_number: Short
    relation: Short = Field(description="父亲, 母亲, 祖父, 祖母, 外祖父, 外祖母 or 其他监护人")
    other_guardian: GuardianIn | None = None
    twin_of: Id | None = Field(None, description="Another child of this parent, its twin")


class GuardianOut(Schema):
    name: str
    relation: str
    masked_phone: str


class RoundOut(Schema):
    id: int
    name: str
    level: str
    kind: str
    registration_opens: dt.datetime
    registration_closes: dt.datetime
    allows_private_choice: bool


class RoundOptionOut(Schema):
    round: RoundOut
    state: Literal["open", "upcoming", "closed"]
    application_id: int | None
    draft_id: int | None


class ChildOut(Schema):
    id: int
    name: str
    sex: Literal["M", "F"]
    birth_date: dt.date
    masked_id_number: str
    twins: list[int]
    guardians: list[GuardianOut]
    rounds: list[RoundOptionOut]


class SchoolOptionOut(Schema):
    code: str
    name: str
    seats: int
    applicants: int
    applicants_per_seat: float
    estimated_chance: float | None = Field(
        description="Share of simulated lotteries admitting a newcomer who lists it first"
    )


class AddressIn(Schema):
    address: Text


class ZoneOut(Schema):
    school_code: str | None
    school_name: str | None


class DraftOpenIn(Schema):
    child_id: Id
    round_id: Id


class DraftData(Schema):
    residence_address: Text | None = None
    hukou_same: bool | None = None
    hukou_address: Text | None = None
    housing: Literal["own", "rent", "none"] | None = None
    property_certificate_no: Text | None = None
    property_same: bool | None = None
    property_address: Text | None = None
    rental_registration_no: Text | None = None
    residence_permit_no: Text | None = None
    choices: list[Short] | None = Field(None, max_length=3)


class DraftOut(Schema):
    id: int
    child_id: int
    round_id: int
    step: str
    data: DraftData
    idempotency_key: str = Field(description="Send it with the submission; retries reuse it")
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    zone_school: str | None
    problems: dict[str, list[str]] = Field(description="What still blocks submission")


class SubmitIn(Schema):
    idempotency_key: Key
    consent: bool = Field(description="The guardian read the personal-information notice")


class NoticeOut(Schema):
    version: str
    sha256: str
    paragraphs: list[tuple[str, str]]
    consent: str


class ApplicationSummaryOut(Schema):
    id: int
    reference: str
    child_id: int
    child_name: str
    round: RoundOut
    status: str
    status_label: str
    next_step: str


class CheckOut(Schema):
    check: str
    title: str
    status: str
    status_label: str
    reason_code: str
    message: str
    what_to_do: str
    correct_at_step: str | None


class CategoryOut(Schema):
    number: int
    name: str
    description: str
    reasons: list[str]


class ExplanationOut(Schema):
    school: str
    stage: str
    admitted: bool
    outcome: str
    yours: str
    cutoff: str
    draw_reference: str | None


class PlacementOut(Schema):
    school_code: str | None
    school_name: str | None
    stage: str
    lottery_number: int | None
    explanation: list[ExplanationOut]


class ActionsOut(Schema):
    editable: bool
    withdrawable: bool
    correctable: bool
    review_possible: bool
    can_confirm_enrollment: bool
    notice_available: bool


class ApplicationOut(ApplicationSummaryOut):
    checks: list[CheckOut]
    category: CategoryOut | None
    placement: PlacementOut | None
    actions: ActionsOut
    supplementary_round_id: int | None


class ReviewIn(Schema):
    note: Annotated[str, StringConstraints(max_length=500, pattern=_PRINTABLE)]


class NoticeCheckOut(Schema):
    genuine: bool
    masked_name: str
    school: str
    round: str
    reference: str
    enrolled: bool
