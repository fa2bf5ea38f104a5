"""When the bot may speak up on its own: cadences, their periods, and quiet hours.

Pure rules with time passed in. A cadence is a crontab in the program's time zone; each run of a
job belongs to the period that starts at the cadence's latest fire time, so "once per period" has
one meaning for the scheduler, an administrator's `badgebot jobs run`, and a replica that takes
over after a crash.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_cron(expr: str, timezone: str) -> CronTrigger:
    """A crontab ("min hour day month weekday", or six fields with seconds first) in `timezone`.

    Weekdays must be names (mon-fri): APScheduler 3 numbers them from Monday, crontab from
    Sunday, and a silent off-by-one would nudge a whole program on the wrong day.
    """
    fields = expr.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"{expr!r}: a crontab has 5 fields (minute hour day month weekday), "
                         "or 6 with seconds first")
    second, (minute, hour, day, month, weekday) = (fields[0] if len(fields) == 6 else "0"), fields[-5:]
    if re.search(r"\d", weekday.split("/")[0]):
        raise ValueError(f"{expr!r}: name the weekdays (mon, tue-fri, sat,sun), not numbers")
    try:
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                           day_of_week=weekday, timezone=ZoneInfo(timezone))
    except ValueError as exc:
        raise ValueError(f"{expr!r}: {exc}") from None


@dataclass(frozen=True)
class Cadence:
    """A job's schedule: a cron trigger, with the periods it cuts time into."""

    cron: str
    timezone: str = "UTC"

    @property
    def trigger(self) -> CronTrigger:
        return parse_cron(self.cron, self.timezone)

    def next_fire(self, after: dt.datetime) -> dt.datetime | None:
        """The first fire time strictly after `after` (UTC)."""
        nxt = self.trigger.get_next_fire_time(None, after + dt.timedelta(microseconds=1))
        return nxt.astimezone(dt.timezone.utc) if nxt else None

    def period_start(self, now: dt.datetime) -> dt.datetime:
        """The latest fire time at or before `now`: the start of the period `now` is in (UTC).

        Searches backwards in doubling windows, so a weekly cadence costs a handful of steps and a
        per-minute one no more than a window's worth.
        """
        trigger = self.trigger
        window = dt.timedelta(hours=1)
        while window < dt.timedelta(days=3 * 366):
            start = now - window
            fire = trigger.get_next_fire_time(None, start)
            if fire is not None and fire <= now:
                latest = fire
                while True:
                    nxt = trigger.get_next_fire_time(latest, latest + dt.timedelta(microseconds=1))
                    if nxt is None or nxt > now:
                        return latest.astimezone(dt.timezone.utc)
                    latest = nxt
            window *= 2
        raise ValueError(f"the cadence {self.cron!r} has not fired in the last three years")

    def previous_period_start(self, now: dt.datetime) -> dt.datetime:
        """The start of the period before the current one."""
        return self.period_start(self.period_start(now) - dt.timedelta(microseconds=1))


