"""Database-level protection that makes the audit table insert-only.

The hash chain detects a changed row after the fact; these triggers stop the
change from happening, even for code or a person holding the application's
database credentials. The production guide (docs/security.md) applies the
PostgreSQL form together with REVOKE UPDATE, DELETE on the table.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from sunshine.audit.models import AuditEvent

REFUSAL = "audit events are insert-only"

_POSTGRESQL = """
CREATE OR REPLACE FUNCTION sunshine_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{refusal}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS sunshine_audit_insert_only ON {table};
CREATE TRIGGER sunshine_audit_insert_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION sunshine_audit_refuse_change();
"""

# SQLite has no statement-level triggers or TRUNCATE; one row trigger per operation.
_SQLITE = """
CREATE TRIGGER IF NOT EXISTS sunshine_audit_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{refusal}: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS sunshine_audit_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{refusal}: DELETE refused'); END;
"""


def insert_only_sql(vendor: str, table: str = AuditEvent._meta.db_table) -> list[str]:
    """The statements that make ``table`` refuse UPDATE and DELETE on ``vendor``."""
    templates = {"postgresql": _POSTGRESQL, "sqlite": _SQLITE}
    if vendor not in templates:
        raise ValueError(f"no insert-only guard for database {vendor!r}")
    script = templates[vendor].format(table=table, refusal=REFUSAL)
    if vendor == "postgresql":
        # The function body holds semicolons, so PostgreSQL takes the script whole.
        return [script]
    return [f"{part.strip()}\nEND;" for part in script.split("END;") if part.strip()]


def install_insert_only_guard(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers on the connection's database (idempotent)."""
    with connection.cursor() as cursor:
        for statement in insert_only_sql(connection.vendor):
            cursor.execute(statement)
