"""Nothing is lost between Slack's ack and storage: work is recorded before the answer, and finished by
whichever process runs next. `kill -9` during a submission's download, then a restart: the submission
reaches the review channel exactly once. A file Slack cannot give us is told to the learner plainly."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import flask
import pytest
from sqlalchemy import func, select

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.slack_client import SlackSide
from models import OutboxMessage, PendingIntake, Submission
from tests.helpers import program_workspace
from tests.processes import badgebot_command, free_port, stop, wait_for

TOKEN, SECRET = "xoxb-crash-token", "crash-signing-secret"
ANA = "U0ANA00001"
PDF = b"%PDF-1.7\n" + b"my queries " * 300
FILES_RULE = "/files-pri/<team_file>/<path:name>"


class DownloadGate:
    """Holds every file download at "Slack" until the test opens the gate, so a test can act while
    a download is in flight (the emulator's extension routes are matched before its own)."""

    def __init__(self, emulator: SlackEmulator):
        self.emulator = emulator
        self.arrived = threading.Event()
        self.held = 0  # downloads waiting at the gate now
        self.opened = threading.Event()
        emulator.add_route(FILES_RULE, self._download)

    def open(self) -> None:
        self.opened.set()

    def _download(self, team_file: str, name: str) -> flask.Response:
        lock = self.emulator.lock
        self.held += 1  # under the emulator's lock
        self.arrived.set()
        # The emulator answers each call holding its one (re-entrant) lock; a held download must not
        # hold up every other call, so it waits without it.
        lock.release()
        try:
            self.opened.wait(60)
        finally:
            lock.acquire()
            self.held -= 1
        stored = self.emulator.stored_file(team_file.rpartition("-")[2])
        return flask.Response(stored.content, 200, content_type=stored.mimetype)


def count(ctx, model, *where) -> int:
    with ctx.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def intake_statuses(ctx) -> Counter[str]:
    with ctx.transaction() as session:
        return Counter(session.scalars(select(PendingIntake.status)))


def review_cards(emulator: SlackEmulator) -> list:
    return [m for m in emulator.messages("C0REVIEWS1") if "SQL Basics" in str(m.blocks)]


# --------------------------------------------------------------------------- a real process, killed


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with program_workspace(TOKEN, SECRET) as emulator:
        yield emulator


def start_serve(database_url: str, emulator: SlackEmulator, data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BADGEBOT_", "SLACK_", "DATABASE_URL"))}
    env.update(DATABASE_URL=database_url, BADGEBOT_DATA_DIR=str(data_dir), SLACK_BOT_TOKEN=TOKEN,
               SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=emulator.api_url, BADGEBOT_SCHEDULER="off",
               BADGEBOT_PUBLIC_URL=f"http://127.0.0.1:{port}",
               # A dead process's claim is taken over after a second, not the default two minutes.
               BADGEBOT_OUTBOX_LEASE_SECONDS="1", PYTHONUNBUFFERED="1")
    return subprocess.Popen([*badgebot_command(), "serve", "--port", str(port)], cwd=data_dir.parent, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


@pytest.mark.slow
def test_kill_9_during_the_download_then_restart_submits_exactly_once(database_url, ctx, emulator, tmp_path):
    gate = DownloadGate(emulator)
    data, port, log = tmp_path / "data", free_port(), tmp_path / "serve.log"

    def said() -> str:
        return log.read_text()[-4000:] if log.exists() else ""

    first = start_serve(database_url, emulator, data, port, log)
    try:
        wait_for(lambda: "Badgebot running at " in said(), 60, "`badgebot serve` to start", said)
        with SlackSide(emulator, f"http://127.0.0.1:{port}/slack/events", SECRET) as slack:
            assert slack.command(ANA, "submit sql-basics").status == 200
            [view] = wait_for(lambda: emulator.views_of(ANA), 15, "the submit form", said)
            file = emulator.add_file(PDF, "queries.pdf", user=ANA)
            reply = slack.view_submission(ANA, view.id, {"files": [file], "reflection": "Joins, explained."})
        # The form closed at once (an empty 200), while the file is still on its way.
        assert reply.status == 200 and not reply.body
        assert not emulator.views_of(ANA)
        wait_for(gate.arrived.is_set, 30, "the bot to start downloading the file", said)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    gate.open()  # the dead process's download answers into a closed socket

    # What the form brought survived the crash; nothing was half made.
    assert intake_statuses(ctx) == Counter({"working": 1})
    assert count(ctx, Submission) == 0 and not review_cards(emulator)

    second = start_serve(database_url, emulator, data, port, log)
    try:
        wait_for(lambda: intake_statuses(ctx) == Counter({"done": 1}), 60, "the restarted bot to finish", said)
        wait_for(lambda: count(ctx, OutboxMessage, OutboxMessage.status != "sent") == 0
                 and count(ctx, OutboxMessage) >= 2, 30, "the review card and the learner's note sent", said)
    finally:
        stop(second)
    assert second.returncode == 0, said()
    assert count(ctx, Submission) == 1
    [card] = review_cards(emulator)
    assert "queries.pdf" in str(card.blocks) and f"<@{ANA}>" in str(card.blocks)
    assert len([m for m in emulator.messages(emulator.dm_channel_of(ANA)) if "went to its grantors" in m.text]) == 1
    assert "left unfinished" in said()          # taken over from the dead process, not started afresh


# --------------------------------------------------------------------------- in the bot's own process


def test_a_dm_retried_by_slack_while_its_file_downloads_is_submitted_once(world):
    gate = DownloadGate(world.emulator)
    file = world.emulator.add_file(PDF, "queries.pdf", user="U0LEARN001")
    first = world.slack.message_im("U0LEARN001", "for sql-basics", files=[file])
    assert first.status == 200
    assert gate.arrived.wait(15)
    # Slack did not hear our answer in time and sends the event again, mid-download.
    again = world.slack.event(first.payload["event"], retry_num=1, retry_reason="http_timeout")
    assert again.status == 200
    gate.open()
    assert world.settle(lambda: count(world.bot.ctx, Submission) == 1 and review_cards(world.emulator))
    world.bot.intake_worker.drain()
    world.settle()
    assert intake_statuses(world.bot.ctx) == Counter({"done": 1})
    assert count(world.bot.ctx, Submission) == 1 and len(review_cards(world.emulator)) == 1


def test_work_taken_over_from_a_stalled_worker_is_submitted_once(world, caplog):
    """A worker stalls mid-download past its lease; another takes the work over. Both downloads then
    finish: the stalled worker's claim is void, and there is one submission, one card."""
    gate = DownloadGate(world.emulator)
    world.bot.intake.lease = dt.timedelta(0)  # every claim is stale at once: the next worker takes over
    file = world.emulator.add_file(PDF, "queries.pdf", user="U0LEARN001")
    assert world.slack.message_im("U0LEARN001", "for sql-basics", files=[file]).status == 200
    assert gate.arrived.wait(15)                                  # the bot's own worker, stalled
    other = threading.Thread(target=world.bot.intake.work_once)   # another replica's worker
    other.start()
    wait_for(lambda: gate.held == 2, 15, "the second worker's download")
    gate.open()
    other.join(30)
    assert world.settle(lambda: intake_statuses(world.bot.ctx) == Counter({"done": 1}) and review_cards(world.emulator))
    world.settle()
    assert count(world.bot.ctx, Submission) == 1 and len(review_cards(world.emulator)) == 1
    assert "taking it over" in caplog.text


def test_a_file_slack_will_not_give_is_told_plainly_after_a_few_tries(world):
    world.bot.intake.max_attempts, world.bot.intake.base_delay = 3, 0.01
    world.emulator.inject("files.download", status=500, times=3)
    file = world.emulator.add_file(PDF, "queries.pdf", user="U0LEARN001")
    assert world.slack.message_im("U0LEARN001", "for sql-basics", files=[file]).status == 200

    told = world.settle(lambda: [m for m in world.dm("U0LEARN001") if "could not fetch" in m.text])
    assert [m.text for m in told] == [":warning: I could not fetch your files from Slack after 3 tries, so nothing "
                                      "was submitted. Please send them again."]
    assert len([c for c in world.emulator.calls("files.download") if c.status == 500]) == 3
    assert intake_statuses(world.bot.ctx) == Counter({"failed": 1})
    assert count(world.bot.ctx, Submission) == 0 and not review_cards(world.emulator)


def test_a_file_that_fails_once_is_fetched_on_the_next_try(world):
    world.bot.intake.base_delay = 0.01
    world.emulator.inject("files.download", status=503, times=1)
    file = world.emulator.add_file(PDF, "queries.pdf", user="U0LEARN001")
    assert world.slack.message_im("U0LEARN001", "for sql-basics", files=[file]).status == 200
    assert world.settle(lambda: review_cards(world.emulator))
    assert intake_statuses(world.bot.ctx) == Counter({"done": 1})
    assert not [m for m in world.dm("U0LEARN001") if "could not fetch" in m.text]
