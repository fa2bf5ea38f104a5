"""Direct messages to the bot: files naming a credential submit work; files in a submission's thread resubmit."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.slack.guard import guarded

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@guarded
def direct_message(event: dict[str, Any], services: "Badgebot") -> None:
    """A person's own message in a DM (not a bot's, not an edit or a join): hand it to intake."""
    if event.get("channel_type") != "im" or event.get("bot_id") or not event.get("user"):
        return
    if event.get("subtype") not in (None, "file_share"):
        return
    services.intake.receive_dm(event)
