"""`/badges event ...` for hosts, `/badges claim` for learners, and the listeners of the event forms.

Listeners only parse, call one use case in bot/usecases/events.py and render with the pure Block Kit
builders below. Slow work that follows an answer (rendering and uploading a poster) runs after the ack.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.domain.checkin import DEFAULT_OPENS_BEFORE, QrMode
from bot.errors import BadgebotError, InvalidInput, NotAllowed
from bot.adapters.poster import poster_for, window_text
from bot.usecases import events as events_uc
from bot.usecases.events import CheckInRefused, EventDraft, EventView
from handlers.slack.blockkit import Block, context, escape, fit, header, plain, section
from handlers.slack.commands import Reply, Request, reply, subcommand

DEFAULT_OPENS_BEFORE_MINUTES = int(DEFAULT_OPENS_BEFORE.total_seconds() // 60)

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from handlers.bootstrap import Badgebot

log = logging.getLogger("badgebot.events")
EVENT_FORM = "event_new"
AWARD_FORM = "event_award"
SORRY = "Something went wrong on our side. Please try again in a minute."
MAX_OPTIONS = 100  # Slack's limit for a static select
# Form errors from the use case name fields; these are the form's blocks that show them.
FIELD_BLOCKS = {"name": "name", "souvenir": "souvenir", "location": "location", "ends": "end",
                "closes": "closes_after", "opens": "opens_before", "capacity": "capacity", "period": "mode"}

EventCommand = Callable[["Badgebot", Request], Reply]
EVENT_COMMANDS: dict[str, tuple[str, EventCommand]] = {}


def event_command(name: str, usage: str = "") -> Callable[[EventCommand], EventCommand]:
    def add(fn: EventCommand) -> EventCommand:
        EVENT_COMMANDS[name] = (usage, fn)
        return fn
    return add


def _tz(bot: "Badgebot") -> ZoneInfo:
    return ZoneInfo(bot.settings.timezone)


def _number(text: str) -> tuple[int, str]:
    """`#12 rest...` or `12 rest...` -> (12, "rest...")."""
    first, _, rest = text.strip().partition(" ")
    digits = first.lstrip("#")
    if not digits.isdigit():
        raise InvalidInput("Name the event by its number, e.g. `#12`. `/badges event list` shows your events.")
    return int(digits), rest.strip()


# -- learners ----------------------------------------------------------------------------------------


def claim(bot: "Badgebot", req: Request) -> Reply:
    """`/badges claim <code>`: check in with the code shown at the event, without the web."""
    code = req.args.strip()
    if not code:
        raise InvalidInput("Type the code shown at the event: `/badges claim CODE`.")
    tz = _tz(bot)
    try:
        result = events_uc.check_in(bot.ctx, bot.signer, code, req.user, req.user_name or None, method="code", tz=tz)
    except CheckInRefused as refused:
        return reply(f":no_entry: {refused}")
    bot.delivery.kick()
    return reply(f":white_check_mark: {result.message(tz)}")


# -- hosts -------------------------------------------------------------------------------------------


@subcommand("event", "new|list|show|close|award|poster|attendance …")
def event(bot: "Badgebot", req: Request) -> Reply:
    """(Hosts) Create and run events that award a souvenir by QR check-in; `/badges event help` for more."""
    name, _, args = req.args.strip().partition(" ")
    name = name.lower() or "help"
    if name not in EVENT_COMMANDS:
        return reply(f"I don't know `/badges event {escape(name[:40])}`. Try `/badges event help`.")
    _, handler = EVENT_COMMANDS[name]
    return handler(bot, Request(req.user, req.user_name, req.channel, req.trigger_id, args))


@event_command("help")
def event_help(bot: "Badgebot", req: Request) -> Reply:
    """This list."""
    lines = [f"`/badges event {name}{' ' + usage if usage else ''}` — {(fn.__doc__ or '').strip().splitlines()[0]}"
             for name, (usage, fn) in EVENT_COMMANDS.items() if name != "help"]
    return reply("Event commands", [section("*Events* (for hosts)\n" + "\n".join(lines))])


@event_command("new")
def event_new(bot: "Badgebot", req: Request) -> Reply:
    """Create an event: a form for its name, souvenir, times, check-in window, capacity and QR mode."""
    if not bot.ctx.is_host(req.user):
        raise NotAllowed("Only event hosts can create events. Ask a program administrator to add you to the "
                         "hosts in the catalog.")
    souvenirs = events_uc.souvenir_choices(bot.ctx)
    if not souvenirs:
        raise InvalidInput("The catalog has no souvenirs yet; an administrator adds them first.")
    today = bot.ctx.clock().astimezone(_tz(bot)).date()
    bot.slack.views_open(trigger_id=req.trigger_id, view=event_modal(souvenirs, today, bot.settings.timezone))
    return reply("Opening the event form…")


@event_command("list", "[all]")
def event_list(bot: "Badgebot", req: Request) -> Reply:
    """Your upcoming and open events (`all`: past ones too), with their check-in counts."""
    found = events_uc.list_events(bot.ctx, req.user, include_over=req.args.strip().lower() == "all")
    return reply(f"{len(found)} event(s)", event_list_blocks(found, bot.ctx.clock(), _tz(bot)))


@event_command("show", "<event>")
def event_show(bot: "Badgebot", req: Request) -> Reply:
    """An event's details, its live count, the door-screen link and the attendance export."""
    number, _ = _number(req.args)
    found = events_uc.event_for_host(bot.ctx, req.user, number)
    return reply(f"Event #{found.id}: {found.checkin_count} checked in", event_blocks(found, bot, bot.ctx.clock()))


