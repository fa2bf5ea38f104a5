"""What event hosts see: the new-event and award forms, their events, and bulk-award answers."""
from __future__ import annotations

import datetime as dt

from bot.domain.checkin import DEFAULT_OPENS_BEFORE, QrMode
from bot.domain.times import window_text
from bot.usecases.campus_events.checkin import BulkResult
from bot.usecases.campus_events.hosting import MAX_LOCATION, MAX_NAME, EventView
from handlers.slack.blocks.kit import Block, context, escape, fit, header, plain, section

EVENT_FORM = "event_new"
AWARD_FORM = "event_award"
MAX_OPTIONS = 100  # Slack's limit for a static select
DEFAULT_OPENS_BEFORE_MINUTES = int(DEFAULT_OPENS_BEFORE.total_seconds() // 60)
STATE_LABELS = {"upcoming": "check-in not open yet", "open": ":large_green_circle: check-in open", "over": "over"}


def _input(block_id: str, label: str, element: Block, *, optional: bool = False, hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label, 2000),
                    "element": {**element, "action_id": block_id}, "optional": optional}
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def event_modal(souvenirs: list[tuple[str, str]], today: dt.date, timezone: str) -> Block:
    """The `/badges event new` form; every block id is also its element's action id."""
    options = [{"text": plain(name, 75), "value": slug} for slug, name in souvenirs[:MAX_OPTIONS]]
    modes = [{"text": plain("Rotating code on a screen at the door (recommended)", 75), "value": QrMode.ROTATING.value},
             {"text": plain("Printed poster", 75), "value": QrMode.POSTER.value}]
    return {
        "type": "modal", "callback_id": EVENT_FORM, "title": plain("New event", 24), "submit": plain("Create", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            _input("name", "Event name", {"type": "plain_text_input", "max_length": MAX_NAME}),
            _input("souvenir", "Souvenir it awards", {"type": "static_select", "options": options,
                                                       "placeholder": plain("Pick a souvenir")}),
            _input("date", "Date", {"type": "datepicker", "initial_date": today.isoformat()}),
            _input("start", "Starts", {"type": "timepicker", "initial_time": "18:00"}, hint=f"Times are {timezone}."),
            _input("end_date", "End date", {"type": "datepicker"}, optional=True,
                   hint="Leave empty when it ends the same day."),
            _input("end", "Ends", {"type": "timepicker", "initial_time": "20:00"}),
            _input("opens_before", "Check-in opens, minutes before the start",
                   {"type": "number_input", "is_decimal_allowed": False,
                    "initial_value": str(DEFAULT_OPENS_BEFORE_MINUTES), "min_value": "0",
                    "max_value": "720"}, optional=True),
            _input("closes_after", "Check-in closes, minutes after the end",
                   {"type": "number_input", "is_decimal_allowed": False, "initial_value": "0", "min_value": "-720",
                    "max_value": "720"}, optional=True,
                   hint="Negative: before the end (e.g. -60 for the first hour only)."),
            _input("location", "Location", {"type": "plain_text_input", "max_length": MAX_LOCATION}, optional=True),
            _input("capacity", "Capacity", {"type": "number_input", "is_decimal_allowed": False, "min_value": "1"},
                   optional=True, hint="Leave empty for no limit."),
            _input("mode", "QR code", {"type": "radio_buttons", "options": modes, "initial_option": modes[0]}),
        ],
    }


def award_modal(found: EventView) -> Block:
    """The people picker of `/badges event award <event>` with no names."""
    return {
        "type": "modal", "callback_id": AWARD_FORM, "private_metadata": str(found.id),
        "title": plain("Award souvenir", 24), "submit": plain("Award", 24), "close": plain("Cancel", 24),
        "blocks": [
            section(f"Check people in at *{escape(found.name)}* by hand and award *{escape(found.souvenir_name)}*."),
            _input("people", "People", {"type": "multi_users_select", "placeholder": plain("Pick people")}),
        ],
    }


def award_answer(result: BulkResult, number: int) -> str:
    parts = []
    if result.checked_in:
        parts.append(f":white_check_mark: Checked in and awarded at #{number}: "
                     + ", ".join(f"<@{u}>" for u in result.checked_in) + ".")
    if result.already:
        parts.append("Already checked in: " + ", ".join(f"<@{u}>" for u in result.already) + ".")
    return " ".join(parts) or "Nobody to award."


def _when(found: EventView, tz: dt.tzinfo) -> str:
    return window_text(found.starts_at, found.ends_at, tz)


def _count(found: EventView) -> str:
    return f"{found.checkin_count} checked in" + (f" of {found.capacity}" if found.capacity else "")


def event_list_blocks(found: list[EventView], now: dt.datetime, tz: dt.tzinfo) -> list[Block]:
    if not found:
        return [section("No events yet. `/badges event new` creates one.")]
    blocks: list[Block] = [header("Your events")]
    for item in found:
        blocks.append(section(
            f"*#{item.id} {escape(item.name)}*\n{_when(item, tz)} · {STATE_LABELS[item.state_at(now)]} · "
            f"{_count(item)}\n_{escape(item.souvenir_name)}_"))
    blocks.append(context("`/badges event show <number>` for an event's links; "
                          "`/badges event list all` for past ones."))
    return fit(blocks)


def event_blocks(found: EventView, now: dt.datetime, tz: dt.tzinfo, *, door_screen: str, attendance: str,
                 created_now: bool = False) -> list[Block]:
    """An event for its host: details, count, and (privately) the door-screen and attendance links."""
    details = [f"*When*\n{_when(found, tz)}",
               f"*Check-in*\n{window_text(found.opens_at, found.closes_at, tz)}",
               f"*Souvenir*\n{escape(found.souvenir_name)}",
               f"*Checked in*\n{_count(found)} ({STATE_LABELS[found.state_at(now)]})"]
    if found.location:
        details.append(f"*Where*\n{escape(found.location)}")
    details.append(f"*QR code*\n{found.qr_mode.label}")
    name = f"*#{found.id} {escape(found.name)}*"
    title = f":calendar: Created {name}." if created_now else name
    blocks = [section(title, fields=details)]
    if found.qr_mode is QrMode.ROTATING:
        blocks.append(section(
            f"<{door_screen}|Open the door screen> on the laptop or screen at the "
            f"entrance: it shows a QR code that changes every {found.period_seconds} seconds, and the count. Keep "
            "the link to yourself: anyone with it can show the code."))
    else:
        blocks.append(section("Print the poster and put it at the door"
                              + (": it is on its way." if created_now else f": `/badges event poster {found.id}`.")))
    blocks.append(context(f"<{attendance}|Attendance (CSV)> · "
                          f"`/badges event award {found.id} @person` for paper sign-ins · "
                          f"`/badges event close {found.id}` to end check-in"))
    return blocks


def attendance_answer(found: EventView, people: int, link: str) -> list[Block]:
    return [section(f"*{escape(found.name)}*: {people} checked in.\n<{link}|Download the attendance "
                    "(CSV)>. The link is yours alone: anyone who has it can download the list.")]
