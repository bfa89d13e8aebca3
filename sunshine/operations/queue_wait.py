"""How long the request on this thread waited for a thread before it was taken up.

Past a machine's capacity, requests pile up in the application server's queue, not in
Django: the time a request spends there is what tells an overloaded process from a
busy one. The server's worker (``sunshine.operations.serving``) notes it here; the
middleware reads it. Servers that don't note it leave it at zero.
"""

from __future__ import annotations

import threading

_this_thread = threading.local()


def note(seconds: float) -> None:
    """Called by the server's worker as a thread takes a request from the queue."""
    _this_thread.seconds = max(seconds, 0.0)


def waited() -> float:
    """Seconds the current request waited in the server's queue (0 when unknown)."""
    return float(getattr(_this_thread, "seconds", 0.0))
