"""Events that award a souvenir, and the check-ins at them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, intpk, slack_id
from models.credentials import Credential


class Event(Base):
    __tablename__ = "events"

    id: Mapped[intpk]
    # Unguessable: the host-only display link is built from it.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    souvenir_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"))
    host: Mapped[slack_id]
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    checkin_opens_at: Mapped[dt.datetime]
    checkin_closes_at: Mapped[dt.datetime]
    location: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None]
    qr_mode: Mapped[str] = mapped_column(String(16), default="rotating")
    code_period_seconds: Mapped[int] = mapped_column(default=30)
    # Counted in the same statement that admits a check-in, so capacity holds under concurrency.
    checkin_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]

    souvenir: Mapped[Credential] = relationship(lazy="joined")


class CheckIn(Base):
    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("event_id", "learner_id", name="uq_checkins_once_per_event"),)

    id: Mapped[intpk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    checked_in_at: Mapped[dt.datetime]
    method: Mapped[str] = mapped_column(String(16))  # qr, code, bulk