def period_key(start: dt.datetime) -> str:
    """A period's name in dedupe keys: its start, in UTC, to the second."""
    return start.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class QuietHours:
    """When the bot does not start conversations: a nightly window and whole days, in local time.

    Scheduled messages (nudges, reminders, heads-ups) queued in quiet time wait for its end; replies
    to what a person just did are never held back.
    """

    start: dt.time | None = None  # None: no nightly window
    end: dt.time | None = None
    days: frozenset[int] = frozenset()  # weekday() numbers, Monday = 0
    timezone: str = "UTC"

    @classmethod
    def parse(cls, hours: str, days: str = "", timezone: str = "UTC") -> "QuietHours":
        """`hours` like "20:00-08:00" (empty or "off": none); `days` like "sat,sun"."""
        start = end = None
        hours = (hours or "").strip().lower()
        if hours and hours != "off":
            left, sep, right = hours.partition("-")
            if not sep or not _TIME.match(left.strip()) or not _TIME.match(right.strip()):
                raise ValueError(f"{hours!r}: give quiet hours as HH:MM-HH:MM, e.g. 20:00-08:00, or 'off'")
            start, end = (dt.time.fromisoformat(f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}")
                          for t in (left.strip(), right.strip()))
            if start == end:
                raise ValueError(f"{hours!r}: the quiet hours start and end at the same time")
        return cls(start, end, parse_days(days), timezone)

    def is_quiet(self, when: dt.datetime) -> bool:
        local = when.astimezone(ZoneInfo(self.timezone))
        if local.weekday() in self.days:
            return True
        if self.start is None or self.end is None:
            return False
        t = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end  # the window wraps past midnight

    def next_allowed(self, when: dt.datetime) -> dt.datetime:
        """`when` if the bot may speak then, else the first moment after it that is not quiet (UTC)."""
        if not self.is_quiet(when):
            return when
        if len(self.days) == 7:
            raise ValueError("every day is quiet: nothing scheduled could ever be sent")
        tz = ZoneInfo(self.timezone)
        local = when.astimezone(tz)
        # Candidates: the end of tonight's window, and the starts of the next days; the first that
        # is not quiet wins. Eight days always reach a day that is not quiet.
        candidates: list[dt.datetime] = []
        for offset in range(0, 9):
            day = local.date() + dt.timedelta(days=offset)
            candidates.append(dt.datetime.combine(day, dt.time(0, 0), tz))
            if self.end is not None:
                candidates.append(dt.datetime.combine(day, self.end, tz))
        for candidate in sorted(c for c in candidates if c > local):
            if not self.is_quiet(candidate):
                return candidate.astimezone(dt.timezone.utc)
        raise AssertionError("unreachable: some day within eight is not quiet")


def parse_days(text: str) -> frozenset[int]:
    """ "sat,sun" -> {5, 6}; empty -> none."""
    days = set()
    for part in (p.strip().lower()[:3] for p in (text or "").split(",")):
        if not part:
            continue
        if part not in DAY_NAMES:
            raise ValueError(f"{part!r} is not a weekday; use mon, tue, wed, thu, fri, sat, sun")
        days.add(DAY_NAMES.index(part))
    return frozenset(days)


@dataclass(frozen=True)
class JobResult:
    """What one run of a job did; `already_ran` when its period had been run before."""

    job: str
    period: dt.datetime
    queued: dict[str, int] = field(default_factory=dict)
    already_queued: int = 0
    already_ran: bool = False
    not_before: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.queued.values())

    @property
    def summary(self) -> dict[str, int]:
        return {**self.queued, "already_queued": self.already_queued}


# --------------------------------------------------------------------------- whom to nudge


@dataclass(frozen=True)
class NudgePlan:
    """One learner's message this period: a nudge toward `certificate`, or congratulations on `finished`."""

    learner_id: int
    certificate_id: int | None = None
    held: int = 0
    required: int = 0
    finished: tuple[int, ...] = ()

    @property
    def congratulate(self) -> bool:
        return bool(self.finished)


def plan_nudges(
    candidates: Iterable[tuple[int, int, int, int]],
    finished: dict[int, list[int]],
    opted_in: set[int] | frozenset[int],
) -> list[NudgePlan]:
    """One message per learner: congratulations for those who just finished a certificate (and
    want messages), otherwise a nudge toward their closest certificate (the candidates, one per
    learner, from the progress queries). Sorted by learner, for stable batches."""
    plans = {learner: NudgePlan(learner, finished=tuple(sorted(certs)))
             for learner, certs in finished.items() if certs and learner in opted_in}
    for learner, certificate, held, required in candidates:
        if learner not in plans and learner in opted_in:
            plans[learner] = NudgePlan(learner, certificate, held, required)
    return [plans[k] for k in sorted(plans)]


# --------------------------------------------------------------------------- review reminders


def days_waiting(since: dt.datetime, now: dt.datetime) -> int:
    """Whole days a submission has waited."""
    return max(0, (now - since) // dt.timedelta(days=1))


def expand_grantors(grantors: Iterable[str], members_of: Callable[[str], frozenset[str]]) -> list[str]:
    """The people behind a credential's grantor list: users as named, user groups by their members."""
    people: list[str] = []
    for holder in grantors:
        for person in (sorted(members_of(holder)) if holder.startswith("S") else [holder]):
            if person not in people:
                people.append(person)
    return people
