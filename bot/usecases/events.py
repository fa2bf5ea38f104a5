"""Events and check-in: hosts create events that award a souvenir; learners check in with a code.

Every entry point (the phone page, `/badges claim`, `/badges event ...`, `badgebot event ...`, the
display page) calls these; the rules they apply are in bot/domain/checkin.py.
"""
from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload

from bot.domain import checkin as rules
from bot.domain.checkin import EventRules, QrMode, Refusal, Schedule, Signs
from bot.domain.vocabulary import CredentialType
from bot.errors import BadgebotError, InvalidInput, NotAllowed, NotFound
from bot.usecases.awards import grant
from bot.usecases.context import (
    Context,
    audit,
    credential_by_slug,
    ensure_learner,
    new_public_id,
)
from models import CheckIn, Credential, Event, Learner
from models.base import insert_for

UTC = dt.timezone.utc
MAX_NAME = 200
MAX_LOCATION = 500


class CheckInRefused(BadgebotError):
    """A check-in the rules refuse; `refusal` says which rule, the message says it to the learner."""

    def __init__(self, refusal: Refusal, message: str, event_name: str | None = None):
        super().__init__(message)
        self.refusal = refusal
        self.event_name = event_name


# -- what callers get back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    id: int
    public_id: str
    name: str
    souvenir: str
    souvenir_name: str
    host: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    opens_at: dt.datetime
    closes_at: dt.datetime
    location: str
    capacity: int | None
    qr_mode: QrMode
    period_seconds: int
    checkin_count: int
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @property
    def number(self) -> str:
        return f"#{self.id}"

    @property
    def rules(self) -> EventRules:
        return EventRules(id=self.id, name=self.name, opens_at=self.opens_at, closes_at=self.closes_at,
                          qr_mode=self.qr_mode, period_seconds=self.period_seconds, capacity=self.capacity,
                          closed_at=self.closed_at)

    def state_at(self, now: dt.datetime) -> str:
        """upcoming, open or over: what the display page and `/badges event list` show."""
        refusal = rules.window_refusal(self.rules, now)
        return {None: "open", Refusal.NOT_OPEN_YET: "upcoming"}.get(refusal, "over")

    @classmethod
    def of(cls, event: Event) -> "EventView":
        return cls(
            id=event.id, public_id=event.public_id, name=event.name, souvenir=event.souvenir.slug,
            souvenir_name=event.souvenir.name, host=event.host, starts_at=event.starts_at, ends_at=event.ends_at,
            opens_at=event.checkin_opens_at, closes_at=event.checkin_closes_at, location=event.location or "",
            capacity=event.capacity, qr_mode=QrMode(event.qr_mode), period_seconds=event.code_period_seconds,
            checkin_count=event.checkin_count, created_at=event.created_at, closed_at=event.closed_at,
        )


@dataclass(frozen=True)
class EventDraft:
    """A new event as a host describes it (the Slack form, the CLI)."""

    name: str
    souvenir: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    opens_at: dt.datetime | None = None  # default: rules.DEFAULT_OPENS_BEFORE before the start
    closes_at: dt.datetime | None = None  # default: the end
    location: str = ""
    capacity: int | None = None
    qr_mode: QrMode = QrMode.ROTATING
    period_seconds: int = rules.DEFAULT_PERIOD_SECONDS
    host: str | None = None  # who runs it; default: whoever creates it


@dataclass(frozen=True)
class CheckInResult:
    event_name: str
    souvenir: str
    souvenir_name: str
    learner: str
    checked_in_at: dt.datetime
    new: bool  # False: this learner had already checked in (at checked_in_at)
    awarded: bool  # False when the learner already held the souvenir (or had checked in before)
    checkin_count: int

    def message(self, tz: dt.tzinfo = UTC) -> str:
        if not self.new:
            return (f"You already checked in at {clock_time(self.checked_in_at, tz)} ({self.event_name}); "
                    "nothing more to do.")
        if self.awarded:
            return f"Checked in at {self.event_name}. {self.souvenir_name} is yours: it is on its way to you in Slack."
        return f"Checked in at {self.event_name}. You already hold {self.souvenir_name}."


@dataclass(frozen=True)
class CodePreview:
    """What the phone page shows before anyone is identified: the event the code opens, if it may."""

    code: str
    event_name: str
    souvenir_name: str
    location: str
    closes_at: dt.datetime
    already: CheckInResult | None = None  # the learner asked about has checked in here before
    judged_at: dt.datetime | None = None  # the instant the code was judged at (the scan, for check_in)


