"""`badgebot event ...`: campus events from the shell, for administrators (the CLI acts as an administrator).

    badgebot event create --name "Data Viz Meetup" --souvenir data-viz-meetup --host U0HOST0001 \\
        --starts 2026-03-02T18:00 --ends 2026-03-02T20:00 [--opens ...] [--closes ...] [--location ...] \\
        [--capacity 80] [--mode rotating|poster] [--period 30]
    badgebot event list [--all] | show N | close N | award N USER_ID... | attendance N | poster N [-o FILE]

Times without an offset are in BADGEBOT_TIMEZONE.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.checkin import DEFAULT_OPENS_BEFORE, DEFAULT_PERIOD_SECONDS, QrMode
from bot.domain.submitting import human_size
from bot.domain.times import window_text
from bot.domain.wording import plural
from bot.errors import InvalidInput
from bot.usecases.campus_events import attendance as attendance_uc
from bot.usecases.campus_events import checkin as checkin_uc
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.campus_events.hosting import EventDraft, EventView, require_host
from bot.usecases.context import CLI_ACTOR
from handlers.attendance_links import attendance_link
from handlers.cli.common import open_bot
from handlers.posters import poster_for

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `event` and its subcommands to the badgebot command line."""
    event = subparsers.add_parser("event", help="events that award a souvenir by QR check-in").add_subparsers(
        dest="event_command", required=True)

    create = event.add_parser("create", help="create an event (prints its number and the host's links)")
    create.add_argument("--name", required=True, help="what learners see, e.g. \"Data Viz Meetup\"")
    create.add_argument("--souvenir", required=True, help="the souvenir's id in the catalog")
    create.add_argument("--host", required=True, help="the host's Slack user id (who runs the check-in)")
    create.add_argument("--starts", required=True, help="e.g. 2026-03-02T18:00 (BADGEBOT_TIMEZONE unless an offset)")
    create.add_argument("--ends", required=True, help="when the event ends (same format)")
    opens_before = int(DEFAULT_OPENS_BEFORE.total_seconds() // 60)
    create.add_argument("--opens", help=f"check-in opens (default: {opens_before} minutes before the start)")
    create.add_argument("--closes", help="check-in closes (default: the end)")
    create.add_argument("--location", default="", help="where (shown on the door screen and the poster)")
    create.add_argument("--capacity", type=int, help="the most people who can check in (default: no limit)")
    create.add_argument("--mode", choices=[m.value for m in QrMode], default=QrMode.ROTATING.value,
                        help="a code that changes on a screen at the door, or one printed poster "
                             "(default: %(default)s)")
    create.add_argument("--period", type=int, default=DEFAULT_PERIOD_SECONDS,
                        help="seconds a rotating code shows (default: %(default)s)")
    create.set_defaults(func=cmd_create)

    listing = event.add_parser("list", help="upcoming and open events (--all: past ones too)")
    listing.add_argument("--all", action="store_true", help="past events too")
    listing.set_defaults(func=cmd_list)

    for name, func, text in (("show", cmd_show, "an event's details, count and links"),
                             ("close", cmd_close, "end check-in now"),
                             ("attendance", cmd_attendance, "CSV of who checked in, on standard output")):
        sub = event.add_parser(name, help=text)
        sub.add_argument("number", type=int, help=NUMBER_HELP)
        sub.set_defaults(func=func)

    award = event.add_parser("award", help="check people in by hand and award the souvenir")
    award.add_argument("number", type=int, help=NUMBER_HELP)
    award.add_argument("user_ids", nargs="+", metavar="USER_ID", help="Slack user ids, e.g. U012ABCDEF")
    award.set_defaults(func=cmd_award)

    poster = event.add_parser("poster", help="write the event's printable check-in poster (PNG)")
    poster.add_argument("number", type=int, help=NUMBER_HELP)
    poster.add_argument("-o", "--output", type=Path, help="default: event-N-poster.png")
    poster.set_defaults(func=cmd_poster)


NUMBER_HELP = "the event's number (`badgebot event list` shows them)"
# A Slack user id (W… on Enterprise Grid), as Slack shows it in a profile's "Copy member ID".
USER_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")


def _app(args: argparse.Namespace) -> Badgebot:
    # The catalog is loaded first, as `badgebot serve` does: an event names its souvenir by its id.
    return open_bot(args, catalog=True)


def _tz(app: Badgebot) -> ZoneInfo:
    return ZoneInfo(app.settings.timezone)


def _time(value: str | None, tz: dt.tzinfo, flag: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{flag}: expected a date and time like 2026-03-02T18:00, got {value!r}") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(dt.timezone.utc)


def _print_event(app: Badgebot, event: EventView) -> None:
    tz = _tz(app)
    print(f"#{event.id} {event.name}")
    print(f"  when:       {window_text(event.starts_at, event.ends_at, tz)}")
    print(f"  check-in:   {window_text(event.opens_at, event.closes_at, tz)}"
          + (" (closed by the host)" if event.closed_at else ""))
    print(f"  souvenir:   {event.souvenir} ({event.souvenir_name})")
    print(f"  host:       {event.host}")
    if event.location:
        print(f"  location:   {event.location}")
    print(f"  checked in: {event.checkin_count}" + (f" of {event.capacity}" if event.capacity else ""))
    print(f"  QR code:    {event.qr_mode.label}")
    print(f"  door screen (host only): {app.urls.event_display(event.public_id)}")
    print(f"  attendance (host only):  {attendance_link(app, event.public_id)}")


def cmd_create(args: argparse.Namespace) -> int:
    if not USER_ID.match(args.host):
        raise InvalidInput(f"--host: expected a Slack user id such as U012ABCDEF, got {args.host!r}", field="host")
    app = _app(args)
    require_host(app.ctx, args.host, f"--host: {args.host} is not an event host; hosts are named under [roles] "
                                     f"hosts in the catalog ({app.settings.catalog}).")
    tz = _tz(app)
    starts, ends = _time(args.starts, tz, "--starts"), _time(args.ends, tz, "--ends")
    assert starts is not None and ends is not None
    event = hosting_uc.create_event(app.ctx, CLI_ACTOR, EventDraft(
        name=args.name, souvenir=args.souvenir, starts_at=starts, ends_at=ends,
        opens_at=_time(args.opens, tz, "--opens"), closes_at=_time(args.closes, tz, "--closes"),
        location=args.location, capacity=args.capacity, qr_mode=QrMode(args.mode), period_seconds=args.period,
        host=args.host))
    print("created:")
    _print_event(app, event)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    app = _app(args)
    found = hosting_uc.list_events(app.ctx, CLI_ACTOR, include_over=args.all)
    now = app.ctx.clock()
    for event in found:
        print(f"#{event.id:<5} {event.starts_at:%Y-%m-%d %H:%M}Z  {event.state_at(now):8}  "
              f"{event.checkin_count:>5} in  {event.name}")
    print(plural(len(found), "event"), file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    app = _app(args)
    _print_event(app, hosting_uc.event_for_host(app.ctx, CLI_ACTOR, args.number))
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    app = _app(args)
    event = hosting_uc.close_event(app.ctx, CLI_ACTOR, args.number)
    print(f"closed #{event.id} {event.name}: {event.checkin_count} checked in")
    return 0


def cmd_award(args: argparse.Namespace) -> int:
    app = _app(args)
    result = checkin_uc.award_at_event(app.ctx, CLI_ACTOR, args.number, [(u, None) for u in args.user_ids])
    for user in result.checked_in:
        print(f"checked in and awarded: {user}")
    for user in result.already:
        print(f"already checked in:     {user}")
    return 0


def cmd_attendance(args: argparse.Namespace) -> int:
    app = _app(args)
    event, people = attendance_uc.attendance(app.ctx, CLI_ACTOR, args.number)
    count = attendance_uc.write_attendance_csv(event, people, sys.stdout, _tz(app))
    print(f"{plural(count, 'check-in')} at #{event.id} {event.name}", file=sys.stderr)
    return 0


def cmd_poster(args: argparse.Namespace) -> int:
    app = _app(args)
    event, png = poster_for(app, app.signer, CLI_ACTOR, args.number)
    output = args.output or Path(f"event-{event.id}-poster.png")
    output.write_bytes(png)
    print(f"wrote {output} ({human_size(len(png))})")
    return 0
