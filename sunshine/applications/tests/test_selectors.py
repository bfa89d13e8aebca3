import pytest

from sunshine import testing
from sunshine.applications.models import Guardian, Guardianship
from sunshine.applications.selectors import first_guardians


@pytest.mark.django_db
def test_each_child_gets_its_first_registered_guardian(django_assert_max_num_queries):
    kids = [testing.child() for _ in range(3)]
    second = Guardian.objects.create(
        name="第二监护人", id_number="x", id_index="second", phone="13900000000", phone_index="p"
    )
    Guardianship.objects.create(child=kids[0], guardian=second, relation="母亲")
    with django_assert_max_num_queries(1):
        found = first_guardians([kid.pk for kid in kids])
    assert {kid.pk: found[kid.pk].pk for kid in kids} == {
        kid.pk: kid.guardians.order_by("pk").first().pk for kid in kids
    }
    assert found[kids[0].pk] != second
