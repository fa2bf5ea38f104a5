"""The submit form: files, a reflection and a link, checked before the form closes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.domain.submitting import form_problems
from handlers.slack.guard import guarded

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return (values.get(block) or {}).get(block) or {}


@guarded
def submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: "Badgebot") -> None:
    user = body["user"]["id"]
    values = view.get("state", {}).get("values", {})
    files = _value(values, "files").get("files") or []
    reflection = _value(values, "reflection").get("value") or ""
    link = _value(values, "link").get("value") or None
    slug, _, resubmission = str(view.get("private_metadata", "")).partition("|")
    errors = form_problems([(f.get("name", "file"), int(f["size"]) if f.get("size") is not None else None)
                            for f in files], reflection, link, max_bytes=services.store.max_bytes)
    if errors:
        return ack(response_action="errors", errors=errors)
    ack()  # close the form now; downloading may take longer than Slack's 3 seconds
    services.intake.receive_submission(user, body["user"].get("name"), slug, files, reflection, link,
                                       int(resubmission) if resubmission.isdigit() else None)
