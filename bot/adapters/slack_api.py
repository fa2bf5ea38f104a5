"""Slack's Web API, as the rest of the bot uses it: the client, DM channels, permalinks, files.

slack_sdk's WebClient does the talking; this module adds what every caller would otherwise repeat:
the retry policy, a cache of DM channel ids, and the rule that the bot token goes only to Slack.
"""
from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.adapters.artifacts import ArtifactRejected, ArtifactStore
from bot.usecases.submissions import ArtifactFile

log = logging.getLogger("badgebot.slack")

SLACK_FILE_HOSTS = frozenset({"files.slack.com"})
"""Where Slack serves `url_private_download` (besides the API host itself)."""


def make_client(token: str, base_url: str) -> WebClient:
    """slack_sdk's client, pointed at Slack or the emulator, retrying 429s (Retry-After), 5xx and resets."""
    return WebClient(token=token, base_url=base_url, timeout=15, retry_handlers=[
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=4),
        ServerErrorRetryHandler(max_retry_count=2),
    ])


def posting_client(client: WebClient) -> WebClient:
    """The same workspace without slack_sdk's own retries: a post retried after a 5xx or a reset
    connection may already have landed, so the outbox retries instead, looking first."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=15, retry_handlers=[])


class SlackWorkspace:
    """The bot's workspace: DM channels (cached: they never change), permalinks, plain notes."""

    def __init__(self, client: WebClient):
        self.client = client
        self._dm_channels: dict[str, str] = {}
        self._lock = threading.Lock()

    def dm_channel(self, user: str) -> str:
        with self._lock:
            if user in self._dm_channels:
                return self._dm_channels[user]
        channel = self.client.conversations_open(users=user)["channel"]["id"]
        with self._lock:
            self._dm_channels[user] = channel
        return channel

    def tell(self, user: str, text: str, thread_ts: str | None = None, channel: str | None = None) -> None:
        self.client.chat_postMessage(channel=channel or self.dm_channel(user), text=text, thread_ts=thread_ts)

    def permalink(self, channel: str | None, ts: str | None) -> str | None:
        if not (channel and ts):
            return None
        try:
            return str(self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
        except SlackApiError:
            return None

    def team_id(self) -> str | None:
        """The bot's workspace (auth.test), or None when Slack cannot say."""
        try:
            return str(self.client.auth_test()["team_id"])
        except Exception:  # noqa: BLE001 - callers degrade gracefully (see their comments)
            return None


class SlackFiles:
    """Fetches files people shared with the bot into the artifact store.

    The bot token is a key to the whole workspace, so it is sent only to Slack's own file hosts (the
    configured API host, for the emulator): a payload naming any other `url_private_download` is refused.
    """

    def __init__(self, client: WebClient, store: ArtifactStore, http: httpx.Client):
        self.client = client
        self.store = store
        self.http = http
        api_host = urlsplit(client.base_url).hostname or ""
        self.hosts = frozenset({api_host}) | (SLACK_FILE_HOSTS if api_host.endswith("slack.com") else frozenset())

    def fetch(self, files: list[dict[str, Any]]) -> list[ArtifactFile]:
        stored = []
        for f in files:
            if not f.get("url_private_download"):
                f = self.client.files_info(file=f["id"])["file"]
            url = str(f["url_private_download"])
            name = f.get("name") or f["id"]
            if urlsplit(url).scheme not in ("https", "http") or urlsplit(url).hostname not in self.hosts:
                log.warning("refused to fetch %s: %s is not a Slack file host", name, urlsplit(url).hostname)
                raise ArtifactRejected(f"{name} does not come from Slack; share the file in Slack and try again.")
            stored.append(self.store.download(self.http, self.client.token or "", url, name,
                                              int(f["size"]) if f.get("size") is not None else None, f.get("id")))
        return stored
