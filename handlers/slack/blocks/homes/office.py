"""The office's part of the App Home: the program's headline figures (administrators, issuer admins) and the
proposals waiting for this person's stage of review (whoever approves a stage)."""
from __future__ import annotations

from collections.abc import Callable

from bot.domain.wording import plural
from bot.usecases.governance import AwaitingProposal
from bot.usecases.reports.summary import Summary
from handlers.slack.blocks.kit import Block, button, context, escape, header, section
from handlers.slack.blocks.stats import span

CONSOLE_ACTION = "home_console"  # a URL button: Slack still sends the click, the fallback acks it
PROPOSAL_LINK_ACTION = "home_proposal_thread"
PROPOSALS_SHOWN = 10


def figures_section(summary: Summary, console: str) -> list[Block]:
    lines = "\n".join(f"*{escape(label)}:* {escape(value)}" for label, value in summary.figures)
    return [
        header("The program"),
        section(f"_{span(summary.since, summary.until)}_\n{lines}",
                accessory=button("Open the reports", CONSOLE_ACTION, url=console)),
        context("`/badges stats FROM TO` for another range, with a chart."),
    ]


def proposals_section(waiting: list[AwaitingProposal], thread: Callable[[AwaitingProposal], str | None]) -> list[Block]:
    blocks: list[Block] = [header("Proposals waiting for you")]
    for proposal in waiting[:PROPOSALS_SHOWN]:
        link = thread(proposal)
        waited = f"waiting {plural(proposal.age.days, 'day')}" if proposal.age.days else "waiting since today"
        blocks.append(section(
            f"*{escape(proposal.name)}* · {proposal.kind.label} · {escape(proposal.stage_name)}\n{waited}",
            accessory=button("Open the thread", PROPOSAL_LINK_ACTION, url=link) if link else None))
    if len(waiting) > PROPOSALS_SHOWN:
        blocks.append(context(f"…and {len(waiting) - PROPOSALS_SHOWN} more in the proposals channel."))
    return blocks
