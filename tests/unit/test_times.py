"""How times are written for people: short, in the program's time zone."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.times import clock_time, window_text

UTC = dt.timezone.utc
CHICAGO = ZoneInfo("America/Chicago")
AT = dt.datetime(2026, 3, 2, 23, 45, tzinfo=UTC)  # Monday; 17:45 in Chicago


def test_a_clock_time_names_the_day_only_when_it_is_not_today():
    assert clock_time(AT, UTC) == "23:45"
    assert clock_time(AT, UTC, AT + dt.timedelta(minutes=10)) == "23:45"
    assert clock_time(AT, UTC, AT + dt.timedelta(hours=1)) == "Mon 2 Mar, 23:45"
    assert clock_time(AT, CHICAGO, AT + dt.timedelta(hours=1)) == "17:45"  # still Monday in Chicago


def test_a_window_names_its_zone_and_both_days_when_it_spans_midnight():
    assert window_text(AT, AT + dt.timedelta(minutes=10), UTC) == "Mon 2 Mar, 23:45–23:55 (UTC)"
    assert window_text(AT, AT + dt.timedelta(hours=2), UTC) == "Mon 2 Mar, 23:45–Tue 3 Mar, 01:45 (UTC)"
    assert window_text(AT, AT + dt.timedelta(hours=2), CHICAGO) == "Mon 2 Mar, 17:45–19:45 (America/Chicago)"
