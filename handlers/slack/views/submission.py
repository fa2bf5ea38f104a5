"""The submit form: files, a reflection and a link, checked before the form closes, and recorded
before it closes, so a crash after Slack's answer loses nothing (the intake worker fetches the files)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.domain.submitting import form_problems
from bot.usecases.intake import Received
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
    # One row, before the answer: the view id makes a second submission of the same form a no-op.
    services.intake.record_submission(Received(
        f"view:{view.get('id') or body.get('trigger_id')}", user, slug, files, reflection, link,
        display_name=body["user"].get("name"), resubmission_of=int(resubmission) if resubmission.isdigit() else None))
    ack()  # close the form now; the files are fetched afterwards, which may take longer than Slack's 3 s
    services.intake_worker.kick()
