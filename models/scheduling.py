"""The scheduler's table: a record of every job run."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, insert_for, intpk


class JobRun(Base):
    """One run of a scheduled job. A scheduled run is recorded in the same transaction as the
    messages it queues, under a unique (job, period): a second run for a period (a restart, a
    new leader catching up, two replicas that both think they lead) fails on the constraint and
    queues nothing. Runs an administrator starts by hand have no period."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "period", name="uq_job_runs_job_period"),
        Index("ix_job_runs_job_started", "job", "started_at"),
    )

    id: Mapped[intpk]
    job: Mapped[str] = mapped_column(String(32))
    period: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime]
    # Which process ran it ("host:pid"), to tell leaders apart after a takeover.
    runner: Mapped[str] = mapped_column(String(200))
    # What the run queued, by message kind (and "skipped": quiet or opted out).
    summary: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)

    @classmethod
    def begin(cls, session: Session, job: str, period: dt.datetime, now: dt.datetime,
              scheduled_by: str | None) -> "JobRun | None":
        """Record that `job` runs for `period` in this transaction, or None if a scheduled run for
        that period is already recorded (committed, or in a concurrent transaction, which PostgreSQL
        makes us wait for). A manual run (`scheduled_by` None: an administrator's `jobs run`) is
        recorded without a period, so it always runs; its messages are still deduplicated."""
        values = {"job": job, "period": period if scheduled_by else None, "started_at": now,
                  "runner": (scheduled_by or "manual")[:200], "summary": {}}
        if scheduled_by is None:
            run = cls(**values)
            session.add(run)
            session.flush()
            return run
        statement = insert_for(session, cls).values(**values).on_conflict_do_nothing(index_elements=["job", "period"])
        run_id = session.scalar(statement.returning(cls.id))
        return session.get(cls, run_id) if run_id is not None else None
