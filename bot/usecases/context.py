"""What every use case needs, and the small helpers they share."""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db import WriterLock
from bot.adapters.directory import Directory, StaticDirectory
from bot.clock import Clock, system_clock
from bot.domain.roles import is_member
from bot.domain.vocabulary import OutboxKind
from bot.errors import NotAllowed, NotFound
from config.catalog import Roles
from models import AuditEntry, Credential, Learner, OutboxMessage
from models.base import insert_for

CLI_ACTOR = "cli"
"""The actor recorded for administrators working from the command line (trusted as an admin)."""
SYSTEM_ACTOR = "badgebot"
T = TypeVar("T")


class HasGrantors(Protocol):
    """A credential as a row, a catalog entry or a selected (id, grantors) row: whatever names its grantors."""

    @property
    def grantors(self) -> Sequence[str] | None: ...


@dataclass
class Context:
    sessions: sessionmaker[Session]
    clock: Clock = system_clock
    directory: Directory = field(default_factory=StaticDirectory)
    roles: Roles = field(default_factory=Roles)
    # Each issuer's id -> its admins (users or groups), from the catalog: they propose, retire and see
    # reports for that issuer's credentials only.
    issuer_admins: dict[str, tuple[str, ...]] = field(default_factory=dict)
    read_sessions: sessionmaker[Session] | None = None
    # SQLite only (bot.adapters.db.writer_lock): this process's writers queue here, woken the moment the writer
    # before them commits, instead of in SQLite's busy handler, which sleeps and retries (up to 100 ms a
    # try) and lets newcomers overtake: under a burst of check-ins that made a few wait for seconds.
    write_lock: WriterLock | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.write_lock or nullcontext(), self.sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction for queries only: on SQLite it does not take the write lock."""
        with (self.read_sessions or self.sessions)() as session:
            yield session  # closing the session rolls back: nothing here may write

    def is_admin(self, user: str) -> bool:
        return user == CLI_ACTOR or is_member(user, self.roles.admins, self.directory.members_of)

    def is_host(self, user: str) -> bool:
        return self.is_admin(user) or is_member(user, self.roles.hosts, self.directory.members_of)

    def is_grantor(self, user: str, credential: HasGrantors) -> bool:
        """The one grantor rule: named among the credential's grantors, or in a user group named there."""
        return is_member(user, credential.grantors or [], self.directory.members_of)

    def learner_name(self, user: str, given: str | None = None) -> str | None:
        """The name a learner's records carry (pages, credentials, exports): the one in their Slack profile,
        or, when Slack cannot say now, `given`: what Slack sent about the person acting themselves (their
        handle, the name Sign in with Slack gave). Never a label someone typed about another person (a
        mention's `<@U…|label>`): callers pass None for those. Asks Slack, cached: call it before a
        transaction, not inside one."""
        return self.directory.name_of(user) or given

    def is_issuer_admin(self, user: str, issuer_id: str) -> bool:
        """May `user` act for this issuer? Program admins may act for every issuer."""
        return self.is_admin(user) or is_member(user, self.issuer_admins.get(issuer_id, ()), self.directory.members_of)

    def administered_issuers(self, user: str) -> set[str] | None:
        """The ids of the issuers `user` administers; None for a program admin (every issuer)."""
        if self.is_admin(user):
            return None
        return {i for i, admins in self.issuer_admins.items() if is_member(user, admins, self.directory.members_of)}

    def require_admin(self, user: str) -> None:
        if not self.is_admin(user):
            raise NotAllowed("Only program administrators can do that.")


def new_public_id() -> str:
    """16 URL-safe characters (about 95 random bits): unguessable, short enough for a link.

    Never starting with "-": administrators paste these ids into `badgebot awards revoke ID`, where
    a leading dash reads as an option."""
    while True:
        public_id = secrets.token_urlsafe(12)
        if not public_id.startswith("-"):
            return public_id


def audit(session: Session, now: dt.datetime, actor: str, action: str, subject: Any, **detail: Any) -> None:
    session.add(AuditEntry(
        at=now, actor=actor, action=action,
        subject_type=type(subject).__tablename__, subject_id=str(subject.id), detail=detail,
    ))


def notify(session: Session, now: dt.datetime, dedupe_key: str, kind: OutboxKind, recipient: str,
           **payload: Any) -> None:
    """Queue a Slack message in this transaction; the delivery worker sends it once, after commit.

    The dedupe key names the cause, so a replayed cause queues nothing new (the unique key decides,
    in the one INSERT: ON CONFLICT DO NOTHING).
    """
    session.execute(insert_for(session, OutboxMessage).values(
        dedupe_key=dedupe_key, kind=kind.value, recipient=recipient, payload=payload, status="pending", attempts=0,
        created_at=now, next_attempt_at=now,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]))


def ensure_learner(session: Session, slack_user_id: str, display_name: str | None = None) -> Learner:
    """The learner row for a Slack user, made on first contact; safe when two requests race.

    One query for someone we know; for a newcomer, one INSERT that the unique Slack id lets only one
    racing request make (ON CONFLICT DO NOTHING: no savepoint, no failed statement to roll back).
    """
    learner = session.scalar(select(Learner).where(Learner.slack_user_id == slack_user_id))
    if learner is None:
        learner = session.scalars(
            insert_for(session, Learner)
            .values(slack_user_id=slack_user_id, display_name=display_name or slack_user_id)
            .on_conflict_do_nothing(index_elements=["slack_user_id"])
            .returning(Learner)
        ).one_or_none()
        if learner is None:  # another request made it a moment ago
            learner = session.scalars(select(Learner).where(Learner.slack_user_id == slack_user_id)).one()
    elif display_name and learner.display_name != display_name:
        learner.display_name = display_name
    return learner


def locked(session: Session, model: type[T], pk: int) -> T | None:
    """Load a row and lock it until the transaction ends (FOR UPDATE OF just that table, since
    PostgreSQL refuses to lock the outer side of the eager joins)."""
    return session.scalars(
        select(model).where(model.id == pk).with_for_update(of=model)  # type: ignore[attr-defined]
        .execution_options(populate_existing=True)
    ).unique().one_or_none()


def lock_learner(session: Session, learner_id: int) -> Learner:
    """Serialize award changes per learner, so two badges approved at once both count toward a stack.

    (SQLite's BEGIN IMMEDIATE already serializes writers; FOR UPDATE does it on PostgreSQL.)
    """
    learner = locked(session, Learner, learner_id)
    assert learner is not None
    return learner


def credential_by_slug(session: Session, slug: str, *, offered: bool = False) -> Credential:
    credential = session.scalar(select(Credential).where(Credential.slug == slug))
    if credential is None or (offered and credential.retired_at is not None):
        raise NotFound(f"There is no credential '{slug}' in the catalog.")
    return credential
