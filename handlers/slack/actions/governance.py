"""The buttons of governance: an approver's approve / ask for changes / reject (each through a small reason
form), and the proposer's "Edit and resubmit" and "Withdraw" in the thread and the DM."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.domain.governance import StageDecision
from bot.errors import BadgebotError, InvalidInput
from bot.usecases import governance as governance_uc
from handlers.slack.blocks import governance as governance_blocks
from handlers.slack.commands.governance import proposal_form
from handlers.slack.guard import guarded, tell_in_channel

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

DECIDE = r"^proposal_(approve|changes|reject)$"


@guarded
def ask_reason(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Badgebot) -> None:
    """Refuse a non-approver at once, naming who decides; else open the reason form."""
    ack()
    user = body["user"]["id"]
    proposal, at_round, at_stage = _card_value(action)
    decision = governance_blocks.DECISION_OF_ACTION[action["action_id"]]
    try:
        view = governance_uc.check_may_decide(services.ctx, user, proposal, (at_round, at_stage))
    except BadgebotError as exc:
        return tell_in_channel(services, body, user, str(exc))
    channel = (body.get("channel") or {}).get("id", "")
    ts = (body.get("message") or {}).get("ts", "")
    services.slack.views_open(trigger_id=body["trigger_id"],
                              view=governance_blocks.reason_modal(decision, view, channel, ts))


@guarded
def edit_and_resubmit(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Badgebot) -> None:
    """The proposer's form, filled in with the proposal as it stands."""
    ack()
    user = body["user"]["id"]
    try:
        view = governance_uc.proposal_to_edit(services.ctx, user, _proposal_id(action))
    except BadgebotError as exc:
        return tell_in_channel(services, body, user, str(exc))
    services.slack.views_open(trigger_id=body["trigger_id"],
                              view=proposal_form(services, user, f"resubmit:{view.id}", view.table))


@guarded
def withdraw(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Badgebot) -> None:
    ack()
    user = body["user"]["id"]
    try:
        governance_uc.withdraw(services.ctx, user, _proposal_id(action))
    except BadgebotError as exc:
        return tell_in_channel(services, body, user, str(exc))
    services.delivery.kick()


def decide(services: Badgebot, body: dict[str, Any], proposal: int, decision: StageDecision, reason: str,
           at: tuple[int, int]) -> None:
    """Record the stage's decision; a refusal is said where the approver clicked. The outbox says the rest."""
    user = body["user"]["id"]
    try:
        governance_uc.decide(services.ctx, user, proposal, decision, reason, at=at)
    except BadgebotError as exc:
        return tell_in_channel(services, body, user, str(exc))
    services.delivery.kick()


def _card_value(action: dict[str, Any]) -> tuple[int, int, int]:
    parts = str(action.get("value", "")).split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise InvalidInput("This button is out of date.")
    return int(parts[0]), int(parts[1]), int(parts[2])


def _proposal_id(action: dict[str, Any]) -> int:
    value = str(action.get("value", ""))
    if not value.isdigit():
        raise InvalidInput("This button is out of date.")
    return int(value)
