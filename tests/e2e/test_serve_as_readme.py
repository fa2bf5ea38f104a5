"""`badgebot serve` started the way README.md starts it, with every variable it names in the environment,
SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (Sign in with Slack, for check-in) included.

Bolt reads those two from os.environ and would switch itself to OAuth (multi-workspace) mode, with no
installation for our workspace, and drop every request: `/badges help` then answers HTTP 200 with an
empty body. The same values in `.env` never showed it (pydantic does not export them), and the other
tests build the bot in-process; so this one runs the real command with a real environment.
"""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import pytest

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.slack_client import SlackSide
from tests.helpers import program_workspace
from tests.processes import badgebot_command, free_port, stop, wait_for

TOKEN, SECRET = "xoxb-readme-token", "readme-signing-secret"
ANA = "U0ANA00001"
PDF = b"%PDF-1.7\n" + b"q" * 3000

pytestmark = pytest.mark.slow


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with program_workspace(TOKEN, SECRET) as emulator:
        yield emulator


def test_serve_with_the_readmes_environment_answers_slack(emulator, database_url, engine, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BADGEBOT_", "SLACK_", "DATABASE_URL"))}
    env.update(
        # README.md, "Run it for real" (steps 3 and 4), word for word:
        SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, BADGEBOT_PUBLIC_URL=f"http://127.0.0.1:{port}",
        SLACK_CLIENT_ID="1234567890.0987654321", SLACK_CLIENT_SECRET="sign-in-with-slack-secret",
        # ... and what a test must add: Slack is the emulator; the database and data directory are the test's.
        SLACK_API_URL=emulator.api_url, DATABASE_URL=database_url, BADGEBOT_DATA_DIR=str(tmp_path / "data"),
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "serve.log"

    def said() -> str:
        return log.read_text()[-4000:]

    serve = subprocess.Popen([*badgebot_command(), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                             stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "Badgebot running at " in log.read_text(), 60, "`badgebot serve` to start", said)
        with SlackSide(emulator, f"http://127.0.0.1:{port}/slack/events", SECRET) as slack:
            # /badges help answers with the command list, not an empty 200.
            help_reply = slack.command(ANA, "help")
            assert help_reply.status == 200 and help_reply.body.strip(), said()
            shown = json.dumps(json.loads(help_reply.body))
            assert "/badges submit" in shown and "/badges catalog" in shown, shown

            # A submission reaches the review channel.
            assert slack.command(ANA, "submit sql-basics").status == 200
            form = wait_for(lambda: emulator.views_of(ANA), 20, "the submit form", said)[-1]
            work = emulator.add_file(PDF, "queries.pdf", user=ANA)
            assert slack.view_submission(ANA, form.id, {"files": [work], "reflection": "My queries."}).status == 200

            def card() -> list[str]:
                return [str(m.blocks) for m in emulator.messages("C0REVIEWS1")
                        if "submitted work for *SQL Basics*" in str(m.blocks)]

            [shown_card] = wait_for(card, 30, "the review card in #badge-reviews", said)
            assert f"<@{ANA}>" in shown_card and "queries.pdf" in shown_card
    finally:
        stop(serve, 20)
    assert serve.returncode == 0, said()
    # Every Web API call it made was allowed by the manifest (tests/e2e/conftest.py checks the same).
    assert not [c.method for c in emulator.calls() if c.response.get("error") == "missing_scope"]
