"""The job registry: every scheduled job once, with the setting that times it and the use case it runs.

The scheduler, `badgebot jobs run` and `badgebot jobs list` all read this list. Each job turns
settings into a policy and calls one use case; the rules live in bot/.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.scheduling import Cadence, JobResult
from bot.runtime.scheduler import ScheduledJob
from bot.usecases.context import Context
from bot.usecases.evaluations import EvaluationPolicy, open_due_evaluations
from bot.usecases.expiry import ExpiryPolicy, queue_expiry_notices
from bot.usecases.nudges import NudgePolicy, queue_nudges
from bot.usecases.reminders import ReminderPolicy, queue_review_reminders
from bot.usecases.reports.summary import queue_digest
from config.catalog import Catalog
from config.settings import Settings

Run = Callable[[Context, Settings, Cadence, "str | None"], JobResult]


def nudges(ctx: Context, s: Settings, cadence: Cadence, scheduled_by: str | None) -> JobResult:
    """Nudge learners toward their closest certificate; congratulate those who just finished one."""
    return queue_nudges(ctx, NudgePolicy(cadence, s.quiet), scheduled_by=scheduled_by)


def reminders(ctx: Context, s: Settings, cadence: Cadence, scheduled_by: str | None) -> JobResult:
    """Remind grantors of submissions waiting too long; past the second threshold, the review channel."""
    policy = ReminderPolicy(cadence, s.review_reminder_days, s.review_escalation_days, s.quiet)
    return queue_review_reminders(ctx, policy, scheduled_by=scheduled_by)


def expiry(ctx: Context, s: Settings, cadence: Cadence, scheduled_by: str | None) -> JobResult:
    """Tell learners before an award expires, and when it has."""
    return queue_expiry_notices(ctx, ExpiryPolicy(cadence, s.expiry_notice_days, quiet=s.quiet),
                                scheduled_by=scheduled_by)


def digest(ctx: Context, s: Settings, cadence: Cadence, scheduled_by: str | None) -> JobResult:
    """Post last week's program figures to the office channel (BADGEBOT_DIGEST_CHANNEL; none: nothing)."""
    return queue_digest(ctx, s.digest_channel, cadence, target_days=s.decision_target_days, scheduled_by=scheduled_by)


def evaluations(ctx: Context, s: Settings, cadence: Cadence, scheduled_by: str | None, catalog: Catalog) -> JobResult:
    """Open the periodic evaluations that came due; remind issuer admins of those undecided (daily)."""
    return open_due_evaluations(ctx, catalog, EvaluationPolicy(cadence, s.quiet), scheduled_by=scheduled_by)


@dataclass(frozen=True)
class Job:
    name: str
    cron_setting: str  # the Settings field holding its crontab
    description: str
    run: Callable[..., JobResult]  # a Run; with `catalog`, a Run that also takes the live catalog
    catalog: bool = False


JOBS: tuple[Job, ...] = (
    Job("nudges", "nudge_cron", "certificate-stacking nudges and congratulations", nudges),
    Job("reminders", "review_reminder_cron", "review reminders to grantors and channels", reminders),
    Job("expiry", "expiry_cron", "expiry heads-ups and lapse notices", expiry),
    Job("digest", "digest_cron", "the weekly program digest to the office channel", digest),
    Job("evaluations", "evaluation_cron", "periodic credential evaluations and their reminders", evaluations,
        catalog=True),
)
JOB_NAMES = tuple(job.name for job in JOBS)


def scheduled_jobs(ctx: Context, settings: Settings, catalog: Catalog | None = None) -> tuple[ScheduledJob, ...]:
    """The registry bound to this bot: each job's cadence built once, from its setting; `catalog` (the
    live catalog) for the jobs that read it."""
    def bound(job: Job, cadence: Cadence) -> Callable[[str | None], JobResult]:
        if job.catalog:
            return lambda scheduled_by: job.run(ctx, settings, cadence, scheduled_by, catalog)
        return lambda scheduled_by: job.run(ctx, settings, cadence, scheduled_by)

    scheduled = []
    for job in JOBS:
        cadence = Cadence(getattr(settings, job.cron_setting), settings.timezone)
        scheduled.append(ScheduledJob(job.name, cadence, job.description, bound(job, cadence)))
    return tuple(scheduled)
