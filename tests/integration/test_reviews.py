"""Assessment on a real database (SQLite and PostgreSQL): who may decide, and what a decision does."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.domain.vocabulary import Decision, SubmissionStatus
from bot.errors import Conflict, InvalidInput, NotAllowed
from bot.usecases.progress import learner_progress
from bot.usecases.reviews import review, waiting_for
from bot.usecases.submissions import resubmit, submit, withdraw
from models import Artifact, AuditEntry, Award, OutboxMessage, Submission
from tests.helpers import artifact, earn, submit_for

LEARNER = "U0LEARN001"


def outbox(ctx, kind: str) -> list[OutboxMessage]:
    with ctx.transaction() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def test_approval_awards_the_badge_and_tells_the_learner(ctx):
    submission = submit_for(ctx, LEARNER, "sql-basics", files=2)
    assert submission.status is SubmissionStatus.SUBMITTED
    assert [m.recipient for m in outbox(ctx, "review_card")] == ["C0REVIEWS1"]

    result = review(ctx, "U0GRANT001", submission.id, Decision.APPROVE_WITH_DISTINCTION)

    assert result.status is SubmissionStatus.APPROVED
    assert result.awarded == ("sql-basics",)
    progress = learner_progress(ctx, LEARNER)
    [held] = progress.holdings
    assert (held.credential, held.distinction) == ("sql-basics", True)
    assert [m.recipient for m in outbox(ctx, "award")] == [LEARNER]
    assert [m.payload["decision"] for m in outbox(ctx, "decision")] == ["approve_with_distinction"]
    with ctx.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Artifact)) == 2


def test_a_grantor_of_one_credential_cannot_decide_on_another(ctx):
    submission = submit_for(ctx, LEARNER, "sql-basics")
    with pytest.raises(NotAllowed, match="not a grantor for SQL Basics"):
        review(ctx, "U0GRANT003", submission.id, Decision.APPROVE)  # grants Business Writing only
    with pytest.raises(NotAllowed):
        review(ctx, LEARNER, submission.id, Decision.APPROVE)
    assert learner_progress(ctx, LEARNER).holdings == ()
    with ctx.transaction() as session:
        assert session.get(Submission, submission.id).status is SubmissionStatus.SUBMITTED


def test_nobody_assesses_their_own_submission(ctx):
    # U0GRANT001 grants Spreadsheet Fundamentals but is also a learner here.
    own = submit_for(ctx, "U0GRANT001", "spreadsheet-fundamentals")
    with pytest.raises(NotAllowed, match="your own submission"):
        review(ctx, "U0GRANT001", own.id, Decision.APPROVE)
    assert [s.submission_id for s in waiting_for(ctx, "U0GRANT001")] == []
    assert [s.id for s in waiting_for(ctx, "U0GRANT002")] == [own.id]
    review(ctx, "U0GRANT002", own.id, Decision.APPROVE)
    assert learner_progress(ctx, "U0GRANT001").holds("spreadsheet-fundamentals")


def test_user_group_grantors_may_assess(ctx, catalog):
    from dataclasses import replace

    from bot.usecases.catalog import load_catalog

    # Give SQL Basics to a user group instead of a person.
    specs = tuple(replace(c, grantors=("S0FACULTY1",)) if c.id == "sql-basics" else c for c in catalog.credentials)
    load_catalog(ctx, replace(catalog, credentials=specs), "test")
    submission = submit_for(ctx, LEARNER, "sql-basics")
    with pytest.raises(NotAllowed):
        review(ctx, "U0GRANT002", submission.id, Decision.APPROVE)
    assert review(ctx, "U0GRANT009", submission.id, Decision.APPROVE).status is SubmissionStatus.APPROVED


def test_request_changes_then_resubmit_then_approve(ctx, clock):
    submission = submit_for(ctx, LEARNER, "sql-basics")
    with pytest.raises(InvalidInput, match="reason is required"):
        review(ctx, "U0GRANT001", submission.id, Decision.REQUEST_CHANGES, "  ")
    result = review(ctx, "U0GRANT001", submission.id, Decision.REQUEST_CHANGES, "Query 4 has no join.")
    assert result.status is SubmissionStatus.CHANGES_REQUESTED
    with pytest.raises(Conflict, match="Already decided by <@U0GRANT001>"):
        review(ctx, "U0GRANT001", submission.id, Decision.APPROVE)

    clock.advance(days=2)
    again = resubmit(ctx, LEARNER, submission.id, [artifact("fixed.sql", b"select 1")], "Added the join.")
    assert (again.status, again.round) == (SubmissionStatus.RESUBMITTED, 2)
    with pytest.raises(Conflict):
        resubmit(ctx, LEARNER, submission.id, [artifact()])
    final = review(ctx, "U0GRANT001", submission.id, Decision.APPROVE)
    assert final.status is SubmissionStatus.APPROVED
    with ctx.transaction() as session:
        rounds = [a.round for a in session.scalars(select(Artifact).order_by(Artifact.id))]
        actions = [a.action for a in session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "submissions").order_by(AuditEntry.id))]
    assert rounds == [1, 2]
    assert actions == ["submission.created", "review.request_changes", "submission.changes_requested",
                       "submission.resubmitted", "review.approve", "submission.approved"]


def test_reject_is_final_and_a_new_submission_can_follow(ctx):
    first = submit_for(ctx, LEARNER, "sql-basics")
    assert review(ctx, "U0GRANT001", first.id, Decision.REJECT, "Not your own work.").status is SubmissionStatus.REJECTED
    second = submit_for(ctx, LEARNER, "sql-basics")
    assert second.id != first.id and second.created


def test_n_of_m_approvals_and_unanimous_distinction(ctx):
    submission = submit_for(ctx, LEARNER, "sql-analytics-professional")  # needs 2 of U0GRANT001, U0GRANT002
    one = review(ctx, "U0GRANT001", submission.id, Decision.APPROVE_WITH_DISTINCTION)
    assert (one.status, one.approvals, one.approvals_required, one.awarded) == (
        SubmissionStatus.SUBMITTED, 1, 2, ())
    with pytest.raises(Conflict, match="already approved"):
        review(ctx, "U0GRANT001", submission.id, Decision.APPROVE)
    two = review(ctx, "U0GRANT002", submission.id, Decision.APPROVE)
    assert (two.status, two.approvals, two.awarded) == (SubmissionStatus.APPROVED, 2, ("sql-analytics-professional",))
    [held] = learner_progress(ctx, LEARNER).holdings
    assert held.distinction is False  # one of the two grantors withheld it
    assert held.expires_at is not None and held.expires_at.year == held.issued_at.year + 3


def test_distinction_only_where_the_credential_allows_it(ctx):
    submission = submit_for(ctx, LEARNER, "data-visualization-foundations")
    with pytest.raises(InvalidInput, match="cannot be granted with distinction"):
        review(ctx, "U0GRANT002", submission.id, Decision.APPROVE_WITH_DISTINCTION)


def test_submitting_is_idempotent_and_only_for_badges(ctx):
    first = submit_for(ctx, LEARNER, "sql-basics")
    again = submit_for(ctx, LEARNER, "sql-basics")
    assert (again.id, again.created) == (first.id, False)
    with pytest.raises(InvalidInput, match="is a souvenir: it is awarded at events"):
        submit(ctx, LEARNER, "welcome-week-2026", [artifact()])
    with pytest.raises(InvalidInput, match="is awarded automatically when you hold all its badges"):
        submit(ctx, LEARNER, "data-analytics-practiced", [artifact()])
    with pytest.raises(InvalidInput, match="at least one file"):
        submit(ctx, LEARNER, "business-writing", [])
    with pytest.raises(InvalidInput, match="at most 10 files"):
        submit(ctx, LEARNER, "business-writing", [artifact(f"{i}.pdf") for i in range(11)])
    review(ctx, "U0GRANT001", first.id, Decision.APPROVE)
    with pytest.raises(Conflict, match="already hold SQL Basics"):
        submit_for(ctx, LEARNER, "sql-basics")
    with ctx.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 1


def test_withdraw(ctx):
    submission = submit_for(ctx, LEARNER, "sql-basics")
    with pytest.raises(NotAllowed):
        withdraw(ctx, "U0SOMEONE1", submission.id)
    assert withdraw(ctx, LEARNER, submission.id).status is SubmissionStatus.WITHDRAWN
    with pytest.raises(Conflict):
        review(ctx, "U0GRANT001", submission.id, Decision.APPROVE)
    with ctx.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Award)) == 0


def test_progress_lists_pending_and_stacks(ctx):
    earn(ctx, LEARNER, "sql-basics")
    submit_for(ctx, LEARNER, "spreadsheet-fundamentals")
    progress = learner_progress(ctx, LEARNER)
    assert [p.credential for p in progress.pending] == ["spreadsheet-fundamentals"]
    [stack] = progress.stacks
    assert (stack.certificate, stack.held, stack.required) == ("data-analytics-practiced", ("sql-basics",), 3)
    assert [slug for slug, _ in stack.missing] == ["data-visualization-foundations", "spreadsheet-fundamentals"]
    assert dict(stack.missing)["spreadsheet-fundamentals"] == "Spreadsheet Fundamentals"
