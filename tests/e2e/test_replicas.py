"""Two `badgebot serve` replicas, each with its own data directory, on one PostgreSQL database, one
artifact store and one Slack: they agree on everything a user can see. A check-in code shown by A's
door screen is accepted by B, both publish the same keys, work submitted through A is approved
through B, and the scheduler runs on exactly one of them."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.slack_client import SlackSide
from bot.usecases.campus_events import hosting
from bot.usecases.campus_events.hosting import EventDraft
from models import JobRun
from tests.helpers import program_workspace
from tests.processes import badgebot_command, free_port, stop, wait_for

TOKEN, SECRET = "xoxb-replicas-token", "replicas-signing-secret"
ANA, GRANTOR, HOST = "U0ANA00001", "U0GRANT001", "U0HOST0001"
PDF = b"%PDF-1.7\n" + b"my queries " * 300
# The one address both replicas answer at, as behind a load balancer (links are rewritten to a
# replica's own loopback address before they are opened: nothing leaves the machine).
PUBLIC_URL = "https://badges.replicas.example.edu"

pytestmark = pytest.mark.slow


class Replica:
    """One `badgebot serve`, its output in a file, its own data directory."""

    def __init__(self, name: str, database_url: str, emulator: SlackEmulator, tmp_path: Path, artifacts: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BADGEBOT_", "SLACK_", "DATABASE_URL"))}
        env.update(DATABASE_URL=database_url, BADGEBOT_DATA_DIR=str(tmp_path / name),
                   BADGEBOT_ARTIFACTS_DIR=str(artifacts), BADGEBOT_PUBLIC_URL=PUBLIC_URL,
                   SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=emulator.api_url,
                   # Nudges every 2 seconds, so the scheduler's runs show within the test; the other
                   # jobs once a year.
                   BADGEBOT_NUDGE_CRON="*/2 * * * * *", BADGEBOT_REVIEW_REMINDER_CRON="0 3 1 jan *",
                   BADGEBOT_EXPIRY_CRON="0 3 1 jan *", BADGEBOT_QUIET_HOURS="off", BADGEBOT_QUIET_DAYS="",
                   PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen([*badgebot_command(), "serve", "--port", str(self.port)], cwd=tmp_path,
                                        env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        self.runner = f"{socket.gethostname()}:{self.process.pid}"
        self.slack = SlackSide(emulator, f"{self.url}/slack/events", SECRET)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10)

    def stop(self) -> None:
        self.slack.__exit__(None, None, None)
        stop(self.process, 20)


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with program_workspace(TOKEN, SECRET) as emulator:
        emulator.add_user("host", id=HOST)
        yield emulator


@pytest.fixture
def replicas(database_url, emulator, tmp_path) -> Iterator[tuple[Replica, Replica]]:
    artifacts = tmp_path / "shared-artifacts"
    a = Replica("a", database_url, emulator, tmp_path, artifacts)
    b = Replica("b", database_url, emulator, tmp_path, artifacts)
    try:
        for replica in (a, b):
            wait_for(lambda r=replica: "Badgebot running at " in r.output(), 90, f"replica {replica.runner}",
                     lambda: a.output()[-3000:] + "\n---\n" + b.output()[-3000:])
        yield a, b
    finally:
        a.stop()
        b.stop()


def run_count(ctx) -> int:
    with ctx.transaction() as session:
        return len(session.scalars(select(JobRun.id)).all())


def runners(ctx) -> set[str]:
    with ctx.transaction() as session:
        return set(session.scalars(select(JobRun.runner)))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_replicas_with_separate_data_directories_agree(database_url, ctx, emulator, replicas, tmp_path):
    a, b = replicas

    def said() -> str:
        return f"--- A:\n{a.output()[-3000:]}\n--- B:\n{b.output()[-3000:]}"

    # Both publish the same keys (made once, by whichever started first).
    jwks = a.get("/.well-known/jwks.json").json()
    assert jwks["keys"] and b.get("/.well-known/jwks.json").json() == jwks

    # A check-in code on A's door screen is accepted by B.
    now = dt.datetime.now(dt.timezone.utc)
    event = hosting.create_event(ctx, HOST, EventDraft(
        name="Data Viz Meetup", souvenir="data-viz-meetup", starts_at=now + dt.timedelta(minutes=15),
        ends_at=now + dt.timedelta(hours=2), opens_at=now - dt.timedelta(minutes=1)))
    code = a.get(f"/events/{event.public_id}/display.json").json()["code"]
    assert code
    claimed = b.slack.command(ANA, f"claim {code}")
    assert claimed.status == 200 and ":white_check_mark:" in claimed.body, claimed.body

    # Work submitted through A is approved through B (B serves the files A stored).
    assert a.slack.command(ANA, "submit sql-basics").status == 200
    [view] = wait_for(lambda: [v for v in emulator.views_of(ANA) if v.type == "modal"], 15, "the submit form", said)
    file = emulator.add_file(PDF, "queries.pdf", user=ANA)
    assert a.slack.view_submission(ANA, view.id, {"files": [file], "reflection": "Joins, explained."}).status == 200
    [card] = wait_for(lambda: [m for m in emulator.messages("C0REVIEWS1") if "SQL Basics" in str(m.blocks)
                               and "review_approve" in str(m.blocks)], 30, "the review card", said)
    link = next(part for part in str(card.blocks).split("<") if "/review/artifacts/" in part).split("|")[0]
    assert httpx.get(link.replace(PUBLIC_URL, b.url).replace("&amp;", "&"), timeout=10).content == PDF
    value = next(e["value"] for blk in card.blocks if blk.get("type") == "actions" for e in blk["elements"]
                 if e["action_id"] == "review_approve")
    assert b.slack.block_action(GRANTOR, "review_approve", value, message=("C0REVIEWS1", card.ts)).status == 200
    wait_for(lambda: [m for m in emulator.messages(emulator.dm_channel_of(ANA), include_replies=True)
                      if "approved" in m.text and "SQL Basics" in m.text], 30, "the learner told of the award", said)

    # The scheduler runs on exactly one of them: every run so far is one replica's.
    wait_for(lambda: run_count(ctx) >= 2, 30, "two scheduled runs", said)
    assert len(runners(ctx)) == 1 and runners(ctx) <= {a.runner, b.runner}, (runners(ctx), said())
    for replica in (a, b):
        assert "not a check-in code of ours" not in replica.output()
