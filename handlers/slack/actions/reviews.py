"""A grantor's buttons on a review card: approve at once, or ask why before changes or a rejection."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.domain.vocabulary import Decision
from bot.errors import BadgebotError, InvalidInput
from bot.usecases import reviews as reviews_uc
from handlers.slack.blocks import reviews as review_blocks
from handlers.slack.guard import guarded, tell_in_channel

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

APPROVE = r"^review_(approve|approve_distinction)$"
ASK_REASON = r"^review_(request_changes|reject)$"


@guarded
def approve(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: "Badgebot") -> None:
    ack()
    decision = review_blocks.DECISION_OF_ACTION[action["action_id"]]
    decide(services, body["user"]["id"], submission_id(action), decision, "", body)


@guarded
def ask_reason(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: "Badgebot") -> None:
    """Changes and rejections need a reason for the learner: open the form for it."""
    ack()
    user, submission = body["user"]["id"], submission_id(action)
    decision = review_blocks.DECISION_OF_ACTION[action["action_id"]]
    try:
        card = reviews_uc.submission_card(services.ctx, submission)
        reviews_uc.check_may_review(services.ctx, user, submission)
    except BadgebotError as exc:
        return tell_in_channel(services, body, user, str(exc))
    channel = (body.get("channel") or {}).get("id", "")
    ts = (body.get("message") or {}).get("ts", "")
    services.slack.views_open(trigger_id=body["trigger_id"], view=review_blocks.reason_modal(
        decision, submission, card.credential_name, channel, ts))


def submission_id(action: dict[str, Any]) -> int:
    value = str(action.get("value", ""))
    if not value.isdigit():
        raise InvalidInput("This button is out of date.")
    return int(value)


def decide(services: "Badgebot", grantor: str, submission: int, decision: Decision, comment: str,
           body: dict[str, Any]) -> None:
    """Record the decision; a refusal is said where the grantor clicked. The outbox says the rest."""
    try:
        reviews_uc.review(services.ctx, grantor, submission, decision, comment)
    except BadgebotError as exc:
        return tell_in_channel(services, body, grantor, str(exc))
    services.delivery.kick()
