"""The outbox worker: delivers queued notifications after the transactions that queued them commit.

Each message is claimed (status 'sending', attempts + 1) in its own short transaction before it is
sent, and marked 'sent' after; failures are retried with exponential backoff until `max_attempts`,
then left 'failed' for an administrator. A worker that dies between sending and marking leaves a
'sending' row, which is retried after `stale_after` (at-least-once; see issue on exactly-once).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update

from bot.usecases.context import Context
from models import OutboxMessage

log = logging.getLogger("badgebot.delivery")


@dataclass(frozen=True)
class Outgoing:
    id: int
    kind: str
    recipient: str
    payload: dict[str, Any]
    attempts: int


class Retry(Exception):
    """A transient failure: try again later (after `after` seconds, if given)."""

    def __init__(self, message: str, after: float | None = None):
        super().__init__(message)
        self.after = after


Send = Callable[[Outgoing], None]


class OutboxWorker:
    def __init__(self, ctx: Context, send: Send, *, max_attempts: int = 6, base_delay: float = 2.0,
                 stale_after: dt.timedelta = dt.timedelta(minutes=5)):
        self.ctx, self.send = ctx, send
        self.max_attempts, self.base_delay, self.stale_after = max_attempts, base_delay, stale_after
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._busy = False

    # -- one pass ---------------------------------------------------------------------------------

    def _claim(self, limit: int) -> list[Outgoing]:
        now = self.ctx.clock()
        claimed = []
        with self.ctx.transaction() as session:
            due = session.scalars(
                select(OutboxMessage).where(or_(
                    (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
                    (OutboxMessage.status == "sending") & (OutboxMessage.next_attempt_at <= now - self.stale_after),
                )).order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
            ).all()
            for message in due:
                message.status, message.attempts, message.next_attempt_at = "sending", message.attempts + 1, now
                claimed.append(Outgoing(message.id, message.kind, message.recipient, dict(message.payload),
                                        message.attempts))
        return claimed

    def _finish(self, message: Outgoing, error: Exception | None) -> None:
        now = self.ctx.clock()
        values: dict[str, Any]
        if error is None:
            values = {"status": "sent", "sent_at": now, "last_error": None}
        elif isinstance(error, Retry) and message.attempts < self.max_attempts:
            delay = error.after if error.after is not None else self.base_delay * 2 ** (message.attempts - 1)
            values = {"status": "pending", "next_attempt_at": now + dt.timedelta(seconds=delay),
                      "last_error": str(error)[:2000]}
        else:
            values = {"status": "failed", "last_error": str(error)[:2000]}
            log.error("outbox message %s (%s to %s) failed for good: %s", message.id, message.kind,
                      message.recipient, error)
        with self.ctx.transaction() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values))

    def run_once(self, limit: int = 50) -> int:
        """Deliver what is due now; return how many were handled."""
        messages = self._claim(limit)
        for message in messages:
            try:
                self.send(message)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the message
                if not isinstance(exc, Retry):
                    log.warning("sending outbox message %s failed: %s", message.id, exc)
                self._finish(message, exc)
            else:
                self._finish(message, None)
        return len(messages)

    # -- in the background ------------------------------------------------------------------------

    def kick(self) -> None:
        """Something was queued: deliver it now instead of at the next poll."""
        self._wake.set()

    def start(self, poll_seconds: float = 1.0) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                with self._idle:
                    self._busy = True
                try:
                    while self.run_once():
                        pass
                except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                    log.exception("outbox pass failed")
                with self._idle:
                    self._busy = False
                    self._idle.notify_all()
                self._wake.wait(poll_seconds)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)

    def drain(self, timeout: float = 10.0) -> None:
        """For tests and shutdown: wait until nothing due is left (or the timeout passes)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.ctx.transaction() as session:
                due = session.scalar(select(OutboxMessage.id).where(
                    OutboxMessage.status.in_(["pending", "sending"]),
                    OutboxMessage.next_attempt_at <= self.ctx.clock()).limit(1))
            if due is None:
                with self._idle:
                    if not self._busy:
                        return
            self.kick()
            time.sleep(0.02)
