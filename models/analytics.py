"""Counters for the program's reports: how often a shared award's public page is viewed and its LinkedIn
link followed, per award and per day.

Nothing about the viewer is stored (no address, no agent, no cookie): a day's number is all there is.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class AwardVisit(Base):
    """One counter per (award, kind, day); a visit adds one in a single upsert, so concurrent visits
    cannot lose a count or make a second row."""

    __tablename__ = "award_visits"

    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # see VisitKind
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0, server_default="0")
