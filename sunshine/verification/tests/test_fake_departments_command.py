"""``sunshine fake-departments`` runs as its own process and answers signed questions."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from sunshine.demo.city import generate_city
from sunshine.engine.checks import DepartmentUnavailable
from sunshine.verification.online import OnlineRecords, RetryPolicy
from sunshine.verification.signing import SigningKey


@pytest.fixture
def running():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sunshine.settings", "DEBUG": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sunshine.cli",
            "fake-departments",
            "--city-children",
            "30",
            "--seed",
            "5",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("fake departments listening on http://127.0.0.1:"), line
        yield line.split(" on ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_answers_from_its_synthetic_city_with_the_configured_key(running):
    record = generate_city(children=30, seed=5).records.hukou[0]
    fast = RetryPolicy(attempts=1, timeout=5.0)
    online = OnlineRecords(running, SigningKey.parse(settings.SUNSHINE_DEPARTMENTS_KEY), retry=fast)
    assert online.hukou(record.id_number) == record
    stranger = OnlineRecords(
        running, SigningKey("demo", b"not-the-configured-key-12345"), retry=fast
    )
    with pytest.raises(DepartmentUnavailable, match="http_401"):
        stranger.hukou(record.id_number)
