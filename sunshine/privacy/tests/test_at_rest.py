"""After a whole year, no ID number or phone number is readable in the database or the logs."""

import logging
import shutil
import subprocess

import pytest
from django.db import connection

from sunshine.demo.city import generate_city
from sunshine.demo.year import run_year

CHILDREN, SEED = 120, 11


def _secrets() -> set[str]:
    city = generate_city(CHILDREN, SEED)
    found = set()
    for family in city.families:
        for person in (*family.children, *family.guardians, *family.relatives):
            found.add(person.id_number)
            if getattr(person, "phone", ""):
                found.add(person.phone)
    return found


def _dump() -> str:
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    command = [
        shutil.which("pg_dump") or "pg_dump",
        "--data-only",
        "-h",
        settings["HOST"] or "127.0.0.1",
        "-p",
        str(settings["PORT"] or 5432),
        "-U",
        settings["USER"] or "postgres",
        settings["NAME"],
    ]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_id_or_phone_in_the_database_or_the_logs(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    run_year(CHILDREN, SEED, progress=False)
    secrets = _secrets()
    assert len(secrets) > 2 * CHILDREN
    dump = _dump()
    assert "application" in dump.lower() and len(dump) > 100_000
    leaked_in_database = sorted(value for value in secrets if value in dump)
    assert leaked_in_database == []
    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    leaked_in_logs = sorted(value for value in secrets if value in logs)
    assert leaked_in_logs == []
