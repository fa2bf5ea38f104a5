"""`badgebot report ...`: the program's reports from the shell (the CLI acts as an administrator).

    badgebot report awards|funnel|decisions|certificates|events|engagement
        [--since DATE] [--until DATE] [--issuer ID] [--format table|csv|json] [--table NAME]

Dates are YYYY-MM-DD, both included (UTC). CSV goes to standard output, one table of the report (the first,
or --table), with the spreadsheet formula guard on every text cell.
"""
from __future__ import annotations

import argparse
import json
import sys

from bot.usecases.context import CLI_ACTOR
from bot.usecases.reports import REPORTS, Report, ReportFilter, run_report
from bot.usecases.reports.output import as_json, pick_table, shown, write_csv
from handlers.cli.common import open_bot

FORMATS = ("table", "csv", "json")


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `report NAME` to the badgebot command line."""
    report = subparsers.add_parser("report", help="program reports: awards, the funnel, time to decision, ...")
    report.add_argument("name", choices=list(REPORTS), help="which report")
    report.add_argument("--since", help="first day included, YYYY-MM-DD (default: the beginning)")
    report.add_argument("--until", help="last day included, YYYY-MM-DD (default: today)")
    report.add_argument("--issuer", help="one issuer's credentials only: an id of the catalog's issuers "
                                         "(default: every issuer)")
    report.add_argument("--format", choices=FORMATS, default="table", help="default: %(default)s")
    report.add_argument("--table", help="with --format csv: which of the report's tables (default: the first)")
    report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    scope = ReportFilter.parse(args.since, args.until, args.issuer)  # bad input fails before the database opens
    with open_bot(args) as app:
        report = run_report(app.ctx, args.name, CLI_ACTOR, scope, target_days=app.settings.decision_target_days)
    if args.format == "json":
        json.dump(as_json(report), sys.stdout, indent=2, ensure_ascii=False)
        print()
    elif args.format == "csv":
        write_csv(pick_table(report, args.table), sys.stdout)
    else:
        sys.stdout.write(as_text(report))
    return 0


def as_text(report: Report) -> str:
    """The headline figures, then each table with aligned columns."""
    lines = [f"{report.title} ({report.filter.describe()})", ""]
    width = max(len(k) for k, _ in report.headline)
    lines += [f"  {k:<{width}}  {shown(k, v)}" for k, v in report.headline]
    for table in report.tables:
        lines += ["", table.title]
        cells = [list(table.columns)] + [[shown(c, v) for c, v in zip(table.columns, row)] for row in table.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(table.columns))]
        for i, row in enumerate(cells):
            lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
            if i == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        if not table.rows:
            lines.append("  (none)")
    return "\n".join(lines) + "\n"
