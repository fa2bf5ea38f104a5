"""Time to a decision, per credential and per grantor (median, p90), and the submissions still open by
age, against the office's target (BADGEBOT_DECISION_TARGET_DAYS)."""
from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    Select,
    and_,
    bindparam,
    case,
    cast,
    func,
    select,
)
from sqlalchemy.orm import Session

from bot.domain.vocabulary import AWAITING_REVIEW, OPEN_STATUSES
from bot.usecases.context import Context
from bot.usecases.reports.scope import (
    Report,
    ReportFilter,
    Table,
    allowed,
    credentials_in,
    for_reports,
    reviews_in,
    share,
)
from models import Credential, Review, Submission

DEFAULT_TARGET_DAYS = 14
DAY = 86400  # seconds: the durations are stored in seconds, reported in days


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

    def row(self) -> tuple[object, ...]:
        return self.n, self.median, self.p90, share(self.within, self.n)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _days(seconds: Any) -> Any:
    """A stored duration (whole seconds) in days, as a float on both databases."""
    return cast(seconds, Float) / 86400.0


def _summaries(session: Session, group: Any, seconds: Any, where: Any, target: int
               ) -> tuple[dict[Any, _Stats], Select[Any]]:
    """Per group: the figures from the stored durations (`seconds`) of the rows matching `where`; and the
    query of those durations, for the figures over all groups (`_overall`).

    PostgreSQL computes them with percentile_cont. SQLite has none: it counts each group, then reads the two
    durations either side of the median's and the p90's rank off the (group, duration) index (LIMIT 2
    OFFSET rank, a walk along the index with no sort), and interpolates between them as percentile_cont does;
    both give the same numbers (tests/integration/test_reports.py runs on both). Fetching every duration
    instead cost 5 s for bench/reports.py's million."""
    connection = session.connection()  # Core execution: no per-row ORM bookkeeping
    where = and_(seconds.is_not(None), where)  # also what lets the partial indexes serve
    within = func.sum(case((seconds <= target * DAY, 1), else_=0))
    durations = select(seconds).where(where).order_by(seconds)
    if connection.dialect.name == "postgresql":
        days = _days(seconds)
        rows = connection.execute(
            select(group, func.count(), func.percentile_cont(0.5).within_group(days),
                   func.percentile_cont(0.9).within_group(days), within).where(where).group_by(group)).all()
        return {key: _Stats(n, _round(median), _round(p90), int(w or 0)) for key, n, median, p90, w in rows}, durations
    counts = connection.execute(select(group, func.count(), within).where(where).group_by(group)).all()
    of_group = _rank_reads(durations.where(group == bindparam("group")))  # built and compiled once
    return {key: _ranked(connection, of_group, n, int(w or 0), group=key) for key, n, w in counts}, durations


