"""Time to a decision, per credential and per grantor (median, p90), and the submissions still open by
age, against the office's target (BADGEBOT_DECISION_TARGET_DAYS)."""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, case, func, literal, select, tuple_
from sqlalchemy.orm import Session

from bot.domain.vocabulary import AWAITING_REVIEW, OPEN_STATUSES, SubmissionStatus
from bot.usecases.context import Context
from bot.usecases.reports.scope import (Report, ReportFilter, Table, days_between, for_reports, issuer_clause, percentile, share)
from models import Artifact, Credential, Review, Submission
from models.base import UTCDateTime

DEFAULT_TARGET_DAYS = 14
# A request for changes also stamps decided_at, but the learner's wait ends only with one of these.
FINAL = (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED)


def histogram_edges(target_days: int) -> tuple[float, ...]:
    """Bin edges in days for the histogram: even bins up to twice the target, so the target line falls on
    an edge, then one open bin for the rest."""
    width = max(1, round(target_days / 7))
    return tuple(float(x) for x in range(0, 2 * target_days + 1, width))


@dataclass(frozen=True)
class _Stats:
    """One credential's, one grantor's, or all decisions': how many, median and p90 days, how many in target."""

    n: int = 0
    median: float | None = None
    p90: float | None = None
    within: int = 0

    @classmethod
    def of(cls, days: list[float], target: int) -> _Stats:
        """From durations in ascending order, interpolated between ranks as percentile_cont does."""
        return cls(len(days), _round(percentile(days, 0.5)), _round(percentile(days, 0.9)),
                   bisect.bisect_right(days, target))

    def row(self) -> tuple[object, ...]:
        return self.n, self.median, self.p90, share(self.within, self.n)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _summaries(session: Session, group: Any, days: Any, where: Any, target: int,
               edges: tuple[float, ...]) -> tuple[dict[Any, _Stats], _Stats, list[int]]:
    """Per group and for all: the figures, and the histogram's counts over `edges` (the last bin open; no
    edges, no histogram).

    PostgreSQL computes them (percentile_cont, over GROUPING SETS: each group and all at once). SQLite has no
    percentile_cont: every duration comes back, sorted once by the database, and the figures are read off
    the sorted lists; both give the same numbers (tests/integration/test_reports.py runs on both)."""
    connection = session.connection()  # Core execution: no per-row ORM bookkeeping
    if connection.dialect.name == "postgresql":
        # Each duration computed once (in the subquery), then aggregated three ways.
        inner = select(group.label("g"), days.label("d")).where(where).subquery()
        g, d = inner.c.g, inner.c.d
        rows = connection.execute(
            select(g, func.count(), func.percentile_cont(0.5).within_group(d),
                   func.percentile_cont(0.9).within_group(d), func.sum(case((d <= target, 1), else_=0)),
                   func.grouping(g))
            .group_by(func.grouping_sets(g, tuple_()))).all()
        groups = {key: _Stats(n, _round(median), _round(p90), int(w or 0))
                  for key, n, median, p90, w, overall in rows if not overall}
        every = next((_Stats(n, _round(median), _round(p90), int(w or 0))
                      for _, n, median, p90, w, overall in rows if overall), _Stats())
        if not edges:
            return groups, every, []
        width, last = (edges[1] - edges[0] if len(edges) > 1 else 1.0), len(edges) - 1
        bin_of = case((d >= edges[-1], last), else_=func.floor(d / width))
        bins = dict(connection.execute(select(bin_of, func.count()).group_by(bin_of)).all())
        return groups, every, [int(bins.get(i, 0)) for i in range(len(edges))]
    rows = connection.execute(select(group, days).where(where).order_by(days)).all()
    every_days = [row[1] for row in rows]
    rows.sort(key=itemgetter(0))  # stable: each group's durations stay in ascending order
    groups = {key: _Stats.of([row[1] for row in members], target) for key, members in groupby(rows, itemgetter(0))}
    starts = [bisect.bisect_left(every_days, edge) for edge in edges] + [len(every_days)]
    return groups, _Stats.of(every_days, target), [starts[i + 1] - starts[i] for i in range(len(edges))]


