"""The event forms: a host's new event, and the people picker of a bulk award.

`draft_from_form` turns the new-event form into an EventDraft; what the draft may be is the use case's
to say (bot/usecases/campus_events/hosting.py), and its refusals come back as errors under a field.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack

from bot.domain.checkin import QrMode
from bot.errors import InvalidInput
from bot.usecases.campus_events import checkin as checkin_uc
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.campus_events.hosting import EventDraft
from handlers.attendance_links import attendance_link
from handlers.slack.blocks import events as event_blocks
from handlers.slack.guard import guarded
from handlers.slack.posters import send_poster

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

# The use case names fields; these are the form's blocks that show their errors.
FIELD_BLOCKS = {"name": "name", "souvenir": "souvenir", "location": "location", "ends": "end",
                "closes": "closes_after", "opens": "opens_before", "capacity": "capacity", "period": "mode"}


@guarded
def event_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: "Badgebot") -> None:
    user = body["user"]["id"]
    try:
        draft = draft_from_form(view.get("state", {}).get("values", {}), ZoneInfo(services.settings.timezone))
        created = hosting_uc.create_event(services.ctx, user, draft)
    except FormErrors as errors:
        return ack(response_action="errors", errors=errors.errors)
    except InvalidInput as exc:
        return ack(response_action="errors", errors={FIELD_BLOCKS.get(exc.field or "", "name"): str(exc)})
    ack()
    blocks = event_blocks.event_blocks(
        created, services.ctx.clock(), ZoneInfo(services.settings.timezone), created_now=True,
        door_screen=services.urls.event_display(created.public_id),
        attendance=attendance_link(services, created.public_id))
    services.slack.chat_postMessage(channel=services.workspace.dm_channel(user),
                                    text=f"Event #{created.id} created: {created.name}", blocks=blocks)
    services.homes.publish(user)  # the new event in the host's App Home
    if created.qr_mode is QrMode.POSTER:
        send_poster(services, user, created.id)


@guarded
def award_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: "Badgebot") -> None:
    user = body["user"]["id"]
    metadata = str(view.get("private_metadata", ""))  # the event's number
    picked = (((view.get("state", {}).get("values", {}).get("people") or {}).get("people") or {})
              .get("selected_users") or [])
    if not picked:
        return ack(response_action="errors", errors={"people": "Pick at least one person."})
    if not metadata.isdigit():
        return ack(response_action="errors", errors={"people": "This form is out of date; close it and try again."})
    ack()
    result = checkin_uc.award_at_event(services.ctx, user, int(metadata), [(p, None) for p in picked])
    services.workspace.tell(user, event_blocks.award_answer(result, int(metadata)))
    services.delivery.kick()


class FormErrors(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def draft_from_form(values: dict[str, Any], tz: dt.tzinfo) -> EventDraft:
    """The new-event form's state as an EventDraft (times in the program's time zone)."""
    def get(block: str) -> dict[str, Any]:
        return (values.get(block) or {}).get(block) or {}

    def text(block: str) -> str:
        return str(get(block).get("value") or "").strip()

    def option(block: str) -> str:
        return str((get(block).get("selected_option") or {}).get("value") or "")

    errors: dict[str, str] = {}

    def whole(block: str, default: int | None, low: int, high: int) -> int | None:
        raw = text(block)
        if not raw:
            return default
        try:
            number = int(raw)
        except ValueError:
            errors[block] = "Type a whole number."
            return default
        if not low <= number <= high:
            errors[block] = f"Between {low} and {high}."
        return number

    def moment(date_block: str, time_block: str, fallback_date: str | None = None) -> dt.datetime | None:
        day = get(date_block).get("selected_date") or fallback_date
        time = get(time_block).get("selected_time")
        if not day or not time:
            errors[time_block if day else date_block] = "Pick a date and a time."
            return None
        try:
            local = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time))
        except ValueError:
            errors[time_block] = "That is not a valid date and time."
            return None
        return local.replace(tzinfo=tz).astimezone(dt.timezone.utc)

    starts = moment("date", "start")
    ends = moment("end_date", "end", get("date").get("selected_date"))
    opens_before = whole("opens_before", event_blocks.DEFAULT_OPENS_BEFORE_MINUTES, 0, 720)
    closes_after = whole("closes_after", 0, -720, 720)
    capacity = whole("capacity", None, 1, 100_000)
    souvenir = option("souvenir")
    if not souvenir:
        errors["souvenir"] = "Pick the souvenir the event awards."
    if errors or starts is None or ends is None:
        raise FormErrors(errors or {"date": "Pick a date and a time."})
    return EventDraft(
        name=text("name"), souvenir=souvenir, starts_at=starts, ends_at=ends,
        opens_at=starts - dt.timedelta(minutes=opens_before or 0),
        closes_at=ends + dt.timedelta(minutes=closes_after or 0), location=text("location"), capacity=capacity,
        qr_mode=QrMode(option("mode") or QrMode.ROTATING.value),
    )