def _overall(session: Session, durations: Select[Any], groups: Iterable[_Stats], edges: tuple[float, ...]
             ) -> tuple[_Stats, list[int]]:
    """Over all the `durations` (`_summaries`' query, whose `groups` split them): the figures, and the
    histogram's counts over `edges` in days (the last bin open)."""
    connection = session.connection()
    seconds = durations.selected_columns[0]
    groups = list(groups)
    n, within = sum(g.n for g in groups), sum(g.within for g in groups)
    bounds = [int(edge) * DAY for edge in edges]
    everything = durations.order_by(None)
    if connection.dialect.name == "postgresql":
        width, last = (bounds[1] - bounds[0] if len(bounds) > 1 else DAY), len(bounds) - 1
        bin_of = case((seconds >= bounds[-1], last), else_=seconds // width)
        bins = dict(connection.execute(everything.with_only_columns(bin_of, func.count()).group_by(bin_of)).all())
        days = _days(seconds)
        median, p90 = connection.execute(everything.with_only_columns(
            func.percentile_cont(0.5).within_group(days), func.percentile_cont(0.9).within_group(days))).one()
        return _Stats(n, _round(median), _round(p90), within), [int(bins.get(i, 0)) for i in range(len(bounds))]
    # SQLite: each bin counted along the (duration) index, a range at a time (cheaper than grouping every
    # row by an expression); then the ranks are read from the start of the bin they fall in.
    in_bin = everything.with_only_columns(func.count()).where(seconds >= bindparam("low"), seconds < bindparam("high"))
    counts = [connection.execute(in_bin, {"low": low, "high": high}).scalar_one()
              for low, high in zip(bounds, [*bounds[1:], _BEYOND])]
    below = list(accumulate(counts, initial=0))

    def seek(rank: int) -> tuple[int, int]:
        b = bisect.bisect_right(below, rank) - 1
        return bounds[b], rank - below[b]
    return _ranked(connection, _rank_reads(durations), n, within, seek), counts


_BEYOND = 2**62  # seconds: past any duration (SQLite's integers are 64-bit)


def _rank_reads(durations: Select[Any]) -> tuple[Select[Any], Select[Any]]:
    """Two durations from the one at (0-based) rank `rank`: counted up from the shortest of at least `from`
    seconds, and down from the longest."""
    seconds = durations.selected_columns[0]
    return (durations.where(seconds >= bindparam("from")).limit(2).offset(bindparam("rank")),
            durations.order_by(None).order_by(seconds.desc()).limit(2).offset(bindparam("rank")))


def _ranked(connection: Connection, reads: tuple[Select[Any], Select[Any]], n: int, within: int,
            seek: Callable[[int], tuple[int, int]] | None = None, **params: Any) -> _Stats:
    """The figures of `n` durations, read (`_rank_reads`, with `params`) at the ranks percentile_cont
    interpolates between: LIMIT 2 OFFSET the rank, a walk along the index from where `seek` says a rank
    is (a duration to start from, and the rank from there), or else from the nearer end (for the p90 from
    the longest: a tenth of the way)."""
    upward, downward = reads

    def at(fraction: float) -> float | None:
        if not n:
            return None
        position = (n - 1) * fraction  # as percentile_cont: between the rows at floor and ceil of it
        low, high = math.floor(position), math.ceil(position)
        if seek is not None or position <= (n - 1) / 2:
            start, rank = seek(low) if seek is not None else (-_BEYOND, low)
            first, *rest = connection.execute(upward, {"from": start, "rank": rank, **params}).scalars()
            second = rest[0] if high > low else first
        else:
            second, *rest = connection.execute(downward, {"rank": n - 1 - high, **params}).scalars()
            first = rest[0] if high > low else second
        return _round(first / DAY + (second / DAY - first / DAY) * (position - low))
    return _Stats(n, at(0.5), at(0.9), within)


def decisions_report(ctx: Context, actor: str, scope: ReportFilter, target_days: int = DEFAULT_TARGET_DAYS) -> Report:
    """How long learners wait: per credential (submission to final decision) and per grantor (the round's
    start to their decision), decisions made in the range; and what is open now, by age. The durations
    are the ones stored with each decision (bot/usecases/reviews.py)."""
    scope = allowed(ctx, actor, scope)
    now = ctx.clock()
    edges = histogram_edges(target_days)
    with ctx.reading() as session:
        for_reports(session)
        by_credential, decided = _summaries(session, Submission.credential_id, Submission.waited_seconds, and_(
            scope.within(Submission.decided_at), credentials_in(Submission.credential_id, scope)), target_days)
        every, counts = _overall(session, decided, by_credential.values(), edges)
        names = {cid: (slug, name) for cid, slug, name in session.execute(
            select(Credential.id, Credential.slug, Credential.name).where(Credential.id.in_(by_credential)))}
        by_grantor, _ = _summaries(session, Review.grantor, Review.decision_seconds, and_(
            scope.within(Review.created_at), reviews_in(Review.submission_id, scope)), target_days)
        # What is open now, counted by age band in the database (a large program has thousands open): younger
        # than a band's end is submitted after now minus it, read off the index of open submissions.
        bands = _bands(target_days)
        band = case(*((Submission.created_at > now - dt.timedelta(days=high), i)
                      for i, (_, high) in enumerate(bands) if high is not None), else_=len(bands) - 1)
        awaiting = Submission.status.in_(AWAITING_REVIEW)
        open_rows = session.connection().execute(
            select(band, awaiting, func.count())
            .where(_OPEN, credentials_in(Submission.credential_id, scope))
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


# The open statuses written out, as the partial index ix_submissions_open_age says them: SQLite uses a
# partial index only for a query that repeats its condition, values and all (not bound parameters).
_OPEN = Submission.status.in_(bindparam("open", sorted(OPEN_STATUSES), expanding=True, literal_execute=True))


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
