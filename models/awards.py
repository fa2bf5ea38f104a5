"""Awards: a learner holds a credential."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, intpk, slack_id
from models.credentials import Credential
from models.learners import Learner


class Award(Base):
    __tablename__ = "awards"
    __table_args__ = (
        # One live award per learner and credential, whatever retries or races happen. A revoked
        # award stays as history, and the credential can be earned again.
        Index(
            "uq_awards_live_per_learner",
            "learner_id",
            "credential_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        # Covers the stacking and progress aggregates (awards x requirements), live awards only.
        Index(
            "ix_awards_live_by_credential",
            "credential_id",
            "learner_id",
            "expires_at",
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[intpk]
    # The stable, unguessable id used in public URLs and Open Badges credentials.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"))
    distinction: Mapped[bool] = mapped_column(default=False, server_default=false())
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[slack_id]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(32))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    # Evidence: the assessed submission (badges) or the event attended (souvenirs). A certificate's
    # evidence is the badges it stacks, found through its requirements.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    # Set by the learner: the award has a public page. None means private.
    shared_at: Mapped[dt.datetime | None]
    # A certificate whose requirement was revoked waits for an administrator's decision.
    flagged_at: Mapped[dt.datetime | None]
    flagged_reason: Mapped[str | None] = mapped_column(Text)

    learner: Mapped[Learner] = relationship(lazy="joined")
    credential: Mapped[Credential] = relationship(lazy="joined")
