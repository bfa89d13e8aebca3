"""Re-encrypting personal data under the newest key, in batches.

Values are read as stored (``v1.<key id>.…``) with plain SQL, so rows already
under the current key are skipped without decrypting them, and each batch is
one short transaction: the site stays up while a rotation runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction

from sunshine.audit.services import Actor, record
from sunshine.privacy import crypto
from sunshine.privacy.fields import EncryptedTextField


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[models.Model]
    field: EncryptedTextField

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


def encrypted_columns() -> Iterator[EncryptedColumn]:
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield EncryptedColumn(model, field)


def rotate(actor: Actor, batch_size: int = 1000) -> dict[str, int]:
    """Re-encrypt every value not under the current key; return counts per column."""
    current = f"{crypto.PREFIX}.{crypto.key_ring().current_id}."
    counts: dict[str, int] = {}
    for column in encrypted_columns():
        done = 0
        while batch := _rotate_batch(actor, column, current, batch_size):
            done += batch
        counts[column.label] = done
    return counts


def _rotate_batch(actor: Actor, column: EncryptedColumn, current: str, batch_size: int) -> int:
    table = connection.ops.quote_name(column.model._meta.db_table)
    name = connection.ops.quote_name(column.field.column)
    pk = connection.ops.quote_name(column.model._meta.pk.column)
    # Table and column names come from the models, never from input. The prefix is
    # compared exactly (LIKE would fold case on SQLite and treat "_" as a wildcard).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {name} FROM {table} "
            f"WHERE {name} <> '' AND SUBSTR({name}, 1, %s) <> %s ORDER BY {pk} LIMIT %s",
            [len(current), current, batch_size],
        )
        rows = cursor.fetchall()
        rotated = 0
        for key, stored in rows:
            fresh = crypto.encrypt(
                crypto.decrypt(stored, column.field.purpose), column.field.purpose
            )
            # Only if nobody changed the value since it was read: never undo a newer write.
            cursor.execute(
                f"UPDATE {table} SET {name} = %s WHERE {pk} = %s AND {name} = %s",
                [fresh, key, stored],
            )
            rotated += cursor.rowcount
        if rotated:
            record(actor, "privacy.keys_rotated", column=column.label, values=rotated)
    return len(rows)
