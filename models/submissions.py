"""Submissions of artifacts for badges, the files they carry, and the grantors' reviews."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.vocabulary import OPEN_STATUSES, Decision, SubmissionStatus
from models.base import Base, intpk, now_default, slack_id
from models.credentials import Credential, enum_column
from models.learners import Learner

_open = "status IN (" + ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES)) + ")"


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        # A learner has at most one submission in play per badge: a double click or a retried
        # Slack delivery cannot open a second one.
        Index(
            "uq_submissions_open_per_learner",
            "learner_id",
            "credential_id",
            unique=True,
            sqlite_where=text(_open),
            postgresql_where=text(_open),
        ),
        # The time-to-decision report: each credential's durations in order, and all of them in order,
        # read from the index alone (bot/usecases/reports/decisions.py).
        Index("ix_submissions_waited", "credential_id", "waited_seconds", "decided_at",
              sqlite_where=text("waited_seconds IS NOT NULL"), postgresql_where=text("waited_seconds IS NOT NULL")),
        Index("ix_submissions_waited_order", "waited_seconds", "decided_at", "credential_id",
              sqlite_where=text("waited_seconds IS NOT NULL"), postgresql_where=text("waited_seconds IS NOT NULL")),
        # ... and what is open now, by age, from the index alone.
        Index("ix_submissions_open_age", "status", "created_at", "credential_id",
              sqlite_where=text(_open), postgresql_where=text(_open)),
    )

    id: Mapped[intpk]
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"), index=True)
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_column(SubmissionStatus, "submission_status"), index=True
    )
    # Each resubmission opens a new round; reviews count toward the current round only.
    round: Mapped[int] = mapped_column(default=1, server_default="1")
    reflection: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    # How long the learner waited, submission to final decision (approved or rejected; a request for
    # changes is not the end), stamped when it is made: the time-to-decision report reads it as stored.
    waited_seconds: Mapped[int | None]
    # Where the review card and the learner's conversation about it live in Slack.
    review_channel: Mapped[str | None] = mapped_column(String(32))
    review_ts: Mapped[str | None] = mapped_column(String(32))
    learner_channel: Mapped[str | None] = mapped_column(String(32))
    learner_ts: Mapped[str | None] = mapped_column(String(32), index=True)

    learner: Mapped[Learner] = relationship(lazy="joined")
    credential: Mapped[Credential] = relationship(lazy="joined")
    artifacts: Mapped[list["Artifact"]] = relationship(
        back_populates="submission", order_by="Artifact.id", lazy="selectin"
    )
    reviews: Mapped[list["Review"]] = relationship(
        back_populates="submission", order_by="Review.id", lazy="selectin"
    )


class Artifact(Base):
    """A file a learner submitted. The bytes live in content-addressed storage, never here."""

    __tablename__ = "artifacts"

    id: Mapped[intpk]
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    slack_file_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime]

    submission: Mapped[Submission] = relationship(back_populates="artifacts")


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        # One decision per grantor per round: a double click cannot count twice toward N-of-M.
        UniqueConstraint("submission_id", "round", "grantor", name="uq_reviews_one_per_grantor_round"),
        # The time-to-decision report: each grantor's durations in order, read from the index alone.
        Index("ix_reviews_decision_seconds", "grantor", "decision_seconds", "created_at", "submission_id",
              sqlite_where=text("decision_seconds IS NOT NULL"),
              postgresql_where=text("decision_seconds IS NOT NULL")),
    )

    id: Mapped[intpk]
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    round: Mapped[int]
    grantor: Mapped[slack_id]
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, "review_decision"))
    distinction: Mapped[bool] = mapped_column(default=False, server_default=false())
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=now_default)
    # How long this grantor took, from the start of the round (its files) to this decision, stamped
    # with the decision: the time-to-decision report's per-grantor figures.
    decision_seconds: Mapped[int | None]

    submission: Mapped[Submission] = relationship(back_populates="reviews")
