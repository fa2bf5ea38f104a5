"""POST /slack/events: every Slack request (commands, interactivity, events) goes to Bolt here."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, request
from slack_bolt.adapter.flask import SlackRequestHandler

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def slack_events(badgebot: "Badgebot", web: Flask) -> None:
    handler = SlackRequestHandler(badgebot.bolt)

    @web.post("/slack/events")
    def events():  # type: ignore[no-untyped-def]
        # Bolt checks the signature and timestamp and answers 401 itself when they are wrong.
        return handler.handle(request)
