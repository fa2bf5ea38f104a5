"""An administrator's subcommand: the program's headline figures (an issuer admin: their issuers'), with a
chart, in their DM with the bot."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.errors import InvalidInput
from bot.usecases.reports import ReportFilter, report_issuers
from bot.usecases.reports.summary import program_summary
from handlers.slack.blocks import stats as stats_blocks
from handlers.slack.commands.registry import Reply, Request, reply, subcommand
from handlers.slack.guard import in_background

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

DEFAULT_DAYS = 30
REFUSAL = "Only program administrators and issuer admins can see the program's figures."


@subcommand("stats", "[FROM [TO]]")
def stats(services: Badgebot, req: Request) -> Reply:
    """(Administrators, issuer admins) The figures and a chart: the last 30 days, or FROM [TO] (YYYY-MM-DD)."""
    if not report_issuers(services.ctx, req.user):
        return reply(REFUSAL)  # nothing counted, nothing hinted
    scope = scope_of(req.args, services.ctx.clock().date())
    # Four reports and a chart take longer than Slack's 3 seconds for an ack on a large program.
    in_background(services, req.user, lambda: send_stats(services, req.user, scope))
    return reply(f"Counting {stats_blocks.span(scope.since, scope.until)}… the figures and a chart arrive in your "
                 "messages with me in a moment.")


def scope_of(args: str, today: dt.date) -> ReportFilter:
    """`FROM [TO]` as typed (YYYY-MM-DD), or the last DEFAULT_DAYS days up to today."""
    words = args.split()
    if len(words) > 2:
        raise InvalidInput("Give at most two dates: `/badges stats 2026-09-01 2026-12-31`.")
    if not words:
        return ReportFilter(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)
    return ReportFilter.parse(words[0], words[1] if len(words) > 1 else None)


def send_stats(services: Badgebot, user: str, scope: ReportFilter) -> None:
    """The figures as the upload's comment and the chart as the file (Slack's external upload flow)."""
    summary = program_summary(services.ctx, user, scope, services.settings.decision_target_days)
    text, _ = stats_blocks.summary_message(summary)
    lines = "\n".join(f"*{label}:* {value}" for label, value in summary.figures)
    services.slack.files_upload_v2(
        channel=services.workspace.dm_channel(user), file=stats_blocks.summary_chart(summary),
        filename="program-figures.png", title=summary.chart_title, initial_comment=f":bar_chart: *{text}*\n{lines}")

