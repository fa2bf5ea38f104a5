"""The phone's requests at the door, in SQLAlchemy Core: the hot path of a crowd checking in (issue 15).

bot/usecases/campus_events/checkin.py decides; these are its reads and writes, a few statements each, built once
per dialect with bound parameters (building a statement and its cache key each request cost more than running
it), on the session's connection, with no ORM objects to build or flush. bench/checkin_burst.py counts them.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain import checkin as rules
from bot.domain.checkin import EventRules, QrMode, Signs
from bot.domain.validity import expiry_for
from bot.domain.vocabulary import OutboxKind
from bot.usecases.context import new_public_id
from models import AuditEntry, Award, CheckIn, Credential, Event, Learner, OutboxMessage


@dataclass(frozen=True)
class Door:
    """An event as a phone's requests need it, with its souvenir: read in one Core statement."""

    rules: EventRules
    host: str
    location: str
    checkin_count: int
    souvenir_id: int
    souvenir: str  # slug
    souvenir_name: str
    souvenir_expires_after: str | None
    checked_in_at: dt.datetime | None = None  # the learner asked about (preview_code), if they have


_RULES = (Event.id, Event.name, Event.checkin_opens_at, Event.checkin_closes_at, Event.qr_mode,
          Event.code_period_seconds, Event.capacity, Event.closed_at)
_DOOR = (*_RULES, Event.host, Event.location, Event.checkin_count, Credential.id, Credential.slug, Credential.name,
         Credential.expires_after)


class Statements:
    """The phone's statements, built once per dialect with bound parameters: building a statement
    (and its cache key) each request cost more than running it. Core on the session's connection."""

    def __init__(self, dialect: str):
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)
        event_id, user = bindparam("event_id"), bindparam("user")
        door = select(*_DOOR).join(Credential, Credential.id == Event.souvenir_id).where(Event.id == event_id)
        self.door = door
        self.door_for_user = door.add_columns(
            select(CheckIn.checked_in_at).join(Learner, Learner.id == CheckIn.learner_id)
            .where(CheckIn.event_id == Event.id, Learner.slack_user_id == user).scalar_subquery())
        self.open_events = select(*_RULES).where(
            Event.checkin_opens_at <= bindparam("at"), Event.checkin_closes_at > bindparam("since"),
            Event.closed_at.is_(None)).limit(500)
        learner = upsert(Learner)
        # The upsert's update locks an existing learner's row (PostgreSQL), as lock_learner would.
        self.learner_named = learner.on_conflict_do_update(
            index_elements=["slack_user_id"], set_={"display_name": learner.excluded.display_name}
        ).returning(Learner.id)
        self.learner = learner.on_conflict_do_update(
            index_elements=["slack_user_id"], set_={"slack_user_id": learner.excluded.slack_user_id}
        ).returning(Learner.id)
        self.checkin = upsert(CheckIn).on_conflict_do_nothing(
            index_elements=["event_id", "learner_id"]).returning(CheckIn.id)
        self.checked_in_at = select(CheckIn.checked_in_at).where(
            CheckIn.event_id == event_id, CheckIn.learner_id == bindparam("learner_id"))
        self.award = upsert(Award).on_conflict_do_nothing(
            index_elements=["learner_id", "credential_id"], index_where=Award.revoked_at.is_(None)
        ).returning(Award.id)
        # context.notify's row (one per cause: the dedupe key decides).
        self.outbox = upsert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])
        self.count = (update(Event)
                      .where(Event.id == event_id, or_(Event.capacity.is_(None), Event.checkin_count < Event.capacity))
                      .values(checkin_count=Event.checkin_count + 1)
                      .returning(Event.checkin_count))
        self.audit = insert(AuditEntry)
        self.status = (
            select(Event.name, Credential.slug, Credential.name, CheckIn.checked_in_at, Event.checkin_count)
            .join(Credential, Credential.id == Event.souvenir_id)
            .join(CheckIn, CheckIn.event_id == Event.id)
            .join(Learner, Learner.id == CheckIn.learner_id)
            .where(Event.id == event_id, Learner.slack_user_id == user))


