"""The Slack emulator's HTTP behaviour: injected faults and rate limits as slack_sdk meets them, request bodies
as clients send them, routes added by other modules, its own failures, and response URLs.

The workspace and payloads are those of tests/e2e/emulator/test_web_api.py.
"""
from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.sandbox.emulator import SlackEmulator, User
from tests.e2e.emulator.payloads import BOT_TOKEN, REVIEW_BLOCKS

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------------------------------
# Fault injection
# --------------------------------------------------------------------------------------------------


def test_rate_limit_honoured_by_slack_sdk(emulator: SlackEmulator, general: str) -> None:
    client = WebClient(base_url=emulator.api_url, token=BOT_TOKEN,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    emulator.inject("chat.postMessage", status=429, retry_after=1)

    started = time.monotonic()
    client.chat_postMessage(channel=general, text="Congratulations")
    waited = time.monotonic() - started

    calls = emulator.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200] and calls[0].fault == {"status": 429, "retry_after": 1}
    assert waited >= 1.0
    assert [m.text for m in emulator.messages(general)] == ["Congratulations"]


def test_injected_error_surfaces_then_clears(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    emulator.inject("chat.postMessage", error="internal_error", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel=general, text="x")
        assert err.value.response["error"] == "internal_error"
    client.chat_postMessage(channel=general, text="third time")
    assert [m.text for m in emulator.messages(general)] == ["third time"]
    assert [c.fault is not None for c in emulator.calls("chat.postMessage")] == [True, True, False]


def test_injected_server_error_and_delay(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    emulator.inject("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel=general, text="x")
    emulator.inject("auth.test", delay=0.2)
    started = time.monotonic()
    client.auth_test()

    assert err.value.response.status_code == 500 and emulator.messages(general) == []
    assert time.monotonic() - started >= 0.2


def test_per_channel_rate_limit(emulator: SlackEmulator, client: WebClient, general: str, ana: User) -> None:
    emulator.limit_rate("chat.postMessage", 30)
    client.chat_postMessage(channel=general, text="first")
    client.chat_postMessage(channel=ana.id, text="another channel is not held back")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel=general, text="too soon")

    assert err.value.response.status_code == 429 and err.value.response["error"] == "ratelimited"
    assert 1 <= int(err.value.response.headers["retry-after"]) <= 30
    assert [m.text for m in emulator.messages(general)] == ["first"]


# --------------------------------------------------------------------------------------------------
# The HTTP layer: bodies as clients send them, extensions, the emulator's own failures
# --------------------------------------------------------------------------------------------------


def test_chunked_json_and_multipart_bodies(emulator: SlackEmulator, general: str) -> None:
    auth = {"Authorization": f"Bearer {BOT_TOKEN}"}
    reserved = WebClient(base_url=emulator.api_url, token=BOT_TOKEN).files_getUploadURLExternal(
        filename="work.pdf", length=12)
    with httpx.Client(trust_env=False) as http:
        chunked = http.post(f"{emulator.api_url}chat.postMessage", headers=auth | {"Content-Type": "application/json"},
                            content=iter([b'{"channel": "', general.encode(), b'", "text": "in chunks"}']))
        uploaded = http.post(reserved["upload_url"], files={"file": ("work.pdf", b"%PDF-1.7 yes", "application/pdf")})
        broken = http.post(f"{emulator.api_url}auth.test", headers=auth | {"Content-Type": "application/json"},
                           content=b"{not json")

    assert chunked.json()["ok"] and [m.text for m in emulator.messages(general)] == ["in chunks"]
    assert emulator.calls("chat.postMessage")[0].params == {"channel": general, "text": "in chunks"}
    stored = emulator.file(reserved["file_id"])
    assert uploaded.status_code == 200 and stored is not None and stored.content == b"%PDF-1.7 yes"
    assert broken.json() == {"ok": False, "error": "invalid_json"}


def test_routes_added_to_a_running_emulator(emulator: SlackEmulator, client: WebClient) -> None:
    from flask import request

    client.auth_test()  # the server has answered already: Flask itself would refuse new rules now
    emulator.add_route("/hello/<name>", lambda name: {"hello": name, "q": request.args.get("q")})
    emulator.add_route("api/custom.method", lambda: {"ok": True, "by": "route"}, methods=("POST",))

    with httpx.Client(trust_env=False) as http:
        hello = http.get(f"{emulator.base_url}hello/ana?q=1")
        emulator.inject("hello/<name>", status=503)
        faulted = http.get(f"{emulator.base_url}hello/ben")
        missing = http.get(f"{emulator.base_url}nowhere")
    overridden = client.api_call("custom.method")

    assert hello.json() == {"hello": "ana", "q": "1"} and faulted.status_code == 503
    assert missing.status_code == 404 and overridden["by"] == "route"
    assert [(c.params, c.status) for c in emulator.calls("hello/<name>")] == [
        ({"target": "/hello/ana?q=1"}, 200), ({"target": "/hello/ben"}, 503)]


def test_an_emulator_bug_answers_500_and_is_logged(emulator: SlackEmulator, client: WebClient) -> None:
    def broken(_params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("oops")

    emulator.add_api_method("badges.broken", broken)
    with pytest.raises(SlackApiError) as err:
        client.api_call("badges.broken")

    assert err.value.response.status_code == 500 and err.value.response["error"] == "emulator_error"
    [logged] = emulator.calls("emulator.error")
    assert logged.params == {"target": "/api/badges.broken"} and "oops" in logged.response["detail"]


# --------------------------------------------------------------------------------------------------
# response_url
# --------------------------------------------------------------------------------------------------


def test_response_url_semantics(emulator: SlackEmulator, client: WebClient, ana: User, general: str) -> None:
    original = client.chat_postMessage(channel=general, text="Review Ana's work", blocks=REVIEW_BLOCKS)["ts"]
    url = emulator.issue_response_url(ana.id, general, original_ts=original)

    with httpx.Client(trust_env=False) as http:
        http.post(url, json={"text": "Just for you"})
        http.post(url, json={"text": "For everyone", "response_type": "in_channel"})
        http.post(url, json={"text": "Approved", "replace_original": True})
        replaced = [m.text for m in emulator.messages(general)]
        http.post(url, json={"delete_original": True})
        http.post(url, json={"text": "5th use is fine"})
        sixth = http.post(url, json={"text": "6th is too many"})

    assert [m.text for m in emulator.ephemerals(ana.id)] == ["Just for you", "5th use is fine"]
    assert replaced == ["Approved", "For everyone"]
    assert [m.text for m in emulator.messages(general)] == ["For everyone"]
    assert sixth.status_code == 404
