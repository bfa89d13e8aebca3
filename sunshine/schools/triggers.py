"""The database triggers that renew the gazetteer stamp (see ``GazetteerStamp``).

They are the city map's only signal that compounds, districts, schools or zone units
changed, so they are put in place by the migration that adds the stamp and checked
after every ``migrate`` (``SchoolsConfig.ready``): SQLite drops a table's triggers when
a later migration rebuilds the table, and a missing one would leave every process's
map stale.

PostgreSQL renews the stamp once per statement (and on TRUNCATE), SQLite once per row.
Every change to those tables takes the one stamp row's lock until its transaction ends,
so such changes, rare work of the bureau, happen one after another.
"""

from __future__ import annotations

import secrets

from django.db.backends.base.base import BaseDatabaseWrapper

from sunshine.schools.models import Compound, District, GazetteerStamp, School, ZoneUnit

TABLES = tuple(model._meta.db_table for model in (Compound, District, School, ZoneUnit))
STAMP_TABLE = GazetteerStamp._meta.db_table
FUNCTION = "schools_renew_gazetteer_stamp"
_SQLITE_EVENTS = ("insert", "update", "delete")


def _renew(random_stamp: str) -> str:
    return (
        f"INSERT INTO {STAMP_TABLE} (id, stamp) VALUES (1, {random_stamp})"
        " ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp"
    )


def _wanted(vendor: str) -> dict[str, str]:
    """Each trigger's name and the statement that creates it."""
    if vendor == "postgresql":
        return {
            f"{table}_renews_stamp": f"CREATE TRIGGER {table}_renews_stamp"
            f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            for table in TABLES
        }
    if vendor == "sqlite":
        renew = _renew("lower(hex(randomblob(16)))")
        return {
            f"{table}_{event}_renews_stamp": f"CREATE TRIGGER {table}_{event}_renews_stamp"
            f" AFTER {event.upper()} ON {table} BEGIN {renew}; END"
            for table in TABLES
            for event in _SQLITE_EVENTS
        }
    raise NotImplementedError(f"the gazetteer stamp's triggers are not written for {vendor}")


def _existing(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def install_missing(connection: BaseDatabaseWrapper) -> list[str]:
    """Create the triggers this database lacks (and, on PostgreSQL, their function);
    return their names."""
    existing = _existing(connection)
    missing = {
        name: statement
        for name, statement in _wanted(connection.vendor).items()
        if name not in existing
    }
    with connection.cursor() as cursor:
        if missing and connection.vendor == "postgresql":
            # The search path is fixed to the migration's, whatever a writer's session has.
            renew = _renew("replace(gen_random_uuid()::text, '-', '')")
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql"
                f" SET search_path FROM CURRENT AS $$ BEGIN {renew}; RETURN NULL; END $$"
            )
        for statement in missing.values():
            cursor.execute(statement)
    return sorted(missing)


def renew(connection: BaseDatabaseWrapper) -> None:
    """A fresh random stamp (the first one, or after the triggers were missing)."""
    with connection.cursor() as cursor:
        cursor.execute(_renew("%s"), [secrets.token_hex(16)])


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_renews_stamp ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
        else:
            for name in _wanted(connection.vendor):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
