"""The scheduler runs inside `badgebot serve` (SQLite: one process, so it always leads): started as the
README starts it, on a fresh data directory, with Slack played by the emulator. A learner with an
unfinished certificate gets the nudge in their DM without anyone running a job by hand."""
from __future__ import annotations

import os
import re
import socket
import subprocess
from collections.abc import Iterator

import pytest

from bot.sandbox.emulator import SlackEmulator
from config.settings import load_settings
from handlers.bootstrap import bootstrap
from tests.helpers import earn, program_workspace
from tests.processes import badgebot_command, free_port, stop, wait_for

TOKEN, SECRET = "xoxb-serve-token", "serve-signing-secret"
NUDGE_TEXT = ("1 of 3 toward Digital Certificate (Practiced) in Data Analytics; "
              "remaining: Data Visualization Foundations, SQL Basics")

pytestmark = pytest.mark.slow


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with program_workspace(TOKEN, SECRET) as emulator:
        yield emulator


def test_the_scheduler_runs_inside_serve_and_its_nudges_reach_the_learner(emulator, tmp_path):
    data = tmp_path / "data"
    app = bootstrap(load_settings(data_dir=data))
    app.upgrade_database()
    app.load_catalog()
    earn(app.ctx, "U0ANA00001", "spreadsheet-fundamentals")      # 1 of 3 toward Data Analytics (Practiced)
    app.close()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BADGEBOT_", "SLACK_", "DATABASE_URL"))}
    env.update(BADGEBOT_DATA_DIR=str(data), SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
               SLACK_API_URL=emulator.api_url, BADGEBOT_QUIET_HOURS="off", BADGEBOT_QUIET_DAYS="",
               # Nudges every 2 seconds; the other jobs once a year (not due, not caught up).
               BADGEBOT_NUDGE_CRON="*/2 * * * * *", BADGEBOT_REVIEW_REMINDER_CRON="0 3 1 jan *",
               BADGEBOT_EXPIRY_CRON="0 3 1 jan *", PYTHONUNBUFFERED="1")
    log = tmp_path / "serve.log"

    def said() -> str:
        return log.read_text()[-4000:]

    serve = subprocess.Popen([*badgebot_command(), "serve", "--port", str(free_port())], cwd=tmp_path, env=env,
                             stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "Badgebot running at " in log.read_text(), 60, "`badgebot serve` to start", said)

        def nudged() -> bool:
            return NUDGE_TEXT in [m.text for m in emulator.messages(emulator.dm_channel_of("U0ANA00001"))]

        wait_for(nudged, 30, "the nudge in Ana's DM", said)
    finally:
        stop(serve, 20)
    assert serve.returncode == 0, log.read_text()[-4000:]

    # The run is on record as the scheduler's (a period, the serve process), not an administrator's.
    listed = subprocess.run([*badgebot_command(), "jobs", "list"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    runner = f"{socket.gethostname()}:{serve.pid}"
    assert re.search(rf"^  \S+ \S+ nudges +\d{{4}}-\d\d-\d\d \d\d:\d\d +{re.escape(runner)} ", listed.stdout, re.MULTILINE), \
        listed.stdout
    assert "manual" not in listed.stdout
