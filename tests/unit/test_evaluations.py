"""Periodic evaluation's rules (when it is due, its figures) and its Slack blocks, within Slack's limits."""
from __future__ import annotations

import datetime as dt

from bot.domain.evaluations import (
    EvaluationDecision,
    evaluation_due,
    evaluation_since,
    median_days,
    share_rate,
)
from bot.usecases.evaluations import EvaluationView
from handlers.slack.blocks import evaluations as blocks

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_due_review_every_after_the_latest_approval_change_or_decision():
    since = evaluation_since([T0, None, T0 + dt.timedelta(days=40)])
    assert since == T0 + dt.timedelta(days=40)
    assert evaluation_due("18m", T0) == dt.datetime(2027, 9, 2, 9, 0, tzinfo=dt.UTC)
    assert evaluation_due("2y", T0) == dt.datetime(2028, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert evaluation_due(None, T0) is None


def test_figures():
    assert median_days([0, 4 * 86400]) == 2.0 and median_days([]) is None
    assert share_rate(1, 4) == 0.25 and share_rate(0, 0) is None


def view(**changes) -> EvaluationView:
    figures = {"awards": 4, "shared": 1, "decisions": 5, "approved": 4, "rejected": 1,
               "median_days_to_decision": 3.5, "open_submissions": 2}
    fields = {"id": 7, "credential": "sql-basics", "credential_name": "SQL Basics " + "x" * 3000,
              "issuer": "computing", "review_every": "2y", "since": T0, "due_at": T0, "opened_at": T0,
              "figures": figures, "channel": "C0GOVERN01", "card_ts": "1.2", "decision": None,
              "decided_by": None, "decided_at": None}
    return EvaluationView(**{**fields, **changes})


def within_limits(message: list[dict]) -> None:
    assert len(message) <= 50
    for block in message:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000 and len(block.get("fields", [])) <= 10
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150


def test_an_undecided_card_shows_the_figures_and_three_buttons():
    card = blocks.evaluation_card(view())
    within_limits(card)
    fields = " ".join(f["text"] for b in card for f in b.get("fields", []))
    assert "25%" in fields and "3.5 days" in fields and "4 approved, 1 rejected" in fields
    [buttons] = [b for b in card if b["type"] == "actions"]
    assert [e["action_id"] for e in buttons["elements"]] == ["evaluation_keep", "evaluation_change",
                                                            "evaluation_retire"]
    assert {e["value"] for e in buttons["elements"]} == {"7"} and "confirm" in buttons["elements"][2]


def test_a_decided_card_says_who_decided_and_has_no_buttons():
    decided = view(decision=EvaluationDecision.RETIRE, decided_by="U0GRANT001", decided_at=T0)
    card = blocks.evaluation_card(decided)
    within_limits(card)
    assert not [b for b in card if b["type"] == "actions"]
    assert "*Retire*, decided by <@U0GRANT001> on 2026-03-02" in str(card)
    assert "retirement proposal" in blocks.decision_note(decided)


def test_the_reminder_carries_the_buttons():
    text, reminder = blocks.reminder(view(figures={}))
    within_limits(reminder)
    assert "waiting for its periodic evaluation" in text
    assert [b for b in reminder if b["type"] == "actions"] and "–" in str(reminder)  # no awards yet: no rate
