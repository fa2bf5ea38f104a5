"""The intake worker: finishes work recorded before Slack was answered (bot/usecases/intake.py).

A thread beside the outbox worker, in every replica: each claims rows with a lease, so any replica
finishes what another was doing when it died, and none finishes a row twice (the claim's token is
checked in the transaction that submits). It kicks the outbox after each piece of work, since a
submission queues its review card there.
"""
from __future__ import annotations

from collections.abc import Callable

from bot.runtime.loop import WorkerLoop
from bot.usecases.intake import Intake


class IntakeWorker(WorkerLoop):
    name = "intake"

    def __init__(self, intake: Intake, *, after_work: Callable[[], object] | None = None):
        super().__init__()
        self.intake, self.after_work = intake, after_work

    def run_once(self, limit: int = 20) -> int:
        """Finish (or put off) what is due, up to `limit` pieces of work; return how many."""
        handled = 0
        while handled < limit and self.intake.work_once():
            handled += 1
            if self.after_work is not None:
                self.after_work()
        return handled

    def has_due(self) -> bool:
        return bool(self.intake.due())
