"""The emulator tests' token (holding every scope) and the payloads they send."""
from __future__ import annotations

from typing import Any

from bot.sandbox.emulator.scopes import every_scope

BOT_TOKEN = "xoxb-test-emulator"
SECRET = "test-signing-secret"
# These tests pin the emulator's methods, also those the bot never calls (conversations.info, group
# DMs), so its token holds every scope they need; tests/e2e/test_strict_slack.py holds it to the manifest.
EVERY_SCOPE = every_scope()

def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _input(block_id: str, element: dict[str, Any], *, optional: bool = False) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "optional": optional, "element": element,
            "label": {"type": "plain_text", "text": block_id}}


SUBMIT_MODAL: dict[str, Any] = {
    "type": "modal", "callback_id": "submit_artifact", "private_metadata": "python-1",
    "title": {"type": "plain_text", "text": "Submit your work"}, "submit": {"type": "plain_text", "text": "Submit"},
    "blocks": [
        _input("reflection", {"type": "plain_text_input", "action_id": "text", "multiline": True}),
        _input("credential", {"type": "static_select", "action_id": "choice",
                              "options": [_option("python-1", "Python I"), _option("sql-1", "SQL I")]}),
        _input("artifact", {"type": "file_input", "action_id": "files", "filetypes": ["pdf"], "max_files": 2}),
        _input("consent", {"type": "checkboxes", "action_id": "share",
                           "options": [_option("public", "Share publicly")]}, optional=True),
        _input("note", {"type": "plain_text_input", "action_id": "extra"}, optional=True),
    ],
}
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Your badges"}}]}
REVIEW_BLOCKS = [{"type": "actions", "block_id": "review", "elements": [
    {"type": "button", "action_id": "approve", "value": "sub-7", "text": {"type": "plain_text", "text": "Approve"}},
]}]
