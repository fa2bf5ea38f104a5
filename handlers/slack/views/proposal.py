"""The proposal form (new, change, or edited and resubmitted) and the approvers' reason form."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.errors import BadgebotError, InvalidInput, NotAllowed
from bot.usecases import governance as governance_uc
from handlers.slack.actions.governance import decide
from handlers.slack.blocks import governance as governance_blocks
from handlers.slack.guard import guarded

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@guarded
def proposal_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Badgebot) -> None:
    """Problems (the catalog's checks, with its messages) are shown on the form's fields; else it is proposed."""
    purpose = str(view.get("private_metadata", ""))
    table, unreadable = governance_blocks.table_of(view.get("state", {}).get("values", {}))
    if unreadable:
        return ack(response_action="errors", errors=governance_blocks.field_errors(unreadable))
    user = body["user"]["id"]
    try:
        if purpose.startswith("resubmit:") and purpose[9:].isdigit():
            proposal = governance_uc.resubmit(services.ctx, services.catalog, user, int(purpose[9:]), table)
        elif purpose in ("new", "change"):
            proposal = governance_uc.propose(services.ctx, services.catalog, user, table, change=purpose == "change")
        else:
            return ack(response_action="errors", errors={"id": "This form is out of date; close it and start again."})
    except governance_uc.CredentialProblems as exc:
        return ack(response_action="errors", errors=governance_blocks.field_errors(exc.problems))
    except BadgebotError as exc:
        field = exc.field if isinstance(exc, InvalidInput) and exc.field else \
            "issuer" if isinstance(exc, NotAllowed) else "id"
        return ack(response_action="errors", errors=governance_blocks.field_errors({field: str(exc)}))
    ack(response_action="update", view=governance_blocks.proposed(proposal))
    services.delivery.kick()


@guarded
def reason_given(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Badgebot) -> None:
    meta = governance_blocks.parse_reason_metadata(str(view.get("private_metadata", "")))
    reason = ((((view.get("state", {}).get("values", {}).get("reason") or {}).get("reason") or {}).get("value"))
              or "").strip()
    if meta is None:
        return ack(response_action="errors", errors={"reason": "This form is out of date; close it and click again."})
    proposal, at_round, at_stage, decision, channel, _ = meta
    if decision.needs_reason and not reason:
        return ack(response_action="errors", errors={"reason": "Tell the proposer why."})
    ack()
    decide(services, {**body, "channel": {"id": channel}} if channel else body, proposal, decision, reason,
           (at_round, at_stage))
