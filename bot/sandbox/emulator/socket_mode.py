"""Socket Mode on the emulator: `apps.connections.open` and a loopback WebSocket server that sends
envelopes the way Slack does, checks the acks and re-sends what was not acknowledged.

What Slack does, and so what this does (https://docs.slack.dev/apis/events-api/using-socket-mode/):
- `apps.connections.open` takes the app-level token (xapp-...), never the bot token, and answers a
  WebSocket URL carrying a one-time ticket;
- on connect the server says `hello`; then each request is an envelope `{"envelope_id", "type",
  "payload", "accepts_response_payload", "retry_attempt", "retry_reason"}` and the app acks it with
  `{"envelope_id": ..., "payload": ...}` (a payload only where one is accepted: commands, views);
- an envelope not acknowledged in time is sent again with `retry_attempt` one higher;
- the server may ask the app to reconnect (`{"type": "disconnect", "reason": "refresh_requested"}`),
  and connections drop; the app then opens a new one through `apps.connections.open` again.

Acks Slack would not accept (not JSON, no or unknown envelope_id, more acks than deliveries, a payload
where none is accepted) are kept in `refused_acks`, so a test can assert there are none.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import logging
import secrets
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from flask import request

from bot.sandbox.emulator.records import JsonDict, SlackError

if TYPE_CHECKING:
    from websockets.sync.server import Server, ServerConnection

    from bot.sandbox.emulator.server import SlackEmulator

log = logging.getLogger("badgebot.emulator.socket_mode")

DEFAULT_APP_TOKEN = "xapp-1-A0BADGEBOT-1-emulator"
SLASH_COMMANDS, INTERACTIVE, EVENTS_API = "slash_commands", "interactive", "events_api"
# Slack waits about 3 s for an ack and then retries, three times at most.
DEFAULT_RESEND_AFTER = 3.0
DEFAULT_MAX_RETRIES = 3
# Interactions whose ack may carry a response (the others are acknowledged empty).
_ANSWERED_INTERACTIONS = ("view_submission", "block_suggestion")


@dataclass
class Envelope:
    """One request sent over the socket, and what became of it."""

    envelope_id: str
    type: str
    payload: JsonDict
    accepts_response_payload: bool
    retry_attempt: int = 0
    retry_reason: str = ""
    sent_at: float = 0.0
    link: int | None = None  # the connection it was last sent on
    deliveries: int = 0  # times sent: each may be acknowledged once
    ack_count: int = 0
    ack: Ack | None = None  # the first
    given_up: bool = False
    acked: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_slack(self) -> JsonDict:
        return {"envelope_id": self.envelope_id, "type": self.type, "payload": self.payload,
                "accepts_response_payload": self.accepts_response_payload,
                "retry_attempt": self.retry_attempt, "retry_reason": self.retry_reason}


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: JsonDict | None
    link: int
    retry_attempt: int  # the delivery it answered (the latest sent when it arrived)


@dataclass(frozen=True)
class RefusedAck:
    text: str
    reason: str


@dataclass
class Link:
    """One open WebSocket connection."""

    id: int
    connection: ServerConnection = field(repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    open: bool = True


class SocketMode:
    """The emulator's Socket Mode server (`emulator.socket_mode`), started by the first apps.connections.open."""

    def __init__(self, emulator: SlackEmulator, *, app_token: str = DEFAULT_APP_TOKEN,
                 resend_after: float = DEFAULT_RESEND_AFTER, max_retries: int = DEFAULT_MAX_RETRIES,
                 clock: Callable[[], float] = time.monotonic):
        """`clock` decides when an envelope is due again (a test may step it by hand)."""
        if not app_token.startswith("xapp-"):
            raise ValueError("an app-level token starts with xapp-")
        self.emulator = emulator
        self.app_token = app_token
        self.resend_after = resend_after
        self.max_retries = max_retries
        self.clock = clock
        self.envelopes: dict[str, Envelope] = {}
        self.acks: list[Ack] = []
        self.refused_acks: list[RefusedAck] = []
        self.sent: list[JsonDict] = []  # every frame sent, in order, as Slack would see them logged
        self.connections_opened = 0  # successful apps.connections.open calls
        self._tickets: set[str] = set()
        self._links: list[Link] = []
        self._link_ids = itertools.count(1)
        self._lose_acks = 0
        self._lock = threading.Condition()
        self._server: Server | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        emulator.add_api_method("apps.connections.open", self.connections_open, authenticated=False)

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> SocketMode:
        """Serve WebSockets on 127.0.0.1 (a free port) and start re-sending what is not acknowledged."""
        if self._server is not None:
            return self
        # Imported here, not at the top: only Socket Mode tests and benches need the `websockets`
        # package (a test extra); the sandbox and HTTP-mode tests import the emulator without it.
        from websockets.sync.server import serve

        self._stopping.clear()
        self._server = serve(self._serve_link, self.emulator.host, 0, process_request=self._check_ticket,
                             compression=None, logger=log)
        self._threads = [threading.Thread(target=self._server.serve_forever, name="emulator-socket-mode",
                                          daemon=True),
                         threading.Thread(target=self._resend_loop, name="emulator-socket-resend", daemon=True)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self.drop()  # no closing handshake: it would wait for the app's answer, which may never come
        self._server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        self._server, self._threads = None, []

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("Socket Mode is not started")
        return int(self._server.socket.getsockname()[1])

    # -- apps.connections.open -----------------------------------------------------------------------

    def connections_open(self, params: JsonDict) -> JsonDict:
        """The Web API method: a WebSocket URL for the app-level token, refused for any other token."""
        token = _token_of_request()
        if not token:
            raise SlackError("not_authed")
        if token.startswith(("xoxb-", "xoxp-")):
            raise SlackError("not_allowed_token_type")  # what Slack answers a bot or user token here
        if token != self.app_token:
            raise SlackError("invalid_auth")
        self.start()  # on first use, so an emulator that never serves Socket Mode never needs `websockets`
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets.add(ticket)
            self.connections_opened += 1
        url = f"ws://{self.emulator.host}:{self.port}/link/?ticket={ticket}&app_id={self.emulator.app_id}"
        return {"url": url}

    def _check_ticket(self, connection: ServerConnection, handshake: Any) -> Any:
        """The opening handshake needs a ticket from apps.connections.open, each good for one connection."""
        query = parse_qs(urlsplit(handshake.path).query)
        ticket = (query.get("ticket") or [""])[0]
        with self._lock:
            if ticket not in self._tickets:
                return connection.respond(401, "invalid or used ticket\n")
            self._tickets.discard(ticket)
        return None

    # -- connections ---------------------------------------------------------------------------------

    def _serve_link(self, connection: ServerConnection) -> None:
        with self._lock:
            link = Link(next(self._link_ids), connection)
            self._links.append(link)
            open_count = len(self.open_links())
            self._lock.notify_all()
        self._send(link, {"type": "hello", "num_connections": open_count,
                          "debug_info": {"host": "applink-emulator", "build_number": 1,
                                         "approximate_connection_time": 18060},
                          "connection_info": {"app_id": self.emulator.app_id}})
        try:
            for message in connection:
                self._receive(link, message if isinstance(message, str) else message.decode("utf-8", "replace"))
        except Exception:  # noqa: BLE001 - a dropped connection ends its loop; the link is closed below
            log.debug("connection %s ended", link.id, exc_info=True)
        finally:
            with self._lock:
                link.open = False
                self._lock.notify_all()

    def open_links(self) -> list[Link]:
        with self._lock:
            return [link for link in self._links if link.open]

    def wait_for_connections(self, opened: int, timeout: float = 10.0) -> bool:
        """Wait until `opened` connections have been made in all (the bot's first is 1), one still open."""
        deadline = time.monotonic() + timeout  # a real wait, whatever `clock` a test gave for re-sending
        with self._lock:
            while not (len(self._links) >= opened and self.open_links()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(min(remaining, 0.1))
            return True

    def refresh(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does every few hours; the old connection is closed
        once the app has a new one (the app may also close it itself)."""
        links = self.open_links()
        for link in links:
            self._send(link, {"type": "disconnect", "reason": reason,
                              "debug_info": {"host": "applink-emulator"}})

    def drop(self) -> None:
        """Cut every open connection without a closing handshake, as a failing network or a load
        balancer does: a TCP reset, so the app's next read fails at once."""
        for link in self.open_links():
            raw = link.connection.socket
            with contextlib.suppress(OSError):
                # Linger 0: close() resets the connection. Closed here first, because websockets would
                # end it with a graceful FIN (shutdown) the moment it is told to stop.
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                raw.close()
            link.connection.close_socket()  # wakes its reading thread, which then ends the link

    def lose_acks(self, count: int = 1) -> None:
        """The next `count` acks are lost on their way (never seen), so their envelopes are re-sent."""
        with self._lock:
            self._lose_acks += count

    # -- envelopes -----------------------------------------------------------------------------------

    def deliver(self, kind: str, payload: JsonDict, *, retry_attempt: int = 0, retry_reason: str = "",
                wait_for_connection: float = 10.0) -> Envelope:
        """Send one request (a slash command's fields, an interaction payload, an event callback)."""
        if kind not in (SLASH_COMMANDS, INTERACTIVE, EVENTS_API):
            raise ValueError(f"unknown envelope type {kind!r}")
        accepts = kind == SLASH_COMMANDS or (kind == INTERACTIVE and payload.get("type") in _ANSWERED_INTERACTIONS)
        envelope = Envelope(_envelope_id(), kind, payload, accepts, retry_attempt, retry_reason)
        with self._lock:
            self.envelopes[envelope.envelope_id] = envelope
        if not self.wait_for_connections(1, wait_for_connection):
            raise TimeoutError("the app has no Socket Mode connection open")
        self._send_envelope(envelope)
        return envelope

    def wait_for_ack(self, envelope: Envelope, timeout: float = 10.0) -> Ack | None:
        """The ack of `envelope` (through any of its deliveries), or None if none came in time."""
        envelope.acked.wait(timeout)
        return envelope.ack

    def unacknowledged(self) -> list[Envelope]:
        with self._lock:
            return [e for e in self.envelopes.values() if e.ack is None]

    def _send_envelope(self, envelope: Envelope) -> bool:
        links = self.open_links()
        if not links:
            return False
        link = links[-1]  # the newest: after a refresh, the connection the app has just opened
        with self._lock:
            envelope.sent_at, envelope.link = self.clock(), link.id
        sent = self._send(link, envelope.to_slack())
        if sent:
            with self._lock:
                envelope.deliveries += 1
        return sent

    def _send(self, link: Link, frame: JsonDict) -> bool:
        try:
            with link.lock:
                link.connection.send(json.dumps(frame))
        except Exception:  # noqa: BLE001 - a closed connection: the envelope is re-sent on the next one
            log.debug("could not send on connection %s", link.id, exc_info=True)
            return False
        with self._lock:
            self.sent.append(frame)
        return True

    def _receive(self, link: Link, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        with self._lock:
            if not isinstance(message, dict) or not message.get("envelope_id"):
                self.refused_acks.append(RefusedAck(text, "not an ack: no envelope_id"))
                return
            envelope = self.envelopes.get(str(message["envelope_id"]))
            payload = message.get("payload")
            if envelope is None:
                self.refused_acks.append(RefusedAck(text, "unknown envelope_id"))
            elif envelope.ack_count >= envelope.deliveries:
                self.refused_acks.append(RefusedAck(text, f"acknowledged more often than sent "
                                                          f"({envelope.deliveries})"))
            elif payload is not None and not isinstance(payload, dict):
                self.refused_acks.append(RefusedAck(text, "the payload is not an object"))
            elif payload and not envelope.accepts_response_payload:
                self.refused_acks.append(RefusedAck(text, f"a payload for a {envelope.type} envelope "
                                                          "that accepts none"))
            elif self._lose_acks > 0:
                self._lose_acks -= 1
            else:
                # A late ack of an earlier delivery may come after a re-sent one's: Slack takes either.
                envelope.ack_count += 1
                ack = Ack(envelope.envelope_id, payload, link.id, envelope.retry_attempt)
                self.acks.append(ack)
                if envelope.ack is None:
                    envelope.ack = ack
                    envelope.acked.set()

    def _resend_loop(self) -> None:
        """Re-send each envelope not acknowledged within `resend_after`, or whose connection is gone,
        with retry_attempt one higher; give up after `max_retries` (Slack's three)."""
        while not self._stopping.wait(0.05):
            now = self.clock()
            with self._lock:
                live = {link.id for link in self._links if link.open}
                due = [e for e in self.envelopes.values()
                       if e.ack is None and not e.given_up and e.link is not None
                       and (now - e.sent_at >= self.resend_after or (e.link not in live and live))]
            for envelope in due:
                if envelope.retry_attempt >= self.max_retries:
                    envelope.given_up = True
                    envelope.acked.set()  # wakes a waiting sender: there will be no ack
                    continue
                envelope.retry_attempt += 1
                envelope.retry_reason = "timeout"
                if not self._send_envelope(envelope):
                    envelope.retry_attempt -= 1  # not sent: tried again once a connection is open


def _envelope_id() -> str:
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"  # Slack's are UUIDs


def _token_of_request() -> str | None:
    """The token of the Web API call being answered: the bearer header, else a `token` param."""
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ").strip()
    return request.values.get("token") or None

