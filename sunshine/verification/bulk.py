"""Inserting many rows at once: COPY on PostgreSQL, batched INSERTs elsewhere.

A verification run writes several rows per application; COPY moves them
several times faster than multi-row INSERT on PostgreSQL, and building the
rows as tuples skips a model instance per row. Encrypted fields are encrypted
and JSON fields serialised here, as their fields would do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.db import connection, models
from django.db.models.expressions import RawSQL

from sunshine.privacy.crypto import encryptor
from sunshine.privacy.fields import EncryptedTextField


def json_text(value: Any) -> str:
    """Compact JSON of a row's value; orjson writes it several times faster than json."""
    return orjson.dumps(value).decode()


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows``, each holding the values of ``columns`` (field attnames)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=500
        )
        return
    fields = [model._meta.get_field(column) for column in columns]
    prepared = [
        (position, prepare)
        for position, prepare in enumerate(_preparer(field) for field in fields)
        if prepare is not None
    ]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            if len(row) != len(fields):
                raise ValueError(f"a row of {len(row)} values for {len(fields)} columns")
            values = list(row)
            for position, prepare in prepared:
                values[position] = prepare(values[position])
            copy.write_row(values)


def _preparer(field: Any) -> Callable[[Any], Any] | None:
    if isinstance(field, EncryptedTextField):
        seal = encryptor(field.purpose)
        # What the field's get_prep_value does, with the key looked up once for all rows.
        return lambda value: (
            seal(value) if value and isinstance(value, str) else field.get_prep_value(value)
        )
    if isinstance(field, models.JSONField):
        return json_text
    return None


def rows_by_ids(
    model: type[models.Model], column: str, ids: Sequence[Any], *, extra: str = ""
) -> tuple[str, list[Any]]:
    """``WHERE`` text and parameters selecting ``column`` among ``ids``.

    On PostgreSQL the ids travel as one array parameter: a long ``IN`` list is
    slow to bind and to plan.
    """
    name = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        kind = "bigint" if all(isinstance(i, int) for i in ids) else "text"
        return f"{name} = ANY(%s::{kind}[]){extra}", [_array_literal(ids)]
    marks = ", ".join(["%s"] * len(ids))
    return f"{name} IN ({marks}){extra}", list(ids)


def delete_by_ids(model: type[models.Model], column: str, ids: Sequence[Any]) -> None:
    """Delete the rows whose ``column`` is among ``ids`` (no cascades, no signals)."""
    if not ids:
        return
    where, params = rows_by_ids(model, column, ids)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


def id_set(ids: Sequence[int]) -> Any:
    """A value for ``pk__in=``: on PostgreSQL one array parameter instead of a long list."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [_array_literal(ids)])
    return list(ids)


def _array_literal(values: Sequence[Any]) -> str:
    """An array literal for ids and hex digests (no quoting needed), sent as one string.

    The driver would otherwise adapt a list element by element in Python.
    """
    text = [str(value) for value in values]
    if not all(part.isalnum() for part in text):
        raise ValueError("only plain ids and digests go into an array literal")
    return "{" + ",".join(text) + "}"
