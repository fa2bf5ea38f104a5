"""Learners: anyone in the workspace who holds, seeks or claims a credential."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String, true, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk, now_default, slack_id


class Learner(Base):
    __tablename__ = "learners"

    id: Mapped[intpk]
    slack_user_id: Mapped[slack_id] = mapped_column(unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # Preferences the learner controls from Slack.
    nudges_enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    public_profile: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(server_default=now_default)

    def __repr__(self) -> str:
        return f"<Learner {self.slack_user_id}>"
