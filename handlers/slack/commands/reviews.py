"""A grantor's subcommand: the queue of submissions waiting for them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.usecases import reviews as reviews_uc
from handlers.slack.blocks import reviews as review_blocks
from handlers.slack.commands.registry import Reply, Request, reply, subcommand

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@subcommand("review")
def review_queue(services: "Badgebot", req: Request) -> Reply:
    """(Grantors) The submissions waiting for your decision, oldest first."""
    assessed = [spec for spec in services.catalog.credentials if spec.type.is_badge and spec.grantors]
    if not any(services.ctx.is_grantor(req.user, spec) for spec in assessed):
        # "Nothing is waiting" would read as an empty queue: say whose queue this is, and whose it is not.
        grantors: dict[str, list[str]] = {}
        for spec in assessed:
            for holder in spec.grantors:
                grantors.setdefault(holder, []).append(spec.name)
        return reply("You are not a grantor of any credential.", review_blocks.not_a_grantor(grantors))
    waiting = reviews_uc.waiting_for(services.ctx, req.user)
    cards = [reviews_uc.submission_card(services.ctx, s.id) for s in waiting]
    return reply(f"{len(cards)} waiting", review_blocks.waiting_list(
        cards, lambda card: services.workspace.permalink(card.review_channel, card.review_ts)))
