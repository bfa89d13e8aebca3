"""The web application in a worker that kills itself (SIGKILL) at chosen moments.

``REHEARSE_DEATHS`` lists moments (``mid-transaction``, ``after-commit``) and
``REHEARSE_MARKERS`` a folder: the first submission request to reach each moment dies
there, once (a marker file, created exclusively, says it happened). The kill comes from
inside so that it lands exactly there; it is the same SIGKILL as from outside.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")

from django.core.wsgi import get_wsgi_application
from django.db import connection

_application = get_wsgi_application()
DEATHS = [m for m in os.environ.get("REHEARSE_DEATHS", "").split(",") if m]
MARKERS = Path(os.environ.get("REHEARSE_MARKERS", "."))


def _first_to(moment: str) -> bool:
    try:
        os.close(os.open(MARKERS / moment, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _die_mid_transaction(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
    if sql.startswith('INSERT INTO "applications_application"') and _first_to("mid-transaction"):
        _die()
    return execute(sql, *args)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if not environ.get("PATH_INFO", "").endswith("/submit"):
        return _application(environ, start_response)  # type: ignore[no-any-return]
    if "mid-transaction" in DEATHS:
        with connection.execute_wrapper(_die_mid_transaction):
            response = _application(environ, start_response)
    else:
        response = _application(environ, start_response)
    if "after-commit" in DEATHS and _first_to("after-commit"):
        _die()  # the submission is committed; its answer never leaves
    return response  # type: ignore[no-any-return]
