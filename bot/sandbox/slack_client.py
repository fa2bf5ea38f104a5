"""Plays Slack toward the bot: signed slash commands, interactions and events, over real HTTP.

Why not `app.dispatch` in-process: the bot's web server, Bolt's signature check and Bolt's payload
parsing are part of what an end-to-end test must cover. So every request here is what Slack would
send: signed with the app's signing secret (X-Slack-Signature v0), shaped like Slack's payloads,
carrying trigger ids and response URLs that the emulator issued and will honour.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from bot.sandbox.emulator import JsonDict, SlackEmulator, User, interactive_elements

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Slack sends this legacy field in every payload; Bolt ignores it, but the shape should be Slack's.
VERIFICATION_TOKEN = "emulator-verification-token"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"

_TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input")
_SINGLE_CHOICE = ("static_select", "radio_buttons", "external_select", "overflow")
_MULTI_CHOICE = ("multi_static_select", "checkboxes", "multi_external_select")
_PICKED = {"users_select": "selected_user", "multi_users_select": "selected_users",
           "conversations_select": "selected_conversation", "multi_conversations_select": "selected_conversations",
           "channels_select": "selected_channel", "multi_channels_select": "selected_channels",
           "datepicker": "selected_date", "timepicker": "selected_time", "file_input": "files"}


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

    def json(self) -> Any:
        """The ack body as JSON (None when empty)."""
        return json.loads(self.body) if self.body.strip() else None


class SlackSide:
    """Slack, as the bot's web server sees it. Pass `forge=True` or a stale `timestamp=` to test refusals."""

    def __init__(self, emulator: SlackEmulator, bot_url: str, signing_secret: str | None = None, *,
                 timeout: float = 10.0):
        _require_loopback(bot_url)
        self.emulator = emulator
        self.bot_url = bot_url
        self.signing_secret = signing_secret if signing_secret is not None else emulator.signing_secret
        # trust_env=False: a proxy from the environment must never see (or reroute) loopback traffic.
        self._http = httpx.Client(timeout=timeout, trust_env=False)
        self._event_ids: dict[str, str] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SlackSide:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- slash commands and interactivity -----------------------------------------------------------

    def command(self, user: str, text: str, command: str = "/badges", channel: str | None = None, *,
                forge: bool = False, timestamp: int | None = None) -> Delivery:
        """A slash command; its ack is shown like Slack shows it (ephemeral unless in_channel)."""
        channel_id = channel or self.emulator.dm_channel_of(user)
        person = self._person(user)
        trigger_id = self.emulator.issue_trigger(user)
        response_url = self.emulator.issue_response_url(user, channel_id)
        form = {"token": VERIFICATION_TOKEN, "team_id": self.emulator.team_id,
                "team_domain": self.emulator.team_domain, "channel_id": channel_id,
                "channel_name": self._channel_name(channel_id), "user_id": user, "user_name": person.name,
                "command": command, "text": text, "api_app_id": self.emulator.app_id,
                "is_enterprise_install": "false", "response_url": response_url, "trigger_id": trigger_id}
        delivery = self._send(urlencode(form), FORM, forge=forge, timestamp=timestamp)
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
        payload["actions"] = [_action(blocks, action_id, value, block_id, action_type)]
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
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason or "http_timeout"}
        delivery = self._send(json.dumps(envelope), JSON, forge=forge, timestamp=timestamp, extra=headers)
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
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return _with(self._send(json.dumps(body), JSON), payload=body)

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

    # -- the wire --------------------------------------------------------------------------------------

    def _send_payload(self, payload: JsonDict, *, forge: bool, timestamp: int | None) -> Delivery:
        return self._send(urlencode({"payload": json.dumps(payload)}), FORM, forge=forge, timestamp=timestamp)

    def _send(self, body: str, content_type: str, *, forge: bool = False, timestamp: int | None = None,
              extra: Mapping[str, str] | None = None) -> Delivery:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        secret = f"{self.signing_secret}-forged" if forge else self.signing_secret
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                   "X-Slack-Signature": sign(secret, stamp, body), "User-Agent": USER_AGENT, **(extra or {})}
        response = self._http.post(self.bot_url, content=body.encode("utf-8"), headers=headers)
        return Delivery(response.status_code, response.text, dict(response.headers))


# --------------------------------------------------------------------------------------------------
# Building what the user entered
# --------------------------------------------------------------------------------------------------


