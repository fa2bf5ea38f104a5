"""The bot's web server: requests carry when they arrived, and the server stops cleanly."""
from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx

from bot.runtime.web_server import received_at, serving
from tests.processes import wait_for


def test_a_request_queued_behind_a_busy_worker_carries_when_it_arrived_not_when_it_ran() -> None:
    release = threading.Event()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/busy":
            release.wait(10)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"received_at": received_at(environ), "ran_at": time.time()}).encode()]

    with serving(app, threads=1) as server, httpx.Client(base_url=server.url, trust_env=False) as http:
        busy = threading.Thread(target=lambda: http.get("/busy"))
        busy.start()
        answers: list[dict[str, float]] = []
        queued = threading.Thread(target=lambda: answers.append(http.get("/stamp").json()))
        sent = time.time()
        queued.start()
        # The second request is in the server's queue (its only worker is busy): then free the worker.
        dispatcher = server._tasks  # noqa: SLF001 - the test looks at waitress's queue
        wait_for(lambda: len(dispatcher.queue) == 1, 10, "the second request to wait for a worker")
        released = time.time()
        release.set()
        busy.join(10)
        queued.join(10)

    (answer,) = answers
    assert sent <= answer["received_at"] <= released <= answer["ran_at"]


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
