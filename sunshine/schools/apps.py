from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class SchoolsConfig(AppConfig):
    name = "sunshine.schools"
    label = "schools"

    def ready(self) -> None:
        post_migrate.connect(_restore_stamp_triggers, sender=self)


def _restore_stamp_triggers(using: str, **kwargs: Any) -> None:
    """Put back a gazetteer-stamp trigger that a migration dropped (see schools.triggers)."""
    from sunshine.schools import triggers

    connection = connections[using]
    if triggers.STAMP_TABLE not in connection.introspection.table_names():
        return  # migrated back to before the stamp
    if triggers.install_missing(connection):
        # Changes made while a trigger was missing went unseen: count them all as new.
        triggers.renew(connection)