@event_command("close", "<event>")
def event_close(bot: "Badgebot", req: Request) -> Reply:
    """End check-in now (bulk awards still work afterwards)."""
    number, _ = _number(req.args)
    closed = events_uc.close_event(bot.ctx, req.user, number)
    return reply(f":lock: Check-in for *{escape(closed.name)}* (#{closed.id}) is closed: "
                 f"{closed.checkin_count} checked in.")


MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>|\b([UW][A-Z0-9]{6,})\b")


@event_command("award", "<event> @person …")
def event_award(bot: "Badgebot", req: Request) -> Reply:
    """Check people in by hand and award the souvenir (members, paper sign-ins); no names opens a picker."""
    number, rest = _number(req.args)
    people = {m.group(1) or m.group(3): (m.group(2) or None) for m in MENTION.finditer(rest)}
    unresolved = [word for word in MENTION.sub(" ", rest).split() if word.startswith("@")]
    if unresolved:
        raise InvalidInput(f"Slack sent me the name {escape(unresolved[0][:40])}, not the person. Use "
                           f"`/badges event award {number}` with no names to pick people from a list.")
    if not people:
        found = events_uc.event_for_host(bot.ctx, req.user, number)
        bot.slack.views_open(trigger_id=req.trigger_id, view=award_modal(found))
        return reply("Opening the list of people…")
    return reply(award_answer(events_uc.award_at_event(bot.ctx, req.user, number, people.items()), number))


@event_command("poster", "<event>")
def event_poster(bot: "Badgebot", req: Request) -> Reply:
    """Send yourself the event's printable check-in poster (PNG)."""
    number, _ = _number(req.args)
    found = events_uc.event_for_host(bot.ctx, req.user, number)
    if found.qr_mode is not QrMode.POSTER:
        raise InvalidInput(f"#{found.id} uses a rotating code on a screen (a printed code could be passed around "
                           "all evening). Open its door-screen link from `/badges event show "
                           f"{found.id}`.")
    in_background(bot, req.user, lambda: send_poster(bot, req.user, number))
    return reply(f"Making the poster for *{escape(found.name)}*; it arrives in your messages with me in a moment.")


@event_command("attendance", "<event>")
def event_attendance(bot: "Badgebot", req: Request) -> Reply:
    """Who checked in, as a CSV file (a link only you receive)."""
    from handlers.web.checkin import attendance_url

    number, _ = _number(req.args)
    found, people = events_uc.attendance(bot.ctx, req.user, number)
    link = attendance_url(bot.public_url, found.public_id)
    return reply(f"{len(people)} checked in at {found.name}",
                 [section(f"*{escape(found.name)}*: {len(people)} checked in.\n<{link}|Download the attendance "
                          "(CSV)>. The link is yours alone: anyone who has it can download the list.")])


def send_poster(bot: "Badgebot", user: str, number: int) -> None:
    """Render the poster and upload it into the host's DM (the external upload flow)."""
    found, png = poster_for(bot, bot.signer, user, number)
    bot.slack.files_upload_v2(
        channel=bot.workspace.dm_channel(user), file=png, filename=f"event-{found.id}-poster.png",
        title=f"Check-in poster: {found.name}",
        initial_comment=(f":printer: The check-in poster for *{found.name}* (#{found.id}). Its code works only "
                         f"during check-in, {window_text(found.opens_at, found.closes_at, _tz(bot))}."))


def in_background(bot: "Badgebot", user: str, work: Callable[[], None]) -> None:
    """Run `work` after the ack (Slack wants an answer within 3 s); tell the user if it fails."""
    def run() -> None:
        try:
            work()
        except BadgebotError as exc:
            bot.workspace.tell(user, f":warning: {exc}")
        except Exception:  # noqa: BLE001 - logged, and the user is told plainly
            log.exception("background event work for %s failed", user)
            try:
                bot.workspace.tell(user, SORRY)
            except Exception:  # noqa: BLE001 - telling is best effort
                log.exception("could not tell %s", user)

    threading.Thread(target=run, name="event-work", daemon=True).start()


# -- the forms' listeners ----------------------------------------------------------------------------


