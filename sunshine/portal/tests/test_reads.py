"""The parent's application and draft as every status poll and autosave read them: by
hand-written SQL, the same instances the ORM would build, and only within the family."""

import pytest

from sunshine.accounts.models import User
from sunshine.accounts.scopes import visible_applications
from sunshine.applications.models import Guardian, Guardianship
from sunshine.applications.services import id_index, phone_index
from sunshine.handwritten import Table
from sunshine.portal import selectors, services
from sunshine.portal.models import Draft
from sunshine.portal.tests import world as w
from sunshine.portal.tests.test_services import PARENT, add, filled_draft
from sunshine.verification.models import CategoryAssignment
from sunshine.verification.services import verify_round

pytestmark = pytest.mark.django_db
RELATED = ("child", "round__term", "zone_school", "category")


@pytest.fixture
def city():
    return w.world()


def submitted(city, fam, **changes):
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round, **changes)
    return user, services.submit_draft(PARENT, draft, key=draft.idempotency_key, consent=True)


def values(instance):
    if instance is None:
        return None
    # With the type: 1 == True, and a float equals a Decimal.
    return {
        field.attname: (type(value := getattr(instance, field.attname)), value)
        for field in type(instance)._meta.concrete_fields
    }


def assert_same_instances(read, orm, paths):
    """``read`` and each instance along ``paths`` hold what the ORM's hold."""
    for path in ("", *paths):
        ours, theirs = read, orm
        for step in filter(None, path.split(".")):
            ours, theirs = getattr(ours, step), getattr(theirs, step)
        assert values(ours) == values(theirs), path or type(read).__name__


def same_as_the_orm(user, pk):
    read = selectors.application_of(user, pk)
    orm = visible_applications(user).select_related(*RELATED).get(pk=pk)
    assert_same_instances(read, orm, ("child", "round", "round.term", "zone_school"))
    return read


def test_a_fresh_submission_reads_as_the_orm_reads_it_with_no_category(
    city, django_assert_num_queries
):
    user, application = submitted(city, w.family())
    read = same_as_the_orm(user, application.pk)
    assert read.zone_school == city.zone_school and read.round.term.year == city.round.term.year
    assert read.round.registration_opens.tzinfo is not None  # converted on SQLite too
    with django_assert_num_queries(0), pytest.raises(CategoryAssignment.DoesNotExist):
        read.category  # noqa: B018 (the look-up is what is tested)


def test_a_verified_application_comes_with_its_category(city, django_assert_num_queries):
    user, application = submitted(city, w.family())
    w.close_registration(city.round)
    verify_round(w.BUREAU, city.round)
    read = same_as_the_orm(user, application.pk)
    expected = CategoryAssignment.objects.get(application=application)
    with django_assert_num_queries(0):
        assert values(read.category) == values(expected)
        assert read.category.application is read
        assert read.declaration["residence_address"] == w.HOME


def test_an_application_outside_the_zone_has_no_zone_school(city):
    user, application = submitted(
        city, w.family(import_records=False), residence_address="湖南省常德市鼎城区某某路1号"
    )
    assert same_as_the_orm(user, application.pk).zone_school is None


def test_another_familys_application_is_not_found(city):
    _, application = submitted(city, w.family())
    stranger = w.parent_user(w.family(import_records=False).phone)
    with pytest.raises(type(application).DoesNotExist):
        selectors.application_of(stranger, application.pk)
    with pytest.raises(type(application).DoesNotExist):
        selectors.application_of(stranger, application.pk + 1000)


def test_a_draft_reads_as_the_orm_reads_it_and_an_autosave_keeps_its_round(
    city, django_assert_num_queries
):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round)
    read = selectors.draft_of(user, draft.pk)
    orm = Draft.objects.select_related("child", "round__term").get(pk=draft.pk)
    assert_same_instances(read, orm, ("child", "round", "round.term"))
    assert read.data["residence_address"] == w.HOME
    saved = services.save_draft(read, {"hukou_same": False})
    with django_assert_num_queries(0):
        assert saved.round.term.year == city.round.term.year and saved.child.name == fam.child_name
    assert selectors.draft_of(user, draft.pk).data["hukou_same"] is False


def test_another_parents_draft_is_not_found(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round)
    stranger = w.parent_user(w.family(import_records=False).phone)
    with pytest.raises(Draft.DoesNotExist):
        selectors.draft_of(stranger, draft.pk)


def test_a_co_guardian_sees_the_application_but_not_the_other_parents_draft(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    child = add(user, fam)
    draft = filled_draft(user, child, city.round)
    # The mother, registered as a second guardian and logged in with her own phone.
    mother = w.family(import_records=False)
    other = w.parent_user(mother.phone)
    guardian = Guardian.objects.create(
        name=mother.parent_name,
        id_number=mother.parent_id,
        id_index=id_index(mother.parent_id),
        phone=mother.phone,
        phone_index=phone_index(mother.phone),
        user=other,
    )
    Guardianship.objects.create(child=child, guardian=guardian, relation="母亲")
    with pytest.raises(Draft.DoesNotExist):
        selectors.draft_of(other, draft.pk)
    application = services.submit_draft(PARENT, draft, key=draft.idempotency_key, consent=True)
    assert same_as_the_orm(other, application.pk).pk == application.pk


def test_an_id_no_row_can_have_is_not_found(city, client):
    user, application = submitted(city, w.family())
    for pk in (0, -1, 2**63, 2**70):
        with pytest.raises(type(application).DoesNotExist):
            selectors.application_of(user, pk)
        with pytest.raises(Draft.DoesNotExist):
            selectors.draft_of(user, pk)
    client.force_login(user)
    assert client.get(f"/portal/applications/{2**70}/").status_code == 404


def test_a_hand_written_table_lists_its_fields_in_the_models_order():
    """Rows become instances by position (Model.from_db), so another order would swap
    values between fields."""
    assert (
        Table(User, "u", ("id", "username", "role")).columns()
        == '"u"."id", "u"."username", "u"."role"'
    )
    with pytest.raises(ValueError, match="model's order"):
        Table(User, "u", ("id", "role", "username"))
