"""Review reminders: submissions that wait too long are listed to their grantors, one message per
grantor per day, oldest first; past a second threshold the credential's review channel is told."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.domain.scheduling import (
    Cadence,
    JobResult,
    QuietHours,
    days_waiting,
    expand_grantors,
)
from bot.domain.vocabulary import AWAITING_REVIEW, OutboxKind
from bot.usecases.context import Context
from bot.usecases.jobruns import finish_run, run_times
from bot.usecases.outbox import Queued, existing_keys
from models import JobRun, Submission

REMINDER, ESCALATION = OutboxKind.REVIEW_REMINDER, OutboxKind.REVIEW_ESCALATION


@dataclass(frozen=True)
class ReminderPolicy:
    cadence: Cadence
    remind_after_days: int = 3
    escalate_after_days: int = 7
    quiet: QuietHours = field(default_factory=QuietHours)


def queue_review_reminders(ctx: Context, policy: ReminderPolicy, *, scheduled_by: str | None = None) -> JobResult:
    """Queue today's reminders to grantors and to review channels (once per day each, whatever reruns)."""
    now, period, not_before = run_times(ctx, policy.cadence, policy.quiet)
    today = now.astimezone(ZoneInfo(policy.cadence.timezone)).date().isoformat()
    with ctx.transaction() as session:
        run = JobRun.begin(session, "reminders", period, now, scheduled_by)
        if run is None:
            return JobResult("reminders", period, already_ran=True)
        waiting = session.scalars(
            select(Submission)
            .where(Submission.status.in_(AWAITING_REVIEW),
                   Submission.updated_at < now - _days(policy.remind_after_days))
            .order_by(Submission.updated_at, Submission.id)
        ).unique().all()

        per_grantor: dict[str, list[dict[str, Any]]] = defaultdict(list)
        per_channel: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for submission in waiting:  # oldest first, so every list is too
            credential, learner = submission.credential, submission.learner.slack_user_id
            voted = {r.grantor for r in submission.reviews if r.round == submission.round}
            item = {"id": submission.id, "learner": learner, "credential": credential.slug,
                    "credential_name": credential.name, "since": submission.updated_at.isoformat(),
                    "waiting_days": days_waiting(submission.updated_at, now),
                    "review_channel": submission.review_channel, "review_ts": submission.review_ts,
                    "grantors": list(credential.grantors or [])}
            for grantor in expand_grantors(credential.grantors or [], ctx.directory.members_of):
                if grantor != learner and grantor not in voted:
                    per_grantor[grantor].append(item)
            channel = submission.review_channel or credential.review_channel
            if channel and now - submission.updated_at > _days(policy.escalate_after_days):
                per_channel[channel].append(item)

        already = existing_keys(session, f"review-reminder:{today}:") | existing_keys(
            session, f"review-escalation:{today}:")
        messages = [Queued(f"review-reminder:{today}:{grantor}", REMINDER, grantor,
                           {"date": today, "submissions": items}, not_before)
                    for grantor, items in sorted(per_grantor.items())]
        messages += [Queued(f"review-escalation:{today}:{channel}", ESCALATION, channel,
                            {"date": today, "days": policy.escalate_after_days, "submissions": items}, not_before)
                     for channel, items in sorted(per_channel.items())]
        fresh = [m for m in messages if m.dedupe_key not in already]
        return finish_run(session, now, run, period, fresh, (REMINDER, ESCALATION),
                          skipped=len(messages) - len(fresh), not_before=not_before)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
