"""The answer to `/badges share`: the public page, LinkedIn, and the credential files."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.usecases.progress import learner_progress
from handlers.slack.blockkit import actions, button, context, escape, section

if TYPE_CHECKING:
    from bot.slack import SlackBot


def share_answer(bot: "SlackBot", user: str, credential: str) -> list[dict[str, Any]]:
    progress = learner_progress(bot.ctx, user)
    holding = next((h for h in progress.holdings if h.credential == credential), None)
    if holding is None:
        return [section("You do not hold that credential.")]
    page = f"{bot.base_url}/a/{holding.public_id}"
    linkedin = _linkedin(bot, holding, page)
    buttons = [button("Open the public page", "share_link_page", url=page)]
    if linkedin:
        buttons.append(button("Add to LinkedIn", "share_link_linkedin", url=linkedin))
    buttons.append(button("Open Badges file (PNG)", "share_link_png", url=f"{page}/badge.png"))
    buttons.append(button("Credential (JSON)", "share_link_json", url=f"{page}/credential.json"))
    return [
        section(f":globe_with_meridians: *{escape(holding.name)}* is public at <{page}>"),
        *actions(*buttons),
        context("Anyone with the link can verify it. `/badges unshare " + credential + "` makes it private again."),
    ]


def _linkedin(bot: "SlackBot", holding: Any, page: str) -> str | None:
    try:
        from bot.openbadges.linkedin import add_to_profile_url
    except ImportError:
        return None
    issuer = bot.badgebot.catalog.issuer
    return add_to_profile_url(name=holding.name, issuer=issuer, issued=holding.issued_at, expires=holding.expires_at,
                              cert_url=page, cert_id=holding.public_id)
