"""POST /slack/events: every Slack request (commands, interactivity, events) goes to Bolt here.

Before Bolt, two checks of our own, in this order: the signature (401, as Bolt answers, so an unsigned
request learns nothing about what we parse), then the payload's shape (400 with the reason). Bolt
indexes into payloads (`body["view"]["type"]`, `json.loads(payload)`) and answers a malformed but
signed request with a 500 and a traceback in the log; Slack never sends such requests, but a
misconfigured proxy or a hand-made test does, and deserves to be told what is wrong.
"""
from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import parse_qs

from flask import Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from handlers.web.security import DEFAULT, Routes
from handlers.web.services import badgebot_of

EXTENSION = "badgebot.slack_events"
VERIFIER = "badgebot.slack_events.verifier"
VIEW_PAYLOADS = ("view_submission", "view_closed")

slack_events = Routes("slack_events", __name__, headers=DEFAULT.but(cache="no-store"))


def _set_up(state: BlueprintSetupState) -> None:
    badgebot = badgebot_of(state.app)
    if badgebot.bolt is None:
        raise ValueError("the Slack endpoint needs Bolt (a signing secret)")
    state.app.extensions[EXTENSION] = SlackRequestHandler(badgebot.bolt)
    state.app.extensions[VERIFIER] = SignatureVerifier(badgebot.settings.slack_signing_secret)


slack_events.record_once(_set_up)


def payload_problem(body: str, content_type: str | None) -> str | None:
    """What is wrong with the shape of a Slack request body, or None when Bolt can take it.

    The same reading as Bolt's (slack_bolt/request/internals.py parse_body): JSON when the content
    type says so or the body starts with `{`, otherwise a form, whose `payload` field is JSON.
    """
    if content_type == "application/json" or body.startswith(("{", "[")):
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            return "the body is not valid JSON"
        where = "the JSON body"
    else:
        form = parse_qs(body)
        if "payload" not in form:
            return None  # a slash command: plain form fields
        try:
            parsed = json.loads(form["payload"][0])
        except ValueError:
            return "the payload field is not valid JSON"
        where = "the payload"
    if not isinstance(parsed, dict):
        return f"{where} is a JSON {type(parsed).__name__ if parsed is not None else 'null'}, not an object"
    kind = parsed.get("type")
    if kind is not None and not isinstance(kind, str):
        return f"{where}'s type is not a string"
    if "event" in parsed and not (isinstance(parsed["event"], dict) and isinstance(parsed["event"].get("type"), str)):
        return "the event has no type"
    if "actions" in parsed and not (isinstance(parsed["actions"], list)
                                    and all(isinstance(a, dict) for a in parsed["actions"])):
        return "actions is not a list of objects"
    if kind in VIEW_PAYLOADS:
        view = parsed.get("view")
        if not isinstance(view, dict):
            return f"a {kind} without a view object"
        if not isinstance(view.get("type"), str):
            return "the view has no type"
        if not isinstance(view.get("callback_id"), str):
            return "the view has no callback_id"
    return None


def _refused(status: int, error: str) -> Response:
    response = jsonify(error=error)
    response.status_code = status
    return response


@slack_events.post("/slack/events")
def events() -> Response:
    body = request.get_data(as_text=True)
    verifier = cast(SignatureVerifier, current_app.extensions[VERIFIER])
    if not verifier.is_valid(body, request.headers.get("X-Slack-Request-Timestamp", ""),
                             request.headers.get("X-Slack-Signature", "")):
        return _refused(401, "invalid request")  # Bolt's own answer, before anything is parsed
    problem = payload_problem(body, request.mimetype or None)
    if problem is not None:
        return _refused(400, f"malformed Slack request: {problem}")
    # Bolt checks the signature and timestamp again, and routes the request to its listener.
    handler = cast(SlackRequestHandler, current_app.extensions[EXTENSION])
    return handler.handle(request)
