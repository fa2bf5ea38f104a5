"""Which process runs the scheduler: exactly one, whatever the number of `badgebot serve` replicas.

With SQLite there is one process (the database is a local file), so it leads from the start. With
PostgreSQL every replica competes for a session-level advisory lock on a connection of its own
(never one from the pool: a pooled connection returned to the pool would keep the lock for whoever
borrows it next, and a pool's reconnect would lose it silently). The holder leads; the others try
again every `retry_seconds`. When the leader dies its connection closes, PostgreSQL releases the
lock, and a standby takes it on its next try. The leader checks its connection every
`check_seconds` and stops leading the moment it is gone. Keepalives on both ends (and libpq's
tcp_user_timeout) bound how long a silently dead peer can hold or think it holds the lock.

A leader that has not yet noticed it lost the lock may overlap a new one for a few seconds; the
jobs are idempotent in the database (one JobRun per job and period, one outbox row per learner,
kind and period), so an overlap sends nothing twice.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy.engine import make_url

log = logging.getLogger("badgebot.leader")

LOCK_NAME = "badgebot.scheduler"


class Leadership(Protocol):
    @property
    def is_leader(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class SoleLeader:
    """One process (SQLite): it leads as soon as it starts."""

    def __init__(self, on_elected: Callable[[], None], on_deposed: Callable[[], None]):
        self.on_elected, self.on_deposed = on_elected, on_deposed
        self._leading = False

    @property
    def is_leader(self) -> bool:
        return self._leading

    def start(self) -> None:
        self._leading = True
        self.on_elected()

    def stop(self) -> None:
        if self._leading:
            self._leading = False
            self.on_deposed()


def conninfo_for(url: str, *, keepalive_seconds: int = 10) -> str:
    """A libpq connection string for a SQLAlchemy PostgreSQL URL, with keepalives on both ends."""

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    params: dict[str, Any] = conninfo_to_dict(plain)
    server_side = (f"-c tcp_keepalives_idle={keepalive_seconds} -c tcp_keepalives_interval={max(1, keepalive_seconds // 2)}"
                   " -c tcp_keepalives_count=3")
    params["options"] = f"{params.get('options', '')} {server_side}".strip()
    params.update(keepalives=1, keepalives_idle=keepalive_seconds, keepalives_interval=max(1, keepalive_seconds // 2),
                  keepalives_count=3, tcp_user_timeout=keepalive_seconds * 1000, connect_timeout=10,
                  application_name="badgebot-leader")
    return make_conninfo(**params)


class AdvisoryLockLeader:
    """Leader election among replicas with pg_try_advisory_lock on a dedicated connection.

    The lock key is a hash of `name` and the connection's schema, so deployments (and test runs)
    sharing one PostgreSQL database in different schemas elect separately.
    """

    def __init__(self, url: str, on_elected: Callable[[], None], on_deposed: Callable[[], None], *,
                 name: str = LOCK_NAME, retry_seconds: float = 1.0, check_seconds: float = 1.0):
        self.conninfo = conninfo_for(url)
        self.on_elected, self.on_deposed = on_elected, on_deposed
        self.name, self.retry_seconds, self.check_seconds = name, retry_seconds, check_seconds
        self._connection: Any = None
        self._leading = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        return self._leading

    def start(self) -> None:
        """Try once here, so `is_leader` answers for this process as soon as `start` returns; then
        keep trying (or checking) on a thread."""
        leading = self.try_once()
        self._thread = threading.Thread(target=self._run, args=(leading,), name="leader-election", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(15)  # the loop stops leading and closes its connection on the way out
        else:  # only try_once() was used
            if self._leading:
                self._leading = False
                self._notify(self.on_deposed)
            self._close()

    def try_once(self) -> bool:
        """One round: lead if the lock is free (or still ours). For the loop, and for tests."""

        try:
            if self._connection is None:
                self._connection = psycopg.connect(self.conninfo, autocommit=True)
            if self._leading:
                self._connection.execute("SELECT 1")  # the lock lives as long as this session
            else:
                got = self._connection.execute(
                    "SELECT pg_try_advisory_lock(hashtextextended(%s || ':' || current_schema(), 0))",
                    (self.name,)).fetchone()
                if got and got[0]:
                    self._leading = True
                    log.info("elected: this process runs the scheduler")
                    self._notify(self.on_elected)
        except psycopg.Error as exc:
            self._lost(f"connection to PostgreSQL lost ({exc.__class__.__name__})")
        return self._leading

    def _run(self, leading: bool) -> None:
        while not self._stop.wait(self.check_seconds if leading else self.retry_seconds):
            leading = self.try_once()
        if self._leading:
            self._leading = False
            self._notify(self.on_deposed)
        self._close()

    def _lost(self, why: str) -> None:
        if self._leading:
            self._leading = False
            log.warning("deposed: %s; the scheduler stops here", why)
            self._notify(self.on_deposed)
        self._close()

    def _close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()  # ends the session: PostgreSQL releases the lock
            except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is gone either way
                pass
            self._connection = None

    @staticmethod
    def _notify(callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:  # noqa: BLE001 - the election must go on whatever the scheduler does
            log.exception("leadership callback failed")


def leadership_for(database_url: str, on_elected: Callable[[], None], on_deposed: Callable[[], None]) -> Leadership:
    """SoleLeader for SQLite, an advisory-lock election for PostgreSQL."""
    if make_url(database_url).get_backend_name() == "postgresql":
        return AdvisoryLockLeader(database_url, on_elected, on_deposed)
    return SoleLeader(on_elected, on_deposed)
