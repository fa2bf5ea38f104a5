"""The submit form: files, a reflection and a link, checked before the form closes, and recorded
before it closes, so a crash after Slack's answer loses nothing (the intake worker fetches the files)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack
from slack_sdk.webhook import WebhookClient

from bot.domain.submitting import form_problems
from bot.usecases.intake import Received
from handlers.slack.blocks.kit import section
from handlers.slack.blocks.learner import sent_note, without_submit
from handlers.slack.guard import guarded

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

log = logging.getLogger("badgebot.slack")


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return (values.get(block) or {}).get(block) or {}


@guarded
def submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: "Badgebot") -> None:
    user = body["user"]["id"]
    values = view.get("state", {}).get("values", {})
    files = _value(values, "files").get("files") or []
    reflection = _value(values, "reflection").get("value") or ""
    link = _value(values, "link").get("value") or None
    slug, _, rest = str(view.get("private_metadata", "")).partition("|")
    resubmission, _, origin = rest.partition("|")  # origin: the button that opened the form (actions/learner.py)
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
    retire_button(services, origin, slug)


def retire_button(services: "Badgebot", origin: str, slug: str) -> None:
    """Take the used "Submit for …" away from the message it was on: the bot's own message is edited to
    drop it; a private answer, which Slack keeps no copy of, is replaced by a line saying the work is sent.
    Best effort: the work is recorded already, and an old message that cannot be edited changes nothing."""
    spec = services.catalog.get(slug)
    if not origin or spec is None:
        return
    kind, _, where = origin.partition(":")
    try:
        if kind == "ephemeral":
            WebhookClient(where).send(replace_original=True, text=f"Your work for {spec.name} is sent.",
                                      blocks=[section(sent_note(spec.name))])
        elif kind == "message":
            channel, _, ts = where.partition(":")
            found = services.slack.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
            message = next((m for m in found.get("messages", []) if m.get("ts") == ts), None)
            if message is not None and (blocks := without_submit(message.get("blocks") or [], slug, spec.name)):
                services.slack.chat_update(channel=channel, ts=ts, text=message.get("text") or "", blocks=blocks)
    except Exception:  # noqa: BLE001 - see the docstring: logged, the learner's submission stands
        log.warning("could not take the used Submit button away (%s)", origin, exc_info=True)
