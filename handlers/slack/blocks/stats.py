"""The program's figures in Slack (`/badges stats`, the weekly digest): a message and its chart image."""
from __future__ import annotations

import datetime as dt

from bot.adapters.charts import Bar, bar_chart_png
from bot.usecases.reports.summary import Summary
from handlers.slack.blocks.kit import Block, context, escape, header, section


def span(since: dt.date | None, until: dt.date | None) -> str:
    """The range in words: "Mar 2 – Apr 10, 2026", "since Mar 2, 2026"."""
    if since and until:
        return f"{since:%b %-d} – {until:%b %-d, %Y}"
    if since:
        return f"since {since:%b %-d, %Y}"
    return f"up to {until:%b %-d, %Y}" if until else "since the program began"


def summary_message(summary: Summary, title: str = "Program figures") -> tuple[str, list[Block]]:
    """The headline figures as fields (10 at most in a section; there are 6); an issuer admin's name the
    issuers they cover."""
    if summary.issuers:
        title = f"{title} for {', '.join(summary.issuers)}"
    text = f"{title}, {span(summary.since, summary.until)}"
    lines = "\n".join(f"*{escape(label)}:* {escape(value)}" for label, value in summary.figures)
    blocks = [header(text), section(lines),
              context("Every report, with charts and CSV: the console at /admin, or `badgebot report`.")]
    return text, blocks


def summary_chart(summary: Summary) -> bytes:
    return bar_chart_png(summary.chart_title, [Bar(label, value) for label, value in summary.bars],
                         subtitle=span(summary.since, summary.until))
