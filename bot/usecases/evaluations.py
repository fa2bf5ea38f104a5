"""Periodic evaluation (issue 13, part 5): a credential whose `review_every` came due is opened for
evaluation in the governance channel, with its figures since the last one; its issuer's admins are
reminded by DM, once a day, until one of them (or a program administrator) decides: keep, change or
retire. The rules of when: bot/domain/evaluations.py.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.evaluations import (
    EvaluationDecision,
    evaluation_due,
    evaluation_since,
    median_days,
    share_rate,
)
from bot.domain.scheduling import Cadence, JobResult, QuietHours, expand_grantors
from bot.domain.vocabulary import OPEN_STATUSES, OutboxKind, SubmissionStatus
from bot.errors import BadgebotError, Conflict, NotAllowed, NotFound
from bot.usecases import governance
from bot.usecases.context import SYSTEM_ACTOR, Context, audit, locked, notify
from bot.usecases.jobruns import finish_run, run_times
from bot.usecases.outbox import Queued, existing_keys
from config.catalog import Catalog
from models import Award, CatalogChange, Credential, Evaluation, JobRun, Submission
from models.base import insert_for

JOB = "evaluations"
CARD, UPDATE, REMINDER = OutboxKind.EVALUATION_CARD, OutboxKind.EVALUATION_UPDATE, OutboxKind.EVALUATION_REMINDER


@dataclass(frozen=True)
class EvaluationPolicy:
    cadence: Cadence
    quiet: QuietHours = field(default_factory=QuietHours)


@dataclass(frozen=True)
class EvaluationView:
    id: int
    credential: str  # the slug
    credential_name: str
    issuer: str  # the issuer's id
    review_every: str | None
    since: dt.datetime
    due_at: dt.datetime
    opened_at: dt.datetime
    figures: dict[str, Any]
    channel: str | None
    card_ts: str | None
    decision: EvaluationDecision | None
    decided_by: str | None
    decided_at: dt.datetime | None

    @property
    def share_rate(self) -> float | None:
        return share_rate(self.figures.get("shared", 0), self.figures.get("awards", 0))


@dataclass(frozen=True)
class Decided:
    """What came of a decision, for the person who clicked."""

    evaluation: EvaluationView
    proposal_id: int | None = None  # the retirement proposal started
    note: str = ""  # why none was started, or what to do next


def open_due_evaluations(ctx: Context, catalog: Catalog, policy: EvaluationPolicy, *,
                         scheduled_by: str | None = None) -> JobResult:
    """Open an evaluation for each credential that came due, and remind (once a day each) the issuer
    admins of every evaluation still undecided."""
    now, period, not_before = run_times(ctx, policy.cadence, policy.quiet)
    today = now.astimezone(ZoneInfo(policy.cadence.timezone)).date().isoformat()
    channel = catalog.governance.channel if catalog.governance else None
    with ctx.transaction() as session:
        run = JobRun.begin(session, JOB, period, now, scheduled_by)
        if run is None:
            return JobResult(JOB, period, already_ran=True)
        messages: list[Queued] = []
        for credential, since, due_at in _due(session, now):
            evaluation_id = session.scalar(
                insert_for(session, Evaluation).values(
                    credential_id=credential.id, due_at=due_at, opened_at=now, since=since, channel=channel,
                    figures=_figures(session, credential.id, since, now))
                .on_conflict_do_nothing(index_elements=["credential_id", "due_at"]).returning(Evaluation.id))
            if evaluation_id is None:
                continue  # a concurrent run opened it
            audit(session, now, SYSTEM_ACTOR, "evaluation.opened", session.get(Evaluation, evaluation_id),
                  credential=credential.slug, due=due_at.isoformat())
            if channel:
                messages.append(Queued(f"evaluation-card:{evaluation_id}", CARD, channel,
                                       {"evaluation_id": evaluation_id}, not_before))
        undecided = session.execute(
            select(Evaluation.id, Credential.issuer).join(Credential, Credential.id == Evaluation.credential_id)
            .where(Evaluation.decided_at.is_(None)).order_by(Evaluation.id)).all()
        for evaluation_id, issuer in undecided:
            for admin in deciders(ctx, issuer):
                messages.append(Queued(f"evaluation-reminder:{today}:{evaluation_id}:{admin}", REMINDER, admin,
                                       {"evaluation_id": evaluation_id, "date": today}, not_before))
        already = existing_keys(session, f"evaluation-reminder:{today}:")
        fresh = [m for m in messages if m.dedupe_key not in already]
        return finish_run(session, now, run, period, fresh, (CARD, REMINDER), skipped=len(messages) - len(fresh),
                          not_before=not_before)


def _due(session: Session, now: dt.datetime) -> list[tuple[Credential, dt.datetime, dt.datetime]]:
    """The offered credentials with `review_every` that are due and have no evaluation open:
    (credential, since, due)."""
    offered = session.scalars(select(Credential).where(
        Credential.retired_at.is_(None), Credential.review_every.is_not(None)).order_by(Credential.id)).all()
    decided = dict(session.execute(select(Evaluation.credential_id, func.max(Evaluation.decided_at))
                                   .group_by(Evaluation.credential_id)).all())
    open_now = set(session.scalars(select(Evaluation.credential_id).where(Evaluation.decided_at.is_(None))))
    changed = dict(session.execute(select(CatalogChange.slug, func.max(CatalogChange.approved_at))
                                   .where(CatalogChange.action != "retire").group_by(CatalogChange.slug)).all())
    due = []
    for credential in offered:
        if credential.id in open_now:
            continue
        since = evaluation_since((credential.created_at, changed.get(credential.slug), decided.get(credential.id)))
        due_at = evaluation_due(credential.review_every, since)
        if due_at is not None and due_at <= now:
            due.append((credential, since, due_at))
    return due


def _figures(session: Session, credential_id: int, since: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """What the office looks at: awards and how many were shared, decisions and how long they took,
    and the submissions still open, over [since, now)."""
    awards, shared = session.execute(
        select(func.count(Award.id), func.count(Award.shared_at))
        .where(Award.credential_id == credential_id, Award.issued_at >= since, Award.issued_at < now)).one()
    decided = session.execute(
        select(Submission.status, Submission.waited_seconds)
        .where(Submission.credential_id == credential_id, Submission.waited_seconds.is_not(None),
               Submission.decided_at >= since, Submission.decided_at < now)).all()
    still_open = session.scalar(select(func.count(Submission.id)).where(
        Submission.credential_id == credential_id, Submission.status.in_(OPEN_STATUSES)))
    return {
        "awards": awards, "shared": shared, "decisions": len(decided),
        "approved": sum(s is SubmissionStatus.APPROVED for s, _ in decided),
        "rejected": sum(s is SubmissionStatus.REJECTED for s, _ in decided),
        "median_days_to_decision": median_days(sorted(w for _, w in decided)),
        "open_submissions": still_open or 0,
    }


def deciders(ctx: Context, issuer: str) -> list[str]:
    """Who is reminded of an issuer's evaluations: its admins (groups by their members); for an issuer
    with none (the university, often), the program administrators."""
    admins = ctx.issuer_admins.get(issuer) or ctx.roles.admins
    return expand_grantors(admins, ctx.directory.members_of)


def evaluation_view(ctx: Context, evaluation_id: int) -> EvaluationView:
    with ctx.reading() as session:
        return _view(session, _get(session, evaluation_id))


def record_card(ctx: Context, evaluation_id: int, channel: str, ts: str) -> None:
    """Remember where the card was posted: the decision is said in its thread."""
    with ctx.transaction() as session:
        evaluation = _get(session, evaluation_id)
        evaluation.channel, evaluation.card_ts = channel, ts


def decide(ctx: Context, catalog: Catalog, user: str, evaluation_id: int, decision: EvaluationDecision) -> Decided:
    """Record an issuer admin's (or a program administrator's) keep / change / retire; a retirement
    starts the retirement proposal, which the governance stages decide."""
    now = ctx.clock()
    with ctx.transaction() as session:
        evaluation = locked(session, Evaluation, evaluation_id)
        if evaluation is None:
            raise NotFound("There is no such evaluation; it may have been removed.")
        credential = session.get(Credential, evaluation.credential_id)
        assert credential is not None
        if not ctx.is_issuer_admin(user, credential.issuer):
            issuer = catalog.issuer_by_id(credential.issuer)
            raise NotAllowed(f"Only the admins of {issuer.name if issuer else credential.issuer} and program "
                             f"administrators decide the evaluation of {credential.name}.")
        if evaluation.decided_at is not None:
            raise Conflict(f"<@{evaluation.decided_by}> already decided this evaluation: "
                           f"{EvaluationDecision(evaluation.decision).label.lower()}, on "
                           f"{evaluation.decided_at:%Y-%m-%d}.")
        evaluation.decision, evaluation.decided_by, evaluation.decided_at = decision.value, user, now
        audit(session, now, user, "evaluation.decided", evaluation, credential=credential.slug,
              decision=decision.value)
        notify(session, now, f"evaluation-decided:{evaluation.id}", UPDATE, evaluation.channel or "",
               evaluation_id=evaluation.id)
        view = _view(session, evaluation)
    if decision is EvaluationDecision.KEEP:
        return Decided(view, note=f"Kept: {view.credential_name} is evaluated again in {view.review_every}.")
    if decision is EvaluationDecision.CHANGE:
        return Decided(view, note=f"Propose the edit with `/badges propose {view.credential}`: the stages review it.")
    try:
        proposal = governance.propose_retirement(
            ctx, catalog, user, view.credential, f"The periodic evaluation (#{view.id}) decided to retire it.")
    except BadgebotError as exc:
        return Decided(view, note=f"Recorded; no retirement proposal was started ({exc}) "
                                  f"Propose it with `/badges retire {view.credential} <why>`.")
    return Decided(view, proposal_id=proposal.id,
                   note="Retirement proposed: the governance stages decide it, in the proposal's thread.")


def _get(session: Session, evaluation_id: int) -> Evaluation:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound("There is no such evaluation; it may have been removed.")
    return evaluation


def _view(session: Session, e: Evaluation) -> EvaluationView:
    credential = session.get(Credential, e.credential_id)
    assert credential is not None
    return EvaluationView(
        id=e.id, credential=credential.slug, credential_name=credential.name, issuer=credential.issuer,
        review_every=credential.review_every, since=e.since, due_at=e.due_at, opened_at=e.opened_at,
        figures=dict(e.figures or {}), channel=e.channel, card_ts=e.card_ts,
        decision=EvaluationDecision(e.decision) if e.decision else None, decided_by=e.decided_by,
        decided_at=e.decided_at)
