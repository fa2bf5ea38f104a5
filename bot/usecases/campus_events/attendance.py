"""Who checked in at a campus event, for its host: the list, and the CSV a spreadsheet opens."""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import select

from bot.domain.spreadsheet import safe_cell
from bot.errors import NotFound
from bot.usecases.campus_events.hosting import EventView, hosted
from bot.usecases.context import Context
from models import CheckIn, Event, Learner

UTC = dt.timezone.utc
ATTENDANCE_COLUMNS = ["learner_slack_id", "learner_name", "checked_in_at_utc", "checked_in_local", "method"]


@dataclass(frozen=True)
class Attendee:
    learner: str
    name: str
    checked_in_at: dt.datetime
    method: str


def attendance(ctx: Context, actor: str | None, number: int | None = None,
               public_id: str | None = None) -> tuple[EventView, list[Attendee]]:
    """Who checked in, in order. By number for a host; by the display link's id for whoever holds it."""
    with ctx.reading() as session:
        if public_id is not None:
            event = session.scalar(select(Event).where(Event.public_id == public_id))
            if event is None:
                raise NotFound("There is no such event.")
        else:
            assert actor is not None and number is not None
            event = hosted(session, ctx, actor, number)
        rows = session.execute(
            select(Learner.slack_user_id, Learner.display_name, CheckIn.checked_in_at, CheckIn.method)
            .join(Learner, Learner.id == CheckIn.learner_id)
            .where(CheckIn.event_id == event.id).order_by(CheckIn.checked_in_at, CheckIn.id)
        ).all()
        return EventView.of(event), [Attendee(*row) for row in rows]


def write_attendance_csv(event: EventView, attendees: list[Attendee], out: TextIO, tz: dt.tzinfo = UTC) -> int:
    """The attendance as CSV (times in UTC and in `tz`); returns how many rows it wrote."""
    writer = csv.writer(out)
    writer.writerow(ATTENDANCE_COLUMNS)
    for person in attendees:
        local = person.checked_in_at.astimezone(tz)
        writer.writerow([person.learner, safe_cell(person.name), person.checked_in_at.isoformat(timespec="seconds"),
                         f"{local:%Y-%m-%d %H:%M:%S}", person.method])
    return len(attendees)
