"""The emulator tests' workspace: an emulator on loopback, a client with every scope, a few people."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.sandbox.emulator import SlackEmulator, User
from tests.e2e.emulator.payloads import BOT_TOKEN, EVERY_SCOPE, SECRET


@pytest.fixture(autouse=True)
def _loopback_without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib (inside slack_sdk and Bolt's respond) honours proxy variables; loopback must bypass them."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(bot_token=BOT_TOKEN, signing_secret=SECRET, scopes=EVERY_SCOPE) as emu:
        yield emu


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(base_url=emulator.api_url, token=BOT_TOKEN)


@pytest.fixture
def ana(emulator: SlackEmulator) -> User:
    return emulator.add_user("ana", real_name="Ana Learner", email="ana@uni.example")


@pytest.fixture
def ben(emulator: SlackEmulator) -> User:
    return emulator.add_user("ben", real_name="Ben Grantor", email="ben@uni.example")


@pytest.fixture
def general(emulator: SlackEmulator) -> str:
    return emulator.add_channel("general").id
