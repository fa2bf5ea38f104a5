"""The outbox: notifications queued in the transaction that causes them, delivered once, afterwards.

A message's life (the `status` column):

    pending --claim--> sending --sent--> sent
                          |  \\--transient failure--> pending (it surely did not land) or
                          |                          unsure  (it may have landed: timeout, 5xx)
                          |--deliberately not sent--> skipped (e.g. nudges turned off meanwhile)
                          \\--gives up / permanent--> failed   (an administrator: `badgebot outbox`)

Exactly once, across crashes: each message is claimed in its own short transaction *before* it is
sent (status 'sending', the attempt's start in next_attempt_at), so a worker that dies between
sending and marking leaves a 'sending' row behind. After `stale_after` another worker (or the same
one, restarted) takes it over as uncertain, like an 'unsure' row, and the sender reconciles before
sending again: it looks in the channel for the message carrying this outbox id (chat.postMessage
`metadata`) and records it as sent if it is there. Delivery is at-least-once only toward Slack's
own retries; toward the learner it is once.

Rate limits: a worker sends at most one message per `channel_interval` to one recipient (Slack's
"about one message per second per channel"), never waits on one busy channel while others have
mail, and honours Retry-After on 429 by pausing that recipient (or everything, for a workspace-wide
limit) without counting the 429 as a failed try.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from bot.runtime.loop import WorkerLoop
from bot.usecases.context import Context
from bot.usecases.outbox import DUE, FAILED, PENDING, SENDING, SENT, SKIPPED, UNSURE
from models import OutboxMessage

log = logging.getLogger("badgebot.delivery")



@dataclass(frozen=True)
class Outgoing:
    id: int
    kind: str
    recipient: str
    payload: dict[str, Any]
    attempts: int
    # An earlier attempt may have reached Slack: look for it before sending again.
    reconcile: bool = False


@dataclass(frozen=True)
class Delivered:
    """Where a message landed; `found` when reconciliation found it already there; `skipped` (a
    reason) when it was deliberately not sent."""

    channel: str | None = None
    ts: str | None = None
    found: bool = False
    skipped: str | None = None


class Retry(Exception):
    """A transient failure: try again later (after `after` seconds, if given).

    `maybe_delivered`: the request may have reached Slack (a timeout, a 5xx), so the next try
    reconciles first. `rate_limited`: a 429, which is not a failed try; `scope` is "recipient"
    (a per-channel limit) or "all" (a workspace-wide one).
    """

    def __init__(self, message: str, after: float | None = None, *, maybe_delivered: bool = False,
                 rate_limited: bool = False, scope: str = "recipient"):
        super().__init__(message)
        self.after, self.maybe_delivered, self.rate_limited, self.scope = after, maybe_delivered, rate_limited, scope


Send = Callable[[Outgoing], "Delivered | None"]


class OutboxWorker(WorkerLoop):
    name = "outbox"

    def __init__(self, ctx: Context, send: Send, *, max_attempts: int = 8, base_delay: float = 2.0,
                 max_delay: float = 600.0, stale_after: dt.timedelta = dt.timedelta(minutes=2),
                 channel_interval: float = 1.0, monotonic: Callable[[], float] = time.monotonic,
                 when_idle: Callable[[], object] | None = None):
        self.ctx, self.send = ctx, send
        self.max_attempts, self.base_delay, self.max_delay = max_attempts, base_delay, max_delay
        self.stale_after, self.channel_interval = stale_after, channel_interval
        self.monotonic = monotonic
        # Pacing, per worker: recipient -> monotonic time before which nothing more goes to it.
        self._not_before: dict[str, float] = {}
        self._all_not_before = 0.0
        super().__init__()
        # Work the sender puts off until nothing is due (Notifier: App Home refreshes, one per learner):
        # during a burst the messages go first, and a learner's several updates make one refresh.
        self._when_idle = when_idle

    def configure(self, settings: Any) -> "OutboxWorker":
        """Apply BADGEBOT_OUTBOX_* settings."""
        self.max_attempts = settings.outbox_max_attempts
        self.stale_after = dt.timedelta(seconds=settings.outbox_lease_seconds)
        self.channel_interval = settings.outbox_channel_interval
        return self

    # -- pacing -------------------------------------------------------------------------------------

    def _paused(self) -> tuple[bool, set[str]]:
        now = self.monotonic()
        for recipient in [r for r, t in self._not_before.items() if t <= now]:
            del self._not_before[recipient]
        return self._all_not_before > now, set(self._not_before)

    def _pause(self, recipient: str | None, seconds: float) -> None:
        until = self.monotonic() + seconds
        if recipient is None:
            self._all_not_before = max(self._all_not_before, until)
        else:
            self._not_before[recipient] = max(self._not_before.get(recipient, 0.0), until)

    def next_wake(self, poll: float) -> float:
        """Sleep no longer than until the first paused recipient may be sent to again."""
        now = self.monotonic()
        soonest = min([*self._not_before.values(), self._all_not_before if self._all_not_before > now else now + poll])
        return max(0.01, min(poll, soonest - now))

    # -- one message --------------------------------------------------------------------------------

    def _claim(self, skip: set[str]) -> Outgoing | None:
        """Record before sending: the next due message becomes 'sending', in its own transaction."""
        now = self.ctx.clock()
        with self.ctx.transaction() as session:
            # One status at a time, each a range of the (status, next_attempt_at) index read in order:
            # the outbox keeps every message ever sent, and one query over all three statuses (an OR)
            # made the database walk that history on every claim (40 ms a message at 200,000 rows).
            # Left mid-send first (a dead worker's), then uncertain retries, then new messages.
            message = None
            for status, due_by in ((SENDING, now - self.stale_after), (UNSURE, now), (PENDING, now)):
                query = select(OutboxMessage).where(OutboxMessage.status == status,
                                                    OutboxMessage.next_attempt_at <= due_by)
                if skip:
                    query = query.where(OutboxMessage.recipient.not_in(skip))
                message = session.scalars(query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                                          .limit(1).with_for_update(skip_locked=True)).first()
                if message is not None:
                    break
            if message is None:
                return None
            reconcile = message.status in (UNSURE, SENDING)
            if message.status == SENDING:
                log.warning("outbox message %s was left mid-send (a worker stopped); reconciling", message.id)
            message.status, message.attempts, message.next_attempt_at = SENDING, message.attempts + 1, now
            return Outgoing(message.id, message.kind, message.recipient, dict(message.payload), message.attempts,
                            reconcile)

    def _finish(self, message: Outgoing, outcome: Delivered | None, error: Exception | None) -> None:
        now = self.ctx.clock()
        values: dict[str, Any]
        if error is None and outcome is not None and outcome.skipped:
            values = {"status": SKIPPED, "last_error": outcome.skipped[:2000]}
        elif error is None:
            values = {"status": SENT, "sent_at": now, "last_error": None}
            if outcome is not None and outcome.found:
                log.info("outbox message %s was already in Slack (%s %s): not sent again", message.id,
                         outcome.channel, outcome.ts)
            self._pause(message.recipient, self.channel_interval)
        elif isinstance(error, Retry) and error.rate_limited:
            after = error.after if error.after is not None else self.base_delay
            self._pause(None if error.scope == "all" else message.recipient, after)
            values = {"status": UNSURE if message.reconcile else PENDING, "attempts": message.attempts - 1,
                      "next_attempt_at": now + dt.timedelta(seconds=after), "last_error": str(error)[:2000]}
        elif isinstance(error, Retry) and message.attempts < self.max_attempts:
            delay = error.after if error.after is not None else min(
                self.max_delay, self.base_delay * 2 ** (message.attempts - 1))
            values = {"status": UNSURE if (error.maybe_delivered or message.reconcile) else PENDING,
                      "next_attempt_at": now + dt.timedelta(seconds=delay), "last_error": str(error)[:2000]}
        else:
            values = {"status": FAILED, "last_error": f"{type(error).__name__}: {error}"[:2000]}
            log.error("outbox message %s (%s to %s) failed for good after %s tries: %s", message.id, message.kind,
                      message.recipient, message.attempts, error)
        with self.ctx.transaction() as session:
            session.execute(update(OutboxMessage).where(
                OutboxMessage.id == message.id, OutboxMessage.status == SENDING).values(**values))

    def deliver_one(self) -> bool:
        """Claim, send and settle the next message that may go now. False when there is none."""
        everything_paused, busy = self._paused()
        if everything_paused:
            return False
        message = self._claim(busy)
        if message is None:
            return False
        try:
            outcome = self.send(message)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the message
            if not isinstance(exc, Retry):
                log.warning("sending outbox message %s failed: %s", message.id, exc)
            self._finish(message, None, exc)
        else:
            self._finish(message, outcome, None)
        return True

    def run_once(self, limit: int = 50) -> int:
        """Deliver what may go now, up to `limit` messages; return how many were handled."""
        handled = 0
        while handled < limit and self.deliver_one():
            handled += 1
        if handled < limit and self._when_idle is not None:
            self._when_idle()
        return handled

    # -- in the background (bot.runtime.loop) -----------------------------------------------------

    def has_due(self) -> bool:
        with self.ctx.reading() as session:
            return session.scalar(select(OutboxMessage.id).where(
                OutboxMessage.status.in_([*DUE, SENDING]),
                OutboxMessage.next_attempt_at <= self.ctx.clock()).limit(1)) is not None
