"""What Slack and people will throw at the bot: forgeries, retries, bad files, rate limits.

All but the signature checks (HTTP mode's own) run over HTTP and over Socket Mode.
"""
from __future__ import annotations

import time

from sqlalchemy import func, select

from models import Learner, OutboxMessage, ReceivedEvent, Submission
from tests.e2e.conftest import both_transports
from tests.e2e.test_review_flow import LEARNER, PDF, submit

EXE = b"MZ\x90\x00\x03" + b"\x00" * 300


def count(world, model) -> int:
    with world.badgebot.ctx.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_forged_signatures_and_stale_timestamps_get_401_and_change_nothing(world):
    forged = world.slack.command(LEARNER, "nudges off", forge=True)
    stale = world.slack.command(LEARNER, "nudges off", timestamp=int(time.time()) - 600)
    assert (forged.status, stale.status) == (401, 401)
    world.settle()
    assert count(world, Learner) == 0
    ok = world.slack.command(LEARNER, "nudges off")
    assert ok.status == 200 and "Nudges are off" in ok.body
    assert count(world, Learner) == 1


@both_transports
def test_a_retried_event_is_processed_once(world):
    file = world.emulator.add_file(PDF, "queries.pdf", user=LEARNER)
    first = world.slack.message_im(LEARNER, "for sql-basics", files=[file])
    assert first.status == 200
    world.settle(lambda: count(world, Submission) == 1)
    again = world.slack.event(first.payload["event"], retry_num=1, retry_reason="http_timeout")
    assert again.status == 200
    world.settle()
    assert count(world, Submission) == 1
    assert count(world, ReceivedEvent) == 1
    assert len([m for m in world.dm(LEARNER) if "went to its grantors" in m.text]) == 1


@both_transports
def test_a_dm_without_a_credential_name_asks_which_badge(world):
    file = world.emulator.add_file(PDF, "work.pdf", user=LEARNER)
    world.slack.message_im(LEARNER, "here is my thing", files=[file])
    reply = world.settle(lambda: [m for m in world.dm(LEARNER) if "Which badge is this for?" in m.text])
    assert reply and count(world, Submission) == 0


@both_transports
def test_oversized_and_wrong_type_files_are_refused_clearly(world):
    world.bot.store.max_bytes = 1000
    big = world.emulator.add_file(b"%PDF-" + b"x" * 5000, "huge.pdf", user=LEARNER)
    world.slack.message_im(LEARNER, "sql-basics", files=[big])
    assert world.settle(lambda: [m for m in world.dm(LEARNER) if "huge.pdf is larger than" in m.text])

    world.bot.store.max_bytes = 25 * 1024 * 1024
    disguised = world.emulator.add_file(EXE, "report.pdf", mimetype="application/pdf", user=LEARNER)
    world.slack.message_im(LEARNER, "sql-basics", files=[disguised])
    assert world.settle(lambda: [m for m in world.dm(LEARNER) if "report.pdf is not a file type we accept" in m.text])
    assert count(world, Submission) == 0


@both_transports
def test_the_form_refuses_oversized_files_before_closing(world):
    world.bot.store.max_bytes = 1000
    reply = world.slack.command(LEARNER, "submit sql-basics")
    assert reply.status == 200
    [view] = world.settle(lambda: world.emulator.views_of(LEARNER))
    big = world.emulator.add_file(b"%PDF-" + b"x" * 5000, "huge.pdf", user=LEARNER)
    answer = world.slack.view_submission(LEARNER, view.id, {"files": [big], "reflection": "r"})
    assert answer.json()["response_action"] == "errors"
    assert answer.json()["errors"]["files"] == "huge.pdf is over the 1000 bytes limit."
    assert count(world, Submission) == 0


@both_transports
def test_a_429_is_waited_out_and_the_card_arrives_once(world):
    world.emulator.inject("chat.postMessage", status=429, retry_after=1, times=1)
    submit(world, LEARNER, "sql-basics", [(PDF, "q.pdf")])
    cards = world.settle(lambda: world.review_channel())
    assert len(cards) == 1
    posts = world.emulator.calls("chat.postMessage")
    assert [c.status for c in posts][:2] == [429, 200]
    with world.badgebot.ctx.transaction() as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {"sent"}


@both_transports
def test_slack_errors_are_retried_by_the_outbox(world):
    world.emulator.inject("chat.postMessage", error="internal_error", times=1)
    world.bot.delivery.base_delay = 0.05
    submit(world, LEARNER, "sql-basics", [(PDF, "q.pdf")])
    assert len(world.settle(lambda: world.review_channel())) == 1
