"""The intake worker: finishes work recorded before Slack was answered (bot/usecases/intake.py).

A thread beside the outbox worker, in every replica: each claims rows with a lease, so any replica
finishes what another was doing when it died, and none finishes a row twice (the claim's token is
checked in the transaction that submits). It kicks the outbox after each piece of work, since a
submission queues its review card there.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bot.usecases.intake import Intake

log = logging.getLogger("badgebot.intake")


class IntakeWorker:
    def __init__(self, intake: Intake, *, after_work: Callable[[], object] | None = None):
        self.intake, self.after_work = intake, after_work
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._busy = False

    def run_once(self, limit: int = 20) -> int:
        """Finish (or put off) what is due, up to `limit` pieces of work; return how many."""
        handled = 0
        while handled < limit and self.intake.work_once():
            handled += 1
            if self.after_work is not None:
                self.after_work()
        return handled

    def kick(self) -> None:
        """Work was recorded: take it up now instead of at the next poll."""
        self._wake.set()

    def start(self, poll_seconds: float = 1.0) -> None:
        self._thread = threading.Thread(target=self.run_forever, args=(poll_seconds,), name="intake", daemon=True)
        self._thread.start()

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        while not self._stop.is_set():
            with self._idle:
                self._busy = True
            try:
                while self.run_once() and not self._stop.is_set():
                    pass
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                log.exception("intake pass failed")
            with self._idle:
                self._busy = False
                self._idle.notify_all()
            self._wake.wait(poll_seconds)
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)

    def drain(self, timeout: float = 10.0) -> None:
        """For tests and shutdown: wait until no intake is waiting or being worked on here."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.intake.due():
                with self._idle:
                    if not self._busy:
                        return
            self.kick()
            time.sleep(0.02)
