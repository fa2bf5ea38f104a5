"""Slack routes to an app only the slash commands its manifest registers; the emulator likewise.

A mistyped command (`/badge`) is refused in Slack's client with Slackbot's words and never reaches the
app, so the bot never sees it (and Bolt never logs its "[Suggestion]" for an unhandled command).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from bot.runtime.web_server import serving
from bot.sandbox.emulator import SlackEmulator, User
from bot.sandbox.emulator.scopes import UnknownCommand, manifest_slash_commands
from bot.sandbox.slack_client import SlackSide
from tests.conftest import ROOT
from tests.e2e.emulator.payloads import BOT_TOKEN, EVERY_SCOPE, SECRET

pytestmark = pytest.mark.slow


def test_the_emulator_reads_the_manifests_commands_as_pyyaml_does() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert manifest_slash_commands() == tuple(c["command"] for c in manifest["features"]["slash_commands"])
    with SlackEmulator(bot_token=BOT_TOKEN, signing_secret=SECRET, scopes=EVERY_SCOPE) as emulator:
        assert emulator.slash_commands == frozenset({"/badges"})


@pytest.fixture
def posted() -> Iterator[tuple[str, list[str]]]:
    """A stand-in for the bot's Request URL that records what reaches it and acks with 200."""
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        seen.append(environ["wsgi.input"].read(length).decode())
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    with serving(app) as server:
        yield f"{server.url}/slack/events", seen


def test_a_command_the_app_does_not_register_is_refused_and_never_posted(
        emulator: SlackEmulator, ana: User, posted: tuple[str, list[str]]) -> None:
    url, seen = posted
    with SlackSide(emulator, url) as slack:
        with pytest.raises(UnknownCommand) as refused:
            slack.command(ana.id, "help", command="/badge")
        assert str(refused.value).startswith('/badge is not a valid command. In Slack, all messages that start '
                                             'with the "/" character are interpreted as commands.')
        assert seen == []
        assert slack.command(ana.id, "help").status == 200  # /badges, which the manifest registers
        assert len(seen) == 1 and "command=%2Fbadges" in seen[0]
