"""The verified facts a category policy reasons about, derived from check results.

Every fact is one of: known (a value), absent (it does not apply: no property
declared, so no registration date), or pending (a check waits for a department
or for staff, so the fact may still turn out either way). Facts come from
department records, never from what the family typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sunshine.engine.address import covers
from sunshine.engine.checks.results import (
    CheckName,
    CheckResult,
    CheckStatus,
    JSONValue,
    ReasonCode,
)
from sunshine.engine.records import AddressUnit

FactValue = bool | int | dt.date


class FactType(StrEnum):
    BOOL = "bool"
    NUMBER = "number"
    DATE = "date"


FACT_TYPES: Mapping[str, FactType] = {
    "identity_verified": FactType.BOOL,
    "guardianship_verified": FactType.BOOL,
    "hukou_found": FactType.BOOL,
    "hukou_in_city": FactType.BOOL,
    "hukou_in_zone": FactType.BOOL,
    "hukou_move_in_date": FactType.DATE,
    "hukou_with_grandparents": FactType.BOOL,
    "property_owned_by_guardian": FactType.BOOL,
    "property_in_zone_owned_by_guardian": FactType.BOOL,
    "property_registration_date": FactType.DATE,
    "hukou_same_as_property": FactType.BOOL,
    "rental_registered": FactType.BOOL,
    "rental_in_zone_registered": FactType.BOOL,
    "rental_months": FactType.NUMBER,
    "social_insurance_months": FactType.NUMBER,
    "has_residence_permit": FactType.BOOL,
    "residence_permit_in_zone": FactType.BOOL,
    "residence_in_zone": FactType.BOOL,
}


def fact_type_of(value: object) -> FactType | None:
    """The fact type of a Python value (bool before int: a bool is an int in Python)."""
    if isinstance(value, bool):
        return FactType.BOOL
    if isinstance(value, int):
        return FactType.NUMBER
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return FactType.DATE
    return None


# The exact types of fact values, looked up before ``fact_type_of`` tries each in turn.
_TYPE_OF: Mapping[type, FactType] = {
    bool: FactType.BOOL,
    int: FactType.NUMBER,
    dt.date: FactType.DATE,
}


@dataclass(frozen=True, slots=True)
class Facts:
    """Known facts by name, and the names still pending. A name in neither is absent."""

    values: Mapping[str, FactValue] = field(default_factory=dict)
    pending: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name, value in self.values.items():
            expected = FACT_TYPES.get(name)
            if expected is None:
                raise ValueError(f"unknown fact {name!r}")
            if _TYPE_OF.get(type(value)) is not expected and fact_type_of(value) is not expected:
                raise ValueError(f"fact {name!r} must be a {expected.value}, not {value!r}")
        unknown = sorted(self.pending - FACT_TYPES.keys())
        if unknown:
            raise ValueError(f"unknown pending facts {unknown}")
        both = sorted(self.pending & self.values.keys())
        if both:
            raise ValueError(f"facts both known and pending: {both}")

    @classmethod
    def of(cls, *, pending: Iterable[str] = (), **values: FactValue | None) -> Facts:
        """Facts from keyword arguments; a None value means absent."""
        known = {name: value for name, value in values.items() if value is not None}
        return cls(known, frozenset(pending))

    def get(self, name: str) -> FactValue | None:
        return self.values.get(name)

    def is_pending(self, name: str) -> bool:
        return name in self.pending


# Three-valued logic (Kleene): None is "not known yet".
Tri = bool | None


def _and(*values: Tri) -> Tri:
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def _or(*values: Tri) -> Tri:
    if any(value is True for value in values):
        return True
    return None if any(value is None for value in values) else False


_ADDRESS_MISMATCHES = {ReasonCode.HUKOU_ADDRESS_MISMATCH, ReasonCode.PROPERTY_ADDRESS_MISMATCH}


class _Results:
    """The latest result per check, read as: pending, usable record facts, or nothing."""

    def __init__(self, results: Iterable[CheckResult], expected: Iterable[CheckName]) -> None:
        self._by_check = {result.check: result for result in results}
        self._expected = frozenset(expected)

    def result(self, check: CheckName) -> CheckResult | None:
        return self._by_check.get(check)

    def pending(self, check: CheckName) -> bool:
        result = self._by_check.get(check)
        if result is None:
            return check in self._expected
        return result.status is CheckStatus.NEEDS_REVIEW

    def usable(self, check: CheckName) -> Mapping[str, JSONValue] | None:
        """The record's facts when the record is the family's (a typo in an address is fine)."""
        result = self._by_check.get(check)
        if result is None or self.pending(check):
            return None
        if result.status is CheckStatus.VERIFIED or result.reason_code in _ADDRESS_MISMATCHES:
            return result.facts
        return None

    def verified(self, check: CheckName) -> Tri:
        if self.pending(check):
            return None
        result = self._by_check.get(check)
        return result is not None and result.status is CheckStatus.VERIFIED


def _int(value: JSONValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: JSONValue) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _address(facts: Mapping[str, JSONValue]) -> Mapping[str, JSONValue]:
    address = facts.get("address")
    return address if isinstance(address, dict) else {}


def _in_zone(facts: Mapping[str, JSONValue], zone: Sequence[AddressUnit]) -> bool:
    address = _address(facts)
    compound_id = address.get("compound_id")
    if address.get("status") != "resolved" or not isinstance(compound_id, str):
        return False
    building = _int(address.get("building"))
    return covers(zone, compound_id, building, _int(address.get("building_count")))


def _dwelling(facts: Mapping[str, JSONValue]) -> tuple[JSONValue, ...] | None:
    address = _address(facts)
    if address.get("status") != "resolved" or _int(address.get("building")) is None:
        return None
    return tuple(address.get(part) for part in ("compound_id", "building", "unit", "room"))


class _Derivation:
    """Collects facts as known values or pending names while checks are read in turn."""

    def __init__(self, results: _Results, zone: Sequence[AddressUnit]) -> None:
        self.results = results
        self.zone = zone
        self.values: dict[str, FactValue] = {}
        self.pending: set[str] = set()

    def put(self, name: str, value: Tri | int | dt.date) -> None:
        if value is None:
            self.pending.add(name)
        else:
            self.values[name] = value

    def put_all_pending(self, *names: str) -> None:
        self.pending.update(names)

    def linked(self, index: JSONValue) -> Tri:
        """Whether guardian ``index`` is a verified guardian (None while that is pending).

        A guardian linked to the child counts even when another declared one was not.
        """
        if self.results.pending(CheckName.GUARDIANSHIP):
            return None
        result = self.results.result(CheckName.GUARDIANSHIP)
        linked = result.facts.get("linked_guardians") if result is not None else None
        return isinstance(linked, list) and index in linked

    def any_linked(self, indexes: JSONValue) -> Tri:
        if not isinstance(indexes, list):
            return False
        return _or(*(self.linked(index) for index in indexes))


def _derive_hukou(d: _Derivation) -> None:
    names = ("hukou_found", "hukou_in_city", "hukou_in_zone", "hukou_with_grandparents")
    if d.results.pending(CheckName.HUKOU):
        d.put_all_pending(*names, "hukou_move_in_date")
        return
    facts = d.results.usable(CheckName.HUKOU)
    if facts is None:
        for name in names:
            d.put(name, False)
        return
    d.put("hukou_found", True)
    d.put("hukou_in_city", _address(facts).get("local") is True)
    d.put("hukou_in_zone", _in_zone(facts, d.zone))
    d.put("hukou_with_grandparents", facts.get("with_grandparents") is True)
    move_in = _date(facts.get("move_in_date"))
    if move_in is not None:
        d.put("hukou_move_in_date", move_in)


def _derive_property(d: _Derivation) -> Tri:
    """Property facts; returns whether a guardian's property counts (for the same-address fact)."""
    names = ("property_owned_by_guardian", "property_in_zone_owned_by_guardian")
    if d.results.pending(CheckName.PROPERTY):
        d.put_all_pending(*names, "property_registration_date")
        return None
    facts = d.results.usable(CheckName.PROPERTY)
    if facts is None:
        for name in names:
            d.put(name, False)
        return False
    owned = _or(facts.get("owned_by_child") is True, d.any_linked(facts.get("owner_guardians")))
    d.put("property_owned_by_guardian", owned)
    d.put("property_in_zone_owned_by_guardian", _and(owned, _in_zone(facts, d.zone)))
    registered = _date(facts.get("registration_date"))
    if registered is not None:
        d.put("property_registration_date", registered)
    return owned


