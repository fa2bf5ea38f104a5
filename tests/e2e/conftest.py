"""End-to-end fixtures: the real bot over real HTTP, talking to the local Slack emulator.

Slack's side is played by SlackSide (signed requests to POST /slack/events); the bot's Web API
calls go through the real slack_sdk client to the emulator. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from handlers.bootstrap import Badgebot, bootstrap
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.slack_client import SlackSide
from bot.runtime.web_server import serving
from config.catalog import Catalog
from config.settings import load_settings

TOKEN = "xoxb-e2e-token"
SECRET = "e2e-signing-secret"
PEOPLE = {
    "U0LEARN001": "ana", "U0LEARN002": "bo", "U0GRANT001": "dr.grant", "U0GRANT002": "prof.gray",
    "U0GRANT003": "ms.writer", "U0ADMIN001": "admin", "U0HOST0001": "host", "U0OUTSIDE1": "outsider",
}


@dataclass
class World:
    emulator: SlackEmulator
    slack: SlackSide
    bot: Badgebot  # the same object as `badgebot`, named for what tests use it for: its outbox and store
    badgebot: Badgebot
    url: str

    def settle(self, condition: Callable[[], Any] | None = None, timeout: float = 15.0) -> Any:
        """Wait for background work (listeners after ack, the outbox) to finish, then for `condition`."""
        deadline = time.monotonic() + timeout
        while True:
            self.bot.delivery.drain(timeout=max(0.1, deadline - time.monotonic()))
            result = condition() if condition else True
            if result or time.monotonic() > deadline:
                return result
            time.sleep(0.05)

    def dm(self, user: str) -> list[Any]:
        return self.emulator.messages(self.emulator.dm_channel_of(user), include_replies=True)

    def review_channel(self) -> list[Any]:
        return self.emulator.messages("C0REVIEWS1")


@pytest.fixture
def world(database_url: str, engine: Any, catalog: Catalog, tmp_path: Path) -> Iterator[World]:
    with SlackEmulator(bot_token=TOKEN, signing_secret=SECRET) as emulator:
        for user_id, name in PEOPLE.items():
            emulator.add_user(name, id=user_id)
        emulator.add_channel("badge-reviews", id="C0REVIEWS1")
        settings = load_settings(database_url=database_url, data_dir=tmp_path / "data", slack_bot_token=TOKEN,
                                 slack_signing_secret=SECRET, slack_api_url=emulator.api_url)
        with serving(lambda *a: badgebot.web(*a)) as server:  # the bot needs the URL, the URL needs the server
            # Exactly the production wiring: user groups, for one, come from the emulator's Web API.
            badgebot = bootstrap(settings, catalog=catalog, public_url=server.url)
            badgebot.load_catalog("test")
            badgebot.start(scheduler=False)
            try:
                with SlackSide(emulator, f"{server.url}/slack/events", SECRET) as slack:
                    yield World(emulator, slack, badgebot, badgebot, server.url)
            finally:
                badgebot.close()