@dataclass(frozen=True)
class DisplayState:
    event: EventView
    state: str  # upcoming | open | over
    code: str | None
    changes_at: dt.datetime | None
    now: dt.datetime


@dataclass(frozen=True)
class BulkResult:
    checked_in: list[str]
    already: list[str]


@dataclass(frozen=True)
class Attendee:
    learner: str
    name: str
    checked_in_at: dt.datetime
    method: str


def clock_time(at: dt.datetime, tz: dt.tzinfo, now: dt.datetime | None = None) -> str:
    """14:02, or "Mon 2 Mar, 14:02" when it is not the same day as `now`."""
    local = at.astimezone(tz)
    if now is not None and local.date() != now.astimezone(tz).date():
        return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"
    return f"{local:%H:%M}"


# -- hosts -------------------------------------------------------------------------------------------


def create_event(ctx: Context, actor: str, draft: EventDraft) -> EventView:
    """A host creates an event that awards a souvenir; the display link is made unguessable here."""
    if not ctx.is_host(actor):
        raise NotAllowed("Only event hosts can create events. Ask a program administrator to add you to the "
                         "hosts in the catalog.")
    host = draft.host or actor
    if host != actor and not ctx.is_admin(actor):
        raise NotAllowed("Only administrators can create an event for another host.")
    name = " ".join(draft.name.split())
    if not name:
        raise InvalidInput("Give the event a name.", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"Keep the name under {MAX_NAME} characters.", field="name")
    if len(draft.location) > MAX_LOCATION:
        raise InvalidInput(f"Keep the location under {MAX_LOCATION} characters.", field="location")
    for value in (draft.starts_at, draft.ends_at, draft.opens_at, draft.closes_at):
        if value is not None and value.tzinfo is None:
            raise ValueError("event times must be timezone-aware")
    schedule = Schedule(draft.starts_at, draft.ends_at, draft.opens_at or draft.starts_at - rules.DEFAULT_OPENS_BEFORE,
                        draft.closes_at or draft.ends_at)
    problems = rules.schedule_problems(schedule, draft.capacity, draft.period_seconds)
    if problems:
        field, message = next(iter(problems.items()))
        raise InvalidInput(message, field=field)
    now = ctx.clock()
    with ctx.transaction() as session:
        souvenir = credential_by_slug(session, draft.souvenir, offered=True)
        if souvenir.type is not CredentialType.SOUVENIR:
            raise InvalidInput(f"{souvenir.name} is a {souvenir.type.label}, not a souvenir; events award "
                               "souvenirs.", field="souvenir")
        event = Event(
            public_id=new_public_id(), name=name, souvenir_id=souvenir.id, host=host,
            starts_at=schedule.starts_at, ends_at=schedule.ends_at, checkin_opens_at=schedule.opens_at,
            checkin_closes_at=schedule.closes_at, location=draft.location.strip(), capacity=draft.capacity,
            qr_mode=draft.qr_mode.value, code_period_seconds=draft.period_seconds, checkin_count=0,
            created_at=now, closed_at=None,
        )
        event.souvenir = souvenir
        session.add(event)
        session.flush()
        audit(session, now, actor, "event.created", event, name=name, souvenir=souvenir.slug, host=host,
              mode=draft.qr_mode.value)
        return EventView.of(event)


def list_events(ctx: Context, actor: str, *, include_over: bool = False) -> list[EventView]:
    """A host's events (every event, for administrators), soonest first."""
    _require_host(ctx, actor)
    now = ctx.clock()
    query = select(Event).order_by(Event.starts_at, Event.id)
    if not ctx.is_admin(actor):
        query = query.where(Event.host == actor)
    if not include_over:
        query = query.where(Event.closed_at.is_(None), Event.checkin_closes_at > now - dt.timedelta(days=1))
    with ctx.reading() as session:
        return [EventView.of(e) for e in session.scalars(query.limit(200)).unique()]


def event_for_host(ctx: Context, actor: str, number: int) -> EventView:
    """One event, to its host or an administrator."""
    with ctx.reading() as session:
        return EventView.of(_hosted(session, ctx, actor, number))


def close_event(ctx: Context, actor: str, number: int) -> EventView:
    """The host ends check-in now (codes stop working; bulk awards still work)."""
    now = ctx.clock()
    with ctx.transaction() as session:
        event = _hosted(session, ctx, actor, number)
        if event.closed_at is None:
            event.closed_at = now
            audit(session, now, actor, "event.closed", event)
        return EventView.of(event)


