"""The Notifier's senders for periodic evaluations (OutboxKind.EVALUATION_…): the card in the governance
channel, its redrawing with the decision (and a note in its thread), and the daily reminder DM. Kept
beside notifications.py, which wires them in."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.domain.vocabulary import OutboxKind
from bot.runtime.delivery import Delivered, Outgoing
from bot.usecases.evaluations import evaluation_view, record_card
from handlers.slack.blocks import evaluations as blocks

if TYPE_CHECKING:
    from handlers.slack.notifications import Notifier

Sender = Callable[[Outgoing], "Delivered | None"]


def evaluation_senders(notifier: Notifier) -> dict[OutboxKind, Sender]:
    def card(message: Outgoing) -> Delivered | None:
        view = evaluation_view(notifier.ctx, message.payload["evaluation_id"])
        return notifier.post_card(message, view.card_ts,
                                  lambda channel, ts: record_card(notifier.ctx, view.id, channel, ts),
                                  text=blocks.card_text(view), blocks=blocks.evaluation_card(view))

    def update(message: Outgoing) -> Delivered | None:
        view = evaluation_view(notifier.ctx, message.payload["evaluation_id"])
        if not view.card_ts or not view.channel:
            return Delivered(skipped="no card to update (decided from a reminder before it was posted)")
        # chat.update is idempotent: safe to repeat when the note below is retried.
        notifier.workspace.client.chat_update(channel=view.channel, ts=view.card_ts, text=blocks.card_text(view),
                                              blocks=blocks.evaluation_card(view))
        return notifier.post(message, view.channel, thread_ts=view.card_ts, text=blocks.decision_note(view))

    def reminder(message: Outgoing) -> Delivered | None:
        view = evaluation_view(notifier.ctx, message.payload["evaluation_id"])
        if view.decision is not None:
            return Delivered(skipped="decided since it was queued")
        text, note = blocks.reminder(view)
        return notifier.post_dm(message, message.recipient, text=text, blocks=note)

    return {OutboxKind.EVALUATION_CARD: card, OutboxKind.EVALUATION_UPDATE: update,
            OutboxKind.EVALUATION_REMINDER: reminder}
