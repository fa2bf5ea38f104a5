"""What every scheduled job does last: queue its messages and record the run, in its transaction."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from bot.domain.scheduling import Cadence, JobResult, QuietHours
from bot.usecases.context import Context
from bot.usecases.outbox import Queued, queue_many
from models import JobRun


def finish_run(session: Session, now: dt.datetime, run: JobRun, period: dt.datetime, messages: Sequence[Queued],
               kinds: Iterable[str], *, skipped: int = 0, not_before: dt.datetime | None = None) -> JobResult:
    """Queue `messages` (those not already in the outbox; `skipped` counts the ones that were) and
    write the result on `run`, so the run and its messages commit together or not at all."""
    queued = queue_many(session, now, messages)
    counts = {str(kind): sum(m.kind == kind for m in messages) for kind in kinds}
    if queued != len(messages):  # a concurrent run got some first: count what we added
        counts = {"queued": queued}
    result = JobResult(run.job, period, counts, already_queued=skipped + len(messages) - queued,
                       not_before=not_before)
    run.summary = result.summary
    return result


def run_times(ctx: Context, cadence: Cadence, quiet: QuietHours) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """A run's now, the start of the period it belongs to, and the first moment it may speak."""
    now = ctx.clock()
    return now, cadence.period_start(now), quiet.next_allowed(now)