def award_at_event(ctx: Context, actor: str, number: int, learners: Iterable[tuple[str, str | None]]) -> BulkResult:
    """The host checks people in by hand (members, late paper sign-ins) and awards the souvenir.

    Capacity is the door's limit; the host's own list may go past it. Learners are locked in id order,
    and the event row is counted last, as in `check_in`, so the two never deadlock.
    """
    now = ctx.clock()
    checked_in, already = [], []
    people = dict(learners)
    if not people:
        raise InvalidInput("Name the people to award, e.g. `@ana @bo`.")
    with ctx.transaction() as session:
        event = _hosted(session, ctx, actor, number)
        for user_id in sorted(people):
            learner = ensure_learner(session, user_id, people[user_id])
            session.flush()
            if _checkin_of(session, event.id, learner.id) is not None:
                already.append(user_id)
                continue
            session.add(CheckIn(event_id=event.id, learner_id=learner.id, checked_in_at=now, method="bulk"))
            session.flush()
            grant(session, now, learner, event.souvenir, actor=actor, event_id=event.id)
            checked_in.append(user_id)
        if checked_in:
            session.execute(update(Event).where(Event.id == event.id)
                            .values(checkin_count=Event.checkin_count + len(checked_in))
                            .execution_options(synchronize_session=False))
            audit(session, now, actor, "event.bulk_award", event, learners=checked_in)
    return BulkResult(checked_in, already)


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
            event = _hosted(session, ctx, actor, number)
        rows = session.execute(
            select(Learner.slack_user_id, Learner.display_name, CheckIn.checked_in_at, CheckIn.method)
            .join(Learner, Learner.id == CheckIn.learner_id)
            .where(CheckIn.event_id == event.id).order_by(CheckIn.checked_in_at, CheckIn.id)
        ).all()
        return EventView.of(event), [Attendee(*row) for row in rows]


ATTENDANCE_COLUMNS = ["learner_slack_id", "learner_name", "checked_in_at_utc", "checked_in_local", "method"]


def write_attendance_csv(event: EventView, attendees: list[Attendee], out: TextIO, tz: dt.tzinfo = UTC) -> int:
    writer = csv.writer(out)
    writer.writerow(ATTENDANCE_COLUMNS)
    for person in attendees:
        local = person.checked_in_at.astimezone(tz)
        writer.writerow([person.learner, _cell(person.name), person.checked_in_at.isoformat(timespec="seconds"),
                         f"{local:%Y-%m-%d %H:%M:%S}", person.method])
    return len(attendees)


def _cell(value: str) -> str:
    """Names come from Slack profiles: keep a spreadsheet from running one as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def current_code(ctx: Context, signer: Signs, actor: str, number: int) -> tuple[EventView, str]:
    """The code to print on a poster (or show now, for a rotating event), for its host."""
    with ctx.reading() as session:
        event = EventView.of(_hosted(session, ctx, actor, number))
    return event, rules.make_code(signer, event.rules, ctx.clock())


def display_state(ctx: Context, signer: Signs, public_id: str) -> DisplayState:
    """What the door screen shows now: the current code while check-in is open, and the count.

    The page is reached only by its unguessable link, which the host gets in Slack.
    """
    now = ctx.clock()
    with ctx.reading() as session:
        found = _event(session, Event.public_id == public_id)
        if found is None:
            raise NotFound("There is no such event.")
        event = EventView.of(found)
    state = event.state_at(now)
    if state != "open":
        return DisplayState(event, state, None, None, now)
    return DisplayState(event, state, rules.make_code(signer, event.rules, now),
                        rules.code_changes_at(event.rules, now), now)


# -- learners ----------------------------------------------------------------------------------------


def preview_code(ctx: Context, signer: Signs, code: str, *, user: str | None = None,
                 tz: dt.tzinfo = UTC, received_at: dt.datetime | None = None) -> CodePreview:
    """Judge a scanned code before checking in (refusals raise CheckInRefused); with `user` (a browser
    that is signed in), also whether they have checked in already, which a full event does not hide.

    `received_at`: when the request reached the server, by the server's record. A code refused now
    that was good at that instant (rules.arrival_time) is good: a queue in front of a busy server
    does not expire it. `judged_at` says which instant it was judged at, for check_in's `scanned_at`."""
    now = ctx.clock()
    at = now
    with ctx.reading() as session:
        event, verdict = _judge(session, signer, code, now)
        arrived = rules.arrival_time(received_at, now)
        if not verdict.ok and arrived < now:
            # Refused now, but the request waited in the server's queue: good when it arrived is good.
            late_event, late = _judge(session, signer, code, arrived)
            if late.ok:
                event, verdict, at = late_event, late, arrived
        if not verdict.ok:
            raise _refused(verdict, now, tz)
        assert event is not None
        already = _status(session, event, user) if user is not None else None
        if already is None and not rules.has_room(event.checkin_count, event.capacity):
            raise _full(event)
        return CodePreview(rules.normalize_code(code) or code, event.name, event.souvenir.name, event.location or "",
                           event.checkin_closes_at, already, at)


