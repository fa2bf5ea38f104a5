"""How the bot writes a time for people: in the program's time zone, as short as is still clear.

Pure: the zone and, where the day matters, `now` are passed in. The check-in messages, the door
screen and check-in pages, the Slack event blocks, the CLI and the poster all write times with these.
"""
from __future__ import annotations

import datetime as dt


def clock_time(at: dt.datetime, tz: dt.tzinfo, now: dt.datetime | None = None) -> str:
    """14:02, or "Mon 2 Mar, 14:02" when it is not the same day as `now`."""
    local = at.astimezone(tz)
    if now is not None and local.date() != now.astimezone(tz).date():
        return f"{_day(local)}, {local:%H:%M}"
    return f"{local:%H:%M}"


def window_text(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> str:
    """"Mon 2 Mar, 17:45–20:00 (UTC)", or with both dates when the window spans midnight."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    zone = str(getattr(tz, "key", None) or a.tzname() or "")
    last = f"{b:%H:%M}" if a.date() == b.date() else f"{_day(b)}, {b:%H:%M}"
    return f"{_day(a)}, {a:%H:%M}–{last}" + (f" ({zone})" if zone else "")


def _day(local: dt.datetime) -> str:
    return f"{local:%a} {local.day} {local:%b}"
