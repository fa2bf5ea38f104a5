"""The reason form a grantor fills in to ask for changes or to reject."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.domain.vocabulary import Decision
from handlers.slack.actions.reviews import decide
from handlers.slack.guard import guarded

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@guarded
def reason_given(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: "Badgebot") -> None:
    parts = str(view.get("private_metadata", "")).split("|")  # submission|decision|channel|ts
    reason = (((view.get("state", {}).get("values", {}).get("reason") or {}).get("reason") or {}).get("value")
              or "").strip()
    if not reason:
        return ack(response_action="errors", errors={"reason": "Tell the learner why."})
    if len(parts) != 4 or not parts[0].isdigit() or parts[1] not in {d.value for d in Decision}:
        return ack(response_action="errors", errors={"reason": "This form is out of date; close it and click again."})
    ack()
    body = {**body, "channel": {"id": parts[2]}}
    decide(services, body["user"]["id"], int(parts[0]), Decision(parts[1]), reason, body)
