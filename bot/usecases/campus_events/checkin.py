"""Checking in at a campus event: a learner with a code (the phone page, `/badges claim`), or a host's
list of people; the door screen's current code.

The rules applied are in bot/domain/checkin.py. One check-in per learner and event is the database's
rule (a unique constraint); capacity is enforced by the conditional UPDATE that counts a check-in.

The phone's three requests (page, tap, confirmation) are the hot path of a crowd at the door: their
statements are in door.py, in Core (the tap: read the event, one upsert of the learner that also locks
them, the check-in, the souvenir, its DM, the count, the audit rows).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from bot.domain import checkin as rules
from bot.domain.checkin import EventRules, Refusal, Signs
from bot.domain.times import clock_time
from bot.errors import BadgebotError, InvalidInput, NotFound
from bot.usecases.awards import grant
from bot.usecases.campus_events import door as doorway
from bot.usecases.campus_events.hosting import EventView, hosted
from bot.usecases.context import Context, audit, ensure_learner
from models import CheckIn, Credential, Event

UTC = dt.UTC


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
        db = session.connection()
        door = doorway.door_of(db, code, user)  # one statement: the event, its souvenir, `user`'s check-in
        verdict = doorway.verdict(db, signer, code, door, now)
        arrived = rules.arrival_time(received_at, now)
        if not verdict.ok and arrived < now:
            # Refused now, but the request waited in the server's queue: good when it arrived is good.
            late = doorway.verdict(db, signer, code, door, arrived)
            if late.ok:
                verdict, at = late, arrived
    if not verdict.ok:
        raise _refused(verdict, now, tz)
    assert door is not None
    already = _already(door, user, door.checked_in_at) if user is not None and door.checked_in_at else None
    if already is None and not rules.has_room(door.checkin_count, door.rules.capacity):
        raise _full(door.rules)
    return CodePreview(rules.normalize_code(code) or code, door.rules.name, door.souvenir_name, door.location,
                       door.rules.closes_at, already, at)


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
        db = session.connection()
        door = doorway.door_of(db, code)
        verdict = doorway.verdict(db, signer, code, door, at)
        if not verdict.ok:
            raise _refused(verdict, now, tz)
        assert door is not None
        event = door.rules
        sql = doorway.sql(db)
        learner_id = doorway.learner_locked(db, user, display_name)
        if not rules.has_room(door.checkin_count, event.capacity):
            before = db.scalar(sql.checked_in_at, {"event_id": event.id, "learner_id": learner_id})
            if before is not None:
                return _already(door, user, before)
            raise _full(event)
        # One check-in per learner and event: the unique constraint decides, in this one statement,
        # also between two phones (or tabs) of one learner a moment apart.
        made = db.scalar(sql.checkin, {"event_id": event.id, "learner_id": learner_id, "checked_in_at": now,
                                       "method": method})
        if made is None:
            before = db.scalar(sql.checked_in_at, {"event_id": event.id, "learner_id": learner_id})
            assert before is not None
            return _already(door, user, before)
        award_id = doorway.grant_souvenir(db, now, door, learner_id, user)
        # Counted last: the event row stays locked only from here to the commit. Same rule as has_room.
        counted = db.scalar(sql.count, {"event_id": event.id})
        if counted is None:
            raise _full(event)  # the transaction, with the check-in and the award, rolls back
        # The audit rows of the award (as awards.grant writes it) and of the check-in: one executemany.
        entries = [doorway.audit_row(now, door.host, "award.issued", "awards", award_id, learner=user,
                              credential=door.souvenir, distinction=False)] if award_id is not None else []
        entries.append(doorway.audit_row(now, user, "event.checkin", "events", event.id, method=method))
        db.execute(sql.audit, entries)
        return CheckInResult(event.name, door.souvenir, door.souvenir_name, user, now, True, award_id is not None,
                             counted)


def checkin_status(ctx: Context, number: int, user: str) -> CheckInResult | None:
    """Whether `user` checked in at event `number` (for the confirmation page)."""
    with ctx.reading() as session:
        db = session.connection()
        row = db.execute(doorway.sql(db).status, {"event_id": number, "user": user}).one_or_none()
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
    # Each person's own name from Slack, asked before the transaction (the host's labels never become names).
    people = {user_id: ctx.learner_name(user_id, name) for user_id, name in dict(learners).items()}
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


def _event(session: Session, where: Any) -> Event | None:
    """An event and its souvenir, in one query. (A souvenir stacks nothing: its `requires` list, eager
    elsewhere, is left to load only if something asks for it.)"""
    return session.scalars(
        select(Event).where(where).options(joinedload(Event.souvenir).lazyload(Credential.requires))
    ).unique().one_or_none()


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


def _full(event: EventRules) -> CheckInRefused:
    return CheckInRefused(Refusal.FULL, f"“{event.name}” is full: all {event.capacity} places are taken. "
                                        "Talk to the host.", event.name)


def _already(door: doorway.Door, user: str, checked_in_at: dt.datetime) -> CheckInResult:
    return CheckInResult(door.rules.name, door.souvenir, door.souvenir_name, user, checked_in_at, False, False,
                         door.checkin_count)
