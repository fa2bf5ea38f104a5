"""The App Home, by role: each section is a pure builder in this package; `home_view` puts them in order.

The office's sections first (figures, proposals), then the grantor's queue, the host's events, and the
person's own badges last when they hold a role (first and alone when they are only a learner). Every
section caps its own lists (with a "see all" path: `/badges review`, `/badges event list all`, the awards
modal), so the whole stays within Slack's 100 blocks of a view.
"""
from __future__ import annotations

from handlers.slack.blocks.kit import VIEW_BLOCKS, Block, divider, fit


def home_view(*sections: list[Block]) -> Block:
    """The home view of the non-empty `sections`, in the order given, divided."""
    blocks: list[Block] = []
    for part in sections:
        if part:
            blocks += ([divider()] if blocks else []) + part
    return {"type": "home", "blocks": fit(blocks, VIEW_BLOCKS, more="…and more than fits here: `/badges help` "
                                                                   "lists the commands that show everything.")}
