"""`badgebot jobs ...` and `badgebot outbox ...` as an administrator runs them: the installed script, a
fresh data directory (SQLite, the default), environment in, text and exit codes out. Delivery goes to
the Slack emulator."""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.emulator import SlackEmulator
from config.settings import load_settings
from handlers.bootstrap import bootstrap
from tests.helpers import earn, program_workspace
from tests.processes import badgebot_command

TOKEN, SECRET = "xoxb-cli-token", "cli-signing-secret"
NUDGE_TEXT = ("1 of 3 toward Digital Certificate (Practiced) in Data Analytics; "
              "remaining: Data Visualization Foundations, SQL Basics")


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with program_workspace(TOKEN, SECRET) as emulator:
        yield emulator


@pytest.fixture
def badgebot(tmp_path: Path, emulator: SlackEmulator):  # type: ignore[no-untyped-def]
    """Run `badgebot ARGS...` on a fresh data dir where Ana holds 1 of the 3 badges of a certificate."""
    data = tmp_path / "data"
    app = bootstrap(load_settings(data_dir=data))
    app.upgrade_database()
    app.load_catalog()
    earn(app.ctx, "U0ANA00001", "spreadsheet-fundamentals")
    app.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BADGEBOT_", "SLACK_", "DATABASE_URL"))}
    env.update(BADGEBOT_DATA_DIR=str(data), BADGEBOT_QUIET_HOURS="off", BADGEBOT_QUIET_DAYS="",
               BADGEBOT_OUTBOX_CHANNEL_INTERVAL="0", SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
               SLACK_API_URL=emulator.api_url)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*badgebot_command(), *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120, check=False)

    # What earning the badge queued (the review card, the decision, the award) goes out first.
    assert run("outbox", "deliver", "--until-empty").returncode == 0
    assert counts(run("outbox", "status").stdout)["pending"] == 0
    return run


def counts(status: str) -> dict[str, int]:
    """`outbox: pending 1, sending 0, ...` -> {"pending": 1, "sending": 0, ...}"""
    first = status.splitlines()[0].removeprefix("outbox: ").split(";")[0]
    return {name: int(n) for name, n in (part.split() for part in first.split(", "))}


def dm_texts(emulator: SlackEmulator, user: str) -> list[str]:
    return [m.text for m in emulator.messages(emulator.dm_channel_of(user))]


@pytest.mark.slow
def test_jobs_run_queues_once_and_outbox_status_retry_and_deliver_see_it_through(badgebot, emulator):
    first = badgebot("jobs", "run", "nudges")
    assert first.returncode == 0, first.stderr
    assert re.fullmatch(r"nudges for the period from \d{4}-\d\d-\d\d 10:00 UTC: queued nudge 1\n", first.stdout)
    again = badgebot("jobs", "run", "nudges")
    assert again.stdout.endswith(": queued nothing new; 1 already queued earlier\n")
    for job in ("reminders", "expiry"):
        done = badgebot("jobs", "run", job)
        assert done.returncode == 0 and done.stdout.startswith(f"{job} for the period from "), done.stderr
        assert done.stdout.endswith(": queued nothing new\n")

    status = badgebot("outbox", "status")
    assert status.returncode == 0 and "; oldest waiting since " in status.stdout
    sent_before = counts(status.stdout)["sent"]
    assert counts(status.stdout) == {"pending": 1, "sending": 0, "unsure": 0, "sent": sent_before, "skipped": 0,
                                     "failed": 0}

    # Slack refuses the post for good: the message is failed, shown to administrators, exit status 1.
    emulator.inject("chat.postMessage", error="restricted_action", times=1)
    assert badgebot("outbox", "deliver", "--until-empty").returncode == 0
    status = badgebot("outbox", "status")
    assert status.returncode == 1
    lines = status.stdout.splitlines()
    assert counts(status.stdout) == {"pending": 0, "sending": 0, "unsure": 0, "sent": sent_before, "skipped": 0,
                                     "failed": 1}
    assert lines[1] == "failed (retry with `badgebot outbox retry ID...` or `--all`):"
    assert re.fullmatch(r"  #(\d+) nudge to U0ANA00001, 1 tries, queued [\d: -]+: "
                        r"SlackRefused: Slack said restricted_action to chat.postMessage", lines[2])
    outbox_id = re.match(r"  #(\d+)", lines[2]).group(1)  # type: ignore[union-attr]
    assert NUDGE_TEXT not in dm_texts(emulator, "U0ANA00001")

    refused = badgebot("outbox", "retry")
    assert refused.returncode == 2 and "name the message ids to retry, or --all" in refused.stderr
    retried = badgebot("outbox", "retry", outbox_id)
    assert retried.returncode == 0 and retried.stdout == f"retrying 1 message: #{outbox_id}\n"
    assert badgebot("outbox", "deliver", "--until-empty").returncode == 0
    assert dm_texts(emulator, "U0ANA00001").count(NUDGE_TEXT) == 1
    status = badgebot("outbox", "status")
    assert status.returncode == 0
    assert counts(status.stdout) == {"pending": 0, "sending": 0, "unsure": 0, "sent": sent_before + 1, "skipped": 0,
                                     "failed": 0}

    listed = badgebot("jobs", "list")
    assert listed.returncode == 0
    assert re.search(r"^nudges +'0 10 \* \* mon' +next \d{4}-\d\d-\d\d 10:00 UTC", listed.stdout, re.MULTILINE)
    assert "latest runs:" in listed.stdout
    assert len(re.findall(r"^  .* nudges +by hand +manual ", listed.stdout, re.MULTILINE)) == 2
