"""Socket Mode end to end: the emulator's socket is as strict as Slack's, and the bot, started as
`badgebot serve` starts it, acknowledges every envelope, reconnects when told to or cut off, and acts
on a re-sent envelope once. (The scenarios themselves run over both transports: test_review_flow.py.)
"""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.slack_client import SlackSide
from bot.sandbox.slack_transports import sign
from config.settings import SettingsError, load_settings
from models import Review, Submission
from tests.e2e.conftest import TOKEN
from tests.e2e.test_review_flow import (
    LEARNER,
    PDF,
    card_of,
    click,
    open_submit_form,
)
from tests.helpers import program_workspace
from tests.processes import badgebot_command, free_port, stop, wait_for

socket_only = pytest.mark.parametrize("transport", ["socket"], indirect=True)  # for the `world` tests


def count(world: Any, model: Any) -> int:
    with world.badgebot.ctx.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)))


# -- the emulator's socket, from a plain WebSocket client -----------------------------------------------


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(bot_token=TOKEN) as emulator:
        emulator.add_user("ana", id=LEARNER)
        yield emulator


def socket_url(emulator: SlackEmulator) -> str:
    return WebClient(base_url=emulator.api_url).apps_connections_open(app_token=emulator.socket_mode.app_token)["url"]


def received(connection: ClientConnection) -> dict[str, Any]:
    return json.loads(connection.recv(timeout=5))


def test_apps_connections_open_takes_the_app_level_token_only(emulator: SlackEmulator) -> None:
    client = WebClient(base_url=emulator.api_url)
    answers = {}
    for token in (TOKEN, "xapp-1-A0BADGEBOT-1-wrong", ""):
        with pytest.raises(SlackApiError) as refused:
            client.apps_connections_open(app_token=token)
        answers[token] = refused.value.response["error"]
    assert answers == {TOKEN: "not_allowed_token_type", "xapp-1-A0BADGEBOT-1-wrong": "invalid_auth",
                       "": "not_authed"}
    url = socket_url(emulator)
    assert url.startswith(f"ws://127.0.0.1:{emulator.socket_mode.port}/link/?ticket=")
    assert emulator.socket_mode.connections_opened == 1


def test_a_ticket_opens_one_connection_which_is_greeted(emulator: SlackEmulator) -> None:
    url = socket_url(emulator)
    with connect(url) as first:
        hello = received(first)
        assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": emulator.app_id}
        assert hello["num_connections"] == 1
        with pytest.raises(InvalidStatus) as again:
            connect(url)  # the same ticket twice
        assert again.value.response.status_code == 401
        with pytest.raises(InvalidStatus):
            connect(url.replace("ticket=", "ticket=forged"))


