"""Property-based: arbitrary /badges text and malformed interaction payloads, through the real
signed HTTP endpoint and the real listeners. Never a crash or a 5xx, always an answer, and
nothing written unless the input was a real, valid request."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models import Artifact, AuditEntry, Award, Review, Submission
from tests.e2e.test_review_flow import LEARNER

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
WRITES = (AuditEntry, Submission, Artifact, Review, Award)

words = st.sampled_from(["", "help", "catalog", "submit", "share", "unshare", "claim", "review", "sql-basics",
                         "nudges", "maybe", "sql basics", "SUBMIT", "<@U0X>", "*bold*", "&lt;", "\u202e", "🎓"])
command_text = st.one_of(st.text(max_size=300), st.lists(words, max_size=5).map(" ".join))


def writes(world) -> tuple[int, ...]:
    with world.badgebot.ctx.transaction() as session:
        return tuple(session.scalar(select(func.count()).select_from(m)) for m in WRITES)


@FUZZ
@given(text=command_text)
def test_any_badges_text_gets_a_clear_answer_and_writes_nothing(world, text):
    before = writes(world)
    reply = world.slack.command(LEARNER, text)
    assert reply.status == 200, reply.body
    answer = reply.json()
    assert answer.get("text", "").strip(), answer
    if not text.strip().lower().startswith(("nudges", "submit", "share")):
        assert writes(world) == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
action_ids = st.sampled_from(["review_approve", "review_approve_distinction", "review_request_changes",
                              "review_reject", "submit_for", "share_confirm", "nonexistent"])


@FUZZ
@given(action_id=action_ids, value=st.one_of(st.text(max_size=20), st.integers().map(str)), junk=json_values)
def test_malformed_button_clicks_never_fail_the_request(world, action_id, value, junk):
    before = writes(world)
    payload = {
        "type": "block_actions", "user": {"id": "U0OUTSIDE1", "name": "outsider"}, "team": {"id": "T0EMULATOR"},
        "api_app_id": world.emulator.app_id, "trigger_id": world.emulator.issue_trigger("U0OUTSIDE1"),
        "channel": {"id": "C0REVIEWS1"}, "container": junk,
        "actions": [{"action_id": action_id, "block_id": "b", "value": value, "type": "button"}],
    }
    reply = world.slack._send_payload(payload, forge=False, timestamp=None)
    assert reply.status < 500
    world.settle()
    assert writes(world) == before


@FUZZ
@given(metadata=st.text(max_size=40), values=json_values,
       callback=st.sampled_from(["submit_artifact", "review_reason", "unknown"]))
def test_malformed_form_submissions_never_fail_the_request(world, metadata, values, callback):
    before = writes(world)
    payload = {
        "type": "view_submission", "user": {"id": LEARNER, "name": "ana"}, "team": {"id": "T0EMULATOR"},
        "api_app_id": world.emulator.app_id,
        "view": {"id": "V0FUZZ", "type": "modal", "callback_id": callback, "private_metadata": metadata,
                 "state": {"values": values if isinstance(values, dict) else {"x": {"y": values}}}},
    }
    reply = world.slack._send_payload(payload, forge=False, timestamp=None)
    assert reply.status < 500, reply.body
    if reply.body:
        assert json.loads(reply.body).get("response_action") in ("errors", None)
    world.settle()
    assert writes(world) == before
