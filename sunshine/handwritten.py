"""SELECTs written by hand for the few reads that nearly every API call makes.

Building a query through the ORM costs about a millisecond of CPU for a join of a few
tables; on the first morning of registration the token check and the status poll make
up most of the traffic, so their SQL is written once here and only executed per call.
Rows become model instances as the ORM would make them: values pass through the same
database and field converters (SQLite's timestamps, encrypted fields), and the fields
not read stay deferred, so touching one loads it rather than inventing a value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


@dataclass(frozen=True)
class Table:
    """A model in a hand-written SELECT: its alias there and the fields read (attnames)."""

    model: type[models.Model]
    alias: str
    fields: tuple[str, ...]

    def __post_init__(self) -> None:
        # Model.from_db takes a subset of the fields in the model's own order.
        order = [field.attname for field in self.model._meta.concrete_fields]
        if [name for name in order if name in self.fields] != list(self.fields):
            raise ValueError(
                f"{self.model.__name__}: list the fields {self.fields} in the model's order"
            )

    @classmethod
    def whole(cls, model: type[models.Model], alias: str) -> Table:
        """Every field of ``model``, as ``select_related`` reads it."""
        return cls(model, alias, tuple(field.attname for field in model._meta.concrete_fields))

    @property
    def name(self) -> str:
        return f'"{self.model._meta.db_table}" "{self.alias}"'

    def column(self, field: str) -> str:
        """The field's column, qualified by the alias and quoted the standard way (which
        SQLite and PostgreSQL both read)."""
        return f'"{self.alias}"."{self.model._meta.get_field(field).column}"'

    def columns(self) -> str:
        return ", ".join(self.column(field) for field in self.fields)

    def instance(self, values: Sequence[Any], connection: BaseDatabaseWrapper) -> Any:
        """The model instance these values (in ``fields`` order) make, or None when its
        primary key is NULL (the missing side of a LEFT JOIN)."""
        if values[self.fields.index(self.model._meta.pk.attname)] is None:
            return None
        converted = []
        for value, (expression, converters) in zip(
            values, _converters(self, connection.alias), strict=True
        ):
            for convert in converters:
                value = convert(value, expression, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, list(self.fields), converted)


@functools.cache
def _converters(table: Table, alias: str) -> list[tuple[Any, list[Converter]]]:
    """What the ORM's compiler applies to each column: the backend's converters, then the
    field's. Worked out once per database alias; they depend only on its settings."""
    connection = connections[alias]
    found = []
    for name in table.fields:
        expression = table.model._meta.get_field(name).get_col(table.alias)
        converters = connection.ops.get_db_converters(expression)
        converters += expression.get_db_converters(connection)
        found.append((expression, converters))
    return found


@dataclass(frozen=True)
class Select:
    """A hand-written SELECT of the fields of ``tables``; ``rest`` is its FROM and WHERE."""

    tables: tuple[Table, ...]
    rest: str

    @functools.cached_property
    def sql(self) -> str:
        columns = ", ".join(table.columns() for table in self.tables)
        return f"SELECT {columns} {self.rest}"

    def first(self, params: Sequence[Any]) -> list[Any] | None:
        """One instance (or None) per table from the first row found, or None when no row
        is. The database is the one the first table's model is read from."""
        connection = _connection_for(self.tables[0].model)
        try:
            with connection.cursor() as cursor:
                cursor.execute(self.sql, params)
                row = cursor.fetchone()
        except OverflowError:
            # A number no column can hold (SQLite refuses it outright) matches no row,
            # as with the ORM; a page address may carry any number.
            return None
        if row is None:
            return None
        found = []
        start = 0
        for table in self.tables:
            end = start + len(table.fields)
            found.append(table.instance(row[start:end], connection))
            start = end
        return found


def attach(instance: models.Model, relation: str, related: models.Model | None) -> None:
    """Remember ``related`` (or that there is none) as ``instance.<relation>``, as
    ``select_related`` does: reading it makes no query, and the foreign key itself is
    left as it was read."""
    field: Any = instance._meta.get_field(relation)
    field.set_cached_value(instance, related)


def parameter(model: type[models.Model], field: str, value: Any) -> Any:
    """``value`` as the database stores it in ``model.field`` (SQLite keeps timestamps as
    text, for one)."""
    return model._meta.get_field(field).get_db_prep_value(value, _connection_for(model))


def _connection_for(model: type[models.Model]) -> BaseDatabaseWrapper:
    return connections[router.db_for_read(model)]