def check_in(
    ctx: Context,
    signer: Signs,
    code: str,
    user: str,
    display_name: str | None = None,
    *,
    method: str = "qr",
    scanned_at: dt.datetime | None = None,
    tz: dt.tzinfo = UTC,
) -> CheckInResult:
    """A learner checks in with a code and receives the event's souvenir, once.

    `scanned_at` is when the code was scanned, for a learner who then signed in with Slack or read the
    page before tapping (the code is judged at that instant, if it was at most SIGNIN_GRACE ago). One check-in per learner and event is the database's rule (a unique
    constraint); capacity is enforced by the conditional UPDATE that counts the check-in, so it holds
    exactly however many phones arrive at once.
    """
    now = ctx.clock()
    try:
        at = rules.scan_time(scanned_at, now)
    except ValueError:
        raise CheckInRefused(Refusal.EXPIRED, "That scan is more than 10 minutes old, so it has expired. Scan "
                                              "the code on the screen again.") from None
    with ctx.transaction() as session:
        event, verdict = _judge(session, signer, code, at)
        if not verdict.ok:
            raise _refused(verdict, now, tz)
        assert event is not None
        learner = ensure_learner(session, user, display_name)
        if not rules.has_room(event.checkin_count, event.capacity):
            before = _checkin_of(session, event.id, learner.id)
            if before is not None:
                return _already(event, user, before)
            raise _full(event)
        # One check-in per learner and event: the unique constraint decides, in this one statement,
        # also between two phones (or tabs) of one learner a moment apart.
        made = session.scalar(
            insert_for(session, CheckIn)
            .values(event_id=event.id, learner_id=learner.id, checked_in_at=now, method=method)
            .on_conflict_do_nothing(index_elements=["event_id", "learner_id"])
            .returning(CheckIn.id))
        if made is None:
            before = _checkin_of(session, event.id, learner.id)
            assert before is not None
            return _already(event, user, before)
        awarded = grant(session, now, learner, event.souvenir, actor=event.host, event_id=event.id)
        # Counted last: the event row stays locked only from here to the commit. Same rule as has_room.
        counted = session.execute(
            update(Event)
            .where(Event.id == event.id, or_(Event.capacity.is_(None), Event.checkin_count < Event.capacity))
            .values(checkin_count=Event.checkin_count + 1)
            .returning(Event.checkin_count)
            .execution_options(synchronize_session=False)
        ).scalar()
        if counted is None:
            raise _full(event)  # the transaction, with the check-in and the award, rolls back
        audit(session, now, user, "event.checkin", event, method=method)
        return CheckInResult(event.name, event.souvenir.slug, event.souvenir.name, user, now, True, bool(awarded),
                             counted)


def checkin_status(ctx: Context, number: int, user: str) -> CheckInResult | None:
    """Whether `user` checked in at event `number` (for the confirmation page)."""
    with ctx.reading() as session:
        row = session.execute(
            select(Event.name, Credential.slug, Credential.name, CheckIn.checked_in_at, Event.checkin_count)
            .join(Credential, Credential.id == Event.souvenir_id)
            .join(CheckIn, CheckIn.event_id == Event.id)
            .join(Learner, Learner.id == CheckIn.learner_id)
            .where(Event.id == number, Learner.slack_user_id == user)
        ).one_or_none()
    if row is None:
        return None
    name, souvenir, souvenir_name, checked_in_at, count = row
    return CheckInResult(name, souvenir, souvenir_name, user, checked_in_at, True, True, count)


# -- helpers -----------------------------------------------------------------------------------------


def _require_host(ctx: Context, actor: str) -> None:
    if not ctx.is_host(actor):
        raise NotAllowed("Only event hosts can do that. Ask a program administrator to add you to the hosts.")


def _hosted(session: Session, ctx: Context, actor: str, number: int) -> Event:
    _require_host(ctx, actor)
    event = session.get(Event, number)
    if event is None:
        raise NotFound(f"There is no event #{number}. `/badges event list` shows yours.")
    if event.host != actor and not ctx.is_admin(actor):
        raise NotAllowed(f"Event #{number} is hosted by <@{event.host}>; only they (or an administrator) "
                         "can manage it.")
    return event


