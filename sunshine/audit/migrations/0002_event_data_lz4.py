"""Compress large audit event data with lz4 rather than pglz on PostgreSQL.

A verification batch writes one event holding every department query of a
thousand applications (about 750 kB of hashes). PostgreSQL's default pglz
spends tens of milliseconds trying to compress such a value and then gives up;
lz4 is several times faster and still compresses the repetitive events. Only
new values are affected; on servers built without lz4 the column keeps the
default.
"""

from django.db import migrations

# Run as dynamic SQL so that a server without lz4 (or older than 14) leaves things as they are.
SET_COMPRESSION = """
DO $$
BEGIN
    EXECUTE 'ALTER TABLE audit_auditevent ALTER COLUMN data SET COMPRESSION {method}';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'audit event data keep the compression they had';
END
$$;
"""


def use_lz4(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET_COMPRESSION.format(method="lz4"))


def use_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET_COMPRESSION.format(method="DEFAULT"))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(use_lz4, use_default),
    ]
