"""A host's part of the App Home: their events (check-in open, coming, past) with the actions of
`/badges event show`, and a New event button."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.domain.checkin import QrMode
from bot.domain.times import window_text
from bot.domain.wording import plural
from bot.usecases.campus_events.hosting import EventView
from bot.usecases.homes import HostedEvents
from handlers.slack.blocks.kit import (
    Block,
    actions,
    button,
    context,
    escape,
    header,
    section,
)

NEW_EVENT_ACTION = "home_event_new"
POSTER_ACTION = "home_event_poster"
DOOR_SCREEN_ACTION = "home_event_door_screen"  # URL buttons: Slack still sends the click, the fallback acks it
ATTENDANCE_ACTION = "home_event_attendance"

Link = Callable[[EventView], str]


def host_section(events: HostedEvents, now: dt.datetime, tz: dt.tzinfo, *, door_screen: Link,
                 attendance: Link) -> list[Block]:
    blocks: list[Block] = [
        header("Your events"),
        section(_summary(events), accessory=button("New event", NEW_EVENT_ACTION, style="primary")),
    ]
    for event in events.open:
        blocks += _event(event, ":large_green_circle: check-in open", tz, door_screen, attendance)
    for event in events.upcoming:
        opens = window_text(event.opens_at, event.closes_at, tz)
        blocks += _event(event, f":calendar: check-in {opens}", tz, door_screen, attendance)
    if events.past:
        lines = [f"*#{e.id} {escape(e.name)}*, {e.starts_at.astimezone(tz):%b %-d, %Y} · "
                 f"{plural(e.checkin_count, 'check-in')} · <{attendance(e)}|attendance (CSV)>" for e in events.past]
        more = f"\n…{events.past_total - len(events.past)} earlier: `/badges event list all`" \
            if events.past_total > len(events.past) else ""
        blocks.append(section("*Past events*\n" + "\n".join(lines) + more))
    if events.open or events.upcoming or events.past:
        blocks.append(context("Door-screen and attendance links are yours alone: anyone who has one can use it. "
                              "`/badges event award <number> @person` for paper sign-ins."))
    return blocks


def _summary(events: HostedEvents) -> str:
    if not (events.open or events.upcoming):
        return "None of your events is open or coming up."
    return f"Check-in open at {plural(len(events.open), 'event')}; {len(events.upcoming)} coming up."


def _event(event: EventView, state: str, tz: dt.tzinfo, door_screen: Link, attendance: Link) -> list[Block]:
    count = f"{event.checkin_count} checked in" + (f" of {event.capacity}" if event.capacity else "")
    where = f" · {escape(event.location)}" if event.location else ""
    text = (f"*#{event.id} {escape(event.name)}*\n{window_text(event.starts_at, event.ends_at, tz)}{where}\n"
            f"{state} · {count} · _{escape(event.souvenir_name)}_")
    if event.qr_mode is QrMode.ROTATING:
        show = button("Door screen", DOOR_SCREEN_ACTION, url=door_screen(event))
    else:
        show = button("Send me the poster", POSTER_ACTION, str(event.id))
    return [section(text), *actions(show, button("Attendance (CSV)", ATTENDANCE_ACTION, url=attendance(event)))]
