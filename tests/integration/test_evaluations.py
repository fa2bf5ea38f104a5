"""Periodic evaluation: a credential whose `review_every` came due is opened for evaluation in the
governance channel with its figures, its issuer's admins are reminded once a day until it is decided,
and keep / change / retire are theirs (and program administrators') to decide."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.domain.evaluations import EvaluationDecision
from bot.domain.scheduling import Cadence, QuietHours
from bot.domain.vocabulary import Decision, OutboxKind
from bot.errors import Conflict, NotAllowed
from bot.runtime.scheduler import run_job
from bot.usecases import evaluations
from bot.usecases.evaluations import (
    EvaluationPolicy,
    evaluation_view,
    open_due_evaluations,
)
from bot.usecases.live_catalog import record_approved_change
from bot.usecases.reviews import review
from models import AuditEntry, Award, Evaluation, OutboxMessage
from models.governance import Proposal
from tests.helpers import earn, submit_for

POLICY = EvaluationPolicy(Cadence("30 9 * * *"), QuietHours.parse("off"))
COMPUTING_ADMIN, CAREERS_ADMIN, PROGRAM_ADMIN = "U0GRANT001", "U0GRANT003", "U0ADMIN001"
# In the example catalog: every 2 years (computing), 18 months (career services), 3 years (certificates).
TWO_YEARLY = ["spreadsheet-fundamentals", "sql-basics", "sql-analytics-professional"]


def run(badgebot) -> dict[str, int]:
    return open_due_evaluations(badgebot.ctx, badgebot.catalog, POLICY).queued


def opened(ctx) -> dict[str, Evaluation]:
    with ctx.reading() as session:
        return {evaluation_view(ctx, e.id).credential: evaluation_view(ctx, e.id)
                for e in session.scalars(select(Evaluation).order_by(Evaluation.id))}


def outbox(ctx, kind: OutboxKind) -> list[OutboxMessage]:
    with ctx.reading() as session:
        return session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind.value)
                               .order_by(OutboxMessage.id)).all()


def test_nothing_is_opened_before_a_credential_comes_due(badgebot, ctx, clock):
    clock.advance(days=365)
    assert run(badgebot) == {"evaluation_card": 0, "evaluation_reminder": 0}
    assert opened(ctx) == {}


def test_a_due_credential_is_opened_in_the_governance_channel_with_its_figures(badgebot, ctx, clock):
    earn(ctx, "U0LEARN001", "sql-basics")  # decided at once, and awarded
    rejected = submit_for(ctx, "U0LEARN003", "sql-basics")
    clock.advance(days=4)
    review(ctx, "U0GRANT001", rejected.id, Decision.REJECT, "The queries do not answer the questions.")
    submit_for(ctx, "U0LEARN002", "sql-basics")  # still open
    with ctx.transaction() as session:  # one of the two awards shared by its learner
        session.scalars(select(Award)).first().shared_at = clock()

    clock.advance(days=731 - 4)  # the day it comes due: 2 years after the catalog was loaded (2028 leaps)
    assert run(badgebot)["evaluation_card"] == len(TWO_YEARLY) + 1  # and business-writing (18 months)
    evaluation = opened(ctx)["sql-basics"]
    assert evaluation.figures == {"awards": 1, "shared": 1, "decisions": 2, "approved": 1, "rejected": 1,
                                  "median_days_to_decision": 2.0,  # 0 and 4 days
                                  "open_submissions": 1}
    assert evaluation.share_rate == 1.0 and evaluation.decision is None
    assert sorted(opened(ctx)) == sorted([*TWO_YEARLY, "business-writing"])
    cards = outbox(ctx, OutboxKind.EVALUATION_CARD)
    assert {m.recipient for m in cards} == {"C0GOVERN01"}
    with ctx.reading() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "evaluation.opened")).all()


def test_issuer_admins_are_reminded_once_a_day_until_it_is_decided(badgebot, ctx, clock):
    clock.advance(days=2 * 365 + 1)
    run(badgebot)
    reminders = outbox(ctx, OutboxKind.EVALUATION_REMINDER)
    # Computing's credentials to computing's admin; career services' to theirs.
    assert {m.recipient for m in reminders} == {COMPUTING_ADMIN, CAREERS_ADMIN}
    assert len([m for m in reminders if m.recipient == COMPUTING_ADMIN]) == len(TWO_YEARLY)

    clock.advance(hours=3)
    assert run(badgebot) == {"evaluation_card": 0, "evaluation_reminder": 0}  # the same day: nothing new

    sql = opened(ctx)["sql-basics"]
    evaluations.decide(ctx, badgebot.catalog, COMPUTING_ADMIN, sql.id, EvaluationDecision.KEEP)
    clock.advance(days=1)
    queued = run(badgebot)
    assert queued["evaluation_reminder"] == len(TWO_YEARLY) - 1 + 1  # the next day: all but the kept one
    assert not [m for m in outbox(ctx, OutboxKind.EVALUATION_REMINDER)
                if m.payload["evaluation_id"] == sql.id and m.payload["date"] == clock().date().isoformat()]


def test_keep_restarts_the_clock(badgebot, ctx, clock):
    clock.advance(days=2 * 365 + 1)
    run(badgebot)
    first = opened(ctx)["sql-basics"]
    decided = evaluations.decide(ctx, badgebot.catalog, COMPUTING_ADMIN, first.id, EvaluationDecision.KEEP)
    assert decided.evaluation.decision is EvaluationDecision.KEEP and "again in 2y" in decided.note
    [update] = outbox(ctx, OutboxKind.EVALUATION_UPDATE)
    assert update.payload == {"evaluation_id": first.id}

    clock.advance(days=365)
    run(badgebot)
    assert opened(ctx)["sql-basics"].id == first.id  # not due again yet
    clock.advance(days=366)
    run(badgebot)
    again = opened(ctx)["sql-basics"]
    assert again.id != first.id and again.since == decided.evaluation.decided_at


def test_an_approved_change_restarts_the_clock_too(badgebot, ctx, clock, catalog):
    clock.advance(days=2 * 365 - 30)
    sql = next(c for c in catalog.credentials if c.id == "sql-basics")
    with ctx.transaction() as session:
        record_approved_change(session, clock(), action="change", proposal_id=None, approvals=[], credential={
            "id": sql.id, "type": sql.type.value, "name": "SQL Fundamentals", "description": sql.description,
            "criteria": sql.criteria, "grantors": list(sql.grantors), "review_channel": sql.review_channel,
            "issuer": "computing", "review_every": "2y"})
    clock.advance(days=31)
    run(badgebot)
    assert "sql-basics" not in opened(ctx) and "spreadsheet-fundamentals" in opened(ctx)


def test_only_the_issuers_admins_and_program_admins_decide_and_only_once(badgebot, ctx, clock):
    clock.advance(days=2 * 365 + 1)
    run(badgebot)
    sql = opened(ctx)["sql-basics"]
    for outsider in ("U0LEARN001", CAREERS_ADMIN):  # a learner; another issuer's admin
        with pytest.raises(NotAllowed, match="College of Computing and Data Science"):
            evaluations.decide(ctx, badgebot.catalog, outsider, sql.id, EvaluationDecision.KEEP)
    evaluations.decide(ctx, badgebot.catalog, PROGRAM_ADMIN, sql.id, EvaluationDecision.CHANGE)
    with pytest.raises(Conflict, match=f"<@{PROGRAM_ADMIN}> already decided this evaluation: change"):
        evaluations.decide(ctx, badgebot.catalog, COMPUTING_ADMIN, sql.id, EvaluationDecision.KEEP)
    with ctx.reading() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "evaluation.decided")).all()
    assert (entry.actor, entry.detail["decision"]) == (PROGRAM_ADMIN, "change")


def test_change_asks_for_an_edit_proposal(badgebot, ctx, clock):
    clock.advance(days=2 * 365 + 1)
    run(badgebot)
    decided = evaluations.decide(ctx, badgebot.catalog, COMPUTING_ADMIN, opened(ctx)["sql-basics"].id,
                                 EvaluationDecision.CHANGE)
    assert "`/badges propose sql-basics`" in decided.note and decided.proposal_id is None


def test_retire_starts_a_retirement_proposal(badgebot, ctx, clock):
    clock.advance(days=2 * 365 + 1)
    run(badgebot)
    decided = evaluations.decide(ctx, badgebot.catalog, COMPUTING_ADMIN, opened(ctx)["sql-basics"].id,
                                 EvaluationDecision.RETIRE)
    assert decided.proposal_id is not None
    with ctx.reading() as session:
        proposal = session.get(Proposal, decided.proposal_id)
        assert (proposal.kind.value, proposal.credential) == ("retire", "sql-basics")
    assert badgebot.catalog.get("sql-basics") is not None  # retired only once the stages approve


def test_a_credential_without_review_every_is_never_evaluated(badgebot, ctx, clock):
    clock.advance(days=20 * 365)
    run(badgebot)
    assert "data-visualization-foundations" not in opened(ctx)


def test_the_scheduler_runs_it_from_the_job_registry_once_per_period(badgebot, ctx, clock):
    clock.advance(days=2 * 365 + 4)  # a Friday morning
    first = run_job(badgebot.jobs, "evaluations", scheduled_by="leader-a")
    assert first.queued["evaluation_card"] == len(TWO_YEARLY) + 1
    again = run_job(badgebot.jobs, "evaluations", scheduled_by="leader-b")  # a second leader, same period
    assert again.already_ran and len(opened(ctx)) == len(TWO_YEARLY) + 1
