"""The outbox from the use cases' side: queueing messages in bulk, and what administrators see and retry.

Use cases queue one message with `context.notify` and thousands with `queue_many`; the worker that
sends them (bot/runtime/delivery.py) documents a message's life through these statuses.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.vocabulary import OutboxKind
from bot.usecases.context import Context, audit
from models import OutboxMessage
from models.base import insert_for

PENDING, SENDING, UNSURE, SENT, FAILED = "pending", "sending", "unsure", "sent", "failed"
SKIPPED = "skipped"  # deliberately not sent (e.g. the learner turned nudges off after it was queued)
DUE = (PENDING, UNSURE)
METADATA_EVENT = "badgebot_outbox"
"""The event_type of the message metadata that names the outbox row a Slack message came from."""


# --------------------------------------------------------------------------- queueing in bulk


@dataclass(frozen=True)
class Queued:
    """One message for `queue_many`: like `notify`, for jobs that queue thousands at once."""

    dedupe_key: str
    kind: OutboxKind
    recipient: str
    payload: dict[str, Any] = field(default_factory=dict)
    not_before: dt.datetime | None = None  # quiet hours: not sent before this


def queue_many(session: Session, now: dt.datetime, messages: Sequence[Queued], chunk: int = 2000) -> int:
    """Queue messages in this transaction, in batches; a dedupe key already in the outbox is skipped
    by the database (ON CONFLICT DO NOTHING), so a rerun, or a concurrent run, queues nothing twice.
    Returns how many were new.

    One statement compiled once and executed with many parameter sets: SQLAlchemy sends them as
    multi-row INSERTs ("insertmanyvalues"), with RETURNING to count what was new. (Building a
    multi-row VALUES clause ourselves made SQLAlchemy compile one bind per cell, per batch: most of
    a 50,000-learner nudge run.)"""
    if not messages:
        return 0
    table = OutboxMessage.__table__
    statement = insert_for(session, table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    connection = session.connection()
    added = 0
    for start in range(0, len(messages), chunk):
        rows = [{"dedupe_key": m.dedupe_key, "kind": m.kind.value, "recipient": m.recipient, "payload": m.payload,
                 "status": PENDING, "attempts": 0, "created_at": now,
                 "next_attempt_at": max(now, m.not_before) if m.not_before else now}
                for m in messages[start:start + chunk]]
        added += len(connection.execute(statement, rows).all())
    return added


def existing_keys(session: Session, prefix: str) -> set[str]:
    """Dedupe keys already queued that start with `prefix` (a range scan on the unique index)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return set(session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key >= prefix, OutboxMessage.dedupe_key < upper)))


# --------------------------------------------------------------------------- for administrators


@dataclass(frozen=True)
class StuckMessage:
    id: int
    kind: str
    recipient: str
    status: str
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    last_error: str | None


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[str, int]
    oldest_waiting: dt.datetime | None
    failed: tuple[StuckMessage, ...]
    retrying: tuple[StuckMessage, ...]


def outbox_status(ctx: Context, limit: int = 50) -> OutboxStatus:
    """What the outbox holds: counts by status, the messages that failed for good, and those retrying."""
    with ctx.transaction() as session:
        counts = dict(session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        oldest = session.scalar(select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_([*DUE, SENDING])))

        def listed(*conditions: Any) -> tuple[StuckMessage, ...]:
            rows = session.scalars(select(OutboxMessage).where(*conditions).order_by(OutboxMessage.id).limit(limit))
            return tuple(StuckMessage(m.id, m.kind, m.recipient, m.status, m.attempts, m.created_at,
                                      m.next_attempt_at, m.last_error) for m in rows)

        return OutboxStatus(
            counts={status: counts.get(status, 0) for status in (PENDING, SENDING, UNSURE, SENT, SKIPPED, FAILED)},
            oldest_waiting=oldest, failed=listed(OutboxMessage.status == FAILED),
            retrying=listed(OutboxMessage.status.in_(DUE), OutboxMessage.attempts > 0))


def retry_failed(ctx: Context, actor: str, ids: Iterable[int] = ()) -> list[int]:
    """Give failed messages (these ids, or all) a fresh set of tries. They are reconciled first,
    since a failure can hide a message that did arrive."""
    now = ctx.clock()
    wanted = list(ids)
    with ctx.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.status == FAILED)
        if wanted:
            query = query.where(OutboxMessage.id.in_(wanted))
        retried = []
        for message in session.scalars(query.order_by(OutboxMessage.id).with_for_update()):
            message.status, message.attempts, message.next_attempt_at = UNSURE, 0, now
            audit(session, now, actor, "outbox.retry", message, kind=message.kind, last_error=message.last_error)
            retried.append(message.id)
        return retried
