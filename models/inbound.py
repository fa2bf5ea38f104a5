"""Slack deliveries already handled: Slack retries events it thinks we missed, and we act once."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ReceivedEvent(Base):
    __tablename__ = "received_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[dt.datetime]
