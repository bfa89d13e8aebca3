"""The gazetteer stamp, and the triggers that renew it on every change to the tables
behind the city map.

PostgreSQL renews it once per statement; SQLite, which has only row triggers, once per
row. SQLite drops a table's triggers when a migration rebuilds the table, so
sunshine/schools/tests/test_city_map.py checks every table and kind of change.
"""

from django.db import migrations, models

TABLES = ("schools_compound", "schools_district", "schools_school", "schools_zoneunit")
STAMP_TABLE = "schools_gazetteerstamp"
FUNCTION = "schools_gazetteer_changed"


def _renew(random_stamp: str) -> str:
    return (
        f"INSERT INTO {STAMP_TABLE} (id, stamp) VALUES (1, {random_stamp})"
        " ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp"
    )


def install_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        renew = _renew("replace(gen_random_uuid()::text, '-', '')")
        schema_editor.execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {renew}; RETURN NULL; END $$"
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_changed"
                f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_after_{event.lower()} AFTER {event} ON {table}"
                    f" BEGIN {_renew('lower(hex(randomblob(16)))')}; END"
                )
    else:
        raise NotImplementedError(f"the city map's change triggers are not written for {vendor}")
    schema_editor.execute(_renew("'initial'"))


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER {table}_changed ON {table}")
        schema_editor.execute(f"DROP FUNCTION {FUNCTION}()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER {table}_after_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="GazetteerStamp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stamp", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
