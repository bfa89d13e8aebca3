"""Production settings: `check --deploy` has nothing to report."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_production_settings_pass_the_deployment_check():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "production-secret-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "enroll.example.cn",
        "SUNSHINE_FIELD_KEYS": "k1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
        "SUNSHINE_BLIND_INDEX_KEY": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_keys():
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUNSHINE_")}
    env.update({"DEBUG": "0", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "x"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SUNSHINE_FIELD_KEYS" in result.stderr
