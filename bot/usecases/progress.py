"""Where learners stand: what they hold, what is in review, how far each certificate is.

`learner_progress` serves one learner (/badges, App Home). `all_stack_progress` and
`nudge_candidates` serve the scheduler: one set-based query for every learner at once.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.domain.stacking import StackProgress, nudge_priority, stack_progress
from bot.domain.vocabulary import OPEN_STATUSES, CredentialType, SubmissionStatus
from bot.usecases.context import Context
from models import Award, CertificateRequirement, Credential, Learner, Submission


@dataclass(frozen=True)
class Holding:
    credential: str
    name: str
    type: CredentialType
    distinction: bool
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    public_id: str
    shared: bool
    flagged: bool


@dataclass(frozen=True)
class Pending:
    submission_id: int
    credential: str
    name: str
    type: CredentialType
    status: SubmissionStatus
    updated_at: dt.datetime


@dataclass(frozen=True)
class Stack:
    certificate: str
    name: str
    type: CredentialType
    held: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]  # (slug, name) of each badge still to earn
    complete: bool

    @property
    def required(self) -> int:
        return len(self.held) + len(self.missing)


@dataclass(frozen=True)
class Progress:
    learner: str
    display_name: str
    nudges_enabled: bool
    holdings: tuple[Holding, ...]
    pending: tuple[Pending, ...]
    stacks: tuple[Stack, ...]  # certificates started (at least one badge held), unfinished first

    def holds(self, credential: str) -> bool:
        return any(h.credential == credential for h in self.holdings)


def learner_progress(ctx: Context, learner_id: str) -> Progress:
    """Everything /badges shows a learner about themselves.

    Column queries, not entities: this answers every `/badges` within Slack's 3 seconds, so it
    stays a handful of small indexed queries with no ORM object loading.
    """
    with ctx.reading() as session:
        return progress_in(session, ctx.clock(), learner_id)


def progress_in(session: Session, now: dt.datetime, learner_id: str) -> Progress:
    """`learner_progress` in the caller's read transaction (bot/usecases/homes.py reads a whole Home in one)."""
    learner = session.execute(
        select(Learner.id, Learner.display_name, Learner.nudges_enabled)
        .where(Learner.slack_user_id == learner_id)).first()
    if learner is None:
        return Progress(learner_id, learner_id, True, (), (), ())
    holdings = tuple(
        Holding(*row) for row in session.execute(
            select(Credential.slug, Credential.name, Credential.type, Award.distinction, Award.issued_at,
                   Award.expires_at, Award.public_id, Award.shared_at.is_not(None),
                   Award.flagged_at.is_not(None))
            .join(Credential, Credential.id == Award.credential_id)
            .where(Award.learner_id == learner.id, valid_award_filter(now))
            .order_by(Award.issued_at.desc(), Award.id.desc()))
    )
    pending = tuple(
        Pending(*row) for row in session.execute(
            select(Submission.id, Credential.slug, Credential.name, Credential.type, Submission.status,
                   Submission.updated_at)
            .join(Credential, Credential.id == Submission.credential_id)
            .where(Submission.learner_id == learner.id, Submission.status.in_(OPEN_STATUSES))
            .order_by(Submission.updated_at))
    )
    stacks = _stacks(session, {h.credential for h in holdings})
    return Progress(learner_id, learner.display_name, learner.nudges_enabled, holdings, pending, stacks)


@functools.cache
def _stacks_query() -> Select[Any]:
    """Every certificate's badges, by name; built once (building aliases costs more than running it)."""
    certificate, badge = aliased(Credential), aliased(Credential)
    return (
        select(certificate.slug, certificate.name, certificate.type, certificate.retired_at, badge.slug, badge.name)
        .join(CertificateRequirement, CertificateRequirement.certificate_id == certificate.id)
        .join(badge, badge.id == CertificateRequirement.badge_id)
        .order_by(certificate.name, badge.slug)
    )


