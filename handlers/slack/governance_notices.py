"""The Notifier's senders for governance (OutboxKind.PROPOSAL_…): the card in the governance channel, its
redrawing and thread notes, and the proposer's DMs. Kept beside notifications.py, which wires them in."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.domain.vocabulary import OutboxKind
from bot.runtime.delivery import Delivered, Outgoing, Retry
from bot.usecases.governance import (
    DecisionView,
    ProposalView,
    proposal_view,
    record_card,
)
from handlers.slack.blocks import governance as blocks

if TYPE_CHECKING:
    from handlers.slack.notifications import Notifier

Sender = Callable[[Outgoing], "Delivered | None"]


def governance_senders(notifier: Notifier) -> dict[OutboxKind, Sender]:
    def card(message: Outgoing) -> Delivered | None:
        view = proposal_view(notifier.ctx, message.payload["proposal_id"])
        return notifier.post_card(message, view.card_ts,
                                  lambda channel, ts: record_card(notifier.ctx, view.id, channel, ts),
                                  text=blocks.card_text(view), blocks=blocks.proposal_card(view))

    def update(message: Outgoing) -> Delivered | None:
        view = proposal_view(notifier.ctx, message.payload["proposal_id"])
        if not view.card_ts or not view.channel:
            raise Retry("the proposal card is not posted yet")
        # chat.update is idempotent: safe to repeat when the note below is retried.
        notifier.workspace.client.chat_update(channel=view.channel, ts=view.card_ts, text=blocks.card_text(view),
                                              blocks=blocks.proposal_card(view))
        if view.stage < len(view.approvers):  # the admin App Homes of who decides next list it
            for user in view.approvers[view.stage]:
                if not user.startswith("S"):
                    notifier.home_changed(user)
        text, note = blocks.step_note(view, _decision(view, message), resubmitted=message.payload.get("resubmitted"),
                                      withdrawn_by=message.payload.get("withdrawn_by"))
        return notifier.post(message, view.channel, thread_ts=view.card_ts, text=text, blocks=note)

    def proposer(message: Outgoing) -> Delivered | None:
        view = proposal_view(notifier.ctx, message.payload["proposal_id"])
        decision = _decision(view, message)
        if decision is None:
            return Delivered(skipped="no such decision")
        text, note = blocks.proposer_message(view, decision)
        return notifier.post_dm(message, view.proposer, text=text, blocks=note)

    return {OutboxKind.PROPOSAL_CARD: card, OutboxKind.PROPOSAL_UPDATE: update, OutboxKind.PROPOSAL_PROPOSER: proposer}


def _decision(view: ProposalView, message: Outgoing) -> DecisionView | None:
    if "stage" not in message.payload:
        return None
    return next((d for d in view.decisions if d.round == message.payload["round"]
                 and d.stage == message.payload["stage"]), None)
