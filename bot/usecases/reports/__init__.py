"""The program's reports, for program administrators and issuer admins (theirs only: scope.allowed): each a
use case that reads in one transaction, with the clock from the context and a ReportFilter (dates, issuer).
Entry points (CLI, /admin, /badges stats, the weekly digest) show the same Report."""
from __future__ import annotations

from collections.abc import Callable

from bot.usecases.context import Context
from bot.usecases.reports.awards import awards_report
from bot.usecases.reports.decisions import (
    DEFAULT_TARGET_DAYS,
    decisions_report,
    histogram_edges,
)
from bot.usecases.reports.engagement import VisitKind, count_visit, engagement_report
from bot.usecases.reports.funnel import funnel_report
from bot.usecases.reports.programs import certificates_report, events_report
from bot.usecases.reports.scope import (
    UNIVERSITY,
    Report,
    ReportFilter,
    Table,
    allowed,
    report_issuers,
)

REPORTS: dict[str, Callable[..., Report]] = {
    "awards": awards_report,
    "funnel": funnel_report,
    "decisions": decisions_report,
    "certificates": certificates_report,
    "events": events_report,
    "engagement": engagement_report,
}
"""Every report by name, in the order the console and the CLI list them."""


def run_report(ctx: Context, name: str, actor: str, scope: ReportFilter, *,
               target_days: int = DEFAULT_TARGET_DAYS) -> Report:
    """One report by name; the decisions report also takes the office's target."""
    if name == "decisions":
        return decisions_report(ctx, actor, scope, target_days)
    return REPORTS[name](ctx, actor, scope)


__all__ = [
    "DEFAULT_TARGET_DAYS",
    "REPORTS",
    "UNIVERSITY",
    "Report",
    "ReportFilter",
    "Table",
    "VisitKind",
    "allowed",
    "awards_report",
    "certificates_report",
    "count_visit",
    "decisions_report",
    "engagement_report",
    "events_report",
    "funnel_report",
    "histogram_edges",
    "report_issuers",
    "run_report",
]
