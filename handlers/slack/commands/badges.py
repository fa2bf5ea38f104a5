"""`/badges`: the slash command's listener, its dispatcher, and the help made from the subcommands.

The subcommands live by audience in learner.py, events.py and reviews.py; importing them fills the
registry, in the order `/badges help` lists them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.errors import BadgebotError
from handlers.slack.blocks.kit import section
from handlers.slack.commands.registry import SUBCOMMANDS, Reply, Request, help_lines, reply, route, subcommand
from handlers.slack.guard import guarded

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

__all__ = ["SUBCOMMANDS", "Request", "badges_command", "dispatch", "show_help"]


@subcommand("help")
def show_help(services: "Badgebot", req: Request) -> Reply:
    """This list of commands."""
    lines = help_lines(SUBCOMMANDS, "/badges")
    return reply("Badgebot commands", [section("*Badgebot commands*\n" + "\n".join(lines))])


def dispatch(services: "Badgebot", req: Request) -> Reply:
    """Route `/badges <subcommand> <args>`; every failure becomes a specific, friendly answer."""
    try:
        return route(services, req, SUBCOMMANDS, "/badges")
    except BadgebotError as exc:
        return reply(str(exc))


@guarded
def badges_command(ack: Ack, body: dict[str, Any], services: "Badgebot") -> None:
    """`/badges …`: answered in the ack, privately (Slack shows it to the person who typed it)."""
    req = Request(user=body.get("user_id", ""), user_name=body.get("user_name", ""),
                  channel=body.get("channel_id", ""), trigger_id=body.get("trigger_id", ""),
                  args=str(body.get("text") or "")[:500])
    answer = dispatch(services, req)
    if answer:
        ack(response_type="ephemeral", **answer)
    else:
        ack()  # SILENT: a modal opened; Slack shows nothing for an empty ack
