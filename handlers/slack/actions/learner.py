"""A learner's buttons: submit work for a badge, make an award public."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, Respond

from bot.errors import BadgebotError
from bot.usecases import submissions as submissions_uc
from bot.usecases.awards import set_shared
from bot.usecases.catalog import find_credential
from bot.usecases.credentials import award_record
from handlers.slack.blocks.learner import submit_modal
from handlers.slack.blocks.share import share_answer
from handlers.slack.guard import guarded, tell

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@guarded
def submit_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                  services: "Badgebot") -> None:
    """"Submit work" on a dashboard, catalog or nudge: open the form, if they may submit."""
    ack()
    user = body["user"]["id"]
    try:
        spec = find_credential(services.catalog, str(action.get("value", "")))
        submissions_uc.check_can_submit(services.ctx, user, spec.id)
    except BadgebotError as exc:
        return tell(services, respond, user, str(exc))
    services.slack.views_open(trigger_id=body["trigger_id"], view=submit_modal(spec))


@guarded
def share_confirm(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                  services: "Badgebot") -> None:
    """The confirmed "Make public and share": the award goes public, and the answer shows its links."""
    ack()
    user, credential = body["user"]["id"], str(action.get("value", ""))
    try:
        award = set_shared(services.ctx, user, credential, True)
    except BadgebotError as exc:
        return tell(services, respond, user, str(exc))
    links = services.open_badges.share_links(award_record(services.ctx, award.public_id))
    respond(replace_original=True, text="Your award is public.",
            blocks=share_answer(award.credential_name, credential, links))
    services.homes.publish(user)
