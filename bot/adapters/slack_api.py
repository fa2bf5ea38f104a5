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

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def file_origins(api_url: str) -> frozenset[tuple[str, str, int]]:
    """The origins (scheme, host, port) the bot token may be sent to for a file: Slack's API host and
    its files host, both derived from SLACK_API_URL, so there is nothing more to configure.

    Slack's files host is the API host with "files." in front (slack.com -> files.slack.com). The
    emulator serves its API on 127.0.0.1 and its files on `localhost` at the same port
    (bot.sandbox.emulator.workspace.Workspace.files_url): on loopback, that pair is the files host.
    """
    api = urlsplit(api_url)
    host, scheme = (api.hostname or "").lower(), api.scheme
    port = api.port or (443 if scheme == "https" else 80)
    files_host = "localhost" if host in LOOPBACK_HOSTS else f"files.{host}"
    return frozenset({(scheme, host, port), (scheme, files_host, port)})


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a malformed port
        return None
    return parts.scheme, (parts.hostname or "").lower(), port


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

    The bot token is a key to the whole workspace, so it is sent only to Slack's own hosts (see
    `file_origins`): a payload naming any other `url_private_download` (another host, another port,
    plain http to Slack) is refused, logged, and the learner told, and nothing is fetched.
    """

    def __init__(self, client: WebClient, store: ArtifactStore, http: httpx.Client):
        self.client = client
        self.store = store
        self.http = http
        self.origins = file_origins(client.base_url)

    def fetch(self, files: list[dict[str, Any]]) -> list[ArtifactFile]:
        stored = []
        for f in files:
            if not f.get("url_private_download"):
                f = self.client.files_info(file=f["id"])["file"]
            url = str(f["url_private_download"])
            name = f.get("name") or f["id"]
            if _origin(url) not in self.origins:
                log.warning("refused to send the bot token to %s for file %s (%s): not a Slack file host",
                            urlsplit(url).netloc or url[:80], f.get("id"), name)
                raise ArtifactRejected(f"{name} does not come from Slack, so Badgebot did not fetch it. "
                                       "Upload the file in Slack (attach it in the form) and submit again.")
            stored.append(self.store.download(self.http, self.client.token or "", url, name,
                                              int(f["size"]) if f.get("size") is not None else None, f.get("id")))
        return stored
