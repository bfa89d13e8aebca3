import pytest

from sunshine import testing
from sunshine.portal.chances import first_choice_chances

pytestmark = pytest.mark.django_db


def test_the_chance_of_a_newcomer_is_its_share_of_the_lottery():
    round_ = testing.round_()
    private = testing.school("V9", round_, seats=1, kind="private")
    for _ in range(3):
        testing.verified_application(round_, None, 1, private=[private])
    # One seat, three applicants and the newcomer: each lottery admits one of four.
    chance = first_choice_chances(round_, ["V9"])["V9"]
    assert 0.15 <= chance <= 0.35
