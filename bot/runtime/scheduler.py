"""The scheduler: APScheduler 3, its jobs kept in the bot's own database, run by the elected leader.

Three jobs, each a thin function in handlers/jobs over one use case: nudges, review reminders and
expiry notices, on crontabs from settings in the program's time zone. Runs are idempotent in the
database: a scheduled run records (job, period) in the same transaction as the messages it queues,
so a second run for a period (two leaders overlapping, a restart, APScheduler catching up a misfire
that another process already ran) queues nothing.

Why a module-level `_active`: the persistent job store pickles each job's target as a reference
("bot.runtime.scheduler:fire") with plain arguments; the running Badgebot cannot be pickled, so the
target finds it here. One scheduler runs per process.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.domain.scheduling import Cadence, JobResult
from models import JobRun

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot
    from bot.adapters.leader import Leadership

log = logging.getLogger("badgebot.scheduler")

FIRE = "bot.runtime.scheduler:fire"
MAX_MISFIRE_GRACE = dt.timedelta(hours=12)


@dataclass(frozen=True)
class JobSpec:
    name: str
    cadence: Cadence
    description: str

    def misfire_grace(self, now: dt.datetime) -> dt.timedelta:
        """How late a missed run may still start: half the cadence's period, at most 12 hours (a
        weekly nudge missed at 10:00 still goes out that afternoon; an hourly job waits for its next run)."""
        start = self.cadence.period_start(now)
        following = self.cadence.next_fire(start)
        period = (following - start) if following else MAX_MISFIRE_GRACE * 2
        return max(dt.timedelta(seconds=1), min(MAX_MISFIRE_GRACE, period / 2))


def job_specs(settings: Any) -> dict[str, JobSpec]:
    tz = settings.timezone
    return {spec.name: spec for spec in (
        JobSpec("nudges", Cadence(settings.nudge_cron, tz), "certificate-stacking nudges and congratulations"),
        JobSpec("reminders", Cadence(settings.review_reminder_cron, tz), "review reminders to grantors and channels"),
        JobSpec("expiry", Cadence(settings.expiry_cron, tz), "expiry heads-ups and lapse notices"),
    )}


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(app: "Badgebot", name: str, *, scheduled_by: str | None = None) -> JobResult:
    """Run one job now: the single way in for the scheduler and `badgebot jobs run`."""
    from handlers.jobs import JOBS

    if name not in JOBS:
        raise KeyError(f"no job {name!r}; jobs: {', '.join(JOBS)}")
    result = JOBS[name](app, scheduled_by=scheduled_by)
    slack = app.extras.get("slack")
    if result.total and slack is not None:
        slack.delivery.kick()  # type: ignore[attr-defined]
    return result


def last_runs(app: "Badgebot", limit: int = 10) -> list[JobRun]:
    with app.ctx.transaction() as session:
        return list(session.scalars(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))


# --------------------------------------------------------------------------- the running scheduler

_active: "Scheduler | None" = None


def fire(name: str) -> None:
    """APScheduler's target for every job (by reference, from the persistent store)."""
    scheduler = _active
    if scheduler is None:
        log.warning("job %s fired with no scheduler running here; skipped", name)
        return
    scheduler.run_scheduled(name)


class Scheduler:
    """A BackgroundScheduler with an SQLAlchemyJobStore on the bot's database."""

    def __init__(self, app: "Badgebot", *, runner: str | None = None,
                 on_run: Callable[[JobResult], None] | None = None):
        self.app = app
        self.runner = runner or runner_name()
        self.specs = job_specs(app.settings)
        self.on_run = on_run
        self._scheduler: Any = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        from bot.adapters.db import make_engine

        global _active
        with self._lock:
            if self._scheduler is not None:
                return
            # The job store gets an engine of its own: its shutdown disposes the engine it uses.
            store = SQLAlchemyJobStore(engine=make_engine(self.app.settings.effective_database_url),
                                       tablename="apscheduler_jobs")
            scheduler = BackgroundScheduler(
                jobstores={"default": store}, executors={"default": ThreadPoolExecutor(3)},
                job_defaults={"coalesce": True, "max_instances": 1},
                timezone=ZoneInfo(self.app.settings.timezone))
            _active = self
            scheduler.start(paused=True)
            self._sync(scheduler)
            scheduler.resume()
            self._scheduler = scheduler
        log.info("scheduler started (%s): %s", self.runner, "; ".join(
            f"{s.name} {s.cadence.cron!r}" for s in self.specs.values()))
        threading.Thread(target=self.catch_up, name="scheduler-catch-up", daemon=True).start()

    def _sync(self, scheduler: Any) -> None:
        """Make the stored jobs match the settings, keeping a job whose schedule did not change (so
        its next run time, and a run it missed while no one led, survive restarts)."""
        now = self.app.ctx.clock()
        for spec in self.specs.values():
            trigger = spec.cadence.trigger
            grace = int(spec.misfire_grace(now).total_seconds())
            job = scheduler.get_job(spec.name)
            if job is not None and str(job.trigger) == str(trigger) and job.misfire_grace_time == grace \
                    and job.func_ref == FIRE:
                continue
            scheduler.add_job(FIRE, trigger=trigger, args=[spec.name], id=spec.name, name=spec.description,
                              replace_existing=True, misfire_grace_time=grace, coalesce=True, max_instances=1)
        for job in scheduler.get_jobs():
            if job.id not in self.specs:
                job.remove()

    def catch_up(self) -> list[JobResult]:
        """Run each job whose current period has no run yet and is still within its misfire grace:
        what a leader that died mid-run (its run rolled back, APScheduler already moved on) left undone."""
        now = self.app.ctx.clock()
        results = []
        for spec in self.specs.values():
            period = spec.cadence.period_start(now)
            if now - period > spec.misfire_grace(now):
                continue
            with self.app.ctx.transaction() as session:
                done = session.scalar(select(JobRun.id).where(JobRun.job == spec.name, JobRun.period == period))
            if done is None and self.running:
                log.info("catching up %s for the period from %s", spec.name, period.isoformat())
                result = self.run_scheduled(spec.name)
                if result is not None:
                    results.append(result)
        return results

    def run_scheduled(self, name: str) -> JobResult | None:
        try:
            result = run_job(self.app, name, scheduled_by=self.runner)
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

    def next_runs(self) -> dict[str, dt.datetime | None]:
        if self._scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def shutdown(self, wait: bool = False) -> None:
        global _active
        with self._lock:
            scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=wait)
            log.info("scheduler stopped (%s)", self.runner)
        if _active is self:
            _active = None


def start_scheduling(app: "Badgebot", *, on_run: Callable[[JobResult], None] | None = None,
                     on_leadership: Callable[[bool], None] | None = None) -> "Leadership":
    """Run the scheduler in this process whenever it is the leader (SQLite: always)."""
    from bot.adapters.leader import leadership_for

    scheduler = Scheduler(app, on_run=on_run)

    def elected() -> None:
        scheduler.start()
        if on_leadership:
            on_leadership(True)

    def deposed() -> None:
        scheduler.shutdown(wait=False)
        if on_leadership:
            on_leadership(False)

    leadership = leadership_for(app.settings.effective_database_url, elected, deposed)
    leadership.start()
    return leadership
