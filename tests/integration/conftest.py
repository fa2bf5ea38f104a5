"""Fixtures for the web and command-line side of the use-case tests: the bot's Flask app, a verifier that
fetches only from it (every request for the issuer's keys and documents answered in process), and the CLI."""
from __future__ import annotations

import pytest

from bot.adapters.openbadges.verify import Fetched, Verifier
from bot.urls import own_path
from handlers.cli import main as cli_main


@pytest.fixture
def web(badgebot):
    return badgebot.web.test_client()


@pytest.fixture
def verifier(badgebot, web) -> Verifier:
    urls = badgebot.open_badges.urls

    def fetch(url: str, accept: str) -> Fetched:
        path = own_path(urls, url)
        assert path is not None, f"tried to leave the test server: {url}"
        response = web.get(path, headers={"Accept": accept})
        return Fetched(response.status_code, response.content_type or "", response.get_data())

    return Verifier(fetch, badgebot.ctx.clock)


@pytest.fixture
def cli(monkeypatch, tmp_path, badgebot):
    """`badgebot ...` (its `main`) pointed at the test's database, data dir and public URL."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", badgebot.settings.effective_database_url)
    monkeypatch.setenv("BADGEBOT_DATA_DIR", str(badgebot.settings.data_dir))
    monkeypatch.setenv("BADGEBOT_PUBLIC_URL", badgebot.settings.public_url)
    return cli_main.main
