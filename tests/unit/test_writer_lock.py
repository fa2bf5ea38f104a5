"""The in-process writer lock SQLite's Context uses (bot.adapters.db.WriterLock): one writer at a time, first come
first served, re-entrant, and never a wait without end."""
from __future__ import annotations

import threading

from bot.adapters.db import WriterLock


def queued(lock: WriterLock, n: int) -> None:
    """Wait until `n` threads are queued for the lock (polls the lock's own count; no clock involved)."""
    while lock.waiting < n:
        threading.Event().wait(0.001)


def test_a_writer_that_comes_straight_back_waits_behind_those_already_queued():
    lock, order = WriterLock(), []

    def writer(name: str) -> None:
        with lock:
            order.append(name)

    with lock:
        first = threading.Thread(target=writer, args=("queued first",))
        first.start()
        queued(lock, 1)
        second = threading.Thread(target=writer, args=("queued second",))
        second.start()
        queued(lock, 2)
    with lock:  # the same thread, straight back: the outbox worker's claim, then its next claim
        order.append("came back")
    first.join()
    second.join()
    assert order == ["queued first", "queued second", "came back"]


def test_one_writer_at_a_time_and_a_writer_may_nest():
    lock, inside, most = WriterLock(), [0], [0]

    def writer() -> None:
        for _ in range(200):
            with lock, lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                inside[0] -= 1

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1 and not lock.held and not lock.waiting


def test_a_wait_is_bounded_then_sqlite_decides():
    lock, release = WriterLock(timeout=0.05), threading.Event()

    def holder() -> None:
        with lock:
            release.wait()

    t = threading.Thread(target=holder)
    t.start()
    queued_or_held = threading.Event()
    while not lock.held:
        queued_or_held.wait(0.001)
    with lock:  # not handed over in time: goes ahead, and gives nothing back that it never had
        got_through = True
    release.set()
    t.join()
    assert got_through and not lock.held  # and a later writer is not kept out:
    with lock:
        assert lock.held
