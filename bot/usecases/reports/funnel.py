"""The submission funnel: submitted -> approved, or changes requested -> resubmitted -> approved / rejected /
withdrawn (or still waiting), with the conversion at each step."""
from __future__ import annotations

from sqlalchemy import and_, case, func, select

from bot.domain.vocabulary import OPEN_STATUSES, Decision, SubmissionStatus
from bot.usecases.context import Context
from bot.usecases.reports.scope import (
    Report,
    ReportFilter,
    Table,
    allowed,
    for_reports,
    issuer_clause,
    share,
)
from models import Credential, Review, Submission


def _count(condition):  # type: ignore[no-untyped-def]
    return func.sum(case((condition, 1), else_=0))


def funnel_report(ctx: Context, actor: str, scope: ReportFilter) -> Report:
    """Where the submissions made in the range stand now, step by step."""
    scope = allowed(ctx, actor, scope)
    now = ctx.clock()
    # A submission whose grantor asked for changes at least once (in any round).
    asked = (select(Review.submission_id).where(Review.decision == Decision.REQUEST_CHANGES)
             .group_by(Review.submission_id).subquery())
    status, resubmitted = Submission.status, Submission.round > 1
    approved = status == SubmissionStatus.APPROVED
    with ctx.reading() as session:
        for_reports(session)
        row = session.execute(
            select(func.count(), _count(asked.c.submission_id.is_not(None)), _count(resubmitted),
                   _count(and_(approved, ~resubmitted)), _count(and_(approved, resubmitted)),
                   _count(status == SubmissionStatus.REJECTED), _count(status == SubmissionStatus.WITHDRAWN),
                   _count(status == SubmissionStatus.CHANGES_REQUESTED), _count(status.in_(OPEN_STATUSES)))
            .select_from(Submission)
            .join(Credential, Credential.id == Submission.credential_id)
            .outerjoin(asked, asked.c.submission_id == Submission.id)
            .where(scope.within(Submission.created_at), issuer_clause(Credential, scope))
        ).one()
    submitted, changes, resub, first_time, after, rejected, withdrawn, stalled, open_ = (int(v or 0) for v in row)
    approved_all = first_time + after
    steps = (
        ("submitted", submitted, "", None),
        ("approved first time", first_time, "submitted", share(first_time, submitted)),
        ("changes requested", changes, "submitted", share(changes, submitted)),
        ("resubmitted", resub, "changes requested", share(resub, changes)),
        ("approved after resubmission", after, "resubmitted", share(after, resub)),
        ("approved", approved_all, "submitted", share(approved_all, submitted)),
        ("rejected", rejected, "submitted", share(rejected, submitted)),
        ("withdrawn", withdrawn, "submitted", share(withdrawn, submitted)),
        # Asked for changes and never sent them: where submissions stall.
        ("waiting on the learner", stalled, "changes requested", share(stalled, changes)),
        ("still open", open_, "submitted", share(open_, submitted)),
    )
    return Report(
        "funnel", "Submission funnel", scope, now,
        headline=(("submitted", submitted), ("approved", approved_all), ("approval rate", share(approved_all, submitted)),
                  ("changes requested", changes)),
        tables=(Table("steps", "The submission funnel", ("step", "submissions", "of", "conversion"), steps),),
    )
