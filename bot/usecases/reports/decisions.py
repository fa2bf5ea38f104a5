"""Time to a decision, per credential and per grantor (median, p90), and the submissions still open by
age, against the office's target (BADGEBOT_DECISION_TARGET_DAYS)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func, select

from bot.domain.vocabulary import AWAITING_REVIEW, OPEN_STATUSES, SubmissionStatus
from bot.usecases.context import Context
from bot.usecases.reports.scope import (
    Report,
    ReportFilter,
    Table,
    days_between,
    issuer_clause,
    percentile,
    share,
)
from models import Artifact, Credential, Review, Submission

DEFAULT_TARGET_DAYS = 14
# A request for changes also stamps decided_at, but the learner's wait ends only with one of these.
FINAL = (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED)


def histogram_edges(target_days: int) -> tuple[float, ...]:
    """Bin edges in days for the histogram: even bins up to twice the target, so the target line falls on
    an edge, then one open bin for the rest."""
    width = max(1, round(target_days / 7))
    return tuple(float(x) for x in range(0, 2 * target_days + 1, width))


def _summary(groups: dict[tuple[str, ...], list[float]], target: int) -> tuple[tuple[object, ...], ...]:
    rows = []
    for group, days in sorted(groups.items()):
        days.sort()
        within = sum(1 for d in days if d <= target)
        rows.append((*group, len(days), _round(percentile(days, 0.5)), _round(percentile(days, 0.9)),
                     share(within, len(days))))
    return tuple(rows)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _bins(days: Iterable[float], edges: tuple[float, ...]) -> list[int]:
    counts = [0] * len(edges)  # the last bin is "at least the last edge"
    for d in days:
        index = next((i for i in range(len(edges) - 1) if d < edges[i + 1]), len(edges) - 1)
        counts[index] += 1
    return counts


def decisions_report(ctx: Context, actor: str, scope: ReportFilter, target_days: int = DEFAULT_TARGET_DAYS) -> Report:
    """How long learners wait: per credential (submission to final decision) and per grantor (the round's
    start to their decision), decisions made in the range; and what is open now, by age."""
    ctx.require_admin(actor)
    now = ctx.clock()
    in_scope = issuer_clause(Credential, scope.issuer)
    with ctx.reading() as session:
        # Durations come back sorted per group, and the percentiles are read off them: SQLite has no
        # percentile_cont, and one sorted query per breakdown is still one pass over the rows.
        waited = days_between(session, Submission.decided_at, Submission.created_at)
        per_credential = session.execute(
            select(Credential.slug, Credential.name, waited)
            .join(Credential, Credential.id == Submission.credential_id)
            .where(Submission.status.in_(FINAL), scope.within(Submission.decided_at), in_scope)
            .order_by(Credential.slug, waited)
        ).all()
        # A round starts with its files (a resubmission brings new ones); the first round, at submission.
        round_start = (select(func.min(Artifact.created_at))
                       .where(Artifact.submission_id == Review.submission_id, Artifact.round == Review.round)
                       .correlate(Review).scalar_subquery())
        start = func.coalesce(round_start, Submission.created_at)
        took = days_between(session, Review.created_at, start)
        per_grantor = session.execute(
            select(Review.grantor, took)
            .join(Submission, Submission.id == Review.submission_id)
            .join(Credential, Credential.id == Submission.credential_id)
            .where(scope.within(Review.created_at), in_scope)
            .order_by(Review.grantor, took)
        ).all()
        # Open ones are few (what is in play now): their ages are read off the rows.
        open_rows = session.execute(
            select(Submission.status, Submission.created_at)
            .join(Credential, Credential.id == Submission.credential_id)
            .where(Submission.status.in_(OPEN_STATUSES), in_scope)
        ).all()
    by_credential: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for slug, name, days in per_credential:
        by_credential[(slug, name)].append(float(days))
    by_grantor: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for grantor, days in per_grantor:
        by_grantor[(grantor,)].append(float(days))
    every = sorted(d for days in by_credential.values() for d in days)
    edges = histogram_edges(target_days)
    open_table = _open_by_age(open_rows, now, target_days)
    over = sum(row[1] for row in open_table.rows if row[2])
    waiting = sum(row[1] for row in open_table.rows)
    return Report(
        "decisions", "Time to decision", scope, now,
        headline=(("decisions", len(every)), ("median days", _round(percentile(every, 0.5))),
                  ("p90 days", _round(percentile(every, 0.9))),
                  ("decided within target", share(sum(1 for d in every if d <= target_days), len(every))),
                  ("target days", target_days), ("open", waiting), ("open past target", over)),
        tables=(
            Table("credential", "Time to decision by credential (days)",
                  ("credential", "name", "decisions", "median", "p90", "within target"),
                  _summary(by_credential, target_days)),
            Table("grantor", "Time to decision by grantor (days)",
                  ("grantor", "decisions", "median", "p90", "within target"), _summary(by_grantor, target_days)),
            Table("histogram", "Decisions by days waited",
                  ("from day", "to day", "decisions"),
                  tuple((edges[i], edges[i + 1] if i + 1 < len(edges) else None, n)
                        for i, n in enumerate(_bins(every, edges)))),
            open_table,
        ),
        extra={"target_days": target_days},
    )


def _open_by_age(rows: Iterable[tuple[object, dt.datetime]], now: dt.datetime, target: int) -> Table:
    """Open submissions now, in age bands around the target; awaiting a grantor vs. waiting on the learner."""
    bands = ((0, target / 2), (target / 2, target), (target, 2 * target), (2 * target, None))
    counts = {band: [0, 0] for band in bands}
    for status, created_at in rows:
        age = (now - created_at).total_seconds() / 86400
        band = next(b for b in bands if b[1] is None or age < b[1])
        counts[band][0 if status in AWAITING_REVIEW else 1] += 1
    return Table(
        "open", "Open submissions by age (days since submission)",
        ("age", "open", "past target", "awaiting a grantor", "waiting on the learner"),
        tuple((_band(low, high), a + w, low >= target, a, w) for (low, high), (a, w) in counts.items()),
    )


def _band(low: float, high: float | None) -> str:
    def n(x: float) -> str:
        return f"{x:g}"
    return f"{n(low)}+ days" if high is None else f"{n(low)}–{n(high)} days"
