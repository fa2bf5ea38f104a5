"""SlackSide, the emulator's Slack side, against a real Bolt app over HTTP: signed commands, interactions and
events reach the app, and what the app answers (acks, response URLs, Web API calls) lands in the workspace.

The workspace and payloads are those of tests/e2e/emulator/test_web_api.py.
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

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.sandbox.emulator import SlackEmulator, User
from bot.sandbox.slack_client import SlackSide, sign
from tests.e2e.emulator.payloads import (
    BOT_TOKEN,
    HOME,
    REVIEW_BLOCKS,
    SECRET,
    SUBMIT_MODAL,
)

pytestmark = pytest.mark.slow


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
