"""Subcommands by name: `/badges <name> …` and `/badges event <name> …`.

A subcommand is a plain function `(services, request) -> reply`; its docstring's first line is its
line in the generated help, so a subcommand without a docstring is a test failure.
"""
from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handlers.slack.blocks.kit import Block, escape

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@dataclass(frozen=True)
class Request:
    """A slash command as the subcommands see it; `args` is what follows the subcommand's name."""

    user: str
    user_name: str
    channel: str
    trigger_id: str
    args: str


Reply = dict[str, Any]  # keyword arguments for ack(): text and blocks
SILENT: Reply = {}
"""The reply of a subcommand whose answer is the modal it opened: an "Opening the form…" line would only
pile up in the conversation, one per use (issue 16)."""
Subcommand = Callable[["Badgebot", Request], Reply]
Registry = dict[str, tuple[str, Subcommand]]  # name -> (usage, subcommand)

SUBCOMMANDS: Registry = {}  # /badges …
EVENT_SUBCOMMANDS: Registry = {}  # /badges event …


def subcommand(name: str, usage: str = "", *, into: Registry = SUBCOMMANDS) -> Callable[[Subcommand], Subcommand]:
    def add(fn: Subcommand) -> Subcommand:
        into[name] = (usage, fn)
        return fn
    return add


def reply(text: str, blocks: list[Block] | None = None) -> Reply:
    return {"text": text, "blocks": blocks} if blocks else {"text": text}


def route(services: "Badgebot", req: Request, registry: Registry, prefix: str, default: str = "") -> Reply:
    """Call the subcommand `req.args` names (`default` when it names none), with the rest as its args."""
    name, _, args = req.args.strip().partition(" ")
    name = name.lower() or default
    if name not in registry:
        close = difflib.get_close_matches(name, [n for n in registry if n], n=1, cutoff=0.6)
        hint = f" Did you mean `{prefix} {close[0]}`?" if close else ""
        return reply(f"I don't know `{prefix} {escape(name[:40])}`.{hint} Try `{prefix} help`.")
    _, handler = registry[name]
    return handler(services, dataclasses.replace(req, args=args))


def help_lines(registry: Registry, prefix: str, *, skip: tuple[str, ...] = ()) -> list[str]:
    """One line a subcommand, from its usage and the first line of its docstring."""
    lines = []
    for name, (usage, fn) in registry.items():
        if name not in skip:
            call = " ".join(p for p in (prefix, name, usage) if p)
            lines.append(f"`{call}` — {(fn.__doc__ or '').strip().splitlines()[0]}")
    return lines