def _derive_same_address(d: _Derivation, property_counts: Tri) -> None:
    hukou_pending = d.results.pending(CheckName.HUKOU)
    property_pending = d.results.pending(CheckName.PROPERTY)
    hukou = d.results.usable(CheckName.HUKOU)
    owned = d.results.usable(CheckName.PROPERTY)
    same: Tri
    if hukou is not None and owned is not None:
        here = _dwelling(hukou)
        same = here is not None and here == _dwelling(owned)
    else:
        same = None if hukou_pending or property_pending else False
    d.put("hukou_same_as_property", _and(same, property_counts))


def _derive_rental(d: _Derivation) -> None:
    names = ("rental_registered", "rental_in_zone_registered")
    if d.results.pending(CheckName.RENTAL):
        d.put_all_pending(*names, "rental_months")
        return
    facts = d.results.usable(CheckName.RENTAL)
    if facts is None:
        for name in names:
            d.put(name, False)
        return
    registered = d.linked(facts.get("tenant_guardian"))
    d.put("rental_registered", registered)
    d.put("rental_in_zone_registered", _and(registered, _in_zone(facts, d.zone)))
    months = _int(facts.get("months_registered"))
    if months is not None:
        d.put("rental_months", months)


def _derive_social_insurance(d: _Derivation) -> None:
    if d.results.pending(CheckName.SOCIAL_INSURANCE):
        d.put_all_pending("social_insurance_months")
        return
    result = d.results.result(CheckName.SOCIAL_INSURANCE)
    paid = result.facts.get("months_by_guardian") if result is not None else None
    longest = 0
    longest_unsure = 0
    for entry in paid if isinstance(paid, list) else []:
        if not isinstance(entry, dict):
            continue
        months = _int(entry.get("months")) or 0
        linked = d.linked(entry.get("guardian"))
        if linked is True:
            longest = max(longest, months)
        elif linked is None:
            longest_unsure = max(longest_unsure, months)
    d.put("social_insurance_months", None if longest_unsure > longest else longest)


