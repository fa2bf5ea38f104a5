"""The live catalog: the file's catalog with the changes governance approved since, on every replica.

`record_approved_change` writes an approved change (in the caller's transaction) and makes the
database's credential match. `LiveCatalog` is what the running bot holds instead of a fixed
Catalog: the same read interface, over a snapshot it rebuilds when the latest change id in the
database moves. It looks at most once a second (one indexed query: MAX of the primary key), and
at once after a commit in this process that recorded a change; in between, reading it costs an
attribute lookup and a clock read.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from bot.errors import InvalidInput, NotFound
from bot.usecases.catalog import (
    Conflict,
    apply_changes,
    credential_fields,
    write_fields,
    write_requirements,
)
from bot.usecases.context import audit
from config.catalog import Catalog, CredentialSpec
from config.catalog_tables import credential_spec
from models import CatalogChange, Credential

log = logging.getLogger(__name__)

ACTIONS = ("add", "change", "retire")
_CHANGED = "badgebot.catalog_changed"  # Session.info key: this transaction recorded a change
_AUDIT = {"add": "credential.added", "change": "credential.updated", "retire": "credential.retired"}


def record_approved_change(
    session: Session, now: dt.datetime, *, action: str, credential: dict[str, Any],
    proposal_id: int | None, approvals: list[dict[str, Any]],
) -> CatalogChange:
    """Record a change governance approved and make the database's credential match, in the caller's
    transaction; a proposal already recorded is returned as it was (a replayed last approval)."""
    if action not in ACTIONS:
        raise InvalidInput(f"Unknown catalog change {action!r}; expected one of {', '.join(ACTIONS)}.")
    if proposal_id is not None:
        done = session.scalar(select(CatalogChange).where(CatalogChange.proposal_id == proposal_id))
        if done is not None:
            return done
    try:
        spec = credential_spec(credential)
    except ValueError as exc:
        raise InvalidInput(f"The approved credential cannot be read: {exc}.") from None
    row = session.scalar(select(Credential).where(Credential.slug == spec.id).with_for_update())
    offered = row is not None and row.retired_at is None
    if action == "add" and offered:
        raise InvalidInput(f"The catalog already has a credential '{spec.id}'.")
    if action != "add" and not offered:
        raise NotFound(f"There is no credential '{spec.id}' in the catalog.")
    before = credential_fields(row) if offered and row is not None else None

    if row is None:
        row = Credential(slug=spec.id, created_at=now, updated_at=now)
        session.add(row)
    if action == "retire":
        row.retired_at = now
    else:
        write_fields(row, spec, now)
        row.retired_at = None
        session.flush()
        required = dict(session.execute(
            select(Credential.slug, Credential.id).where(Credential.slug.in_(spec.requires))).all())
        missing = sorted(set(spec.requires) - set(required))
        if missing:
            raise InvalidInput(f"'{spec.id}' stacks '{missing[0]}', which is not in the catalog.")
        write_requirements(row, spec, required)
    session.flush()
    change = CatalogChange(
        action=action, slug=spec.id, credential=credential, before=before,
        after=None if action == "retire" else credential_fields(row),
        proposal_id=proposal_id, approvals=list(approvals), approved_at=now,
    )
    session.add(change)
    session.flush()

    final = approvals[-1]["user"] if approvals else "governance"
    audit(session, now, final, _AUDIT[action], row, change=change.id, proposal=proposal_id, approvals=approvals)
    for approval in approvals:
        audit(session, _when(approval.get("at"), now), approval["user"], "credential.approved", row,
              stage=approval.get("stage"), change_action=action, change=change.id, proposal=proposal_id)
    session.info[_CHANGED] = True
    return change


def _when(at: Any, default: dt.datetime) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return default
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def latest_change_id(session: Session) -> int:
    return session.scalar(select(func.max(CatalogChange.id))) or 0


def approved_changes(session: Session, after: int = 0) -> list[CatalogChange]:
    """The approved changes with ids above `after`, in order."""
    return list(session.scalars(select(CatalogChange).where(CatalogChange.id > after).order_by(CatalogChange.id)))


def catalog_in_force(session: Session, file_catalog: Catalog) -> tuple[Catalog, list[Conflict], int]:
    """The file's catalog with every approved change applied, its conflicts, and the latest change id."""
    changes = approved_changes(session)
    catalog, conflicts = apply_changes(file_catalog, changes)
    return catalog, conflicts, changes[-1].id if changes else 0


