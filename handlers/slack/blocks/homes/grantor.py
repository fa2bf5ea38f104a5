"""A grantor's part of the App Home: their queue, oldest first, each with its age against the target."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.domain.wording import plural
from bot.usecases.homes import Queue, Waiting
from handlers.slack.blocks.kit import Block, button, context, escape, header, section

OPEN_CARD_ACTION = "home_open_card"  # a URL button: Slack still sends the click, the fallback acks it


def grantor_section(queue: Queue, now: dt.datetime, target_days: int,
                    card_link: Callable[[Waiting], str | None]) -> list[Block]:
    blocks: list[Block] = [header("Waiting for your review")]
    if not queue.total:
        return blocks + [section(":sparkles: Nothing is waiting for your review.")]
    blocks.append(context(f"{plural(queue.total, 'submission')}, oldest first · the program decides within "
                          f"{plural(target_days, 'day')}"))
    for waiting in queue.waiting:
        age = waiting.age_days(now)
        if age > target_days:
            when = f":red_circle: waiting {plural(age, 'day')}, past the {target_days}-day target"
        elif age * 4 >= target_days * 3:
            when = f":large_orange_circle: waiting {plural(age, 'day')} of {target_days}"
        else:
            when = f":large_green_circle: waiting {plural(age, 'day')} of {target_days}"
        again = f" (round {waiting.round})" if waiting.round > 1 else ""
        link = card_link(waiting)
        blocks.append(section(f"*{escape(waiting.credential_name)}* from <@{waiting.learner}>{again}\n{when}",
                              accessory=button("Open the card", OPEN_CARD_ACTION, url=link) if link else None))
    if queue.total > len(queue.waiting):
        blocks.append(context(f"…and {queue.total - len(queue.waiting)} more: `/badges review` lists them all."))
    return blocks
