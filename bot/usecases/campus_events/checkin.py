"""Checking in at a campus event: a learner with a code (the phone page, `/badges claim`), or a host's
list of people; the door screen's current code.

The rules applied are in bot/domain/checkin.py. One check-in per learner and event is the database's
rule (a unique constraint); capacity is enforced by the conditional UPDATE that counts a check-in.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload

from bot.domain import checkin as rules
from bot.domain.checkin import EventRules, QrMode, Refusal, Signs
from bot.domain.times import clock_time
from bot.errors import BadgebotError, InvalidInput, NotFound
from bot.usecases.awards import grant
from bot.usecases.campus_events.hosting import EventView, hosted
from bot.usecases.context import Context, audit, ensure_learner
from models import CheckIn, Credential, Event, Learner
from models.base import insert_for

UTC = dt.timezone.utc


class CheckInRefused(BadgebotError):
    """A check-in the rules refuse; `refusal` says which rule, the message says it to the learner."""

    def __init__(self, refusal: Refusal, message: str, event_name: str | None = None):
        super().__init__(message)
        self.refusal = refusal
        self.event_name = event_name


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
    page before tapping (the code is judged at that instant, if it was at most SIGNIN_GRACE ago). One
    check-in per learner and event is the database's rule (a unique constraint); capacity is enforced
    by the conditional UPDATE that counts the check-in, so it holds exactly however many phones arrive
    at once.
    """
    now = ctx.clock()
    try:
        at = rules.scan_time(scanned_at, now)
    except ValueError:
        minutes = rules.SIGNIN_GRACE.seconds // 60
        raise CheckInRefused(Refusal.EXPIRED, f"That scan is more than {minutes} minutes old, so it has expired. "
                                              "Scan the code on the screen again.") from None
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


# -- hosts -------------------------------------------------------------------------------------------


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
        event = hosted(session, ctx, actor, number)
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


# -- helpers -----------------------------------------------------------------------------------------


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
