"""The loop every background worker runs: work while there is work, then sleep until kicked or the
poll comes round; survive a database hiccup; let tests and shutdown wait until it is idle."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("badgebot.runtime")


class WorkerLoop:
    """Subclasses give `run_once()` (how much they handled), `has_due()` and optionally `next_wake()`."""

    name = "worker"

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._busy = False

    def run_once(self) -> int:
        raise NotImplementedError

    def has_due(self) -> bool:
        """Whether anything is waiting for this worker now (read from the database)."""
        raise NotImplementedError

    def next_wake(self, poll: float) -> float:
        return poll

    def kick(self) -> None:
        """Work was recorded: take it up now instead of at the next poll."""
        self._wake.set()

    def start(self, poll_seconds: float = 1.0) -> None:
        self._thread = threading.Thread(target=self.run_forever, args=(poll_seconds,), name=self.name, daemon=True)
        self._thread.start()

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        """The loop, in this thread, until `stop()` (`badgebot outbox deliver` runs it in the foreground)."""
        while not self._stop.is_set():
            with self._idle:
                self._busy = True
            try:
                while self.run_once() and not self._stop.is_set():
                    pass
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                log.exception("%s pass failed", self.name)
            with self._idle:
                self._busy = False
                self._idle.notify_all()
            self._wake.wait(self.next_wake(poll_seconds))
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)

    def drain(self, timeout: float = 10.0, *, sleep: Callable[[float], None] = time.sleep) -> None:
        """For tests and shutdown: wait until nothing due is left and no pass is running (or the timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.has_due():
                with self._idle:
                    if not self._busy:
                        return
            self.kick()
            sleep(0.02)
