"""Children and adults: identity numbers, birth dates, twins, names and phone numbers."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from sunshine.demo import Adult, Child, City, Level, SchoolKind, generate_city
from sunshine.engine.idnumber import CHANGDE_DIVISIONS, Sex, parse

CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
# Mobile prefixes in use: 13x, 150-153, 155-159, 18x, 191, 193, 195-199.
MOBILE = re.compile(r"1(3\d|5[0-35-9]|8\d|9[135-9])\d{8}")
GRANDPARENTS = {"祖父", "祖母", "外祖父", "外祖母"}


def _adults(city: City) -> list[Adult]:
    return [a for f in city.families for a in (*f.guardians, *f.relatives)]


def test_every_identity_number_is_valid_and_matches_its_holder(city: City) -> None:
    people: list[Child | Adult] = [*city.children(), *_adults(city)]
    for person in people:
        parsed = parse(person.id_number, today=city.records_as_of)
        assert parsed.value == person.id_number
        assert parsed.birth_date == person.birth_date
        assert parsed.sex is person.sex
    numbers = [person.id_number for person in people]
    assert len(set(numbers)) == len(numbers)


def test_most_children_carry_changde_codes_and_some_come_from_other_provinces(city: City) -> None:
    regions = [child.id_number[:6] for child in city.children()]
    changde = sum(region in CHANGDE_DIVISIONS for region in regions)
    other_provinces = sum(not region.startswith("43") for region in regions)
    assert changde / len(regions) >= 0.8
    assert 0.01 <= other_provinces / len(regions) <= 0.08


def test_2024_entrants_are_born_in_the_right_school_year(city: City) -> None:
    # Grade 1 in September 2024 takes children six by 31 August 2024; grade 7 six years older.
    windows = {
        Level.PRIMARY: (dt.date(2017, 9, 1), dt.date(2018, 8, 31)),
        Level.JUNIOR: (dt.date(2011, 9, 1), dt.date(2012, 8, 31)),
    }
    for child in city.children():
        first, last = windows[child.level]
        assert first <= child.birth_date <= last
    births = sorted(child.birth_date for child in city.children() if child.level is Level.PRIMARY)
    assert births[0] < dt.date(2017, 10, 1) and births[-1] > dt.date(2018, 8, 1)


def test_the_birth_window_follows_the_entry_year() -> None:
    city = generate_city(200, seed=4, entry_year=2030)
    for child in city.children():
        if child.level is Level.PRIMARY:
            assert dt.date(2023, 9, 1) <= child.birth_date <= dt.date(2024, 8, 31)
        else:
            assert dt.date(2017, 9, 1) <= child.birth_date <= dt.date(2018, 8, 31)


def test_about_80_percent_enter_primary(city: City) -> None:
    children = city.children()
    primary = sum(child.level is Level.PRIMARY for child in children)
    assert 0.77 <= primary / len(children) <= 0.83


def test_twins_and_triplets_share_birth_date_family_and_consecutive_sequence_codes(
    city: City,
) -> None:
    multiple = [f for f in city.families if f.multiple_birth]
    assert 0.008 <= len(multiple) / len(city.families) <= 0.025
    for family in multiple:
        children = family.children
        assert len({c.birth_date for c in children}) == 1
        assert len({c.level for c in children}) == 1
        assert len({c.id_number[:6] for c in children}) == 1
        assert len({c.name for c in children}) == len(children)
        assert len({c.name[0] for c in children}) == 1
        assert all(c.family_id == family.family_id for c in children)
        codes = [int(c.id_number[14:17]) for c in children]
        # Registered together: each is the next free code of the right parity.
        assert all(b - a in (1, 2) for a, b in itertools.pairwise(codes))


def test_names_are_chinese_characters(city: City) -> None:
    names = [c.name for c in city.children()] + [a.name for a in _adults(city)]
    names += [record.name for record in city.records.hukou]
    for name in names:
        assert CJK_NAME.fullmatch(name), name


def test_surnames_follow_a_realistic_frequency(city: City) -> None:
    surnames = [c.name[0] for c in city.children()]
    top = {"王", "李", "张", "刘", "陈"}
    share = sum(s in top for s in surnames) / len(surnames)
    assert 0.18 <= share <= 0.40
    assert len(set(surnames)) >= 40


def test_guardian_phone_numbers_are_valid_mobiles_and_distinct(city: City) -> None:
    phones = [a.phone for a in _adults(city)]
    for phone in phones:
        assert MOBILE.fullmatch(phone), phone
    assert len(set(phones)) == len(phones)
    for child in city.children():
        for guardian in child.declaration.guardians:
            assert MOBILE.fullmatch(guardian.phone)


def test_parents_and_grandparents_have_plausible_ages(city: City) -> None:
    for family in city.families:
        birth = family.children[0].birth_date
        for adult in (*family.guardians, *family.relatives):
            age = (birth - adult.birth_date).days / 365.25
            if adult.relation == "父亲":
                assert adult.sex is Sex.MALE and 22 <= age <= 44
            elif adult.relation == "母亲":
                assert adult.sex is Sex.FEMALE and 20 <= age <= 40
            else:
                assert adult.relation in GRANDPARENTS and 40 <= age <= 80


def test_left_behind_children_are_declared_by_grandparents(city: City) -> None:
    left_behind = [f for f in city.families if f.left_behind]
    assert left_behind
    for family in left_behind:
        assert {g.relation for g in family.guardians} <= GRANDPARENTS
        assert {"父亲", "母亲"} <= {r.relation for r in family.relatives}
        assert all(child.declaration.notes for child in family.children)
    for family in city.families:
        if not family.left_behind:
            assert family.guardians
            assert {g.relation for g in family.guardians} <= {"父亲", "母亲"}


def test_about_ten_percent_also_choose_a_private_school_of_their_level(city: City) -> None:
    private = {s.school_code: s.level for s in city.schools if s.kind is SchoolKind.PRIVATE}
    primary = [c for c in city.children() if c.level is Level.PRIMARY]
    choosing = [c for c in primary if c.private_choice is not None]
    assert 0.07 <= len(choosing) / len(primary) <= 0.13
    for child in city.children():
        if child.private_choice is not None:
            assert private[child.private_choice] is child.level
