"""End-to-end fixtures: the real bot over real HTTP, talking to the local Slack emulator.

Slack's side is played by SlackSide: signed requests to POST /slack/events, or (the `transport`
fixture) envelopes over the emulator's Socket Mode server; the bot's Web API calls go through the
real slack_sdk client to the emulator. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.web_server import serving
from bot.sandbox.emulator import ApiCall, SlackEmulator, Workspace
from bot.sandbox.emulator.scopes import manifest_bot_scopes
from bot.sandbox.slack_client import SlackSide
from config.catalog import Catalog
from config.settings import load_settings
from handlers.bootstrap import Badgebot, bootstrap
from handlers.cli.serve import start_socket_mode

TOKEN = "xoxb-e2e-token"
SECRET = "e2e-signing-secret"
PEOPLE = {
    "U0LEARN001": "ana", "U0LEARN002": "bo", "U0GRANT001": "dr.grant", "U0GRANT002": "prof.gray",
    "U0GRANT003": "ms.writer", "U0ADMIN001": "admin", "U0HOST0001": "host", "U0OUTSIDE1": "outsider",
}


@pytest.fixture(autouse=True)
def no_missing_scope(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every Web API call any flow makes is allowed by manifest.yml: a `missing_scope` answer from an
    emulator holding the manifest's scopes fails the test (after it), whatever the bot did with it.

    Emulators given other scopes on purpose (tests of a missing scope) are not held to this."""
    manifest = manifest_bot_scopes()
    refused: list[str] = []
    log = Workspace.log

    def logged(workspace: Workspace, call: ApiCall) -> None:
        if call.response.get("error") == "missing_scope" and isinstance(workspace, SlackEmulator) \
                and workspace.web_api.scopes == manifest:
            refused.append(f"{call.method} needs {call.response.get('needed')}")
        log(workspace, call)

    monkeypatch.setattr(Workspace, "log", logged)
    yield
    assert not refused, f"calls the manifest's scopes do not allow: {refused} (add the scope to manifest.yml)"


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


# Slack reaches the bot by signed HTTP to its Request URL, or over Socket Mode (SLACK_APP_TOKEN).
# Scenario modules take both with `pytestmark = both_transports`; other tests run over HTTP.
TRANSPORTS = ("http", "socket")
both_transports = pytest.mark.parametrize("transport", TRANSPORTS, indirect=True)


@pytest.fixture
def transport(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "http"))


def slack_settings(emulator: SlackEmulator, transport: str) -> dict[str, str]:
    """The Slack settings of each mode, as an operator would set them: Socket Mode has the app-level
    token and no signing secret (Slack does not sign socket envelopes)."""
    if transport == "socket":
        return {"slack_bot_token": TOKEN, "slack_app_token": emulator.socket_mode.app_token,
                "slack_api_url": emulator.api_url}
    return {"slack_bot_token": TOKEN, "slack_signing_secret": SECRET, "slack_api_url": emulator.api_url}


@contextmanager
def slack_side(emulator: SlackEmulator, badgebot: Badgebot, url: str, transport: str,
               ping_interval: float = 10) -> Iterator[SlackSide]:
    """Slack toward a started bot: signed HTTP to its Request URL, or Socket Mode started exactly as
    `badgebot serve` starts it (the bot opens its connection to the emulator)."""
    if transport == "http":
        with SlackSide(emulator, f"{url}/slack/events", SECRET) as slack:
            yield slack
        return
    handler = start_socket_mode(badgebot, ping_interval=ping_interval)
    try:
        assert handler is not None and emulator.socket_mode.wait_for_connections(1)
        with SlackSide.over_socket(emulator) as slack:
            yield slack
    finally:
        if handler is not None:
            # The bot is stopping: no new connection when ours is cut; and cut it from the emulator's
            # side, so the client's blocking read ends now rather than at its 3 s receive timeout.
            handler.client.auto_reconnect_enabled = False
            emulator.socket_mode.drop()
            handler.close()
    # Every ack the bot sent over the socket named an envelope it had been sent, once, with a
    # payload only where Slack accepts one.
    assert not emulator.socket_mode.refused_acks, emulator.socket_mode.refused_acks


@pytest.fixture
def socket_ping_interval(request: pytest.FixtureRequest) -> float:
    """Seconds between the bot's pings over the socket (serve's 10 unless a test needs a cut noticed sooner)."""
    return float(getattr(request, "param", 10))


@pytest.fixture
def world(database_url: str, engine: Any, catalog: Catalog, tmp_path: Path, transport: str,
          socket_ping_interval: float) -> Iterator[World]:
    with SlackEmulator(bot_token=TOKEN, signing_secret=SECRET) as emulator:
        for user_id, name in PEOPLE.items():
            emulator.add_user(name, id=user_id)
        emulator.add_channel("badge-reviews", id="C0REVIEWS1")
        settings = load_settings(database_url=database_url, data_dir=tmp_path / "data",
                                 **slack_settings(emulator, transport))
        with serving(lambda *a: badgebot.web(*a)) as server:  # the bot needs the URL, the URL needs the server
            # Exactly the production wiring: user groups, for one, come from the emulator's Web API.
            badgebot = bootstrap(settings, catalog=catalog, public_url=server.url)
            badgebot.load_catalog("test")
            badgebot.start(scheduler=False)
            try:
                with slack_side(emulator, badgebot, server.url, transport, socket_ping_interval) as slack:
                    yield World(emulator, slack, badgebot, badgebot, server.url)
            finally:
                badgebot.close()
