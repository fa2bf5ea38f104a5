"""Engagement: whether learners share their awards, how often shared pages are seen and their LinkedIn
links followed (counted on the bot's own routes, nothing kept about the viewer), and whether nudges lead
to submissions."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ColumnElement, and_, case, exists, func, select, true

from bot.domain.vocabulary import OutboxKind
from bot.usecases.context import Context
from bot.usecases.outbox import FAILED, SKIPPED
from bot.usecases.reports.scope import (
    Report,
    ReportFilter,
    Table,
    allowed,
    days_between,
    for_reports,
    issuer_clause,
    share,
)
from models import Award, AwardVisit, Credential, Learner, OutboxMessage, Submission
from models.base import insert_for

NUDGE_WINDOW_DAYS = 14
"""A submission within this many days after a nudge counts as one the nudge may have led to."""


class VisitKind(enum.StrEnum):
    PAGE_VIEW = "page_view"
    LINKEDIN_CLICK = "linkedin_click"


def count_visit(ctx: Context, public_id: str, kind: VisitKind) -> bool:
    """Add one to today's count for a shared award (False, counting nothing, for an unknown or private one).

    One upsert: concurrent visits each add one, and a day has one row per award and kind."""
    today = ctx.clock().astimezone(dt.UTC).date()
    with ctx.transaction() as session:
        award_id = session.scalar(select(Award.id).where(Award.public_id == public_id, Award.shared_at.is_not(None)))
        if award_id is None:
            return False
        statement = insert_for(session, AwardVisit).values(award_id=award_id, kind=kind.value, day=today, count=1)
        session.execute(statement.on_conflict_do_update(
            index_elements=["award_id", "kind", "day"], set_={"count": AwardVisit.count + 1}))
        return True


def _days(scope: ReportFilter):  # type: ignore[no-untyped-def]
    """Counters of the days in the range (days, not instants: a counter is per day)."""
    clause = true()
    if scope.since:
        clause = and_(clause, AwardVisit.day >= scope.since)
    if scope.until:
        clause = and_(clause, AwardVisit.day <= scope.until)
    return clause


def _visits(kind: VisitKind, scope: ReportFilter):  # type: ignore[no-untyped-def]
    """Per award, the visits of `kind` on the days in the range."""
    return (select(AwardVisit.award_id, func.sum(AwardVisit.count).label("n"))
            .where(AwardVisit.kind == kind.value, _days(scope)).group_by(AwardVisit.award_id).subquery())


def _toward(nudge: type[OutboxMessage], scope: ReportFilter) -> ColumnElement[bool]:
    """Nudges toward a certificate the report covers (every nudge for the whole program)."""
    if scope.issuers is None:
        return true()
    return nudge.payload["certificate"].as_string().in_(select(Credential.slug).where(issuer_clause(Credential, scope)))


def engagement_report(ctx: Context, actor: str, scope: ReportFilter) -> Report:
    """Share rate of the awards issued in the range, page views and LinkedIn clicks on the days in the range,
    and the nudges queued in the range with the submissions made within 14 days after each."""
    scope = allowed(ctx, actor, scope)
    now = ctx.clock()
    views, clicks = _visits(VisitKind.PAGE_VIEW, scope), _visits(VisitKind.LINKEDIN_CLICK, scope)
    with ctx.reading() as session:
        for_reports(session)
        per_credential = session.execute(
            select(Credential.slug, Credential.name, func.count(),
                   func.sum(case((Award.shared_at.is_not(None), 1), else_=0)),
                   func.coalesce(func.sum(views.c.n), 0), func.coalesce(func.sum(clicks.c.n), 0))
            .select_from(Award)
            .join(Credential, Credential.id == Award.credential_id)
            .outerjoin(views, views.c.award_id == Award.id)
            .outerjoin(clicks, clicks.c.award_id == Award.id)
            .where(Award.revoked_at.is_(None), scope.within(Award.issued_at), issuer_clause(Credential, scope))
            .group_by(Credential.slug, Credential.name)
            .order_by(func.count().desc(), Credential.slug)
        ).all()
        # Visits in the range to awards issued any time (a page shared last year is still seen).
        # Read from the counters (far fewer rows than the awards), joined to their awards for the issuer.
        visited = dict(session.execute(
            select(AwardVisit.kind, func.sum(AwardVisit.count))
            .join(Award, Award.id == AwardVisit.award_id).join(Credential, Credential.id == Award.credential_id)
            .where(_days(scope), issuer_clause(Credential, scope))
            .group_by(AwardVisit.kind)).all())
        seen = (int(visited.get(VisitKind.PAGE_VIEW.value) or 0), int(visited.get(VisitKind.LINKEDIN_CLICK.value) or 0))
        # Nudges: the queued messages (not those left failed, or skipped because the learner opted out).
        nudge = OutboxMessage
        followed = exists().where(
            Submission.learner_id == Learner.id, Submission.created_at > nudge.created_at,
            days_between(session, Submission.created_at, nudge.created_at) <= NUDGE_WINDOW_DAYS)
        nudges, nudged, led = session.execute(
            select(func.count(), func.count(func.distinct(nudge.recipient)), func.sum(case((followed, 1), else_=0)))
            .select_from(nudge).join(Learner, Learner.slack_user_id == nudge.recipient)
            .where(nudge.kind == OutboxKind.NUDGE.value, nudge.status.not_in([FAILED, SKIPPED]),
                   scope.within(nudge.created_at), _toward(nudge, scope))
        ).one()
    awards = sum(r[2] for r in per_credential)
    shared = sum(int(r[3] or 0) for r in per_credential)
    led = int(led or 0)
    return Report(
        "engagement", "Engagement", scope, now,
        headline=(("awards", awards), ("shared", shared), ("share rate", share(shared, awards)),
                  ("page views", int(seen[0])), ("LinkedIn clicks", int(seen[1])),
                  ("nudges", nudges), ("submissions within 14 days of a nudge", led),
                  ("nudge conversion", share(led, nudges))),
        tables=(
            Table("credential", "Sharing by credential (awards issued in the range)",
                  ("credential", "name", "awards", "shared", "share rate", "page views", "LinkedIn clicks"),
                  tuple((slug, name, n, int(s or 0), share(int(s or 0), n), int(v), int(c))
                        for slug, name, n, s, v, c in per_credential)),
            Table("nudges", "Nudges and what followed",
                  ("nudges", "learners nudged", "followed by a submission within 14 days", "conversion"),
                  ((nudges, nudged, led, share(led, nudges)),)),
        ),
    )
