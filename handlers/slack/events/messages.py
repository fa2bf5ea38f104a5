"""Direct messages to the bot: files naming a credential submit work; files in a submission's thread resubmit.

Events are acknowledged before their listener runs, so a DM's work is recorded earlier, by the
de-duplication middleware (handlers/slack/middleware.py), in the transaction that records its event
id; this listener only starts the work and gives the replies that need no recording."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext

from bot.usecases.intake import DmReceipt
from handlers.slack.guard import guarded

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

RECEIPT = "dm_receipt"
"""The context key under which the middleware leaves what a DM became."""


def is_learner_dm(event: dict[str, Any]) -> bool:
    """A person's own message in a DM (not a bot's, not an edit or a join)."""
    return (event.get("type") == "message" and event.get("channel_type") == "im" and not event.get("bot_id")
            and bool(event.get("user")) and event.get("subtype") in (None, "file_share"))


@guarded
def direct_message(event: dict[str, Any], context: BoltContext, services: "Badgebot") -> None:
    """Start the work the middleware recorded, or reply (help, "which badge?")."""
    receipt: DmReceipt | None = context.get(RECEIPT)
    if receipt is None or not is_learner_dm(event):
        return
    if receipt.queued:
        services.intake_worker.kick()
    if receipt.reply:
        services.workspace.tell(event["user"], receipt.reply, receipt.reply_ts, event.get("channel"))
