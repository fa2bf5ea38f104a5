"""Small, pure Block Kit constructors that respect Slack's limits.

Slack rejects a whole message when one part is too long, so every builder truncates here, once:
3000 characters a section text, 2000 a context element, 75 a button label, 50 blocks a message,
100 a view, 25 elements an actions block, 10 fields a section.
"""
from __future__ import annotations

from typing import Any

from bot.domain.wording import name_with_type

Block = dict[str, Any]

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
ACTIONS_ELEMENTS = 25


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """User-supplied text in mrkdwn: neutralize &, < and > so nobody can forge mentions or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bold_with_type(name: str, type_label: str) -> str:
    """A credential in mrkdwn: *SQL Basics* (Badge Level I); *Data Analytics (Practiced)*, Digital Certificate."""
    return f"*{escape(name)}*{escape(name_with_type(name, type_label)[len(name):])}"


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, str]:
    return {"type": "mrkdwn", "text": clip(text, limit) or " "}


def plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def section(text: str, accessory: Block | None = None, fields: list[str] | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if fields:
        block["fields"] = [mrkdwn(f, 2000) for f in fields[:10]]
    if accessory:
        block["accessory"] = accessory
    return block


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t, 2000) for t in texts[:10]]}


def divider() -> Block:
    return {"type": "divider"}


def button(label: str, action_id: str, value: str = "", style: str | None = None, url: str | None = None,
           confirm: Block | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(label, 75), "action_id": action_id}
    if value:
        element["value"] = clip(value, 2000)
    if style:
        element["style"] = style
    if url:
        element["url"] = url
    if confirm:
        element["confirm"] = confirm
    return element


def actions(*elements: Block, block_id: str | None = None) -> list[Block]:
    """One or more actions blocks (Slack allows 25 elements in each)."""
    blocks = []
    for start in range(0, len(elements), ACTIONS_ELEMENTS):
        block: Block = {"type": "actions", "elements": list(elements[start:start + ACTIONS_ELEMENTS])}
        if block_id:
            block["block_id"] = block_id if start == 0 else f"{block_id}-{start}"
        blocks.append(block)
    return blocks


def confirm_dialog(title: str, text: str, yes: str, no: str = "Cancel") -> Block:
    return {"title": plain(title, 100), "text": mrkdwn(text, 300), "confirm": plain(yes, 30), "deny": plain(no, 30)}


def fit(blocks: list[Block], limit: int = MESSAGE_BLOCKS, more: str = "…and more: open the App Home tab.") -> list[Block]:
    """Keep within Slack's block limit, saying so when something was left out."""
    if len(blocks) <= limit:
        return blocks
    return blocks[: limit - 1] + [context(more)]


def progress_bar(held: int, required: int, width: int = 10) -> str:
    filled = round(width * held / required) if required else 0
    return "▰" * filled + "▱" * (width - filled)
