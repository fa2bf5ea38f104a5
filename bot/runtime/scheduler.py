"""The scheduler: APScheduler 3 in memory, run by the elected leader; the runs are kept in our database.

The jobs come from the job registry (handlers/jobs), each a name, a cadence from settings and one
use case. Runs are idempotent in the database: a scheduled run records (job, period) in the same
transaction as the messages it queues, so a second run for a period (two leaders overlapping, a
restart, a catch-up that another process already did) queues nothing. That is also why the job
store can live in memory: what a restart must not lose (a period nobody ran yet) is found again by
`catch_up` from the JobRun rows, not from a persisted next-run time.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from bot.adapters.leader import Leadership, leadership_for
from bot.domain.scheduling import Cadence, JobResult
from bot.usecases.context import Context
from models import JobRun

log = logging.getLogger("badgebot.scheduler")

MAX_MISFIRE_GRACE = dt.timedelta(hours=12)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    cadence: Cadence
    description: str
    run: Callable[[str | None], JobResult]  # scheduled_by (None: by hand) -> what it queued

    def misfire_grace(self, now: dt.datetime) -> dt.timedelta:
        """How late a missed run may still start: half the cadence's period, at most 12 hours (a
        weekly nudge missed at 10:00 still goes out that afternoon; an hourly job waits for its next run)."""
        start = self.cadence.period_start(now)
        following = self.cadence.next_fire(start)
        period = (following - start) if following else MAX_MISFIRE_GRACE * 2
        return max(dt.timedelta(seconds=1), min(MAX_MISFIRE_GRACE, period / 2))


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def find_job(jobs: Sequence[ScheduledJob], name: str) -> ScheduledJob:
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(f"no job {name!r}; jobs: {', '.join(j.name for j in jobs)}")


def run_job(jobs: Sequence[ScheduledJob], name: str, *, scheduled_by: str | None = None,
            after: Callable[[], None] | None = None) -> JobResult:
    """Run one job now: the single way in for the scheduler and `badgebot jobs run`.

    `after` runs when the job queued anything (serve kicks the outbox worker with it)."""
    result = find_job(jobs, name).run(scheduled_by)
    if result.total and after is not None:
        after()
    return result


def last_runs(ctx: Context, limit: int = 10) -> list[JobRun]:
    with ctx.reading() as session:
        return list(session.scalars(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))


class Scheduler:
    """A BackgroundScheduler over the registry's jobs, in the program's time zone."""

    def __init__(self, ctx: Context, jobs: Sequence[ScheduledJob], timezone: str, *, runner: str | None = None,
                 after_run: Callable[[], None] | None = None, on_run: Callable[[JobResult], None] | None = None):
        self.ctx = ctx
        self.jobs = tuple(jobs)
        self.timezone = timezone
        self.runner = runner or runner_name()
        self.after_run = after_run
        self.on_run = on_run
        self._scheduler: Any = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        with self._lock:
            if self._scheduler is not None:
                return
            scheduler = BackgroundScheduler(
                jobstores={"default": MemoryJobStore()}, executors={"default": ThreadPoolExecutor(3)},
                job_defaults={"coalesce": True, "max_instances": 1}, timezone=ZoneInfo(self.timezone))
            now = self.ctx.clock()
            for job in self.jobs:
                scheduler.add_job(self.run_scheduled, trigger=job.cadence.trigger, args=[job.name], id=job.name,
                                  name=job.description, misfire_grace_time=int(job.misfire_grace(now).total_seconds()))
            scheduler.start()
            self._scheduler = scheduler
        log.info("scheduler started (%s): %s", self.runner, "; ".join(
            f"{j.name} {j.cadence.cron!r}" for j in self.jobs))
        threading.Thread(target=self.catch_up, name="scheduler-catch-up", daemon=True).start()

    def catch_up(self) -> list[JobResult]:
        """Run each job whose current period has no run yet and is still within its misfire grace:
        what a leader that died mid-run (its run rolled back) or a restart left undone."""
        now = self.ctx.clock()
        results = []
        for job in self.jobs:
            period = job.cadence.period_start(now)
            if now - period > job.misfire_grace(now):
                continue
            with self.ctx.reading() as session:
                done = session.scalar(select(JobRun.id).where(JobRun.job == job.name, JobRun.period == period))
            if done is None and self.running:
                log.info("catching up %s for the period from %s", job.name, period.isoformat())
                result = self.run_scheduled(job.name)
                if result is not None:
                    results.append(result)
        return results

    def run_scheduled(self, name: str) -> JobResult | None:
        try:
            result = run_job(self.jobs, name, scheduled_by=self.runner, after=self.after_run)
        except Exception:  # noqa: BLE001 - a failed run is retried by the next period or a catch-up
            log.exception("job %s failed", name)
            return None
        if result.already_ran:
            log.info("job %s: the period from %s already ran", name, result.period.isoformat())
        else:
            log.info("job %s ran for the period from %s: %s", name, result.period.isoformat(), result.summary)
        if self.on_run is not None:
            self.on_run(result)
        return result

    def shutdown(self, wait: bool = False) -> None:
        with self._lock:
            scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=wait)
            log.info("scheduler stopped (%s)", self.runner)


def start_scheduling(scheduler: Scheduler, database_url: str, *,
                     on_leadership: Callable[[bool], None] | None = None) -> Leadership:
    """Run the scheduler in this process whenever it is the leader (SQLite: always)."""
    def elected() -> None:
        scheduler.start()
        if on_leadership:
            on_leadership(True)

    def deposed() -> None:
        scheduler.shutdown(wait=False)
        if on_leadership:
            on_leadership(False)

    leadership = leadership_for(database_url, elected, deposed)
    leadership.start()
    return leadership
