"""Work received with files (the submit form, a DM), recorded before Slack is answered.

A row is written in the request that brings the work, so a process that dies before the files are
fetched loses nothing: any replica's intake worker (bot/runtime/intake_worker.py) takes it up later.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk


class PendingIntake(Base):
    __tablename__ = "intakes"
    # The worker claims in (status, due time, id) order, like the outbox.
    __table_args__ = (Index("ix_intakes_due_order", "status", "next_attempt_at", "id"),)

    id: Mapped[intpk]
    # Idempotency: one row per thing Slack sent ("view:<view id>", "event:<event id>"), however often
    # it is sent again.
    dedupe_key: Mapped[str] = mapped_column(String(100), unique=True)
    learner: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str | None] = mapped_column(String(200))
    credential: Mapped[str] = mapped_column(String(100))
    # What Slack said of each file: id, name, size, url_private_download (fetched later, with retries).
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reflection: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(Text)
    resubmission_of: Mapped[int | None]
    # Where the learner is told what became of it (a DM thread), if not their DM itself.
    channel: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, working, done, failed
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    submission_id: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
