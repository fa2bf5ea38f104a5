"""The bot's HTTP server: waitress, stopped cleanly from any thread.

waitress's own `run()` sits in select() until its sockets close; closing them from another thread
(the only stop it offers) races that select() and ends the loop with EBADF, in production on
SIGTERM and in every test that starts a server. Here the loop runs in short rounds and checks a
flag, so the thread that serves is also the one that closes: nothing is closed under it.

Both this loop and the arrival stamp use waitress internals (its socket map, task dispatcher, channel,
parser and task classes), so pyproject.toml pins waitress to the minor release they were written for.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server
from waitress.task import WSGITask

WsgiApp = Callable[..., Any]
STOP_CHECK_SECONDS = 0.2  # how long a stop may wait for the loop's current round
# A crowd at an event door: each phone keeps a connection open. waitress's default (100) leaves the
# rest in the listen backlog until one closes; bench/checkin_burst.py saw requests wait out the
# client's 30 s timeout there.
CONNECTION_LIMIT = 500
RECEIVED_AT = "badgebot.received_at"


def received_at(environ: Mapping[str, Any]) -> float | None:
    """When the server had this request in full (time.time()), before it waited for a worker thread;
    None under another server."""
    stamp = environ.get(RECEIVED_AT)
    return stamp if isinstance(stamp, float) else None


class _StampedRequest(HTTPRequestParser):
    received_at: float | None = None

    def received(self, data: bytes) -> int:
        consumed: int = super().received(data)
        if self.completed and self.received_at is None:
            self.received_at = time.time()
        return consumed


class _StampedTask(WSGITask):
    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[RECEIVED_AT] = getattr(self.request, "received_at", None)
        return environ


class _StampedChannel(HTTPChannel):
    """Each request carries the instant it arrived (RECEIVED_AT in its environ): under a crowd a
    request waits in the queue for a worker thread, and a check-in code is judged as of its arrival."""

    parser_class = _StampedRequest
    task_class = _StampedTask


class WebServer:
    def __init__(self, app: WsgiApp, *, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        server: Any = create_server(app, host=host, port=port, threads=threads, ident="badgebot",
                                    connection_limit=CONNECTION_LIMIT)
        # A host name that resolves to several addresses (localhost: ::1 and 127.0.0.1) gives a
        # MultiSocketServer: one listener per address, sharing one map and one task dispatcher.
        self._map: dict[int, Any] = server.map if isinstance(server, MultiSocketServer) else server._map
        self._tasks: Any = server.task_dispatcher
        listeners = [d for d in self._map.values() if isinstance(d, BaseWSGIServer)]
        for listener in listeners:
            listener.channel_class = _StampedChannel
        self._stopping = threading.Event()
        self.host = host
        self.port: int = listeners[0].effective_port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve until `stop()`; then close every socket and the worker threads, from this thread."""
        try:
            while not self._stopping.is_set() and self._map:
                wasyncore.loop(timeout=STOP_CHECK_SECONDS, map=self._map, count=1)
        finally:
            self._tasks.shutdown()
            wasyncore.close_all(self._map)

    def stop(self) -> None:
        """Safe from any thread and from a signal handler: the serving loop notices within a round."""
        self._stopping.set()


@contextmanager
def serving(app: WsgiApp, *, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> Iterator[WebServer]:
    """A server in a background thread for the duration of the block (tests, benches, the sandbox)."""
    server = WebServer(app, host=host, port=port, threads=threads)
    thread = threading.Thread(target=server.serve_forever, name="badgebot-web", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(10)