class LiveCatalog:
    """The catalog in force, as the running bot reads it: `issuer`, `issuers`, `roles`, `credentials`,
    `get`, `issuer_of`... are the current snapshot's (any attribute of Catalog is). The file's catalog
    alone until the database has the live catalog's table (before the first migration)."""

    def __init__(self, file_catalog: Catalog, reading: Callable[[], Any], *, interval: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic):
        self.file = file_catalog
        self._reading = reading
        self._interval = interval
        self._monotonic = monotonic
        self._snapshot = file_catalog
        self._conflicts: list[Conflict] = []
        self._seen: int | None = None
        # Approved changes never change: each is read from the database, and its table converted, once.
        self._changes: list[CatalogChange] = []
        self._specs: dict[int, CredentialSpec] = {}
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._failing = False

    def watch(self, sessions: sessionmaker[Session]) -> LiveCatalog:
        """Look again at once after any commit of `sessions` that recorded an approved change."""
        def committed(session: Session) -> None:
            if session.info.get(_CHANGED):
                self._checked_at = float("-inf")

        def ended(session: Session, transaction: SessionTransaction) -> None:
            # After every after_commit (so each LiveCatalog on these sessions saw the mark), and
            # after a rollback, which must not make anyone look.
            if transaction.parent is None:
                session.info.pop(_CHANGED, None)

        event.listen(sessions, "after_commit", committed)
        event.listen(sessions, "after_transaction_end", ended)
        return self

    @property
    def current(self) -> Catalog:
        """The snapshot in force, refreshed first if the interval has passed."""
        if self._monotonic() - self._checked_at >= self._interval:
            self.refresh()
        return self._snapshot

    @property
    def conflicts(self) -> list[Conflict]:
        self.current  # noqa: B018 (a refresh if due)
        return list(self._conflicts)

    def refresh(self, *, force: bool = False) -> None:
        with self._lock:
            now = self._monotonic()
            if not force and now - self._checked_at < self._interval:
                return  # another thread just looked
            try:
                with self._reading() as session:
                    latest = latest_change_id(session)
                    if force or latest != self._seen:
                        self._rebuild(session, latest)
                self._failing = False
            except Exception:  # a database not migrated yet, or down: serve the last snapshot
                if not self._failing:  # said once, not every second
                    log.warning("live catalog: cannot read the approved changes; serving the last snapshot",
                                exc_info=log.isEnabledFor(logging.DEBUG))
                self._failing = True
            self._checked_at = now

    def _rebuild(self, session: Session, latest: int) -> None:
        known = self._changes[-1].id if self._changes else 0
        if latest < known:  # a database restored from before: start over
            self._changes, self._specs, known = [], {}, 0
        self._changes += approved_changes(session, after=known)
        self._snapshot, self._conflicts = apply_changes(self.file, self._changes, self._spec_of)
        self._seen = latest
        for conflict in self._conflicts:
            log.warning("catalog conflict: %s", conflict)

    def _spec_of(self, change: CatalogChange) -> CredentialSpec:
        spec = self._specs.get(change.id)
        if spec is None:
            spec = self._specs[change.id] = credential_spec(change.credential)
        return spec

    # The reads of every request, spelled out (the rest go through __getattr__, a little slower).
    def get(self, credential_id: str) -> CredentialSpec | None:
        return self.current.get(credential_id)

    @property
    def credentials(self) -> tuple[CredentialSpec, ...]:
        return self.current.credentials

    def __getattr__(self, name: str) -> Any:
        # Only for names LiveCatalog itself lacks: the Catalog's read interface, current.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.current, name)

    def __repr__(self) -> str:
        return f"<LiveCatalog change {self._seen} of {len(self._snapshot.credentials)} credentials>"
