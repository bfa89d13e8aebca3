import pytest
from django.urls import reverse

from sunshine import testing
from sunshine.accounts.models import Role, User


@pytest.fixture
def two_schools(db):
    round_ = testing.round_()
    mine = testing.school("S1", round_, seats=5)
    other = testing.school("S2", round_, seats=5)
    ours = testing.verified_application(round_, mine, 1)
    theirs = testing.verified_application(round_, other, 1)
    return mine, other, ours, theirs


def _login(client, role, **scope):
    user = User.objects.create_user(username=role, password="x", role=role, **scope)
    client.force_login(user)
    return user


def test_a_school_sees_only_its_own_applicants(client, two_schools):
    mine, _, ours, theirs = two_schools
    _login(client, Role.SCHOOL, school=mine)
    page = client.get(reverse("console:home")).content.decode()
    assert ours.reference in page
    assert theirs.reference not in page
    assert ours.child.name not in page  # names are masked


def test_the_city_bureau_sees_every_school(client, two_schools):
    _, _, ours, theirs = two_schools
    _login(client, Role.CITY)
    page = client.get(reverse("console:home")).content.decode()
    assert ours.reference in page and theirs.reference in page


def test_parents_cannot_open_the_console(client, two_schools):
    _login(client, Role.PARENT)
    assert client.get(reverse("console:home")).status_code == 403


def test_an_observer_sees_no_personal_rows(client, two_schools):
    _, _, ours, theirs = two_schools
    _login(client, Role.OBSERVER)
    page = client.get(reverse("console:home")).content.decode()
    assert ours.reference not in page and theirs.reference not in page


def test_anonymous_visitors_are_sent_to_log_in(client, two_schools):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_parent_sees_only_their_own_children(client, two_schools):
    _, _, ours, theirs = two_schools
    parent = _login(client, Role.PARENT)
    ours.child.guardians.update(user=parent)
    page = client.get(reverse("portal:home")).content.decode()
    assert ours.child.name in page and theirs.child.name not in page
