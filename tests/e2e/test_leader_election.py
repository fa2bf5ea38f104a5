"""Leader election among scheduler replicas on PostgreSQL, with real processes: two run `badgebot jobs
scheduler` on one database; exactly one leads (runs the jobs); the leader is SIGKILLed; the standby
takes over; and no period of any job runs twice.

What is asserted is what an operator sees: each process's own words ("leading", "standing by") and
the database's record of job runs (job_runs: job, period, runner) and of the nudges queued.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.usecases.learners import set_nudges
from models import JobRun, OutboxMessage
from tests.helpers import earn
from tests.processes import stop, wait_for

ROOT = Path(__file__).resolve().parents[2]
# Learners with an unfinished certificate: every nudge run queues one nudge for each.
NUDGED = ("U0ANA00001", "U0BO000001", "U0CHEN0001")
TAKEOVER_DEADLINE = 10.0  # seconds, the bound for a standby to take over from a dead leader

pytestmark = pytest.mark.slow


class Replica:
    """One `badgebot jobs scheduler` process, its output in a file."""

    def __init__(self, name: str, database_url: str, tmp_path: Path):
        self.log = tmp_path / f"{name}.log"
        env = {**os.environ, "DATABASE_URL": database_url, "BADGEBOT_DATA_DIR": str(tmp_path / name),
               # Nudges every 2 seconds, so a takeover shows within the test; the other jobs
               # fire once a year (and are not caught up: their periods began long ago).
               "BADGEBOT_NUDGE_CRON": "*/2 * * * * *", "BADGEBOT_REVIEW_REMINDER_CRON": "0 3 1 jan *",
               "BADGEBOT_EXPIRY_CRON": "0 3 1 jan *", "BADGEBOT_QUIET_HOURS": "off", "BADGEBOT_QUIET_DAYS": "",
               "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "handlers.cli.jobs", "jobs", "scheduler"],
                                        cwd=ROOT, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        self.runner = f"{socket.gethostname()}:{self.process.pid}"  # how the process names itself

    def said(self, word: str) -> bool:
        return f"{word} {self.runner}" in self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        stop(self.process)


def replicas_said(*replicas: Replica) -> Callable[[], str]:
    return lambda: "\n".join(f"--- {r.runner} (exit {r.process.poll()}):\n{r.output()[-3000:]}" for r in replicas)


def runs(ctx: Any) -> list[tuple[str, Any, str, dict[str, int]]]:
    with ctx.transaction() as session:
        return [tuple(r) for r in session.execute(
            select(JobRun.job, JobRun.period, JobRun.runner, JobRun.summary).order_by(JobRun.period, JobRun.id))]


def nudge_keys(ctx: Any) -> list[str]:
    with ctx.transaction() as session:
        return list(session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "nudge")))


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[list[Replica]]:
    started: list[Replica] = []
    yield started
    for replica in started:
        replica.stop()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_one_replica_leads_and_a_standby_takes_over_when_it_is_killed(database_url, ctx, replicas, tmp_path):
    earn(ctx, "U0ANA00001", "spreadsheet-fundamentals")         # 1 of 3 toward Data Analytics
    earn(ctx, "U0BO000001", "business-writing")                 # 1 of 2 toward Professional Communication
    earn(ctx, "U0CHEN0001", "sql-basics")
    earn(ctx, "U0DEV00001", "sql-basics")
    set_nudges(ctx, "U0DEV00001", False)                        # opted out: never nudged, by anyone

    replicas += [Replica("one", database_url, tmp_path), Replica("two", database_url, tmp_path)]
    both = tuple(replicas)

    # Exactly one leads; the other says it stands by. Only the leader runs jobs.
    leader = wait_for(lambda: next((r for r in both if r.said("leading")), None), 60, "a leader", replicas_said(*both))
    [standby] = [r for r in both if r is not leader]
    wait_for(lambda: standby.said("standing by"), 60, "the other replica to stand by", replicas_said(*both))
    wait_for(lambda: len(runs(ctx)) >= 2, 30, "two nudge runs by the leader", replicas_said(*both))
    assert {runner for _, _, runner, _ in runs(ctx)} == {leader.runner}
    assert not standby.said("leading") and not leader.said("standing by")

    # The leader dies without a word (no shutdown, no unlock): PostgreSQL ends its session.
    leader.process.send_signal(signal.SIGKILL)
    leader.process.wait(10)
    wait_for(lambda: standby.said("leading"), TAKEOVER_DEADLINE, "the standby to take over", replicas_said(*both))
    wait_for(lambda: sum(r[2] == standby.runner for r in runs(ctx)) >= 2, 30, "two nudge runs by the new leader",
             replicas_said(*both))
    standby.stop()

    recorded = runs(ctx)
    assert {job for job, *_ in recorded} == {"nudges"}
    periods = [period for _, period, _, _ in recorded]
    assert len(periods) == len(set(periods)), "a period ran twice"
    # One leader at a time: every period the first leader ran precedes every period the second ran.
    by_leader = [runner for _, _, runner, _ in recorded]
    switch = by_leader.index(standby.runner)
    assert by_leader == [leader.runner] * switch + [standby.runner] * (len(by_leader) - switch), by_leader
    # Each run queued one nudge per unfinished learner, none found already queued by another run.
    assert [summary for *_, summary in recorded] == [
        {"nudge": len(NUDGED), "nudge_congratulations": 0, "already_queued": 0}] * len(recorded)
    keys = nudge_keys(ctx)
    assert Counter(key.rsplit(":", 1)[1] for key in keys) == {user: len(recorded) for user in NUDGED}
    assert len(keys) == len(set(keys)) == len(NUDGED) * len(recorded)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_leader_that_loses_its_connection_stops_leading_and_another_is_elected(database_url, engine):
    from sqlalchemy import text

    from bot.adapters.leader import AdvisoryLockLeader

    said: list[str] = []
    one = AdvisoryLockLeader(database_url, lambda: said.append("one leads"), lambda: said.append("one deposed"))
    two = AdvisoryLockLeader(database_url, lambda: said.append("two leads"), lambda: said.append("two deposed"))
    try:
        assert one.try_once() and not two.try_once()
        assert one.try_once() and not two.try_once()            # the lock stays with its session
        with engine.begin() as conn:                            # a failover, a proxy, an administrator
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": one._connection.info.backend_pid})
        assert not one.try_once()                               # noticed at its next check
        assert two.try_once() and not one.try_once()
        assert said == ["one leads", "one deposed", "two leads"]
    finally:
        one.stop()
        two.stop()
    assert said[-1] == "two deposed"
