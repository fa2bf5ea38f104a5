"""Deduplicating Slack's deliveries."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from bot.usecases.context import Context
from models import ReceivedEvent


def first_delivery(ctx: Context, event_id: str) -> bool:
    """True the first time an event id is seen; False for Slack's retries of it."""
    try:
        with ctx.transaction() as session:
            session.add(ReceivedEvent(event_id=event_id[:64], received_at=ctx.clock()))
    except IntegrityError:
        return False
    return True