def _stacks(session: Session, held: set[str]) -> tuple[Stack, ...]:
    """Every certificate the learner has started or holds, with what is missing."""
    rows = session.execute(_stacks_query()).all()
    certificates: dict[str, tuple[str, CredentialType, dt.datetime | None, list[str]]] = {}
    names: dict[str, str] = {}
    for slug, name, ctype, retired_at, badge_slug, badge_name in rows:
        certificates.setdefault(slug, (name, ctype, retired_at, []))[3].append(badge_slug)
        names[badge_slug] = badge_name
    result = []
    for slug, (name, ctype, retired_at, required) in certificates.items():
        progress: StackProgress = stack_progress(held, {slug: required})[0]
        holds_cert = slug in held
        if not holds_cert and (not progress.started or retired_at is not None):
            continue
        result.append(Stack(slug, name, ctype, progress.held, tuple((m, names[m]) for m in progress.missing),
                            holds_cert or progress.complete))
    result.sort(key=lambda s: (s.complete, -len(s.held) / max(s.required, 1), s.name))
    return tuple(result)


# --------------------------------------------------------------------------- every learner at once


def valid_award_filter(now: dt.datetime):  # type: ignore[no-untyped-def]
    """The SQL form of bot.domain.validity.award_state(...) == VALID."""
    return and_(Award.revoked_at.is_(None), or_(Award.expires_at.is_(None), Award.expires_at > now))


def all_stack_progress(session: Session, now: dt.datetime) -> Iterator[tuple[int, int, int, int]]:
    """(learner id, certificate id, held, required) for every started certificate of every learner,
    in no particular order.

    One grouped query over awards x requirements, streamed; the database does the counting.
    """
    # One flat join and GROUP BY (no nested aggregate to join back): the same plan a hand-written
    # aggregate gets, which bench/progress.py holds it to.
    required = (
        select(CertificateRequirement.certificate_id, func.count().label("required"))
        .group_by(CertificateRequirement.certificate_id).subquery()
    )
    query = (
        select(Award.learner_id, CertificateRequirement.certificate_id, func.count().label("held"),
               required.c.required)
        .join(CertificateRequirement, CertificateRequirement.badge_id == Award.credential_id)
        .join(required, required.c.certificate_id == CertificateRequirement.certificate_id)
        .where(valid_award_filter(now))
        .group_by(Award.learner_id, CertificateRequirement.certificate_id, required.c.required)
    )
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Streaming uses a server-side cursor, which PostgreSQL plans for the first 10% of rows
        # (a slower sort-and-group plan); we read every row, so ask for the whole-result plan.
        # Measured by bench/progress.py: 0.68 s -> 0.30 s for the 215k rows. Lasts this transaction.
        connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
    # Core execution (not the ORM layer): plain rows, no per-row ORM bookkeeping.
    yield from connection.execute(query.execution_options(yield_per=10_000))  # type: ignore[misc]


@dataclass(frozen=True)
class NudgeCandidate:
    learner_id: int
    certificate_id: int
    held: int
    required: int


def nudge_candidates(
    session: Session, now: dt.datetime, progress: Iterable[tuple[int, int, int, int]] | None = None
) -> list[NudgeCandidate]:
    """For each learner who wants nudges, the unfinished certificate they are closest to.

    Certificates already held (even if one of their badges has since lapsed), or retired, are not
    nudged toward. Pass `progress` (rows of all_stack_progress) when the caller walks them anyway,
    so the aggregate runs once. One pass, constant work per row: this is the scheduler's hot loop.
    """
    # The few who opted out, not the many who did not: a smaller set to fetch and hold.
    opted_out = set(session.scalars(select(Learner.id).where(Learner.nudges_enabled.is_(False))))
    certificate_types = [CredentialType.CERTIFICATE_PRACTICED, CredentialType.CERTIFICATE_EXPERT]
    offered = set(session.scalars(select(Credential.id).where(
        Credential.retired_at.is_(None), Credential.type.in_(certificate_types))))
    held_by: dict[int, set[int]] = {}
    for learner, certificate in session.execute(select(Award.learner_id, Award.credential_id).where(
            valid_award_filter(now), Award.credential_id.in_(offered))):
        held_by.setdefault(learner, set()).add(certificate)
    nothing: set[int] = set()
    best: dict[int, tuple[tuple[float, int, int], int, int, int]] = {}
    found = best.get
    for learner, certificate, held, required in (progress if progress is not None else all_stack_progress(session, now)):
        if held >= required or learner in opted_out or certificate not in offered \
                or certificate in held_by.get(learner, nothing):
            continue
        key = nudge_priority(certificate, held, required)
        current = found(learner)
        if current is None or key < current[0]:
            best[learner] = (key, certificate, held, required)
    return [NudgeCandidate(learner, c, h, r) for learner, (_, c, h, r) in sorted(best.items())]
