"""Issue 16, rough edges on the web: malformed signed Slack requests (25) and the favicon (17)."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import httpx
import pytest

from tests.e2e.conftest import SECRET

FORM, JSON = "application/x-www-form-urlencoded", "application/json"

VIEW_WITHOUT_TYPE = {"type": "view_submission", "user": {"id": "U0LEARN001"}, "team": {"id": "T0TEAM0001"},
                     "view": {"id": "V0VIEW0001", "callback_id": "event_new", "state": {"values": {}}}}


@pytest.mark.parametrize(("body", "content_type", "reason"), [
    (urlencode({"payload": "notjson"}), FORM, "the payload field is not valid JSON"),
    ("[1, 2]", JSON, "the JSON body is a JSON list, not an object"),
    (urlencode({"payload": "[]"}), FORM, "the payload is a JSON list, not an object"),
    ("{not json", JSON, "the body is not valid JSON"),
    (urlencode({"payload": json.dumps(VIEW_WITHOUT_TYPE)}), FORM, "the view has no type"),
    (json.dumps({"type": "event_callback", "event": "app_home_opened"}), JSON, "the event has no type"),
    (urlencode({"payload": json.dumps({"type": "block_actions", "actions": "approve"})}), FORM,
     "actions is not a list of objects"),
], ids=["payload-notjson", "json-array", "payload-array", "json-broken", "view-without-type", "event-not-object",
        "actions-not-list"])
def test_a_malformed_signed_request_is_told_what_is_wrong(world, body, content_type, reason):
    answer = post_to_slack_events(world, body, content_type)
    assert answer.status_code == 400
    assert answer.json() == {"error": f"malformed Slack request: {reason}"}


def test_an_unsigned_malformed_request_is_refused_before_it_is_read(world):
    body = urlencode({"payload": "notjson"})
    for secret in (SECRET + "-forged", None):
        answer = post_to_slack_events(world, body, FORM, secret=secret)
        assert answer.status_code == 401 and "malformed" not in answer.text


def post_to_slack_events(world, body: str, content_type: str, *, secret: str | None = SECRET) -> httpx.Response:
    """A request to the bot's Request URL signed as Slack signs (v0 HMAC-SHA256); `secret=None`: unsigned."""
    stamp = str(int(time.time()))  # Slack's own timestamp; the bot accepts five minutes either way
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp}
    if secret is not None:
        digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        headers["X-Slack-Signature"] = f"v0={digest}"
    return httpx.post(f"{world.url}/slack/events", content=body.encode(), headers=headers, trust_env=False,
                      timeout=15)


def test_well_formed_requests_still_reach_bolt(world):
    assert "Badgebot" in world.slack.command("U0LEARN001", "help").body


def test_the_bots_pages_have_a_favicon(world):
    icon = httpx.get(f"{world.url}/favicon.ico", trust_env=False, timeout=15)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.lstrip().startswith((b"<svg", b"<?xml"))
