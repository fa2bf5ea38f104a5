"""The outbox worker on a real database, with the clock and the pacing clock injected: retries,
rate limits, giving up where administrators see it, and crash recovery by reconciliation."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.domain.vocabulary import OutboxKind
from bot.runtime.delivery import Delivered, OutboxWorker, Retry
from bot.usecases.outbox import Queued, outbox_status, queue_many, retry_failed
from models import AuditEntry, OutboxMessage


class Ticks:
    """A monotonic clock for pacing, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeSlack:
    """Records what was sent; fails as told, per outbox id."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, bool]] = []
        self.failures: dict[int, list[Exception]] = {}

    def send(self, message) -> Delivered:
        plan = self.failures.get(message.id)
        if plan:
            raise plan.pop(0)
        self.sent.append((message.id, message.recipient, message.reconcile))
        return Delivered("D1", f"{message.id}.0")


@pytest.fixture
def slack() -> FakeSlack:
    return FakeSlack()


@pytest.fixture
def worker(ctx, slack) -> OutboxWorker:
    return OutboxWorker(ctx, slack.send, max_attempts=3, base_delay=10, channel_interval=1.0, monotonic=Ticks())


def queue(ctx, clock, *recipients: str) -> list[int]:
    with ctx.transaction() as session:
        queue_many(session, clock(), [Queued(f"test:{i}:{r}", OutboxKind.NUDGE, r, {"n": i}) for i, r in enumerate(recipients)])
    with ctx.transaction() as session:
        return list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.dedupe_key.like("test:%"))
                                    .order_by(OutboxMessage.id)))


def rows(ctx) -> dict[int, tuple[str, int]]:
    with ctx.transaction() as session:
        return {m.id: (m.status, m.attempts) for m in session.scalars(select(OutboxMessage))}


def test_queue_many_skips_keys_already_there(ctx, clock):
    messages = [Queued(f"k:{i}", OutboxKind.NUDGE, f"U{i}") for i in range(5)]
    with ctx.transaction() as session:
        assert queue_many(session, clock(), messages[:3]) == 3
    with ctx.transaction() as session:
        assert queue_many(session, clock(), messages) == 2
    assert len(rows(ctx)) == 5


def test_one_message_per_second_per_recipient_others_meanwhile(ctx, clock, worker, slack):
    a1, b1, a2, c1 = queue(ctx, clock, "UA", "UB", "UA", "UC")
    assert worker.run_once() == 3
    assert [s[0] for s in slack.sent] == [a1, b1, c1]         # a2 waits: UA just got one
    worker.monotonic.now += 0.5
    assert worker.run_once() == 0
    worker.monotonic.now += 0.6
    assert worker.run_once() == 1 and slack.sent[-1][0] == a2
    assert {s for s, _ in rows(ctx).values()} == {"sent"}


def test_a_429_waits_retry_after_without_counting_as_a_try(ctx, clock, worker, slack):
    a, b = queue(ctx, clock, "UA", "UB")
    slack.failures[a] = [Retry("rate-limited", 3, rate_limited=True)] * 5
    worker.run_once()
    assert rows(ctx)[a] == ("pending", 0) and rows(ctx)[b] == ("sent", 1)
    clock.advance(seconds=3)
    worker.monotonic.now += 3
    for _ in range(4):                                          # many 429s: never 'failed'
        worker.run_once()
        clock.advance(seconds=3)
        worker.monotonic.now += 3
    worker.run_once()
    assert rows(ctx)[a] == ("sent", 1)


def test_a_workspace_wide_429_pauses_everything(ctx, clock, worker, slack):
    a, b = queue(ctx, clock, "UA", "UB")
    slack.failures[a] = [Retry("rate-limited", 5, rate_limited=True, scope="all")]
    assert worker.run_once() == 1 and not slack.sent
    clock.advance(seconds=5)
    assert worker.run_once() == 0                               # paused for 5 s of the pacing clock
    worker.monotonic.now += 5
    assert worker.run_once() == 2


def test_transient_failures_back_off_then_give_up_where_admins_see_it(ctx, clock, worker, slack):
    [a] = queue(ctx, clock, "UA")
    slack.failures[a] = [Retry("Slack said 500", maybe_delivered=True), Retry("Slack said internal_error"),
                         RuntimeError("boom")]
    worker.run_once()
    assert rows(ctx)[a] == ("unsure", 1)                        # may have landed: reconcile next time
    assert worker.run_once() == 0                               # backing off: 10 s
    clock.advance(seconds=10)
    worker.run_once()
    assert rows(ctx)[a] == ("unsure", 2)                        # still unsure: not yet reconciled
    clock.advance(seconds=20)
    worker.run_once()
    assert rows(ctx)[a] == ("failed", 3)
    status = outbox_status(ctx)
    assert status.counts["failed"] == 1
    [failed] = status.failed
    assert (failed.id, failed.attempts, failed.last_error) == (a, 3, "RuntimeError: boom")

    assert retry_failed(ctx, "cli", [a]) == [a]
    assert rows(ctx)[a] == ("unsure", 0)
    worker.run_once()
    assert slack.sent == [(a, "UA", True)]                      # reconciled before sending again
    with ctx.transaction() as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "outbox.retry"))


def test_a_message_left_mid_send_by_a_dead_worker_is_reconciled_after_the_lease(ctx, clock, slack):
    [a] = queue(ctx, clock, "UA")
    dead = OutboxWorker(ctx, slack.send, stale_after=dt.timedelta(minutes=2), monotonic=Ticks())
    claimed = dead._claim(set())                                # ...and the worker dies before marking
    assert claimed is not None and rows(ctx)[a] == ("sending", 1)

    restarted = OutboxWorker(ctx, slack.send, stale_after=dt.timedelta(minutes=2), monotonic=Ticks())
    assert restarted.run_once() == 0                            # in flight somewhere: leave it
    clock.advance(minutes=2)
    assert restarted.run_once() == 1
    assert slack.sent == [(a, "UA", True)] and rows(ctx)[a] == ("sent", 2)


def test_a_message_found_already_in_slack_is_marked_sent(ctx, clock):
    [a] = queue(ctx, clock, "UA")
    worker = OutboxWorker(ctx, lambda m: Delivered("D1", "1.0", found=True), monotonic=Ticks())
    worker.run_once()
    assert rows(ctx)[a] == ("sent", 1)


def test_a_skipped_message_is_not_sent_and_says_why(ctx, clock):
    [a] = queue(ctx, clock, "UA")
    worker = OutboxWorker(ctx, lambda m: Delivered(skipped="nudges turned off"), monotonic=Ticks())
    worker.run_once()
    assert rows(ctx)[a] == ("skipped", 1)
    assert outbox_status(ctx).counts["skipped"] == 1


def test_queueing_in_bulk_skips_keys_already_queued_and_counts_only_the_new(ctx, clock):
    later = clock() + dt.timedelta(hours=3)
    with ctx.transaction() as session:
        first = queue_many(session, clock(), [Queued(f"bulk:{n}", OutboxKind.NUDGE, f"U{n:04d}", {"n": n}) for n in range(5)],
                           chunk=2)
    with ctx.transaction() as session:                          # a rerun overlapping the first, in batches of 2
        again = queue_many(session, clock(), [Queued(f"bulk:{n}", OutboxKind.NUDGE, f"U{n:04d}", {"n": -1}, later)
                                              for n in range(3, 8)], chunk=2)
    assert (first, again) == (5, 3)
    with ctx.transaction() as session:
        queued = session.execute(select(OutboxMessage.dedupe_key, OutboxMessage.payload, OutboxMessage.next_attempt_at)
                                 .where(OutboxMessage.dedupe_key.like("bulk:%")).order_by(OutboxMessage.id)).all()
    assert [(k, p["n"]) for k, p, _ in queued] == [(f"bulk:{n}", n) for n in range(5)] + [
        (f"bulk:{n}", -1) for n in range(5, 8)]
    assert {t for _, _, t in queued[5:]} == {later}             # quiet hours: held until then


class SlackWithLaterWork(FakeSlack):
    """A sender that puts work off until nothing is due (as the Notifier does with App Home refreshes)."""

    def __init__(self) -> None:
        super().__init__()
        self.idle_at: list[int] = []

    def when_idle(self) -> None:
        self.idle_at.append(len(self.sent))


def test_work_put_off_by_the_sender_waits_until_nothing_is_due(ctx, clock):
    slack = SlackWithLaterWork()
    worker = OutboxWorker(ctx, slack.send, channel_interval=0.0, monotonic=Ticks(), when_idle=slack.when_idle)
    queue(ctx, clock, "UA", "UB", "UC")
    assert worker.run_once(limit=2) == 2 and slack.idle_at == []  # messages still due: not yet
    assert worker.run_once() == 1 and slack.idle_at == [3]
