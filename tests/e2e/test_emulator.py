"""The Slack emulator itself: the real slack_sdk WebClient against it, and a real Bolt app driven by SlackSide.

These tests pin the emulator to Slack's behaviour, so the scenario tests built on it can be trusted.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.sandbox.emulator import SlackEmulator, User
from bot.sandbox.slack_client import SlackSide, sign

BOT_TOKEN = "xoxb-test-emulator"
SECRET = "test-signing-secret"

pytestmark = pytest.mark.slow


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _input(block_id: str, element: dict[str, Any], *, optional: bool = False) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "optional": optional, "element": element,
            "label": {"type": "plain_text", "text": block_id}}


SUBMIT_MODAL: dict[str, Any] = {
    "type": "modal", "callback_id": "submit_artifact", "private_metadata": "python-1",
    "title": {"type": "plain_text", "text": "Submit your work"}, "submit": {"type": "plain_text", "text": "Submit"},
    "blocks": [
        _input("reflection", {"type": "plain_text_input", "action_id": "text", "multiline": True}),
        _input("credential", {"type": "static_select", "action_id": "choice",
                              "options": [_option("python-1", "Python I"), _option("sql-1", "SQL I")]}),
        _input("artifact", {"type": "file_input", "action_id": "files", "filetypes": ["pdf"], "max_files": 2}),
        _input("consent", {"type": "checkboxes", "action_id": "share",
                           "options": [_option("public", "Share publicly")]}, optional=True),
        _input("note", {"type": "plain_text_input", "action_id": "extra"}, optional=True),
    ],
}
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Your badges"}}]}
REVIEW_BLOCKS = [{"type": "actions", "block_id": "review", "elements": [
    {"type": "button", "action_id": "approve", "value": "sub-7", "text": {"type": "plain_text", "text": "Approve"}},
]}]


@pytest.fixture(autouse=True)
def _loopback_without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib (inside slack_sdk and Bolt's respond) honours proxy variables; loopback must bypass them."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(bot_token=BOT_TOKEN, signing_secret=SECRET) as emu:
        yield emu


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(base_url=emulator.api_url, token=BOT_TOKEN)


@pytest.fixture
def ana(emulator: SlackEmulator) -> User:
    return emulator.add_user("ana", real_name="Ana Learner", email="ana@uni.example")


@pytest.fixture
def ben(emulator: SlackEmulator) -> User:
    return emulator.add_user("ben", real_name="Ben Grantor", email="ben@uni.example")


@pytest.fixture
def general(emulator: SlackEmulator) -> str:
    return emulator.add_channel("general").id


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------


def test_binds_loopback_only(emulator: SlackEmulator) -> None:
    host, port = emulator.bound_address
    assert host == "127.0.0.1" and port > 0
    assert emulator.api_url == f"http://127.0.0.1:{port}/api/"
    with pytest.raises(ValueError):
        SlackEmulator(host="0.0.0.0")


def test_slack_side_refuses_a_bot_off_loopback(emulator: SlackEmulator) -> None:
    with pytest.raises(ValueError):
        SlackSide(emulator, "http://example.com/slack/events", SECRET)


def test_auth_test_identifies_the_bot(emulator: SlackEmulator, client: WebClient) -> None:
    reply = client.auth_test()
    assert (reply["user_id"], reply["bot_id"], reply["team_id"]) == (
        emulator.bot_user_id, emulator.bot_id, emulator.team_id)


def test_wrong_or_missing_token_is_refused(emulator: SlackEmulator, general: str) -> None:
    with pytest.raises(SlackApiError) as wrong:
        WebClient(base_url=emulator.api_url, token="xoxb-not-ours").chat_postMessage(channel=general, text="hi")
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=emulator.api_url).auth_test()
    assert wrong.value.response["error"] == "invalid_auth"
    assert missing.value.response["error"] == "not_authed"
    assert emulator.messages(general) == []


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("badges.teleport")
    assert err.value.response["error"] == "unknown_method"


def test_concurrent_posts_all_land_with_unique_ts(emulator: SlackEmulator, general: str) -> None:
    def post_ten(worker: int) -> None:
        own = WebClient(base_url=emulator.api_url, token=BOT_TOKEN)
        for n in range(10):
            own.chat_postMessage(channel=general, text=f"{worker}-{n}")

    threads = [threading.Thread(target=post_ten, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = emulator.messages(general)
    assert len(messages) == 80 and len({m.ts for m in messages}) == 80


# --------------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------------


def test_post_message_and_thread(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    parent = client.chat_postMessage(channel=general, text="New badge: Python I",
                                     blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*Python I*"}}])
    reply = client.chat_postMessage(channel=general, thread_ts=parent["ts"], text="Congratulations!")

    assert parent["message"]["bot_id"] == emulator.bot_id and parent["channel"] == general
    assert [m.text for m in emulator.messages(general)] == ["New badge: Python I"]
    assert [m.ts for m in emulator.thread(general, parent["ts"])] == [parent["ts"], reply["ts"]]
    replies = client.conversations_replies(channel=general, ts=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["New badge: Python I", "Congratulations!"]
    assert replies["messages"][0]["blocks"][0]["text"]["text"] == "*Python I*"


def test_post_message_errors(client: WebClient, emulator: SlackEmulator, ana: User) -> None:
    private = emulator.add_channel("grantors", members=[ana.id], is_private=True)
    for channel, error in [("C_NOPE", "channel_not_found"), (private.id, "not_in_channel")]:
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel=channel, text="x")
        assert err.value.response["error"] == error


def test_post_to_a_user_id_lands_in_their_dm(emulator: SlackEmulator, client: WebClient, ana: User) -> None:
    posted = client.chat_postMessage(channel=ana.id, text="Your badge was approved")
    assert posted["channel"] == emulator.dm_channel_of(ana.id)
    assert [m.text for m in emulator.messages(posted["channel"])] == ["Your badge was approved"]


def test_update_keeps_the_edit_history(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    posted = client.chat_postMessage(channel=general, text="Pending review")
    client.chat_update(channel=general, ts=posted["ts"], text="Approved")

    [message] = emulator.messages(general)
    assert message.text == "Approved" and [e["text"] for e in message.edits] == ["Pending review"]
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel=general, ts="1.000001", text="nope")
    assert err.value.response["error"] == "message_not_found"


def test_ephemeral_only_to_a_member(emulator: SlackEmulator, client: WebClient, ana: User, ben: User) -> None:
    room = emulator.add_channel("python-cohort", members=[ana.id, emulator.bot_user_id]).id
    sent = client.chat_postEphemeral(channel=room, user=ana.id, text="Only you can see this")

    [seen] = emulator.ephemerals(ana.id)
    assert (seen.ts, seen.text, seen.channel) == (sent["message_ts"], "Only you can see this", room)
    assert emulator.messages(room) == [] and emulator.ephemerals(ben.id) == []
    for user, error in [(ben.id, "user_not_in_channel"), ("U_NOBODY", "user_not_found")]:
        with pytest.raises(SlackApiError) as err:
            client.chat_postEphemeral(channel=room, user=user, text="x")
        assert err.value.response["error"] == error


def test_permalink_points_at_the_emulator(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    posted = client.chat_postMessage(channel=general, text="x")
    link = client.chat_getPermalink(channel=general, message_ts=posted["ts"])["permalink"]
    assert link.startswith(emulator.base_url) and posted["ts"].replace(".", "") in link


# --------------------------------------------------------------------------------------------------
# Conversations, people, groups
# --------------------------------------------------------------------------------------------------


def test_conversations_open_is_stable(emulator: SlackEmulator, client: WebClient, ana: User, ben: User) -> None:
    first = client.conversations_open(users=ana.id)["channel"]["id"]
    again = client.conversations_open(users=[ana.id])["channel"]["id"]
    other = client.conversations_open(users=ben.id)["channel"]["id"]

    assert first == again == emulator.dm_channel_of(ana.id) and first != other
    info = client.conversations_info(channel=first)["channel"]
    assert info["is_im"] and info["user"] == ana.id
    with pytest.raises(SlackApiError) as err:
        client.conversations_info(channel="C_MISSING")
    assert err.value.response["error"] == "channel_not_found"


def test_users_info(client: WebClient, ana: User) -> None:
    user = client.users_info(user=ana.id)["user"]
    assert (user["name"], user["real_name"], user["profile"]["email"]) == ("ana", "Ana Learner", "ana@uni.example")
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U_NOBODY")
    assert err.value.response["error"] == "user_not_found"


def test_usergroups_users_list(emulator: SlackEmulator, client: WebClient, ana: User, ben: User) -> None:
    faculty = emulator.add_usergroup("faculty", [ben.id])
    assert client.usergroups_users_list(usergroup=faculty.id)["users"] == [ben.id]
    with pytest.raises(SlackApiError) as err:
        client.usergroups_users_list(usergroup="S_NONE")
    assert err.value.response["error"] == "no_such_subteam"


# --------------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------------


def test_views_open_with_a_fresh_trigger(emulator: SlackEmulator, client: WebClient, ana: User) -> None:
    opened = client.views_open(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]

    [modal] = emulator.views_of(ana.id)
    assert (opened["id"], opened["callback_id"], opened["private_metadata"]) == (modal.id, "submit_artifact",
                                                                                "python-1")


@pytest.mark.parametrize(("trigger", "error"), [
    ("expired", "expired_trigger_id"), ("unknown", "invalid_trigger_id"), ("spent", "exchanged_trigger_id"),
])
def test_views_open_refuses_bad_triggers(emulator: SlackEmulator, client: WebClient, ana: User,
                                         trigger: str, error: str) -> None:
    trigger_id = {"expired": emulator.issue_trigger(ana.id, age=emulator.trigger_ttl + 1),
                  "unknown": "123.456.not-issued", "spent": emulator.issue_trigger(ana.id)}[trigger]
    if trigger == "spent":
        client.views_open(trigger_id=trigger_id, view=SUBMIT_MODAL)
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id=trigger_id, view=SUBMIT_MODAL)
    assert err.value.response["error"] == error


def test_views_update_checks_the_hash_and_push_stacks(emulator: SlackEmulator, client: WebClient,
                                                      ana: User) -> None:
    opened = client.views_open(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=HOME | {"type": "modal",
                                  "title": {"type": "plain_text", "text": "Thanks"}})["view"]
    with pytest.raises(SlackApiError) as err:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=SUBMIT_MODAL)
    pushed = client.views_push(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]

    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert err.value.response["error"] == "hash_conflict"
    assert (pushed["previous_view_id"], pushed["root_view_id"]) == (opened["id"], opened["id"])


@pytest.mark.parametrize(("ack", "still_open"), [
    ("", "root"),  # an empty ack closes the top modal only
    ('{"response_action": "errors", "errors": {"reflection": "Too short"}}', "both"),
    ('{"response_action": "clear"}', "none"),
])
def test_view_submission_acks_act_like_slack(emulator: SlackEmulator, client: WebClient, ana: User, ack: str,
                                             still_open: str) -> None:
    root = client.views_open(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]["id"]
    top = client.views_push(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]["id"]

    emulator.apply_view_ack(top, ana.id, ack)

    expected = {"root": [root], "both": [root, top], "none": []}[still_open]
    assert [v.id for v in emulator.views_of(ana.id)] == expected


def test_views_publish_one_home_per_user(emulator: SlackEmulator, client: WebClient, ana: User, ben: User) -> None:
    first = client.views_publish(user_id=ana.id, view=HOME)["view"]
    second = client.views_publish(user_id=ana.id, view=HOME)["view"]
    client.views_publish(user_id=ben.id, view=HOME)

    assert first["id"] == second["id"] and [v.type for v in emulator.views_of(ana.id)] == ["home"]
    assert len(emulator.views_of(ben.id)) == 1


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


def test_files_info_and_authenticated_download(emulator: SlackEmulator, client: WebClient, ana: User) -> None:
    content = b"%PDF-1.7 my artifact" * 5000  # larger than one write chunk
    seeded = emulator.add_file(content, "artifact.pdf", user=ana.id)
    info = client.files_info(file=seeded["id"])["file"]
    url = info["url_private_download"]

    with httpx.Client(trust_env=False) as http:
        good = http.get(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"})
        wrong = http.get(url, headers={"Authorization": "Bearer xoxb-stolen"})
        anonymous = http.get(url)
    assert url.startswith(emulator.base_url) and info["mimetype"] == "application/pdf"
    assert (good.status_code, good.content, good.headers["content-type"]) == (200, content, "application/pdf")
    assert int(good.headers["content-length"]) == len(content) == info["size"]
    assert (wrong.status_code, anonymous.status_code) == (403, 401)
    # The call log (the sandbox's Requests panel) marks the served download ok and the refused ones not.
    downloads = [c for c in emulator.calls() if c.method == "files.download"]
    assert [(c.status, c.ok) for c in downloads] == [(200, True), (403, False), (401, False)]
    with pytest.raises(SlackApiError) as err:
        client.files_info(file="F_NONE")
    assert err.value.response["error"] == "file_not_found"


def test_external_upload_flow(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    content = b"\x89PNG baked badge"
    done = client.files_upload_v2(channel=general, content=content, filename="badge.png", title="Python I",
                                  initial_comment="Ana earned Python I")

    [message] = emulator.messages(general)
    assert message.text == "Ana earned Python I" and [f["id"] for f in message.files] == [done["file"]["id"]]
    stored = emulator.file(done["file"]["id"])
    assert stored is not None and (stored.content, stored.mimetype, stored.title) == (content, "image/png",
                                                                                      "Python I")
    assert [c.method for c in emulator.calls() if c.method.startswith("files.")] == [
        "files.getUploadURLExternal", "files.upload", "files.completeUploadExternal"]


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


# --------------------------------------------------------------------------------------------------
# SlackSide against a real Bolt app over HTTP
# --------------------------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class BotUnderTest:
    url: str
    seen: dict[str, list[Any]]


def _tiny_app(emulator: SlackEmulator, seen: dict[str, list[Any]]) -> App:
    """A Bolt app with one listener of each kind; process_before_response makes each ack the end of its work.

    The token travels in the client only: Bolt ignores (and warns about) `token=` when given a client.
    """
    app = App(signing_secret=SECRET, request_verification_enabled=True,
              client=WebClient(base_url=emulator.api_url, token=BOT_TOKEN), process_before_response=True)

    @app.command("/badges")
    def badges(ack: Ack, respond: Respond, command: dict[str, Any], client: WebClient) -> None:
        ack(text="Opening the form")
        respond(f"You asked for: {command['text']}")
        client.views_open(trigger_id=command["trigger_id"], view=SUBMIT_MODAL)

    @app.view("submit_artifact")
    def submitted(ack: Ack, view: dict[str, Any]) -> None:
        seen["submissions"].append(view)
        ack()

    @app.view_closed("submit_artifact")
    def closed(ack: Ack, body: dict[str, Any]) -> None:
        seen["closed"].append(body["view"]["id"])
        ack()

    @app.action("approve")
    def approve(ack: Ack, respond: Respond, body: dict[str, Any]) -> None:
        ack()
        seen["actions"].append(body)
        respond(text="Approved", replace_original=True)

    @app.event("app_mention")
    def mentioned(event: dict[str, Any], request: BoltRequest) -> None:
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        seen["mentions"].append((request.body["event_id"], retry, event["text"]))

    @app.event("message")
    def direct_message(event: dict[str, Any], say: Say) -> None:
        seen["messages"].append(event)
        say(f"Got {len(event.get('files', []))} file(s)")

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view=HOME)

    return app


@pytest.fixture
def bot(emulator: SlackEmulator) -> Iterator[BotUnderTest]:
    seen: dict[str, list[Any]] = defaultdict(list)
    server = make_server("127.0.0.1", 0, SlackRequestHandler(_tiny_app(emulator, seen)),
                         server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield BotUnderTest(f"http://127.0.0.1:{server.server_port}/slack/events", seen)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def slack(emulator: SlackEmulator, bot: BotUnderTest) -> Iterator[SlackSide]:
    with SlackSide(emulator, bot.url, SECRET) as side:
        yield side


def test_signature_is_slacks_v0() -> None:
    # The example from Slack's "Verifying requests from Slack" guide.
    body = ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    assert sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body) == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")


def test_command_reaches_the_bot_and_its_answers_arrive(emulator: SlackEmulator, slack: SlackSide,
                                                        ana: User) -> None:
    delivery = slack.command(ana.id, "submit python-1")

    assert (delivery.status, delivery.body) == (200, "Opening the form")
    # The ack shows when the HTTP response arrives: after respond(), as this app processes before responding.
    assert [m.text for m in emulator.ephemerals(ana.id)] == ["You asked for: submit python-1", "Opening the form"]
    [modal] = emulator.views_of(ana.id)
    assert modal.callback_id == "submit_artifact" and modal.trigger_id == delivery.trigger_id


def test_view_submission_carries_the_state_values(emulator: SlackEmulator, slack: SlackSide, bot: BotUnderTest,
                                                  ana: User) -> None:
    slack.command(ana.id, "submit")
    [modal] = emulator.views_of(ana.id)
    artifact = emulator.add_file(b"%PDF-1.7 work", "work.pdf", user=ana.id)

    delivery = slack.view_submission(ana.id, modal.id, {"text": "I learned a lot", "choice": "python-1",
                                                        "files": [artifact], "share": ["public"]})

    [view] = bot.seen["submissions"]
    values = view["state"]["values"]
    assert delivery.status == 200 and view["private_metadata"] == "python-1"
    assert values["reflection"]["text"] == {"type": "plain_text_input", "value": "I learned a lot"}
    assert values["credential"]["choice"]["selected_option"]["value"] == "python-1"
    assert values["artifact"]["files"]["files"][0]["url_private_download"] == artifact["url_private_download"]
    assert [o["value"] for o in values["consent"]["share"]["selected_options"]] == ["public"]
    assert values["note"]["extra"] == {"type": "plain_text_input", "value": None}
    assert emulator.views_of(ana.id) == []  # an empty ack closes the modal


def test_forged_or_stale_requests_are_refused(emulator: SlackEmulator, slack: SlackSide, ana: User) -> None:
    forged = slack.command(ana.id, "submit", forge=True)
    stale = slack.command(ana.id, "submit", timestamp=int(time.time()) - 600)

    assert (forged.status, stale.status) == (401, 401)
    assert emulator.ephemerals(ana.id) == [] and emulator.calls("views.open") == []


def test_retried_event_carries_retry_headers_and_the_same_event_id(slack: SlackSide, bot: BotUnderTest,
                                                                    emulator: SlackEmulator, ana: User,
                                                                    general: str) -> None:
    mention = {"type": "app_mention", "user": ana.id, "channel": general, "text": "<@U0BADGEBOT> progress",
               "ts": emulator.next_ts()}
    first = slack.event(mention)
    retry = slack.event(mention, retry_num=1, retry_reason="http_timeout")

    assert first.status == retry.status == 200 and first.event_id == retry.event_id
    assert bot.seen["mentions"] == [(first.event_id, None, mention["text"]), (first.event_id, "1", mention["text"])]


def test_block_action_replaces_the_original_via_response_url(emulator: SlackEmulator, client: WebClient,
                                                             slack: SlackSide, bot: BotUnderTest, ben: User,
                                                             general: str) -> None:
    posted = client.chat_postMessage(channel=general, text="Review Ana's work", blocks=REVIEW_BLOCKS)

    delivery = slack.block_action(ben.id, "approve", message=(general, posted["ts"]))

    [body] = bot.seen["actions"]
    assert delivery.status == 200 and body["actions"][0]["value"] == "sub-7"
    assert body["actions"][0]["block_id"] == "review" and body["container"]["message_ts"] == posted["ts"]
    [message] = emulator.messages(general)
    assert message.text == "Approved" and [e["text"] for e in message.edits] == ["Review Ana's work"]


def test_message_im_with_a_file_reaches_the_bot(emulator: SlackEmulator, slack: SlackSide, bot: BotUnderTest,
                                                ana: User) -> None:
    artifact = emulator.add_file(b"%PDF-1.7", "evidence.pdf", user=ana.id)

    slack.message_im(ana.id, "here is my work", files=[artifact])

    [event] = bot.seen["messages"]
    assert (event["channel_type"], event["files"][0]["id"]) == ("im", artifact["id"])
    dm = emulator.dm_channel_of(ana.id)
    assert [m.text for m in emulator.messages(dm)] == ["here is my work", "Got 1 file(s)"]


def test_app_home_opened_lets_the_bot_publish(emulator: SlackEmulator, slack: SlackSide, ana: User) -> None:
    assert slack.app_home_opened(ana.id).status == 200
    [home] = emulator.views_of(ana.id)
    assert home.type == "home"


def test_view_closed_reaches_the_bot_and_closes_the_modal(emulator: SlackEmulator, slack: SlackSide,
                                                          bot: BotUnderTest, ana: User) -> None:
    slack.command(ana.id, "submit")
    [modal] = emulator.views_of(ana.id)

    assert slack.view_closed(ana.id, modal.id).status == 200
    assert bot.seen["closed"] == [modal.id] and emulator.views_of(ana.id) == []


def test_view_submission_of_an_unknown_input_fails_loudly(emulator: SlackEmulator, slack: SlackSide,
                                                          ana: User) -> None:
    slack.command(ana.id, "submit")
    [modal] = emulator.views_of(ana.id)
    with pytest.raises(ValueError):
        slack.view_submission(ana.id, modal.id, {"no_such_input": "x"})
    with pytest.raises(ValueError):
        slack.view_submission(ana.id, modal.id, {"choice": "not-offered"})
