"""Department records agree with what families declare, except where a discrepancy was meant.

The checks here are a small verifier of their own, written from the rules a bureau
applies rather than from the generator's code.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from sunshine.demo import City, Family, Scenario, canonical_address
from sunshine.demo.tests.conftest import (
    AddressReader,
    Place,
    shared_reader,
    shared_zone_index,
)
from sunshine.engine.records import Declaration, PropertyRecord

CERTIFICATE = re.compile(r"湘\((\d{4})\)(常德市|津市市)不动产权第(\d{7})号")
GRANDCHILD = {"孙子", "孙女", "外孙子", "外孙女"}
GRANDPARENTS = {"祖父", "祖母", "外祖父", "外祖母"}
MIN_INSURANCE_MONTHS = 12

EXPECTED_FINDINGS = {
    Scenario.MISTYPED_CERTIFICATE: {"certificate_mismatch"},
    Scenario.RECENT_HUKOU: {"hukou_recent"},
    Scenario.PROPERTY_NOT_FOUND: {"property_not_found"},
}


def _unique(keys: list[object]) -> bool:
    return len(set(keys)) == len(keys)


class Registry:
    """The department records indexed the way verification looks them up."""

    def __init__(self, city: City, reader: AddressReader) -> None:
        records = city.records
        self.city = city
        self.reader = reader
        assert _unique([r.id_number for r in records.hukou])
        self.hukou = {r.id_number: r for r in records.hukou}
        self.births = {r.child_id_number: r for r in records.births}
        self.by_certificate = {r.certificate_no: r for r in records.properties}
        self.by_place: dict[Place | None, PropertyRecord] = {
            reader.read(r.address): r for r in records.properties
        }
        assert len(self.by_place) == len(records.properties), "two titles for one flat"
        self.contract_places = {reader.read(r.address) for r in records.housing_contracts}
        self.rentals = {r.registration_no: r for r in records.rentals}
        self.permits = {r.permit_no: r for r in records.residence_permits}
        self.insurance = {r.id_number: r for r in records.social_insurance}

    def findings(self, family: Family) -> set[str]:
        """Everything in the declarations that the records do not bear out."""
        found: set[str] = set()
        for child in family.children:
            found |= self._child_findings(child.id_number, child.declaration)
        return found

    def _child_findings(self, child_id: str, d: Declaration) -> set[str]:
        read = self.reader.read
        found: set[str] = set()
        child_hukou = self.hukou[child_id]
        if child_hukou.name != d.child_name or d.child_id_number != child_id:
            found.add("identity")
        birth = self.births[child_id]
        guardian_ids = {g.id_number for g in d.guardians}
        for guardian in d.guardians:
            record = self.hukou[guardian.id_number]
            if record.name != guardian.name:
                found.add("identity")
            if guardian.relation == "父亲" and guardian.id_number != birth.father_id_number:
                found.add("guardianship")
            if guardian.relation == "母亲" and guardian.id_number != birth.mother_id_number:
                found.add("guardianship")
            if guardian.relation in GRANDPARENTS and not (
                record.household_head_id == child_hukou.household_head_id
                and child_hukou.relation_to_head in GRANDCHILD
            ):
                found.add("guardianship")
        declared_hukou = d.hukou_address or ""
        if read(declared_hukou) != read(child_hukou.address) or (
            read(child_hukou.address) is None and declared_hukou != child_hukou.address
        ):
            found.add("hukou_address")
        if child_hukou.move_in_date >= self.city.hukou_cutoff:
            found.add("hukou_recent")
        if d.property_certificate_no is not None:
            found |= self._property_findings(
                d.property_certificate_no, d.property_address, guardian_ids
            )
        if d.rental_registration_no is not None:
            rental = self.rentals.get(d.rental_registration_no)
            insurance = self.insurance.get(rental.tenant_id) if rental else None
            if (
                rental is None
                or rental.tenant_id not in guardian_ids
                or read(rental.address) != read(d.residence_address)
                or not rental.start_date <= self.city.records_as_of <= rental.end_date
                or insurance is None
                or insurance.months_paid < MIN_INSURANCE_MONTHS
            ):
                found.add("rental")
        if d.residence_permit_no is not None:
            permit = self.permits.get(d.residence_permit_no)
            if (
                permit is None
                or permit.id_number not in guardian_ids
                or read(permit.address) != read(d.residence_address)
                or not permit.issued_date <= self.city.records_as_of <= permit.valid_until
            ):
                found.add("residence_permit")
        return found

    def _property_findings(
        self, certificate: str, address: str | None, guardian_ids: set[str]
    ) -> set[str]:
        record = self.by_certificate.get(certificate)
        place = self.reader.read(address or "")
        if record is None:
            at_place = self.by_place.get(place)
            if at_place is None:
                return {"property_not_found"}
            if _small_typo(at_place.certificate_no, certificate) and guardian_ids & {
                owner.id_number for owner in at_place.owners
            }:
                return {"certificate_mismatch"}
            return {"certificate_unknown"}
        found = set()
        if self.reader.read(record.address) != place:
            found.add("property_address")
        if not guardian_ids & {owner.id_number for owner in record.owners}:
            found.add("owner")
        return found


def _small_typo(real: str, typed: str) -> bool:
    """One wrong digit, two neighbouring digits swapped, or the year off by one."""
    a, b = CERTIFICATE.fullmatch(real), CERTIFICATE.fullmatch(typed)
    if a is None or b is None or a[2] != b[2]:
        return False
    if a[3] == b[3]:
        return abs(int(a[1]) - int(b[1])) == 1
    if a[1] != b[1]:
        return False
    diffs = [i for i in range(7) if a[3][i] != b[3][i]]
    if len(diffs) == 1:
        return True
    i = diffs[0]
    return diffs == [i, i + 1] and a[3][i] == b[3][i + 1] and a[3][i + 1] == b[3][i]


@pytest.fixture
def registry(city: City) -> Registry:
    return Registry(city, shared_reader())


def test_scenario_shares_match_the_documented_make_up(city: City) -> None:
    counts = Counter(f.scenario for f in city.families)
    total = len(city.families)
    expected = {
        Scenario.HUKOU_AND_PROPERTY: 0.60,
        Scenario.GRANDPARENT_HUKOU: 0.08,
        Scenario.PROPERTY_ONLY: 0.10,
        Scenario.MIGRANT_RENTAL: 0.12,
        Scenario.NO_HOUSE_NO_HUKOU: 0.03,
        Scenario.MISTYPED_CERTIFICATE: 0.03,
        Scenario.RECENT_HUKOU: 0.03,
        Scenario.PROPERTY_NOT_FOUND: 0.01,
    }
    for scenario, share in expected.items():
        assert counts[scenario] / total == pytest.approx(share, abs=0.005), scenario


def test_records_agree_with_declarations_except_the_planted_discrepancies(
    city: City, registry: Registry
) -> None:
    for family in city.families:
        expected = EXPECTED_FINDINGS.get(family.scenario, set())
        assert registry.findings(family) == expected, (family.family_id, family.scenario)


def test_each_discrepancy_scenario_occurs(city: City) -> None:
    scenarios = {f.scenario for f in city.families}
    assert set(EXPECTED_FINDINGS) <= scenarios


def test_some_families_missing_from_the_registry_hold_a_purchase_contract(
    city: City, registry: Registry
) -> None:
    missing = [f for f in city.families if f.scenario is Scenario.PROPERTY_NOT_FOUND]
    with_contract = [
        f
        for f in missing
        if registry.reader.read(f.children[0].declaration.residence_address)
        in registry.contract_places
    ]
    assert 0 < len(with_contract) < len(missing)


def _place_of(reader: AddressReader, text: str | None) -> Place | None:
    return reader.read(text or "")


def test_each_family_s_facts_support_its_scenario(city: City) -> None:
    reader, zones = shared_reader(), shared_zone_index()
    owners_like = {
        Scenario.HUKOU_AND_PROPERTY,
        Scenario.MISTYPED_CERTIFICATE,
        Scenario.RECENT_HUKOU,
        Scenario.PROPERTY_NOT_FOUND,
    }
    for family in city.families:
        for child in family.children:
            d = child.declaration
            residence = _place_of(reader, d.residence_address)
            hukou = _place_of(reader, d.hukou_address)
            owned = _place_of(reader, d.property_address)
            level, school = child.level, child.zone_school
            assert residence is not None
            assert residence == (
                family.home.compound_id,
                family.home.building,
                family.home.unit,
                family.home.room,
            )
            if family.scenario in owners_like:
                assert residence == hukou == owned
                assert zones.school(level, hukou) == school
            elif family.scenario is Scenario.GRANDPARENT_HUKOU:
                assert zones.school(level, hukou) == school
                if family.left_behind:
                    assert residence == hukou and d.property_certificate_no is None
                else:
                    assert zones.school(level, owned) != school
            elif family.scenario is Scenario.PROPERTY_ONLY:
                assert residence == owned and zones.school(level, owned) == school
                assert hukou is None or zones.school(level, hukou) != school
            elif family.scenario is Scenario.MIGRANT_RENTAL:
                assert d.property_certificate_no is None and hukou is None
                assert d.rental_registration_no and d.residence_permit_no
                assert zones.school(level, residence) == school
            else:
                assert family.scenario is Scenario.NO_HOUSE_NO_HUKOU
                assert d.property_certificate_no is None and hukou is None
                assert d.rental_registration_no is None and d.residence_permit_no is None
                assert zones.school(level, residence) == school


def test_families_without_house_or_hukou_have_no_record_that_would_lift_them(
    city: City, registry: Registry
) -> None:
    unhoused = [f for f in city.families if f.scenario is Scenario.NO_HOUSE_NO_HUKOU]
    tenants = {r.tenant_id for r in city.records.rentals}
    holders = {r.id_number for r in city.records.residence_permits}
    owners = {o.id_number for r in city.records.properties for o in r.owners}
    for family in unhoused:
        ids = {a.id_number for a in (*family.guardians, *family.relatives)}
        assert not ids & (tenants | holders | owners)
        for child in family.children:
            assert registry.reader.read(registry.hukou[child.id_number].address) is None


def test_only_recent_hukou_families_moved_in_after_the_cutoff(
    city: City, registry: Registry
) -> None:
    assert city.hukou_cutoff.isoformat() == "2023-09-01"
    for family in city.families:
        for child in family.children:
            moved_in = registry.hukou[child.id_number].move_in_date
            recent = moved_in >= city.hukou_cutoff
            assert recent == (family.scenario is Scenario.RECENT_HUKOU)
            assert moved_in <= city.records_as_of


def test_certificate_numbers_have_the_real_format(city: City) -> None:
    for record in city.records.properties:
        match = CERTIFICATE.fullmatch(record.certificate_no)
        assert match, record.certificate_no
        assert int(match[1]) == record.registration_date.year
        assert (match[2] == "津市市") == ("津市市" in record.address)
        assert sum(o.share_percent for o in record.owners) == 100
    assert _unique([r.certificate_no for r in city.records.properties])


def test_declared_certificates_are_well_formed_even_when_wrong(city: City) -> None:
    for child in city.children():
        number = child.declaration.property_certificate_no
        if number is not None:
            assert CERTIFICATE.fullmatch(number)


def test_every_child_and_guardian_is_in_the_household_register(
    city: City, registry: Registry
) -> None:
    for family in city.families:
        for child in family.children:
            assert registry.births[child.id_number].father_id_number is not None
            household = registry.hukou[child.id_number].household_head_id
            assert household in registry.hukou
        for adult in (*family.guardians, *family.relatives):
            assert registry.hukou[adult.id_number].name == adult.name


def test_about_15_percent_write_addresses_in_a_variant_form(city: City, registry: Registry) -> None:
    compounds = {c.compound_id: c for c in city.compounds}
    variants = 0
    for family in city.families:
        home = family.home
        canonical = canonical_address(
            compounds[home.compound_id], home.building, home.unit, home.room
        )
        typed = family.children[0].declaration.residence_address
        assert (typed != canonical) == family.address_variant
        variants += family.address_variant
    assert variants / len(city.families) == pytest.approx(0.15, abs=0.01)


def test_variant_addresses_use_every_kind_of_variation(city: City) -> None:
    compounds = {c.compound_id: c for c in city.compounds}
    variant = [f for f in city.families if f.address_variant]
    typed = [f.children[0].declaration.residence_address for f in variant]
    assert any(re.search("[０-９]", t) for t in typed)
    assert any("幢" in t for t in typed)
    assert any("号楼" in t for t in typed)
    assert any(re.search(r"\d-\d+-\d+$", t) for t in typed)
    assert any(not t.startswith("湖南省") for t in typed)
    by_alias = [
        f
        for f in variant
        if compounds[f.home.compound_id].name not in f.children[0].declaration.residence_address
    ]
    assert by_alias
    for family in by_alias:
        aliases = compounds[family.home.compound_id].aliases
        assert any(alias in family.children[0].declaration.residence_address for alias in aliases)
