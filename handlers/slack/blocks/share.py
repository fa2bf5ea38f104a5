"""The answer to `/badges share`: the public page, LinkedIn, and the credential files."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.usecases.credentials import award_record
from bot.usecases.progress import learner_progress
from handlers.slack.blocks.kit import actions, button, context, escape, section

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def share_answer(bot: "Badgebot", user: str, credential: str) -> list[dict[str, Any]]:
    holding = next((h for h in learner_progress(bot.ctx, user).holdings if h.credential == credential), None)
    if holding is None:
        return [section("You do not hold that credential.")]
    links = bot.open_badges.share_links(award_record(bot.ctx, holding.public_id))
    return [
        section(f":globe_with_meridians: *{escape(holding.name)}* is public at <{links.page}>"),
        *actions(
            button("Open the public page", "share_link_page", url=links.page),
            button("Add to LinkedIn profile", "share_link_linkedin", url=links.linkedin),
            button("Badge image (Open Badges PNG)", "share_link_png", url=links.image),
            button("Credential (JSON)", "share_link_json", url=links.json),
            button("Credential (VC-JWT)", "share_link_jwt", url=links.jwt),
        ),
        context(f"Anyone with the link can verify it. `/badges unshare {credential}` makes it private again."),
    ]
