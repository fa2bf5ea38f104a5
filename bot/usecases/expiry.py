"""Expiry: a heads-up before an award with a validity period lapses, and word when it has.

The lapse itself needs no job: validity is decided when read (an expired award stops counting
toward certificates at its expires_at, to the second). This job makes sure the learner is told,
and their App Home redrawn, within one run of it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.domain.scheduling import Cadence, JobResult, QuietHours
from bot.domain.vocabulary import OutboxKind
from bot.usecases.context import Context
from bot.usecases.jobruns import finish_run, run_times
from bot.usecases.outbox import Queued
from models import Award, JobRun, Learner, OutboxMessage

NOTICE, LAPSED = OutboxKind.EXPIRY_NOTICE, OutboxKind.AWARD_LAPSED


@dataclass(frozen=True)
class ExpiryPolicy:
    cadence: Cadence
    notice_days: int = 30
    # How far back a lapse is still worth telling (a bot that was down for a while catches up; a
    # first start on old data does not send years of news).
    lapse_lookback: dt.timedelta = dt.timedelta(days=30)
    quiet: QuietHours = field(default_factory=QuietHours)


def queue_expiry_notices(ctx: Context, policy: ExpiryPolicy, *, scheduled_by: str | None = None) -> JobResult:
    """Queue a heads-up for each award lapsing within `notice_days`, and news of each that lapsed (once per award)."""
    now, period, not_before = run_times(ctx, policy.cadence, policy.quiet)
    with ctx.transaction() as session:
        run = JobRun.begin(session, "expiry", period, now, scheduled_by)
        if run is None:
            return JobResult("expiry", period, already_ran=True)
        rows = session.execute(
            select(Award.id, Award.expires_at, Learner.slack_user_id)
            .join(Learner, Learner.id == Award.learner_id)
            .where(Award.revoked_at.is_(None), Award.expires_at.is_not(None),
                   Award.expires_at > now - policy.lapse_lookback,
                   Award.expires_at <= now + dt.timedelta(days=policy.notice_days))
            .order_by(Award.expires_at, Award.id)
        ).all()
        messages = []
        for award_id, expires_at, learner in rows:
            if expires_at > now:
                messages.append(Queued(f"expiry-notice:{award_id}", NOTICE, learner, {"award_id": award_id}, not_before))
            else:
                messages.append(Queued(f"award-lapsed:{award_id}", LAPSED, learner, {"award_id": award_id}, not_before))
        keys = [m.dedupe_key for m in messages]
        already = set()
        for start in range(0, len(keys), 1000):
            already |= set(session.scalars(select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.in_(keys[start:start + 1000]))))
        fresh = [m for m in messages if m.dedupe_key not in already]
        return finish_run(session, now, run, period, fresh, (NOTICE, LAPSED),
                          skipped=len(messages) - len(fresh), not_before=not_before)
