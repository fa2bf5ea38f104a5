"""What a user entered and clicked, shaped as Slack puts it in payloads: a view's `state.values` and
a block action's `actions[0]`, read from the real blocks the bot sent (so a wrong action_id or an
option the bot never offered fails loudly instead of sending Slack something it never would).
"""
from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from bot.sandbox.emulator import JsonDict, interactive_elements

_TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input")
_SINGLE_CHOICE = ("static_select", "radio_buttons", "external_select", "overflow")
_MULTI_CHOICE = ("multi_static_select", "checkboxes", "multi_external_select")
_PICKED = {"users_select": "selected_user", "multi_users_select": "selected_users",
           "conversations_select": "selected_conversation", "multi_conversations_select": "selected_conversations",
           "channels_select": "selected_channel", "multi_channels_select": "selected_channels",
           "datepicker": "selected_date", "timepicker": "selected_time", "file_input": "files"}



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


def clicked_action(blocks: Sequence[JsonDict], action_id: str, value: Any, block_id: str | None,
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
