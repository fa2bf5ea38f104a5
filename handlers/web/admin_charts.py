"""Which charts each report's console page shows, drawn from the report's own tables (bot/adapters/charts.py
draws; this only picks the figures). The tables below the charts carry the same numbers."""
from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from bot.adapters.charts import Bar, bar_chart_svg, funnel_svg, histogram_svg
from bot.usecases.reports import Report
from bot.usecases.reports.output import shown

FUNNEL_STEPS = ("submitted", "changes requested", "resubmitted", "approved after resubmission")
OUTCOMES = ("approved", "rejected", "withdrawn", "still open")


def _awards(report: Report) -> list[str]:
    return [
        bar_chart_svg("Awards by month", [Bar(r[0], r[1]) for r in report.table("month").rows], ident="by-month"),
        bar_chart_svg("Awards by credential type", [Bar(r[0], r[1], f"{shown('distinction share', r[3])} distinction")
                                                    for r in report.table("type").rows], ident="by-type"),
        bar_chart_svg("Awards by credential", [Bar(r[1], r[3]) for r in report.table("credential").rows],
                      ident="by-credential"),
    ]


def _funnel(report: Report) -> list[str]:
    steps = {r[0]: r for r in report.table("steps").rows}
    return [
        funnel_svg("From submission to decision", [Bar(s, steps[s][1], shown("conversion", steps[s][3]))
                                                   for s in FUNNEL_STEPS], ident="funnel"),
        bar_chart_svg("Where submissions ended", [Bar(s, steps[s][1], shown("conversion", steps[s][3]))
                                                  for s in OUTCOMES], ident="outcomes"),
    ]


def _decisions(report: Report) -> list[str]:
    bins = report.table("histogram").rows
    target = report.extra["target_days"]
    return [
        histogram_svg("Decisions by days waited", [r[0] for r in bins], [r[2] for r in bins], target, ident="waited"),
        bar_chart_svg("Median days to decision, by credential",
                      [Bar(r[1], r[3] or 0, f"p90 {shown('p90', r[4])}") for r in report.table("credential").rows],
                      ident="median-credential"),
        bar_chart_svg("Median days to decision, by grantor",
                      [Bar(r[0], r[2] or 0, f"p90 {shown('p90', r[3])}") for r in report.table("grantor").rows],
                      ident="median-grantor"),
        bar_chart_svg(f"Open submissions by age (target {target} days)",
                      [Bar(r[0], r[1], "past target" if r[2] else "") for r in report.table("open").rows],
                      ident="open-age"),
    ]


def _certificates(report: Report) -> list[str]:
    return [bar_chart_svg("Learners started, by certificate",
                          [Bar(r[1], r[3], f"{r[4]} hold it") for r in report.table("summary").rows],
                          ident="started"),
            bar_chart_svg("Learners at k of n badges",
                          [Bar(f"{r[1]}: {r[2]} of {r[3]}", r[4]) for r in report.table("progress").rows],
                          ident="k-of-n")]


def _events(report: Report) -> list[str]:
    return [bar_chart_svg("Check-ins by event", [Bar(f"{r[0]} ({r[1]})", r[3], f"{r[5]} repeat")
                                                 for r in report.table("events").rows], ident="checkins")]


def _engagement(report: Report) -> list[str]:
    rows = report.table("credential").rows
    return [bar_chart_svg("Awards shared, by credential",
                          [Bar(r[1], r[3], f"{shown('share rate', r[4])} of {r[2]}") for r in rows], ident="shared"),
            bar_chart_svg("Public page views and LinkedIn clicks, by credential",
                          [Bar(r[1], r[5], f"{r[6]} LinkedIn") for r in rows], ident="views")]


CHARTS: dict[str, Callable[[Report], list[str]]] = {
    "awards": _awards, "funnel": _funnel, "decisions": _decisions, "certificates": _certificates,
    "events": _events, "engagement": _engagement,
}


def charts_of(report: Report) -> list[Markup]:
    """The report's charts as markup for the page (the SVG escapes every label itself)."""
    return [Markup(svg) for svg in CHARTS[report.name](report)]  # our own SVG: every label escaped in charts.py
