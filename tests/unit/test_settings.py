"""Settings: defaults that run on a fresh machine, and one clear line per bad value."""
from __future__ import annotations

import pytest

from config.settings import EXAMPLE_CATALOG, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "BADGEBOT_DATA_DIR", "BADGEBOT_CATALOG", "BADGEBOT_PUBLIC_URL", "SLACK_BOT_TOKEN",
                 "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "BADGEBOT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_are_the_embedded_sandbox():
    settings = load_settings()
    assert settings.effective_database_url == "sqlite:///data/badgebot.sqlite3"
    assert settings.catalog == EXAMPLE_CATALOG
    assert settings.has_slack_credentials is False
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.max_artifact_bytes == 25 * 1024 * 1024


def test_environment_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("BADGEBOT_DATA_DIR=/srv/badges\nSLACK_API_URL=http://127.0.0.1:9999/api\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql://badgebot@db/badges")
    settings = load_settings()
    assert str(settings.data_dir) == "/srv/badges"
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.effective_database_url == "postgresql+psycopg://badgebot@db/badges"


def test_every_bad_value_is_named(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://x/y")
    monkeypatch.setenv("BADGEBOT_PUBLIC_URL", "badges.example.edu")
    monkeypatch.setenv("BADGEBOT_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    text = "\n".join(caught.value.problems)
    assert "DATABASE_URL: unsupported database 'mysql'" in text
    assert "BADGEBOT_PUBLIC_URL: must be an http(s) URL" in text
    assert "BADGEBOT_TIMEZONE: unknown time zone 'Mars/Olympus'" in text
    assert "SLACK_BOT_TOKEN: a bot token starts with xoxb-" in text
    assert "xoxp-user-token" not in text  # secrets are never echoed


def test_slack_credentials_come_in_pairs(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET go together"):
        load_settings()


def test_missing_catalog_file(monkeypatch):
    monkeypatch.setenv("BADGEBOT_CATALOG", "/nowhere/catalog.toml")
    with pytest.raises(SettingsError, match="BADGEBOT_CATALOG: no such file"):
        load_settings()
