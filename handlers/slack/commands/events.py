"""`/badges claim` for learners and `/badges event …` for hosts: campus events and check-in.

Each subcommand parses, calls one use case in bot/usecases/campus_events and renders with
handlers/slack/blocks/events.py; the poster is drawn and uploaded after the ack.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.wording import plural
from bot.errors import InvalidInput
from bot.usecases.campus_events import attendance as attendance_uc
from bot.usecases.campus_events import checkin as checkin_uc
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.campus_events.checkin import CheckInRefused
from handlers.attendance_links import attendance_link
from handlers.slack.blocks import events as event_blocks
from handlers.slack.blocks.kit import escape, section
from handlers.slack.commands.registry import (
    EVENT_SUBCOMMANDS, SILENT, Reply, Request, Subcommand, help_lines, reply, route, subcommand,
)
from handlers.slack.guard import in_background
from handlers.slack.posters import send_poster

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

# A person named in a slash command: `<@U123|label>` (Slack's escaping) or a bare user id.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|\b([UW][A-Z0-9]{6,})\b")


def event_subcommand(name: str, usage: str = "") -> Callable[[Subcommand], Subcommand]:
    return subcommand(name, usage, into=EVENT_SUBCOMMANDS)


def zone(services: "Badgebot") -> ZoneInfo:
    return ZoneInfo(services.settings.timezone)


def event_number(text: str) -> tuple[int, str]:
    """`#12 rest...` or `12 rest...` -> (12, "rest...")."""
    first, _, rest = text.strip().partition(" ")
    digits = first.lstrip("#")
    if not digits.isdigit():
        raise InvalidInput("Name the event by its number, e.g. `#12`. `/badges event list` shows your events.")
    return int(digits), rest.strip()


# -- learners ----------------------------------------------------------------------------------------


@subcommand("claim", "<code>")
def claim(services: "Badgebot", req: Request) -> Reply:
    """Claim an event's souvenir with the code shown at the event."""
    code = req.args.strip()
    if not code:
        raise InvalidInput("Type the code shown at the event: `/badges claim CODE`.")
    tz = zone(services)
    name = services.ctx.learner_name(req.user, req.user_name or None)  # the profile's name, not the handle
    try:
        result = checkin_uc.check_in(services.ctx, services.signer, code, req.user, name, method="code", tz=tz)
    except CheckInRefused as refused:
        return reply(f":no_entry: {refused}")
    services.delivery.kick()
    return reply(f":white_check_mark: {result.message(tz)}")


# -- hosts -------------------------------------------------------------------------------------------


@subcommand("event", "new|list|show|close|award|poster|attendance …")
def event(services: "Badgebot", req: Request) -> Reply:
    """(Hosts) Create and run events that award a souvenir by QR check-in; `/badges event help` for more."""
    return route(services, req, EVENT_SUBCOMMANDS, "/badges event", default="help")


@event_subcommand("help")
def event_help(services: "Badgebot", req: Request) -> Reply:
    """This list."""
    lines = help_lines(EVENT_SUBCOMMANDS, "/badges event", skip=("help",))
    return reply("Event commands", [section("*Events* (for hosts)\n" + "\n".join(lines))])


@event_subcommand("new")
def event_new(services: "Badgebot", req: Request) -> Reply:
    """Create an event: a form for its name, souvenir, times, check-in window, capacity and QR mode."""
    souvenirs = hosting_uc.souvenir_choices(services.ctx, req.user)
    if not souvenirs:
        raise InvalidInput("The catalog has no souvenirs yet; an administrator adds them first.")
    today = services.ctx.clock().astimezone(zone(services)).date()
    services.slack.views_open(trigger_id=req.trigger_id,
                              view=event_blocks.event_modal(souvenirs, today, services.settings.timezone))
    return SILENT


@event_subcommand("list", "[all]")
def event_list(services: "Badgebot", req: Request) -> Reply:
    """Your upcoming and open events (`all`: past ones too), with their check-in counts."""
    found = hosting_uc.list_events(services.ctx, req.user, include_over=req.args.strip().lower() == "all")
    return reply(plural(len(found), "event"), event_blocks.event_list_blocks(found, services.ctx.clock(), zone(services)))


@event_subcommand("show", "<event>")
def event_show(services: "Badgebot", req: Request) -> Reply:
    """An event's details, its live count, the door-screen link and the attendance export."""
    number, _ = event_number(req.args)
    found = hosting_uc.event_for_host(services.ctx, req.user, number)
    return reply(f"Event #{found.id}: {found.checkin_count} checked in", event_blocks.event_blocks(
        found, services.ctx.clock(), zone(services), door_screen=services.urls.event_display(found.public_id),
        attendance=attendance_link(services, found.public_id)))


@event_subcommand("close", "<event>")
def event_close(services: "Badgebot", req: Request) -> Reply:
    """End check-in now (bulk awards still work afterwards)."""
    number, _ = event_number(req.args)
    closed = hosting_uc.close_event(services.ctx, req.user, number)
    return reply(f":lock: Check-in for *{escape(closed.name)}* (#{closed.id}) is closed: "
                 f"{closed.checkin_count} checked in.")


@event_subcommand("award", "<event> @person …")
def event_award(services: "Badgebot", req: Request) -> Reply:
    """Check people in by hand and award the souvenir (members, paper sign-ins); no names opens a picker."""
    number, rest = event_number(req.args)
    # A mention's label is whatever name Slack showed the host, not the learner's own: it never becomes
    # their name (the use case asks Slack's profile for each person's own).
    people = list(dict.fromkeys(m.group(1) or m.group(2) for m in MENTION.finditer(rest)))
    unresolved = [word for word in MENTION.sub(" ", rest).split() if word.startswith("@")]
    if unresolved:
        raise InvalidInput(f"Slack sent me the name {escape(unresolved[0][:40])}, not the person. Use "
                           f"`/badges event award {number}` with no names to pick people from a list.")
    if not people:
        found = hosting_uc.event_for_host(services.ctx, req.user, number)
        services.slack.views_open(trigger_id=req.trigger_id, view=event_blocks.award_modal(found))
        return SILENT
    result = checkin_uc.award_at_event(services.ctx, req.user, number, [(p, None) for p in people])
    return reply(event_blocks.award_answer(result, number))


@event_subcommand("poster", "<event>")
def event_poster(services: "Badgebot", req: Request) -> Reply:
    """Send yourself the event's printable check-in poster (PNG)."""
    number, _ = event_number(req.args)
    found = hosting_uc.poster_event(services.ctx, req.user, number)
    in_background(services, req.user, lambda: send_poster(services, req.user, number))
    return reply(f"Making the poster for *{escape(found.name)}*; it arrives in your messages with me in a moment.")


@event_subcommand("attendance", "<event>")
def event_attendance(services: "Badgebot", req: Request) -> Reply:
    """Who checked in, as a CSV file (a link only you receive)."""
    number, _ = event_number(req.args)
    found, people = attendance_uc.attendance(services.ctx, req.user, number)
    return reply(f"{len(people)} checked in at {found.name}",
                 event_blocks.attendance_answer(found, len(people), attendance_link(services, found.public_id)))
