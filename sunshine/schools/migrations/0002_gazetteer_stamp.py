"""The gazetteer stamp, and the triggers that renew it on every change to the tables
behind the city map (sunshine/schools/triggers.py, which also checks them after every
migrate)."""

from django.db import migrations, models


def install(apps, schema_editor):
    from sunshine.schools import triggers

    triggers.install_missing(schema_editor.connection)
    triggers.renew(schema_editor.connection)


def remove(apps, schema_editor):
    from sunshine.schools import triggers

    triggers.remove(schema_editor.connection)


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
        migrations.RunPython(install, remove),
    ]
