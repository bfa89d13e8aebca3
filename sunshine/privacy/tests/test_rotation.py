import base64

import pytest
from django.core.management import call_command
from django.db import connection

from sunshine import testing
from sunshine.applications.models import Child, Guardian
from sunshine.audit.models import AuditEvent
from sunshine.privacy import crypto

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()


def _stored(model, pk, column):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_rotation_moves_every_value_to_the_new_key_and_keeps_it_readable(settings):
    settings.SUNSHINE_FIELD_KEYS = OLD
    kids = [testing.child() for _ in range(5)]
    assert crypto.key_id_of(_stored(Child, kids[0].pk, "id_number")) == "old"
    settings.SUNSHINE_FIELD_KEYS = f"{NEW},{OLD}"
    call_command("rotate_keys", "--batch-size", "2", verbosity=0)
    for kid in kids:
        assert crypto.key_id_of(_stored(Child, kid.pk, "id_number")) == "new"
        assert Child.objects.get(pk=kid.pk).id_number == kid.id_number
    guardian = Guardian.objects.first()
    assert crypto.key_id_of(_stored(Guardian, guardian.pk, "phone")) == "new"
    # The old key can now be retired.
    settings.SUNSHINE_FIELD_KEYS = NEW
    assert Child.objects.get(pk=kids[0].pk).id_number == kids[0].id_number
    assert AuditEvent.objects.filter(action="privacy.keys_rotated").exists()


@pytest.mark.django_db
def test_a_second_rotation_has_nothing_to_do(settings, capsys):
    settings.SUNSHINE_FIELD_KEYS = NEW
    testing.child()
    call_command("rotate_keys")
    assert "total: 0" in capsys.readouterr().out


@pytest.mark.django_db
def test_rotation_never_undoes_a_newer_write(settings, monkeypatch):
    settings.SUNSHINE_FIELD_KEYS = OLD
    kid = testing.child()
    settings.SUNSHINE_FIELD_KEYS = f"{NEW},{OLD}"
    original_decrypt = crypto.decrypt

    def decrypt_while_a_parent_edits(stored, purpose):
        # The family corrects the value between rotation's read and its write.
        if purpose == "child.id_number":
            Child.objects.filter(pk=kid.pk).update(id_number="430702201801010011")
        return original_decrypt(stored, purpose)

    monkeypatch.setattr(crypto, "decrypt", decrypt_while_a_parent_edits)
    call_command("rotate_keys", verbosity=0)
    monkeypatch.setattr(crypto, "decrypt", original_decrypt)
    assert Child.objects.get(pk=kid.pk).id_number == "430702201801010011"