def _derive_residence_permit(d: _Derivation) -> None:
    names = ("has_residence_permit", "residence_permit_in_zone")
    if d.results.pending(CheckName.RESIDENCE_PERMIT):
        d.put_all_pending(*names)
        return
    facts = d.results.usable(CheckName.RESIDENCE_PERMIT)
    if facts is None:
        for name in names:
            d.put(name, False)
        return
    held = d.linked(facts.get("holder_guardian"))
    d.put("has_residence_permit", held)
    d.put("residence_permit_in_zone", _and(held, _in_zone(facts, d.zone)))


def _known(d: _Derivation, name: str) -> Tri:
    if name in d.pending:
        return None
    return d.values.get(name) is True


ALWAYS_EXPECTED = (CheckName.IDENTITY, CheckName.GUARDIANSHIP, CheckName.HUKOU)


def derive_facts(
    results: Iterable[CheckResult],
    zone: Sequence[AddressUnit],
    *,
    expected: Iterable[CheckName] = ALWAYS_EXPECTED,
) -> Facts:
    """The policy's facts for one application, judged against one school's catchment ``zone``.

    ``results`` are the latest result of each check (later ones replace earlier
    ones). A check in ``expected`` without a result, or whose result awaits
    review or a retry, leaves its facts pending; any other check without a
    result was not declared and its facts are false or absent. Pass
    ``applicable_checks(declaration)`` as ``expected``.
    """
    d = _Derivation(_Results(results, expected), zone)
    d.put("identity_verified", d.results.verified(CheckName.IDENTITY))
    d.put("guardianship_verified", d.results.verified(CheckName.GUARDIANSHIP))
    _derive_hukou(d)
    property_counts = _derive_property(d)
    _derive_same_address(d, property_counts)
    _derive_rental(d)
    _derive_social_insurance(d)
    _derive_residence_permit(d)
    d.put(
        "residence_in_zone",
        _or(
            _known(d, "property_in_zone_owned_by_guardian"),
            _known(d, "rental_in_zone_registered"),
            _known(d, "residence_permit_in_zone"),
        ),
    )
    return Facts(dict(d.values), frozenset(d.pending))
