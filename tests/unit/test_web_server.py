"""The bot's web server: requests carry when they arrived, and the server stops cleanly."""
from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import httpx

from bot.runtime.web_server import received_at, serving

SECONDS = 10  # a deadline for each step, never a measurement: slow machines only wait longer


def test_a_request_queued_behind_a_busy_worker_carries_when_it_arrived_not_when_it_ran() -> None:
    """One worker thread, held by a first request; a second arrives and must wait for it.

    Every step waits for what makes the next one certain: the first request has the worker (its
    handler says so); the second has been read by the server (a third connection's `100 Continue`,
    which the server's loop sends only after reading every connection that was ready before it);
    only then is the worker freed."""
    started, release = threading.Event(), threading.Event()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/busy":
            started.set()
            release.wait(SECONDS)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"received_at": received_at(environ), "ran_at": time.time()}).encode()]

    with serving(app, threads=1) as server, httpx.Client(base_url=server.url, trust_env=False) as http:
        busy = threading.Thread(target=lambda: http.get("/busy", timeout=SECONDS))
        busy.start()
        assert started.wait(SECONDS), "the first request never reached the worker"
        with _connect(server.port) as queued, _connect(server.port) as probe:
            sent = time.time()
            queued.sendall(b"GET /stamp HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            probe.sendall(b"POST /probe HTTP/1.1\r\nHost: test\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n")
            assert _head(probe).startswith(b"HTTP/1.1 100 Continue"), "the server never read the probe"
            read = time.time()
            release.set()
            answer = json.loads(_body(queued))
        busy.join(SECONDS)

    assert sent <= answer["received_at"] <= read <= answer["ran_at"]


def test_outside_the_bot_server_there_is_no_arrival_stamp() -> None:
    assert received_at({}) is None
    assert received_at({"badgebot.received_at": "yesterday"}) is None


def test_stopping_closes_the_port() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [b"ok"]

    with serving(app) as server:
        assert httpx.get(server.url, trust_env=False).text == "ok"
    try:
        httpx.get(server.url, trust_env=False, timeout=2)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the server still answers after it was stopped")


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=SECONDS)


def _head(connection: socket.socket) -> bytes:
    """Bytes up to the end of the first response head (an interim 100 is a head of its own)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        assert chunk, f"the connection closed after {data!r}"
        data += chunk
    return data


def _body(connection: socket.socket) -> bytes:
    """The body of a `Connection: close` response: everything after its head, until the server closes."""
    data = b""
    while chunk := connection.recv(4096):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    return body
