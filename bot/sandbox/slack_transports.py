"""How Slack's requests reach the bot: signed HTTP to its Request URL, or envelopes over Socket Mode.

Both answer a `Delivery` of the same shape (status, body, headers), so a scenario does not know which
transport carried it: over the socket, an ack's payload becomes the body HTTP mode would have had.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import httpx

from bot.sandbox.emulator import JsonDict
from bot.sandbox.emulator.socket_mode import EVENTS_API, INTERACTIVE, SLASH_COMMANDS, SocketMode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
# What a socket delivery answers when no ack came in time (HTTP mode would have timed out).
NO_ACK = 408


def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


@dataclass(frozen=True)
class Delivery:
    """What the bot answered to one request, with the ids Slack issued alongside it."""

    status: int
    body: str
    headers: Mapping[str, str]
    payload: JsonDict = field(default_factory=dict)
    trigger_id: str | None = None
    response_url: str | None = None
    event_id: str | None = None
    envelope_id: str | None = None  # Socket Mode only

    def json(self) -> Any:
        """The ack body as JSON (None when empty)."""
        return json.loads(self.body) if self.body.strip() else None


class Transport(Protocol):
    name: str

    def command(self, form: Mapping[str, str], *, forge: bool, timestamp: int | None) -> Delivery: ...

    def interaction(self, payload: JsonDict, *, forge: bool, timestamp: int | None) -> Delivery: ...

    def event(self, envelope: JsonDict, *, retry_num: int | None, retry_reason: str | None, forge: bool,
              timestamp: int | None) -> Delivery: ...

    def close(self) -> None: ...


class HttpTransport:
    """Signed POSTs to the bot's Request URL, as Slack sends them in HTTP mode."""

    name = "http"

    def __init__(self, bot_url: str, signing_secret: str, *, timeout: float = 10.0):
        require_loopback(bot_url)
        self.bot_url = bot_url
        self.signing_secret = signing_secret
        # trust_env=False: a proxy from the environment must never see (or reroute) loopback traffic.
        self._http = httpx.Client(timeout=timeout, trust_env=False)

    def command(self, form: Mapping[str, str], *, forge: bool = False, timestamp: int | None = None) -> Delivery:
        return self.send(urlencode(form), FORM, forge=forge, timestamp=timestamp)

    def interaction(self, payload: JsonDict, *, forge: bool = False, timestamp: int | None = None) -> Delivery:
        return self.send(urlencode({"payload": json.dumps(payload)}), FORM, forge=forge, timestamp=timestamp)

    def event(self, envelope: JsonDict, *, retry_num: int | None = None, retry_reason: str | None = None,
              forge: bool = False, timestamp: int | None = None) -> Delivery:
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason or "http_timeout"}
        return self.send(json.dumps(envelope), JSON, forge=forge, timestamp=timestamp, extra=headers)

    def send(self, body: str, content_type: str, *, forge: bool = False, timestamp: int | None = None,
             extra: Mapping[str, str] | None = None) -> Delivery:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        secret = f"{self.signing_secret}-forged" if forge else self.signing_secret
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                   "X-Slack-Signature": sign(secret, stamp, body), "User-Agent": USER_AGENT, **(extra or {})}
        response = self._http.post(self.bot_url, content=body.encode("utf-8"), headers=headers)
        return Delivery(response.status_code, response.text, dict(response.headers))

    def close(self) -> None:
        self._http.close()


class SocketTransport:
    """Envelopes through the emulator's Socket Mode server to the bot's open connection.

    Each call waits for the envelope's ack (through any re-sending) and answers it as HTTP would:
    200 with the ack's payload as the body, or NO_ACK when none came within `timeout`.
    """

    name = "socket"

    def __init__(self, socket_mode: SocketMode, *, timeout: float = 10.0):
        self.socket_mode = socket_mode
        self.timeout = timeout

    def command(self, form: Mapping[str, str], *, forge: bool = False, timestamp: int | None = None) -> Delivery:
        return self._deliver(SLASH_COMMANDS, dict(form), forge, timestamp)

    def interaction(self, payload: JsonDict, *, forge: bool = False, timestamp: int | None = None) -> Delivery:
        return self._deliver(INTERACTIVE, payload, forge, timestamp)

    def event(self, envelope: JsonDict, *, retry_num: int | None = None, retry_reason: str | None = None,
              forge: bool = False, timestamp: int | None = None) -> Delivery:
        return self._deliver(EVENTS_API, envelope, forge, timestamp, retry_num or 0,
                             (retry_reason or "timeout") if retry_num else "")

    def _deliver(self, kind: str, payload: JsonDict, forge: bool, timestamp: int | None,
                 retry_attempt: int = 0, retry_reason: str = "") -> Delivery:
        if forge or timestamp is not None:
            raise ValueError("Socket Mode envelopes are not signed: forge= and timestamp= are for HTTP mode")
        envelope = self.socket_mode.deliver(kind, payload, retry_attempt=retry_attempt, retry_reason=retry_reason,
                                            wait_for_connection=self.timeout)
        ack = self.socket_mode.wait_for_ack(envelope, self.timeout)
        if ack is None:
            return Delivery(NO_ACK, "", {}, envelope_id=envelope.envelope_id)
        return Delivery(200, http_body(ack.payload), {}, envelope_id=envelope.envelope_id)

    def close(self) -> None:
        pass  # the connection is the bot's; the emulator closes its server


def http_body(payload: JsonDict | None) -> str:
    """The body HTTP mode would have answered: empty, the text alone (Bolt answers a text-only ack
    as plain text, and sends it over the socket as {"text": ...}), or the JSON."""
    if not payload:
        return ""
    if set(payload) == {"text"} and isinstance(payload["text"], str):
        return payload["text"]
    return json.dumps(payload)


def require_loopback(url: str) -> None:
    """The Slack side only ever talks to a bot on this machine; no test may reach a network."""
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"bot_url must be on loopback, not {host!r}")
