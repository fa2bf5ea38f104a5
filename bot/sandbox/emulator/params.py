"""Reading Web API params as slack_sdk sends them: strings from a form body, typed values from a JSON body.

Each reader raises the SlackError Slack answers for a missing or malformed param.
"""
from __future__ import annotations

import json
from typing import Any

from bot.sandbox.emulator.records import JsonDict, SlackError


def required(p: JsonDict, key: str, error: str) -> str:
    value = p.get(key)
    if value is None or value == "":
        raise SlackError(error)
    return str(value)


def flag(p: JsonDict, key: str) -> bool:
    return p.get(key) in (True, 1, "1", "true", "True")


def json_field(p: JsonDict, key: str) -> Any:
    """A structured param: already decoded in a JSON body, a JSON string in a form body."""
    value = p.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise SlackError(f"invalid_{key}" if key == "blocks" else "invalid_arguments") from exc
    return value


def content(p: JsonDict) -> tuple[str, list[JsonDict], list[JsonDict]]:
    """A message's text, blocks and attachments; Slack refuses a message with none of them."""
    text = str(p.get("text") or p.get("markdown_text") or "")
    blocks = json_field(p, "blocks") or []
    attachments = json_field(p, "attachments") or []
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    if not isinstance(attachments, list):
        raise SlackError("invalid_attachments")
    if not (text or blocks or attachments):
        raise SlackError("no_text")
    return text, blocks, attachments


def view_payload(p: JsonDict, expected_type: str | None) -> JsonDict:
    view = json_field(p, "view")
    if not isinstance(view, dict) or not view.get("type"):
        raise SlackError("invalid_arguments")
    if expected_type is not None and view["type"] != expected_type:
        raise SlackError("invalid_arguments")
    return view


def ts_param(value: Any, default: tuple[int, int]) -> tuple[int, int]:
    """A ts given as a parameter ("1712345678.000100"), as a sortable key; `default` when absent."""
    if value in (None, ""):
        return default
    seconds, _, micros = str(value).partition(".")
    if not seconds.isdigit() or (micros and not micros.isdigit()):
        raise SlackError("invalid_ts_oldest")
    return int(seconds), int((micros or "0").ljust(6, "0")[:6])


def json_or_empty(text: str) -> JsonDict:
    """A JSON object from text that may be empty or not JSON at all (a bot's ack body)."""
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
