"""The outbox: notifications written in the same transaction as the change that causes them."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk


class OutboxMessage(Base):
    __tablename__ = "outbox"
    # The worker claims in (status, due time, id) order: the id breaks ties among a batch queued at
    # one instant, so a claim reads one index entry instead of sorting the whole batch.
    __table_args__ = (Index("ix_outbox_due_order", "status", "next_attempt_at", "id"),)

    id: Mapped[intpk]
    # Idempotency: one message per cause (e.g. "award:42"), however often the cause is replayed.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    # A Slack user id (sent as a DM) or channel id.
    recipient: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