def decisions_report(ctx: Context, actor: str, scope: ReportFilter, target_days: int = DEFAULT_TARGET_DAYS) -> Report:
    """How long learners wait: per credential (submission to final decision) and per grantor (the round's
    start to their decision), decisions made in the range; and what is open now, by age."""
    ctx.require_admin(actor)
    now = ctx.clock()
    in_scope = issuer_clause(Credential, scope.issuer)
    edges = histogram_edges(target_days)
    with ctx.reading() as session:
        for_reports(session)
        waited = days_between(session, Submission.decided_at, Submission.created_at)
        by_credential, every, counts = _summaries(session, Submission.credential_id, waited, and_(
            Submission.status.in_(FINAL), scope.within(Submission.decided_at), in_scope,
            Credential.id == Submission.credential_id), target_days, edges)
        names = {cid: (slug, name) for cid, slug, name in session.execute(
            select(Credential.id, Credential.slug, Credential.name).where(Credential.id.in_(by_credential)))}
        # A round starts with its files: the first at submission, a later one with its resubmission's files
        # (looked up only for those, the few).
        later_round = (select(func.min(Artifact.created_at))
                       .where(Artifact.submission_id == Review.submission_id, Artifact.round == Review.round)
                       .correlate(Review).scalar_subquery())
        start = case((Review.round == 1, Submission.created_at),
                     else_=func.coalesce(later_round, Submission.created_at))
        by_grantor, _, _ = _summaries(session, Review.grantor, days_between(session, Review.created_at, start), and_(
            Submission.id == Review.submission_id, Credential.id == Submission.credential_id,
            scope.within(Review.created_at), in_scope), target_days, ())
        # What is open now, counted by age band in the database (a large program has thousands open).
        age = days_between(session, literal(now, UTCDateTime()), Submission.created_at)
        band = case(*((age < high, i) for i, (_, high) in enumerate(_bands(target_days)) if high is not None),
                    else_=len(_bands(target_days)) - 1)
        awaiting = Submission.status.in_(AWAITING_REVIEW)
        open_rows = session.connection().execute(
            select(band, awaiting, func.count())
            .join(Credential, Credential.id == Submission.credential_id)
            .where(Submission.status.in_(OPEN_STATUSES), in_scope)
            .group_by(band, awaiting)
        ).all()
    open_table = _open_by_age(open_rows, target_days)
    over = sum(row[1] for row in open_table.rows if row[2])
    waiting = sum(row[1] for row in open_table.rows)
    histogram = tuple((edges[i], edges[i + 1] if i + 1 < len(edges) else None, n) for i, n in enumerate(counts))
    return Report(
        "decisions", "Time to decision", scope, now,
        headline=(("decisions", every.n), ("median days", every.median), ("p90 days", every.p90),
                  ("decided within target", share(every.within, every.n)),
                  ("target days", target_days), ("open", waiting), ("open past target", over)),
        tables=(
            Table("credential", "Time to decision by credential (days)",
                  ("credential", "name", "decisions", "median", "p90", "within target"),
                  tuple(sorted((*names[cid], *group.row()) for cid, group in by_credential.items()))),
            Table("grantor", "Time to decision by grantor (days)",
                  ("grantor", "decisions", "median", "p90", "within target"),
                  tuple((grantor, *group.row()) for grantor, group in sorted(by_grantor.items()))),
            Table("histogram", "Decisions by days waited", ("from day", "to day", "decisions"), histogram),
            open_table,
        ),
        extra={"target_days": target_days},
    )


def _bands(target: int) -> tuple[tuple[float, float | None], ...]:
    return (0, target / 2), (target / 2, target), (target, 2 * target), (2 * target, None)


def _open_by_age(rows: Iterable[tuple[int, bool, int]], target: int) -> Table:
    """Open submissions now, in age bands around the target; awaiting a grantor vs. waiting on the learner."""
    bands = _bands(target)
    counts = [[0, 0] for _ in bands]
    for band, awaiting, n in rows:
        counts[band][0 if awaiting else 1] += n
    return Table(
        "open", "Open submissions by age (days since submission)",
        ("age", "open", "past target", "awaiting a grantor", "waiting on the learner"),
        tuple((_band(low, high), a + w, low >= target, a, w) for (low, high), (a, w) in zip(bands, counts)),
    )


def _band(low: float, high: float | None) -> str:
    def n(x: float) -> str:
        return f"{x:g}"
    return f"{n(low)}+ days" if high is None else f"{n(low)}–{n(high)} days"
