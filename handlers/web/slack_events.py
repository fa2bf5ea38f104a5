"""POST /slack/events: every Slack request (commands, interactivity, events) goes to Bolt here."""
from __future__ import annotations

from typing import cast

from flask import Response, current_app, request
from flask.blueprints import BlueprintSetupState
from slack_bolt.adapter.flask import SlackRequestHandler

from handlers.web.security import DEFAULT, Routes
from handlers.web.services import badgebot_of

EXTENSION = "badgebot.slack_events"

slack_events = Routes("slack_events", __name__, headers=DEFAULT.but(cache="no-store"))


def _set_up(state: BlueprintSetupState) -> None:
    bolt = badgebot_of(state.app).bolt
    if bolt is None:
        raise ValueError("the Slack endpoint needs Bolt (a signing secret)")
    state.app.extensions[EXTENSION] = SlackRequestHandler(bolt)


slack_events.record_once(_set_up)


@slack_events.post("/slack/events")
def events() -> Response:
    # Bolt checks the signature and timestamp and answers 401 itself when they are wrong.
    handler = cast(SlackRequestHandler, current_app.extensions[EXTENSION])
    return handler.handle(request)