def _checkin_of(session: Session, event_id: int, learner_id: int) -> CheckIn | None:
    return session.scalar(select(CheckIn).where(CheckIn.event_id == event_id, CheckIn.learner_id == learner_id))


def _status(session: Session, event: Event, user: str) -> CheckInResult | None:
    """`user`'s earlier check-in at `event`, as `check_in` reports a second one."""
    checked_in_at = session.scalar(
        select(CheckIn.checked_in_at).join(Learner, Learner.id == CheckIn.learner_id)
        .where(CheckIn.event_id == event.id, Learner.slack_user_id == user))
    if checked_in_at is None:
        return None
    return CheckInResult(event.name, event.souvenir.slug, event.souvenir.name, user, checked_in_at, False, False,
                         event.checkin_count)


def _event(session: Session, where: Any) -> Event | None:
    """An event and its souvenir, in one query. (A souvenir stacks nothing: its `requires` list, eager
    elsewhere, is left to load only if something asks for it. Check-ins are the hot path.)"""
    return session.scalars(
        select(Event).where(where).options(joinedload(Event.souvenir).lazyload(Credential.requires))
    ).unique().one_or_none()


def _rules_of(event: Event) -> EventRules:
    return EventRules(id=event.id, name=event.name, opens_at=event.checkin_opens_at,
                      closes_at=event.checkin_closes_at, qr_mode=QrMode(event.qr_mode),
                      period_seconds=event.code_period_seconds, capacity=event.capacity, closed_at=event.closed_at)


def _judge(session: Session, signer: Signs, code: str, at: dt.datetime) -> tuple[Event | None, rules.Verdict]:
    parsed = rules.parse_code(code)
    event = _event(session, Event.id == parsed.event_id) if parsed is not None else None

    def others() -> Iterator[EventRules]:
        # Only asked when the code is not this event's: the events whose check-in is open around `at`.
        margin = dt.timedelta(seconds=rules.MAX_PERIOD_SECONDS * (rules.GRACE_PERIODS + 1))
        candidates = session.scalars(select(Event).where(
            Event.checkin_opens_at <= at, Event.checkin_closes_at > at - margin, Event.closed_at.is_(None),
        ).limit(500)).unique()
        for other in candidates:
            yield _rules_of(other)

    return event, rules.check_code(signer, code, _rules_of(event) if event else None, at, others())


def _refused(verdict: rules.Verdict, now: dt.datetime, tz: dt.tzinfo) -> CheckInRefused:
    event, refusal = verdict.event, verdict.refusal
    assert refusal is not None
    name = event.name if event else None
    if refusal is Refusal.FORGED:
        message = ("That is not a check-in code of ours: it may have been mistyped or altered. Check it, or "
                   "scan the QR code at the event again.")
    elif refusal is Refusal.OTHER_EVENT:
        assert verdict.other is not None
        message = (f"That code belongs to another event, “{verdict.other.name}”"
                   + (f", not “{name}”." if name else ".") + " Use the code shown at your event.")
    elif refusal is Refusal.EXPIRED:
        assert event is not None
        message = (f"That code for “{name}” has expired (the code on the screen changes every "
                   f"{event.period_seconds} seconds). Scan it again, or type the code shown now.")
    elif refusal is Refusal.NOT_OPEN_YET:
        assert event is not None
        message = f"Check-in for “{name}” opens at {clock_time(event.opens_at, tz, now)}."
    elif refusal is Refusal.WINDOW_CLOSED:
        assert event is not None
        message = f"Check-in for “{name}” closed at {clock_time(event.closes_at, tz, now)}."
    elif refusal is Refusal.EVENT_CLOSED:
        message = f"“{name}” has been closed by its host; check-in is over."
    else:
        message = f"“{name}” is full."
    return CheckInRefused(refusal, message, name)


def _full(event: Event) -> CheckInRefused:
    return CheckInRefused(Refusal.FULL, f"“{event.name}” is full: all {event.capacity} places are taken. "
                                        "Talk to the host.", event.name)


def _already(event: Event, user: str, before: CheckIn) -> CheckInResult:
    return CheckInResult(event.name, event.souvenir.slug, event.souvenir.name, user, before.checked_in_at, False,
                         False, event.checkin_count)


def souvenir_choices(ctx: Context) -> list[tuple[str, str]]:
    """(slug, name) of the souvenirs an event can award."""
    with ctx.reading() as session:
        return [(c.slug, c.name) for c in session.scalars(
            select(Credential).where(Credential.type == CredentialType.SOUVENIR, Credential.retired_at.is_(None))
            .order_by(Credential.name))]
