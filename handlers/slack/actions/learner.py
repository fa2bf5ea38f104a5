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
    services.slack.views_open(trigger_id=body["trigger_id"], view=submit_modal(spec, origin=button_origin(body)))


def button_origin(body: dict[str, Any]) -> str:
    """Where the clicked button is, for the form to take it away once the work is sent: `message:C…:ts` for
    a message the bot posted (a nudge DM), `ephemeral:<response_url>` for a private answer (Slack keeps no
    copy the bot could edit, only the URL), "" for a view (the App Home is republished anyway)."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return ""
    if container.get("is_ephemeral"):
        return f"ephemeral:{body['response_url']}" if body.get("response_url") else ""
    channel, ts = container.get("channel_id"), container.get("message_ts")
    return f"message:{channel}:{ts}" if channel and ts else ""


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