@functools.cache
def statements_for(dialect: str) -> Statements:
    return Statements(dialect)


def sql(db: Connection) -> Statements:
    return statements_for(db.dialect.name)


def rules_from(row: Any) -> EventRules:
    return EventRules(id=row[0], name=row[1], opens_at=row[2], closes_at=row[3], qr_mode=QrMode(row[4]),
                      period_seconds=row[5], capacity=row[6], closed_at=row[7])


def door_of(db: Connection, code: str, user: str | None = None) -> Door | None:
    """The event `code` names (None if there is none); with `user`, their check-in there too."""
    parsed = rules.parse_code(code)
    if parsed is None:
        return None
    statements = sql(db)
    if user is None:
        row = db.execute(statements.door, {"event_id": parsed.event_id}).one_or_none()
    else:
        row = db.execute(statements.door_for_user, {"event_id": parsed.event_id, "user": user}).one_or_none()
    if row is None:
        return None
    rest = row[len(_RULES):]
    return Door(rules_from(row), rest[0], rest[1] or "", rest[2], rest[3], rest[4], rest[5], rest[6],
                rest[7] if user is not None else None)


def verdict(db: Connection, signer: Signs, code: str, door: Door | None, at: dt.datetime) -> rules.Verdict:
    """The rules' verdict on `code` at `at` (bot.domain.checkin.check_code), reading the other open events only if asked."""
    def others() -> Iterator[EventRules]:
        # Only asked when the code is not this event's: the events whose check-in is open around `at`.
        margin = dt.timedelta(seconds=rules.MAX_PERIOD_SECONDS * (rules.GRACE_PERIODS + 1))
        for row in db.execute(sql(db).open_events, {"at": at, "since": at - margin}):
            yield rules_from(row)

    return rules.check_code(signer, code, door.rules if door else None, at, others())


def learner_locked(db: Connection, user: str, display_name: str | None) -> int:
    """ensure_learner and lock_learner (bot.usecases.context) in one statement: the learner's id, their
    row made on first contact and locked to the end of the transaction (an upsert's update locks the
    row on PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes writers), as awards.grant needs."""
    statements = sql(db)
    learner_id = db.scalar(statements.learner_named if display_name else statements.learner,
                           {"slack_user_id": user, "display_name": display_name or user})
    assert learner_id is not None
    return int(learner_id)


def grant_souvenir(db: Connection, now: dt.datetime, door: Door, learner_id: int, user: str) -> int | None:
    """awards.grant for the event's souvenir (an event awards only souvenirs, hosting.create_event, and
    a souvenir completes no stack), in Core: the award's id, or None when the learner already holds
    it. The partial unique index (one live award per learner and credential) decides, in the INSERT.
    The caller writes its audit row; its DM is queued here, in this transaction, as notify() does."""
    statements = sql(db)
    award_id = db.scalar(statements.award, {
        "public_id": new_public_id(), "learner_id": learner_id, "credential_id": door.souvenir_id,
        "distinction": False, "issued_at": now, "issued_by": door.host, "event_id": door.rules.id,
        "expires_at": expiry_for(door.souvenir_expires_after, now)})
    if award_id is not None:
        db.execute(statements.outbox, {
            "dedupe_key": f"award:{award_id}", "kind": OutboxKind.AWARD.value, "recipient": user,
            "payload": {"award_id": award_id}, "status": "pending", "attempts": 0, "created_at": now,
            "next_attempt_at": now})
    return award_id


def audit_row(now: dt.datetime, actor: str, action: str, subject_type: str, subject_id: int,
              **detail: Any) -> dict[str, Any]:
    """One audit_log row as context.audit writes it."""
    return {"at": now, "actor": actor, "action": action, "subject_type": subject_type, "subject_id": str(subject_id),
            "detail": detail}
