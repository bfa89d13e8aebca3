"""The web application behind one path, ``/hold``, that keeps its thread for
``HOLD_SECONDS`` without touching Django: a request that is slow for any reason. It
creates the file ``HOLD_STARTED`` as it starts holding."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")

from django.core.wsgi import get_wsgi_application

_application = get_wsgi_application()
HOLD_SECONDS = float(os.environ.get("HOLD_SECONDS", "0.6"))
HOLD_STARTED = os.environ.get("HOLD_STARTED", "")


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/hold":
        if HOLD_STARTED:
            Path(HOLD_STARTED).touch()  # the test queues its requests only after this
        time.sleep(HOLD_SECONDS)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"held"]
    return _application(environ, start_response)  # type: ignore[no-any-return]
