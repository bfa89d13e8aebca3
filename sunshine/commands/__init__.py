"""Sub-commands of ``sunshine``; each module exposes ``main(argv) -> int``."""

from __future__ import annotations

import threading
from typing import Protocol


class _Stoppable(Protocol):
    def stop(self) -> None: ...


def serve_until_interrupted(service: _Stoppable) -> int:
    """Keep a stand-in service (it serves on its own thread) up until Ctrl-C; then stop it."""
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
    return 0
