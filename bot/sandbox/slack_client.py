"""Plays Slack toward the bot: slash commands, interactions and events, as Slack would send them.

Why not `app.dispatch` in-process: the bot's web server or socket connection, Bolt's signature check
and Bolt's payload parsing are part of what an end-to-end test must cover. So every request here is
what Slack would send: shaped like Slack's payloads, carrying trigger ids and response URLs that the
emulator issued and will honour, and delivered by a transport (`slack_transports`): signed HTTP to
the bot's Request URL, or an envelope over the emulator's Socket Mode server. Both answer the same
`Delivery`, so a scenario reads the same in either mode.
"""
from __future__ import annotations

import dataclasses
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from bot.sandbox.emulator import JsonDict, SlackEmulator, User
from bot.sandbox.emulator.scopes import UnknownCommand
from bot.sandbox.slack_payloads import clicked_action, element_state, state_values
from bot.sandbox.slack_transports import Delivery, HttpTransport, SocketTransport, Transport, sign

__all__ = ["Delivery", "SlackSide", "element_state", "sign", "state_values"]

# Slack sends this legacy field in every payload; Bolt ignores it, but the shape should be Slack's.
VERIFICATION_TOKEN = "emulator-verification-token"


class SlackSide:
    """Slack, as the bot sees it: over HTTP to `bot_url` (signed; pass `forge=True` or a stale
    `timestamp=` to test refusals), or over Socket Mode (`SlackSide.over_socket(emulator)`)."""

    def __init__(self, emulator: SlackEmulator, bot_url: str | None = None, signing_secret: str | None = None, *,
                 timeout: float = 10.0, transport: Transport | None = None):
        if transport is None:
            if bot_url is None:
                raise ValueError("give the bot's Request URL (HTTP mode) or a transport")
            secret = signing_secret if signing_secret is not None else emulator.signing_secret
            transport = HttpTransport(bot_url, secret, timeout=timeout)
        self.emulator = emulator
        self.transport = transport
        self._event_ids: dict[str, str] = {}

    @classmethod
    def over_socket(cls, emulator: SlackEmulator, *, timeout: float = 10.0) -> SlackSide:
        """Slack in Socket Mode: envelopes to the connection the bot opened with the emulator."""
        return cls(emulator, transport=SocketTransport(emulator.socket_mode, timeout=timeout))

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> SlackSide:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- slash commands and interactivity -----------------------------------------------------------

    def command(self, user: str, text: str, command: str = "/badges", channel: str | None = None, *,
                forge: bool = False, timestamp: int | None = None) -> Delivery:
        """A slash command; its ack is shown like Slack shows it (ephemeral unless in_channel).
        Raises UnknownCommand for a command the app does not register: Slack posts nothing then."""
        if self.emulator.slash_commands is not None and command not in self.emulator.slash_commands:
            raise UnknownCommand(command)
        channel_id = channel or self.emulator.dm_channel_of(user)
        person = self._person(user)
        trigger_id = self.emulator.issue_trigger(user)
        response_url = self.emulator.issue_response_url(user, channel_id)
        form = {"token": VERIFICATION_TOKEN, "team_id": self.emulator.team_id,
                "team_domain": self.emulator.team_domain, "channel_id": channel_id,
                "channel_name": self._channel_name(channel_id), "user_id": user, "user_name": person.name,
                "command": command, "text": text, "api_app_id": self.emulator.app_id,
                "is_enterprise_install": "false", "response_url": response_url, "trigger_id": trigger_id}
        delivery = self.transport.command(form, forge=forge, timestamp=timestamp)
        if delivery.status == 200:
            self.emulator.show_command_ack(user, channel_id, delivery.body)
        return _with(delivery, payload=form, trigger_id=trigger_id, response_url=response_url)

    def block_action(self, user: str, action_id: str, value: Any = None, *, message: tuple[str, str] | None = None,
                     view: str | None = None, block_id: str | None = None, action_type: str | None = None,
                     forge: bool = False, timestamp: int | None = None) -> Delivery:
        """A click (or choice) on an element of a message `(channel, ts)` or of an open view (by id).

        The element is looked up in the message or view so the action carries its real block_id,
        type and option text; `block_id` / `action_type` are only needed for elements not found there.
        """
        if (message is None) == (view is None):
            raise ValueError("say where the element is: message=(channel, ts) or view=view_id")
        trigger_id = self.emulator.issue_trigger(user)
        payload = self._interaction("block_actions", user, trigger_id)
        blocks = self._place_message(payload, user, message) if message else self._place_view(payload, view or "")
        payload["actions"] = [clicked_action(blocks, action_id, value, block_id, action_type)]
        delivery = self._send_payload(payload, forge=forge, timestamp=timestamp)
        return _with(delivery, payload=payload, trigger_id=trigger_id, response_url=payload.get("response_url"))

    def view_submission(self, user: str, view_id: str, values: Mapping[str, Any], *, forge: bool = False,
                        timestamp: int | None = None) -> Delivery:
        """Submit an open modal. `values` maps action_id (or block_id -> {action_id: ...}) to what was entered:
        a str for text inputs, an option value for selects, a list of option values for checkboxes,
        a list of file objects (from `emulator.add_file`) for file_input. Slack's handling of the ack
        (close, update, push, clear, errors) is applied to the emulator's view stack.
        """
        stored = self.emulator.view(view_id)
        if stored is None or not stored.open:
            raise ValueError(f"no open view {view_id} to submit")
        self.emulator.set_view_state(view_id, state_values(stored.payload.get("blocks") or [], values))
        trigger_id = self.emulator.issue_trigger(user)
        payload = self._interaction("view_submission", user, trigger_id)
        payload |= {"view": self._view_json(view_id), "response_urls": []}
        delivery = self._send_payload(payload, forge=forge, timestamp=timestamp)
        if delivery.status == 200:
            self.emulator.apply_view_ack(view_id, user, delivery.body)
        return _with(delivery, payload=payload, trigger_id=trigger_id)

    def view_closed(self, user: str, view_id: str, *, is_cleared: bool = False, forge: bool = False,
                    timestamp: int | None = None) -> Delivery:
        """The user dismissed a modal (sent only for views with notify_on_close, as in Slack)."""
        payload = self._interaction("view_closed", user, None)
        payload |= {"view": self._view_json(view_id), "is_cleared": is_cleared}
        self.emulator.close_view(view_id, clear=is_cleared)
        return _with(self._send_payload(payload, forge=forge, timestamp=timestamp), payload=payload)

    # -- Events API ------------------------------------------------------------------------------------

    def event(self, event: Mapping[str, Any], retry_num: int | None = None, retry_reason: str | None = None, *,
              event_id: str | None = None, forge: bool = False, timestamp: int | None = None) -> Delivery:
        """An Events API callback. With `retry_num`, it is Slack's redelivery: the same event_id as the
        last delivery of this same event, plus X-Slack-Retry-Num / X-Slack-Retry-Reason headers."""
        key = json.dumps(event, sort_keys=True, default=str)
        if event_id is None:
            known = self._event_ids.get(key) if retry_num is not None else None
            event_id = known or f"Ev{secrets.token_hex(5).upper()}"
        self._event_ids[key] = event_id
        envelope = self._envelope(dict(event), event_id)
        delivery = self.transport.event(envelope, retry_num=retry_num, retry_reason=retry_reason, forge=forge,
                                        timestamp=timestamp)
        return _with(delivery, payload=envelope, event_id=event_id)

    def message_im(self, user: str, text: str, files: Sequence[JsonDict] | None = None,
                   thread_ts: str | None = None, **options: Any) -> Delivery:
        """The user writes to the bot in its DM: the message is recorded, then the message event sent."""
        channel = self.emulator.dm_channel_of(user)
        posted = self.emulator.record_user_message(user, channel, text, files=list(files or []),
                                                   thread_ts=thread_ts)
        event: JsonDict = {"type": "message", "channel": channel, "user": user, "text": text, "ts": posted.ts,
                           "event_ts": posted.ts, "channel_type": "im", "team": self.emulator.team_id}
        if files:
            event |= {"subtype": "file_share", "files": list(files), "upload": False}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **options)

    def app_home_opened(self, user: str, **options: Any) -> Delivery:
        """The user opened the app's Home tab (carrying the published home view, if any)."""
        event: JsonDict = {"type": "app_home_opened", "user": user, "channel": self.emulator.dm_channel_of(user),
                           "tab": "home", "event_ts": f"{time.time():.6f}"}
        home = next((v for v in self.emulator.views_of(user) if v.type == "home"), None)
        if home is not None:
            event["view"] = self._view_json(home.id)
        return self.event(event, **options)

    def url_verification(self, challenge: str = "challenge-from-emulator") -> Delivery:
        """The handshake Slack performs when the Request URL is configured."""
        if not isinstance(self.transport, HttpTransport):
            raise ValueError("Socket Mode has no Request URL to verify")
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return _with(self.transport.send(json.dumps(body), "application/json"), payload=body)

    # -- payload shapes --------------------------------------------------------------------------------

    def _interaction(self, kind: str, user: str, trigger_id: str | None) -> JsonDict:
        person = self._person(user)
        team = {"id": self.emulator.team_id, "domain": self.emulator.team_domain}
        payload: JsonDict = {
            "type": kind, "team": team, "enterprise": None, "is_enterprise_install": False,
            "user": {"id": user, "username": person.name, "name": person.name, "team_id": self.emulator.team_id},
            "api_app_id": self.emulator.app_id, "token": VERIFICATION_TOKEN,
        }
        if trigger_id is not None:
            payload["trigger_id"] = trigger_id
        return payload

    def _place_message(self, payload: JsonDict, user: str, where: tuple[str, str]) -> list[JsonDict]:
        """Container, channel, message and response_url of an action on a message; returns its blocks."""
        channel, ts = where
        found = self.emulator.message(channel, ts)
        if found is None or found.deleted:
            raise ValueError(f"no message {ts} in {channel}")
        ephemeral = found.ephemeral_to is not None
        payload |= {"container": {"type": "message", "message_ts": ts, "channel_id": channel,
                                  "is_ephemeral": ephemeral},
                    "channel": {"id": channel, "name": self._channel_name(channel)},
                    "state": {"values": {}},
                    "response_url": self.emulator.issue_response_url(user, channel, original_ts=ts)}
        if not ephemeral:  # Slack does not echo an ephemeral message back
            payload["message"] = found.to_slack()
        return found.blocks

    def _place_view(self, payload: JsonDict, view_id: str) -> list[JsonDict]:
        """Container and view of an action inside a modal or home tab (Slack gives no response_url there)."""
        view_json = self._view_json(view_id)
        payload |= {"container": {"type": "view", "view_id": view_id}, "view": view_json,
                    "state": view_json["state"]}
        return list(view_json.get("blocks") or [])

    def _envelope(self, event: JsonDict, event_id: str) -> JsonDict:
        event.setdefault("event_ts", f"{time.time():.6f}")
        return {"token": VERIFICATION_TOKEN, "team_id": self.emulator.team_id, "api_app_id": self.emulator.app_id,
                "event": event, "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
                "authorizations": [{"enterprise_id": None, "team_id": self.emulator.team_id,
                                    "user_id": self.emulator.bot_user_id, "is_bot": True,
                                    "is_enterprise_install": False}],
                "is_ext_shared_channel": False, "event_context": f"4-{secrets.token_hex(8)}"}

    def _view_json(self, view_id: str) -> JsonDict:
        stored = self.emulator.view(view_id)
        if stored is None:
            raise ValueError(f"no view {view_id}")
        return self.emulator.view_json(stored)

    def _person(self, user: str) -> User:
        found = next((u for u in self.emulator.users() if u.id == user), None)
        if found is None:
            raise ValueError(f"no user {user} in the emulator's workspace")
        return found

    def _channel_name(self, channel_id: str) -> str:
        found = next((c for c in self.emulator.channels() if c.id == channel_id), None)
        if found is None or found.is_im:
            return "directmessage"
        return "privategroup" if found.is_private else found.name

    def _send_payload(self, payload: JsonDict, *, forge: bool, timestamp: int | None) -> Delivery:
        return self.transport.interaction(payload, forge=forge, timestamp=timestamp)


def _with(delivery: Delivery, **fields: Any) -> Delivery:
    return dataclasses.replace(delivery, **fields)
