"""Engines and sessions. SQLite is tuned for a small multi-threaded server; PostgreSQL is production."""
from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_ONLY = "badgebot_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("connect_args", {}).update(check_same_thread=False, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front. A deferred transaction that reads and then
        # writes fails at once with "database is locked" if another writer committed meanwhile;
        # taking the lock first makes concurrent use cases queue (busy_timeout) instead.
        # Read-only work (see read_only()) begins deferred, so readers never queue behind writers.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


class WriterLock:
    """One write transaction at a time within this process, for SQLite (which allows one writer).

    First come, first served: a finishing writer hands the lock to the longest waiter, so a busy thread
    (the outbox worker writes twice a message) cannot take it again ahead of requests already queued.
    Re-entrant, so a thread already writing reaches SQLite as before; and a wait is bounded by the busy
    timeout, after which SQLite's own locking decides, as it always does between processes.
    """

    def __init__(self, timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000):
        self._timeout = timeout
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._queue: deque[tuple[int, threading.Lock]] = deque()
        self._held = threading.local()

    @property
    def waiting(self) -> int:
        """How many threads wait for the lock now (for diagnostics and tests)."""
        with self._mutex:
            return len(self._queue)

    @property
    def held(self) -> bool:
        """Whether some thread holds the lock now."""
        with self._mutex:
            return self._owner is not None

    def __enter__(self) -> None:
        self._held.stack = [*getattr(self._held, "stack", []), self._acquire()]

    def __exit__(self, *_exc: object) -> None:
        if self._held.stack.pop():
            self._release()

    def _acquire(self) -> bool:
        me = threading.get_ident()
        with self._mutex:
            if self._owner in (None, me):
                self._owner, self._depth = me, self._depth + 1
                return True
            gate = threading.Lock()
            gate.acquire()
            self._queue.append((me, gate))
        if gate.acquire(timeout=self._timeout):
            return True  # handed over: _release made us the owner
        with self._mutex:
            if (me, gate) in self._queue:
                self._queue.remove((me, gate))
                return False  # go ahead without it; SQLite's busy timeout still applies
        return True  # handed over just as the wait ran out

    def _release(self) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth:
                return
            if self._queue:
                self._owner, gate = self._queue.popleft()
                self._depth = 1
                gate.release()
            else:
                self._owner = None


def writer_lock(engine: Engine) -> WriterLock | None:
    """The lock a Context puts around write transactions: SQLite's engines need one, others do not."""
    return WriterLock() if engine.dialect.name == "sqlite" else None


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for queries that write nothing (dashboards, pages): no write lock on SQLite."""
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
