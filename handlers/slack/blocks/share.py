"""What `/badges share` answers: first the offer to make an award public, then its links."""
from __future__ import annotations

from typing import TYPE_CHECKING

from config.catalog import CredentialSpec
from handlers.slack.blocks.kit import Block, actions, button, confirm_dialog, context, escape, section

if TYPE_CHECKING:
    from bot.adapters.openbadges.service import ShareLinks

CONFIRM_ACTION = "share_confirm"


def share_offer(spec: CredentialSpec) -> list[Block]:
    """What sharing shows, and a confirmed button to do it: nothing is public before the click."""
    ask = confirm_dialog("Make it public?", f"Anyone with the link will see your name and *{escape(spec.name)}*. "
                         "You can undo this with `/badges unshare`.", "Make public")
    return [
        section(f"Sharing *{escape(spec.name)}* gives it a public verification page with your name, "
                "the date and the criteria" + (", and your Level II evidence" if spec.type.value == "badge_level_2"
                                               else "") + ". Nothing is public until you confirm."),
        *actions(button("Make public and share", CONFIRM_ACTION, spec.id, style="primary", confirm=ask)),
    ]


def share_answer(name: str, credential: str, links: "ShareLinks") -> list[Block]:
    """A public award's page, LinkedIn, and its Open Badges files."""
    return [
        section(f":globe_with_meridians: *{escape(name)}* is public at <{links.page}>"),
        *actions(
            button("Open the public page", "share_link_page", url=links.page),
            button("Add to LinkedIn profile", "share_link_linkedin", url=links.linkedin),
            button("Badge image (Open Badges PNG)", "share_link_png", url=links.image),
            button("Credential (JSON)", "share_link_json", url=links.json),
            button("Credential (VC-JWT)", "share_link_jwt", url=links.jwt),
        ),
        context(f"Anyone with the link can verify it. `/badges unshare {credential}` makes it private again."),
    ]
