"""The buttons of a periodic evaluation (on its card and in the reminder DM): keep, change or retire."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.errors import BadgebotError, InvalidInput
from bot.usecases import evaluations as evaluations_uc
from handlers.slack.blocks import evaluations as evaluation_blocks
from handlers.slack.guard import guarded, tell_in_channel

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

DECIDE = r"^evaluation_(keep|change|retire)$"


@guarded
def decide(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Badgebot) -> None:
    """Record the decision (refused, where they clicked, for anyone but the issuer's admins and program
    administrators, and once decided); tell the decider what follows. The outbox redraws the card."""
    ack()
    user = body["user"]["id"]
    decision = evaluation_blocks.DECISION_OF_ACTION[action["action_id"]]
    try:
        decided = evaluations_uc.decide(services.ctx, services.catalog, user, _evaluation_id(action), decision)
    except BadgebotError as exc:
        return tell_in_channel(services, body, user, str(exc))
    services.delivery.kick()
    tell_in_channel(services, body, user, decided.note)


def _evaluation_id(action: dict[str, Any]) -> int:
    value = str(action.get("value", ""))
    if not value.isdigit():
        raise InvalidInput("This button is out of date.")
    return int(value)