class StepClock:
    """The emulator's clock for re-sending, moved by hand: an envelope is due again only when the
    test says time has passed, however slow the machine."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_envelopes_are_shaped_as_slacks_and_each_ack_is_checked(emulator: SlackEmulator) -> None:
    socket_mode, clock = emulator.socket_mode, StepClock()
    socket_mode.clock = clock
    with connect(socket_url(emulator)) as app:
        received(app)  # hello
        sent = socket_mode.deliver("events_api", {"type": "event_callback", "event_id": "Ev1"})
        envelope = received(app)
        assert envelope == {"envelope_id": sent.envelope_id, "type": "events_api",
                            "payload": {"type": "event_callback", "event_id": "Ev1"},
                            "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""}
        app.send(json.dumps({"envelope_id": "not-one-of-ours"}))
        app.send("ok")
        clock.now += socket_mode.resend_after  # not acknowledged in time: sent again, one attempt higher
        again = received(app)
        assert (again["envelope_id"], again["retry_attempt"], again["retry_reason"]) == \
               (sent.envelope_id, 1, "timeout")
        app.send(json.dumps({"envelope_id": sent.envelope_id, "payload": {"text": "no one reads this"}}))
        app.send(json.dumps({"envelope_id": sent.envelope_id}))
        ack = socket_mode.wait_for_ack(sent, timeout=5)
        assert ack is not None and ack.payload is None and ack.retry_attempt == 1
        app.send(json.dumps({"envelope_id": sent.envelope_id}))  # the first delivery's, late: taken
        app.send(json.dumps({"envelope_id": sent.envelope_id}))  # a third for two deliveries: refused

        command = socket_mode.deliver("slash_commands", {"command": "/badges", "text": "help"})
        assert received(app)["accepts_response_payload"] is True
        app.send(json.dumps({"envelope_id": command.envelope_id, "payload": {"text": "Badgebot help"}}))
        assert socket_mode.wait_for_ack(command, timeout=5).payload == {"text": "Badgebot help"}
    assert [a.retry_attempt for a in socket_mode.acks] == [1, 1, 0]
    reasons = [refused.reason for refused in socket_mode.refused_acks]
    assert reasons == ["unknown envelope_id", "not an ack: no envelope_id",
                       "a payload for a events_api envelope that accepts none",
                       "acknowledged more often than sent (2)"]


def test_an_envelope_is_given_up_after_slacks_three_retries(emulator: SlackEmulator) -> None:
    socket_mode, clock = emulator.socket_mode, StepClock()
    socket_mode.clock = clock
    with connect(socket_url(emulator)) as app:
        received(app)
        sent = socket_mode.deliver("events_api", {"type": "event_callback", "event_id": "Ev2"})
        attempts = [received(app)["retry_attempt"]]
        for _ in range(4):
            clock.now += socket_mode.resend_after
            if len(attempts) < 4:
                attempts.append(received(app)["retry_attempt"])
        assert socket_mode.wait_for_ack(sent, timeout=5) is None
    assert attempts == [0, 1, 2, 3] and sent.given_up and sent.deliveries == 4


# -- the bot over the socket ---------------------------------------------------------------------------


@socket_only
def test_commands_are_acknowledged_over_the_socket_with_their_answer(world: Any) -> None:
    reply = world.slack.command(LEARNER, "help")
    assert reply.status == 200 and "/badges" in reply.body
    [ack] = [a for a in world.emulator.socket_mode.acks if a.envelope_id == reply.envelope_id]
    assert ack.payload and "/badges" in json.dumps(ack.payload)
    # The answer is shown to the learner as Slack shows a command's ack.
    assert any("/badges" in m.text + str(m.blocks) for m in world.emulator.ephemerals(LEARNER))


@socket_only
def test_socket_mode_needs_no_signing_secret_and_serves_no_request_url(world: Any) -> None:
    assert world.badgebot.settings.slack_signing_secret == ""
    body = "command=%2Fbadges&text=help&user_id=" + LEARNER
    stamp = "1700000000"
    for secret in ("", "e2e-signing-secret"):
        answer = httpx.post(f"{world.url}/slack/events", content=body, trust_env=False,
                            headers={"Content-Type": "application/x-www-form-urlencoded",
                                     "X-Slack-Request-Timestamp": stamp,
                                     "X-Slack-Signature": sign(secret, stamp, body)})
        assert answer.status_code == 404
    assert world.slack.command(LEARNER, "help").status == 200


def test_an_app_token_needs_a_bot_token() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(slack_app_token="xapp-1-A0-1-x", slack_bot_token="")
    assert "SLACK_APP_TOKEN (Socket Mode) also needs SLACK_BOT_TOKEN" in str(refused.value)
    assert load_settings(slack_app_token="xapp-1-A0-1-x", slack_bot_token=TOKEN).slack_signing_secret == ""


@socket_only
def test_after_a_refresh_the_bot_reconnects_and_nothing_is_done_twice(world: Any) -> None:
    socket_mode = world.emulator.socket_mode
    view_id = open_submit_form(world, LEARNER, "sql-basics")
    socket_mode.refresh()  # Slack's "refresh_requested", between opening the form and submitting it
    assert socket_mode.wait_for_connections(2)
    assert socket_mode.connections_opened == 2  # a new URL from apps.connections.open
    uploaded = world.emulator.add_file(PDF, "queries.pdf", user=LEARNER)
    reply = world.slack.view_submission(LEARNER, view_id, {"files": [uploaded], "reflection": "Mine."})
    assert reply.status == 200
    assert world.settle(lambda: world.review_channel())
    # Answered on the new connection; perhaps twice, if the client was still switching connections
    # when the envelope came and Slack re-sent it: the second is acknowledged, not acted on.
    acks = [a for a in socket_mode.acks if a.envelope_id == reply.envelope_id]
    assert acks and {a.link for a in acks} == {2}
    assert count(world, Submission) == 1 and len(world.review_channel()) == 1
    assert len([m for m in world.dm(LEARNER) if "went to its grantors" in m.text]) == 1
    assert [link.id for link in socket_mode.open_links()] == [2]  # the bot closed the old one


@socket_only
# The client looks at its connection every ping interval and replaces a dead one: 1 s here, not serve's 10 s.
@pytest.mark.parametrize("socket_ping_interval", [1.0], indirect=True)
def test_a_dropped_connection_is_replaced(world: Any) -> None:
    socket_mode = world.emulator.socket_mode
    socket_mode.drop()
    reply = world.slack.command(LEARNER, "help")  # waits, as Slack's queue does, for the new connection
    assert reply.status == 200 and "/badges" in reply.body
    assert socket_mode.connections_opened == 2 and len(socket_mode.open_links()) == 1


@socket_only
def test_a_re_sent_event_is_acted_on_once(world: Any) -> None:
    socket_mode = world.emulator.socket_mode
    socket_mode.resend_after = 0.5
    socket_mode.lose_acks(1)  # the bot's ack never reaches Slack, so Slack sends the event again
    file = world.emulator.add_file(PDF, "queries.pdf", user=LEARNER)
    reply = world.slack.message_im(LEARNER, "for sql-basics", files=[file])
    assert reply.status == 200
    envelope = socket_mode.envelopes[reply.envelope_id]
    # Answered by the bot on a re-sent delivery (more than one if the machine is slow to ack).
    assert envelope.deliveries >= 2 and envelope.ack is not None and envelope.ack.retry_attempt >= 1
    world.settle(lambda: count(world, Submission) == 1)
    world.settle()
    assert count(world, Submission) == 1
    assert len([m for m in world.dm(LEARNER) if "went to its grantors" in m.text]) == 1


@socket_only
def test_a_re_sent_command_submission_and_click_are_acted_on_once(world: Any) -> None:
    socket_mode = world.emulator.socket_mode
    socket_mode.resend_after = 0.5
    socket_mode.lose_acks(1)
    view_id = open_submit_form(world, LEARNER, "sql-basics")
    uploaded = world.emulator.add_file(PDF, "queries.pdf", user=LEARNER)
    socket_mode.lose_acks(1)
    reply = world.slack.view_submission(LEARNER, view_id, {"files": [uploaded], "reflection": "Mine."})
    # The re-sent submission is acknowledged empty, which closes the form (as the lost ack would have).
    assert reply.status == 200 and reply.json() is None and not world.emulator.view(view_id).open
    card = card_of(world, "SQL Basics")
    socket_mode.lose_acks(1)
    assert click(world, "U0GRANT001", "review_approve", card).status == 200
    world.settle(lambda: [m for m in world.dm(LEARNER) if "approved" in m.text])
    world.settle()
    assert count(world, Submission) == 1 and count(world, Review) == 1
    assert len(world.review_channel()) == 1
    assert len(world.emulator.calls("views.open")) == 1  # one form: the re-sent command opened none
    resent = [e.payload.get("command") or e.payload["type"] for e in socket_mode.envelopes.values()
              if e.deliveries >= 2]
    assert sorted(resent) == ["/badges", "block_actions", "view_submission"]
    # No one is told of a failure or of a decision already made: the retry was simply recognised.
    notes = [m.text for user in (LEARNER, "U0GRANT001") for m in world.emulator.ephemerals(user)]
    assert not [n for n in notes if "already" in n.lower() or "went wrong" in n.lower()], notes
    assert len([m for m in world.dm(LEARNER) if "went to its grantors" in m.text]) == 1


# -- `badgebot serve` itself, in Socket Mode -----------------------------------------------------------


@pytest.mark.slow
def test_serve_in_socket_mode_with_an_app_token_and_no_signing_secret(database_url: str, engine: Any,
                                                                       tmp_path: Path) -> None:
    with program_workspace(TOKEN, "unused-signing-secret") as emulator:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BADGEBOT_", "SLACK_", "DATABASE_URL"))}
        env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_APP_TOKEN=emulator.socket_mode.app_token,
                   SLACK_CLIENT_ID="1234567890.0987654321", SLACK_CLIENT_SECRET="sign-in-with-slack-secret",
                   SLACK_API_URL=emulator.api_url, DATABASE_URL=database_url,
                   BADGEBOT_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
        log = tmp_path / "serve.log"

        def said() -> str:
            return log.read_text()[-4000:]

        serve = subprocess.Popen([*badgebot_command(), "serve", "--port", str(free_port())], cwd=tmp_path,
                                 env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: "(Socket Mode)" in log.read_text(), 60, "`badgebot serve` in Socket Mode", said)
            with SlackSide.over_socket(emulator, timeout=20) as slack:
                reply = slack.command("U0ANA00001", "help")
                assert reply.status == 200 and "/badges submit" in reply.body, said()
                emulator.socket_mode.refresh()
                assert emulator.socket_mode.wait_for_connections(2, timeout=20), said()
                assert slack.command("U0ANA00001", "submit sql-basics").status == 200
                wait_for(lambda: emulator.views_of("U0ANA00001"), 20, "the submit form", said)
        finally:
            stop(serve, 20)
        assert serve.returncode == 0, said()
        assert emulator.socket_mode.connections_opened == 2 and not emulator.socket_mode.refused_acks
