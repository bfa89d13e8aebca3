"""Test-wide settings: SMS go to a file in a temporary folder, published files too."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_outputs(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.SUNSHINE_SMS_BACKEND = "file"
    settings.SUNSHINE_SMS_FILE = tmp_path / "sms.jsonl"
    settings.SUNSHINE_PUBLISH_DIR = tmp_path / "published"
