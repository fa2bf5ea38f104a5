"""Deduplicating Slack's deliveries."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.orm import Session

from bot.usecases.context import Context
from models import ReceivedEvent
from models.base import insert_for


def first_delivery(ctx: Context, event_id: str) -> bool:
    """True the first time an event id is seen; False for Slack's retries of it."""
    with ctx.transaction() as session:
        return mark_received(session, ctx.clock(), event_id)


def first_interaction(ctx: Context, trigger_id: str) -> bool:
    """True the first time Slack delivers the command, click or submission that carries this
    trigger id; False when Socket Mode sends its envelope again (our ack was lost or late): Slack
    issues a trigger id for each user action, and a re-sent envelope carries the same payload.
    Kept beside event ids, hashed to fit their column (Slack's trigger ids run to ~60 characters)."""
    return first_delivery(ctx, "trigger:" + hashlib.sha256(trigger_id.encode()).hexdigest()[:56])


def mark_received(session: Session, now: dt.datetime, event_id: str) -> bool:
    """Record the event id in the caller's transaction (so what the event brought is recorded with
    it, or neither is); False if it was recorded before. The primary key decides a race in the one
    INSERT (ON CONFLICT DO NOTHING)."""
    result = session.execute(insert_for(session, ReceivedEvent).values(
        event_id=event_id[:64], received_at=now).on_conflict_do_nothing(index_elements=["event_id"])
        .returning(ReceivedEvent.event_id))
    # RETURNING, not rowcount: psycopg through SQLAlchemy reports rowcount -1 for this INSERT.
    return result.first() is not None