def register(app: "App", bot: "Badgebot") -> None:
    """Wire the event forms. Call before handlers.slack.listeners.register, whose catch-alls come last."""
    from handlers.slack.listeners import guarded

    guard = guarded(bot)

    @app.view(EVENT_FORM)
    @guard
    def event_form(ack: "Ack", body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        tz = _tz(bot)
        try:
            draft = draft_from_form(view.get("state", {}).get("values", {}), tz)
            created = events_uc.create_event(bot.ctx, user, draft)
        except FormErrors as errors:
            return ack(response_action="errors", errors=errors.errors)
        except InvalidInput as exc:
            return ack(response_action="errors", errors={FIELD_BLOCKS.get(exc.field or "", "name"): str(exc)})
        ack()
        bot.slack.chat_postMessage(channel=bot.workspace.dm_channel(user), text=f"Event #{created.id} created: {created.name}",
                                    blocks=event_blocks(created, bot, bot.ctx.clock(), created_now=True))
        if created.qr_mode is QrMode.POSTER:
            send_poster(bot, user, created.id)

    @app.view(AWARD_FORM)
    @guard
    def award_form(ack: "Ack", body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        metadata = str(view.get("private_metadata", ""))
        picked = (((view.get("state", {}).get("values", {}).get("people") or {}).get("people") or {})
                  .get("selected_users") or [])
        if not picked:
            return ack(response_action="errors", errors={"people": "Pick at least one person."})
        if not metadata.isdigit():
            return ack(response_action="errors", errors={"people": "This form is out of date; close it and try again."})
        ack()
        result = events_uc.award_at_event(bot.ctx, user, int(metadata), [(p, None) for p in picked])
        bot.workspace.tell(user, award_answer(result, int(metadata)))
        bot.delivery.kick()


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
    opens_before = whole("opens_before", DEFAULT_OPENS_BEFORE_MINUTES, 0, 720)
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


# -- Block Kit (pure) --------------------------------------------------------------------------------


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
            _input("name", "Event name", {"type": "plain_text_input", "max_length": events_uc.MAX_NAME}),
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
                    "max_value": "720"}, optional=True, hint="Negative: before the end (e.g. -60 for the first hour only)."),
            _input("location", "Location", {"type": "plain_text_input", "max_length": events_uc.MAX_LOCATION},
                   optional=True),
            _input("capacity", "Capacity", {"type": "number_input", "is_decimal_allowed": False, "min_value": "1"},
                   optional=True, hint="Leave empty for no limit."),
            _input("mode", "QR code", {"type": "radio_buttons", "options": modes, "initial_option": modes[0]}),
        ],
    }


def award_modal(found: EventView) -> Block:
    return {
        "type": "modal", "callback_id": AWARD_FORM, "private_metadata": str(found.id),
        "title": plain("Award souvenir", 24), "submit": plain("Award", 24), "close": plain("Cancel", 24),
        "blocks": [
            section(f"Check people in at *{escape(found.name)}* by hand and award *{escape(found.souvenir_name)}*."),
            _input("people", "People", {"type": "multi_users_select", "placeholder": plain("Pick people")}),
        ],
    }


def award_answer(result: events_uc.BulkResult, number: int) -> str:
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


STATE_LABELS = {"upcoming": "check-in not open yet", "open": ":large_green_circle: check-in open", "over": "over"}


def event_list_blocks(found: list[EventView], now: dt.datetime, tz: dt.tzinfo) -> list[Block]:
    if not found:
        return [section("No events yet. `/badges event new` creates one.")]
    blocks: list[Block] = [header("Your events")]
    for item in found:
        blocks.append(section(
            f"*#{item.id} {escape(item.name)}*\n{_when(item, tz)} · {STATE_LABELS[item.state_at(now)]} · "
            f"{_count(item)}\n_{escape(item.souvenir_name)}_"))
    blocks.append(context("`/badges event show <number>` for an event's links; `/badges event list all` for past ones."))
    return fit(blocks)


def event_blocks(found: EventView, bot: "Badgebot", now: dt.datetime, *, created_now: bool = False) -> list[Block]:
    """An event for its host: details, count, and (privately) the door-screen and attendance links."""
    from handlers.web.checkin import attendance_url, display_url

    tz = _tz(bot)
    details = [f"*When*\n{_when(found, tz)}",
               f"*Check-in*\n{window_text(found.opens_at, found.closes_at, tz)}",
               f"*Souvenir*\n{escape(found.souvenir_name)}",
               f"*Checked in*\n{_count(found)} ({STATE_LABELS[found.state_at(now)]})"]
    if found.location:
        details.append(f"*Where*\n{escape(found.location)}")
    details.append(f"*QR code*\n{found.qr_mode.label}")
    title = f":calendar: Created *#{found.id} {escape(found.name)}*." if created_now else f"*#{found.id} {escape(found.name)}*"
    blocks = [section(title, fields=details)]
    if found.qr_mode is QrMode.ROTATING:
        blocks.append(section(
            f"<{display_url(bot.public_url, found.public_id)}|Open the door screen> on the laptop or screen at the "
            f"entrance: it shows a QR code that changes every {found.period_seconds} seconds, and the count. Keep "
            "the link to yourself: anyone with it can show the code."))
    else:
        blocks.append(section("Print the poster and put it at the door"
                              + (": it is on its way." if created_now else f": `/badges event poster {found.id}`.")))
    blocks.append(context(f"<{attendance_url(bot.public_url, found.public_id)}|Attendance (CSV)> · "
                          f"`/badges event award {found.id} @person` for paper sign-ins · "
                          f"`/badges event close {found.id}` to end check-in"))
    return blocks
