"""Job functions: what the scheduler (and `badgebot jobs run`) calls. Each turns settings into a
policy and calls one use case; the rules live in bot/."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.domain.scheduling import Cadence, JobResult
from bot.usecases.expiry import ExpiryPolicy, queue_expiry_notices
from bot.usecases.nudges import NudgePolicy, queue_nudges
from bot.usecases.reminders import ReminderPolicy, queue_review_reminders

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def nudges(app: "Badgebot", *, scheduled_by: str | None = None) -> JobResult:
    """Nudge learners toward their closest certificate; congratulate those who just finished one."""
    s = app.settings
    return queue_nudges(app.ctx, NudgePolicy(Cadence(s.nudge_cron, s.timezone), s.quiet), scheduled_by=scheduled_by)


def reminders(app: "Badgebot", *, scheduled_by: str | None = None) -> JobResult:
    """Remind grantors of submissions waiting too long; past the second threshold, the review channel."""
    s = app.settings
    policy = ReminderPolicy(Cadence(s.review_reminder_cron, s.timezone), s.review_reminder_days,
                            s.review_escalation_days, s.quiet)
    return queue_review_reminders(app.ctx, policy, scheduled_by=scheduled_by)


def expiry(app: "Badgebot", *, scheduled_by: str | None = None) -> JobResult:
    """Tell learners before an award expires, and when it has."""
    s = app.settings
    policy = ExpiryPolicy(Cadence(s.expiry_cron, s.timezone), s.expiry_notice_days, quiet=s.quiet)
    return queue_expiry_notices(app.ctx, policy, scheduled_by=scheduled_by)


JOBS: dict[str, Callable[..., JobResult]] = {"nudges": nudges, "reminders": reminders, "expiry": expiry}
