"""Create the configured PostgreSQL database if it does not exist yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = "Create the default PostgreSQL database when missing (no-op on SQLite)."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        import psycopg
        from psycopg import sql

        database = connections["default"]
        if database.vendor != "postgresql":
            return
        params = database.get_connection_params()
        name = params.pop("dbname")
        params.pop("cursor_factory", None)
        params.pop("context", None)
        # CREATE DATABASE cannot run inside a transaction, hence autocommit on the
        # maintenance database.
        with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists:
                self.stdout.write(f"database {name} exists")
                return
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            self.stdout.write(f"created database {name}")