def state_values(blocks: Sequence[JsonDict], values: Mapping[str, Any]) -> JsonDict:
    """`view.state.values` for a submission: {block_id: {action_id: element state}}, shaped per element type."""
    elements = {(b["block_id"], e["action_id"]): e for b in blocks for e in interactive_elements(b)
                if "block_id" in b and "action_id" in e}
    state = _empty_inputs(blocks)
    for block_id, action_id, entered in _entries(elements, values):
        element = elements.get((block_id, action_id))
        if element is None:
            raise ValueError(f"no input {block_id}/{action_id} in the view")
        state.setdefault(block_id, {})[action_id] = element_state(element, entered)
    return state


def _empty_inputs(blocks: Sequence[JsonDict]) -> JsonDict:
    """Slack reports every input block, left empty or not; unsupported element types are left out."""
    state: JsonDict = {}
    for block in blocks:
        for element in interactive_elements(block) if block.get("type") == "input" else []:
            try:
                state.setdefault(block["block_id"], {})[element["action_id"]] = element_state(element, None)
            except (KeyError, ValueError):
                continue
    return state


def _entries(elements: Mapping[tuple[str, str], JsonDict],
             values: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """(block_id, action_id, entered) triples from values keyed by action_id or by block_id."""
    block_ids = {block_id for block_id, _ in elements}
    entries: list[tuple[str, str, Any]] = []
    for key, value in values.items():
        if key in block_ids and isinstance(value, Mapping):
            entries.extend((key, action_id, entered) for action_id, entered in value.items())
        else:
            entries.append((_block_of(elements, key), key, value))
    return entries


def element_state(element: JsonDict, value: Any) -> JsonDict:
    """One element's state as Slack reports it; unknown element types fail loudly rather than guess."""
    kind = str(element.get("type"))
    if kind in _TEXT_INPUTS:
        return {"type": kind, "value": None if value is None else str(value)}
    if kind in _SINGLE_CHOICE:
        return {"type": kind, "selected_option": None if value is None else _option(element, value)}
    if kind in _MULTI_CHOICE:
        return {"type": kind, "selected_options": [_option(element, v) for v in value or []]}
    if kind in _PICKED:
        multiple = kind.startswith("multi_") or kind == "file_input"
        picked = list(value or []) if multiple else value
        return {"type": kind, _PICKED[kind]: picked}
    raise ValueError(f"element type {kind!r} is not supported by the emulator")


def _block_of(elements: Mapping[tuple[str, str], JsonDict], action_id: str) -> str:
    matches = [block_id for block_id, candidate in elements if candidate == action_id]
    if len(matches) != 1:
        raise ValueError(f"action_id {action_id!r} matches {len(matches)} inputs; key the value by block_id")
    return matches[0]


def _option(element: JsonDict, value: Any) -> JsonDict:
    """The offered option with this value; external selects have no list, so one is made up."""
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    if not options and "external" in str(element.get("type")):
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    for option in options:
        if option.get("value") == value:
            return dict(option)
    raise ValueError(f"{value!r} is not among the options of {element.get('action_id')!r}")


def _action(blocks: Sequence[JsonDict], action_id: str, value: Any, block_id: str | None,
            action_type: str | None) -> JsonDict:
    """The `actions[0]` of a block_actions payload, from the element as it appears in the blocks."""
    block, element = _find_element(blocks, action_id, block_id)
    kind = action_type or str(element.get("type") or "button")
    action: JsonDict = {"type": kind, "action_id": action_id, "block_id": block or block_id or "actions",
                        "action_ts": f"{time.time():.6f}"}
    if kind == "button":
        text = element.get("text") or {"type": "plain_text", "text": action_id}
        return action | {"text": text, "value": value if value is not None else element.get("value", "")}
    if kind in _SINGLE_CHOICE or kind in _MULTI_CHOICE:
        offered = element if element.get("options") or element.get("option_groups") else _offering(value)
        chosen = element_state(offered | {"type": kind}, value)
        return action | {k: v for k, v in chosen.items() if k != "type"}
    if kind in _PICKED:
        return action | {_PICKED[kind]: value}
    return action | {"value": value}


def _find_element(blocks: Sequence[JsonDict], action_id: str, block_id: str | None) -> tuple[str | None, JsonDict]:
    for block in blocks:
        for element in interactive_elements(block):
            if element.get("action_id") == action_id and block_id in (None, block.get("block_id")):
                return block.get("block_id"), element
    return None, {}


def _offering(value: Any) -> JsonDict:
    """Options made up from the chosen values, for an element the test did not place in any blocks."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return {"options": [{"text": {"type": "plain_text", "text": str(v)}, "value": v} for v in values]}


def _with(delivery: Delivery, **fields: Any) -> Delivery:
    return dataclasses.replace(delivery, **fields)


def _require_loopback(url: str) -> None:
    """The Slack side only ever talks to a bot on this machine; no test may reach a network."""
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"bot_url must be on loopback, not {host!r}")
