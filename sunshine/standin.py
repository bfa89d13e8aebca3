"""Serving a local stand-in for an outside service (the SMS provider, the departments).

The stand-ins answer HTTP on a background thread, in tests, fault rehearsals and the
``sunshine fake-*`` commands; each brings its request handler and the object behind it.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Generic, TypeVar

Served = TypeVar("Served")


class StandInServer(ThreadingHTTPServer, Generic[Served]):
    """A threaded HTTP server carrying the object its handler answers from (``served``)."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], served: Served
    ) -> None:
        super().__init__(address, handler)
        self.served = served


class RunningStandIn(Generic[Served]):
    """A stand-in serving on its own daemon thread until ``stop``."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        served: Served,
        host: str,
        port: int,
        name: str,
    ) -> None:
        self.server = StandInServer((host, port), handler, served)
        self.thread = threading.Thread(target=self.server.serve_forever, name=name, daemon=True)
        self.thread.start()

    @property
    def host_and_port(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    @property
    def served(self) -> Served:
        return self.server.served

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
