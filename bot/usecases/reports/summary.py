"""The program at a glance, for Slack: `/badges stats` and the weekly digest to the office channel.

A handful of headline figures from four reports (awards, funnel, time to decision, engagement) and the
bars of one chart (awards by credential type), as plain data an outbox row can carry.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.domain.scheduling import Cadence, JobResult, period_key
from bot.domain.vocabulary import OutboxKind
from bot.usecases.context import CLI_ACTOR, Context
from bot.usecases.jobruns import finish_run
from bot.usecases.outbox import Queued
from bot.usecases.reports.awards import awards_report
from bot.usecases.reports.decisions import DEFAULT_TARGET_DAYS, decisions_report
from bot.usecases.reports.engagement import engagement_report
from bot.usecases.reports.funnel import funnel_report
from bot.usecases.reports.output import shown
from bot.usecases.reports.scope import ReportFilter, allowed
from models import JobRun

DIGEST = OutboxKind.WEEKLY_DIGEST


@dataclass(frozen=True)
class Summary:
    since: dt.date | None
    until: dt.date | None
    figures: tuple[tuple[str, str], ...]  # (label, value as shown)
    chart_title: str
    bars: tuple[tuple[str, int], ...]
    issuers: tuple[str, ...] = ()  # whose credentials the figures cover; none named: the whole program

    def as_payload(self) -> dict[str, Any]:
        return {"since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
                "figures": [list(f) for f in self.figures], "chart_title": self.chart_title,
                "bars": [list(b) for b in self.bars], "issuers": list(self.issuers)}

    @classmethod
    def of_payload(cls, payload: dict[str, Any]) -> Summary:
        def day(value: str | None) -> dt.date | None:
            return dt.date.fromisoformat(value) if value else None
        return cls(day(payload.get("since")), day(payload.get("until")),
                   tuple((str(a), str(b)) for a, b in payload["figures"]), payload["chart_title"],
                   tuple((str(a), int(b)) for a, b in payload["bars"]), tuple(payload.get("issuers") or ()))


def program_summary(ctx: Context, actor: str, scope: ReportFilter, target_days: int = DEFAULT_TARGET_DAYS) -> Summary:
    """The headline figures of the range, for an administrator, or an issuer admin's of their issuers (anyone
    else: NotAllowed, before any query)."""
    scope = allowed(ctx, actor, scope)
    awarded = awards_report(ctx, actor, scope)
    awards, by_type = dict(awarded.headline), awarded.table("type").rows
    funnel = dict(funnel_report(ctx, actor, scope).headline)
    decisions = dict(decisions_report(ctx, actor, scope, target_days).headline)
    engagement = dict(engagement_report(ctx, actor, scope).headline)
    within = shown("decided within target", decisions["decided within target"])
    median, p90 = shown("", decisions["median days"]), shown("", decisions["p90 days"])
    share_rate = shown("share rate", engagement["share rate"])
    views, clicks = engagement["page views"], engagement["LinkedIn clicks"]
    conversion = shown("nudge conversion", engagement["nudge conversion"])
    figures = (
        ("Awards", f"{awards['awards']:,} ({awards['with distinction']:,} with distinction)"),
        ("Submissions", f"{funnel['submitted']:,}, {shown('approval rate', funnel['approval rate'])} approved so far"),
        ("Time to decision", f"median {median} days, p90 {p90} ({within} within {target_days} days)"),
        ("Open past the target", f"{decisions['open past target']:,} of {decisions['open']:,} open"),
        ("Shared awards", f"{share_rate}; {views:,} page views, {clicks:,} LinkedIn clicks"),
        ("Nudges", f"{engagement['nudges']:,}, {conversion} followed by a submission within 14 days"),
    )
    return Summary(scope.since, scope.until, figures, "Awards by credential type",
                   tuple((row[0], int(row[1])) for row in by_type), tuple(sorted(scope.issuers or ())))


def queue_digest(ctx: Context, channel: str, cadence: Cadence, *, target_days: int = DEFAULT_TARGET_DAYS,
                 scheduled_by: str | None = None) -> JobResult:
    """Queue this period's digest of the period before it to the office channel (once per period)."""
    now = ctx.clock()
    period = cadence.period_start(now)
    if not channel:  # optional: without BADGEBOT_DIGEST_CHANNEL the job has nothing to do
        return JobResult("digest", period)
    previous = cadence.previous_period_start(now)
    scope = ReportFilter(previous.date(), (period - dt.timedelta(days=1)).date())
    # The office's own digest: figures as an administrator (the CLI's trusted actor) sees them.
    summary = program_summary(ctx, CLI_ACTOR, scope, target_days)
    with ctx.transaction() as session:
        run = JobRun.begin(session, "digest", period, now, scheduled_by)
        if run is None:
            return JobResult("digest", period, already_ran=True)
        message = Queued(f"digest:{period_key(period)}:{channel}", DIGEST, channel, summary.as_payload(), now)
        return finish_run(session, now, run, period, [message], (DIGEST,))
