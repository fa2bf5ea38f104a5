"""Pure scheduling rules: cadence periods, quiet hours, whom to nudge, and what the messages say."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.domain.scheduling import (
    Cadence, NudgePlan, QuietHours, days_waiting, expand_grantors, parse_cron, period_key, plan_nudges,
)
from handlers.slack.blocks import nudges as nudge_blocks
from handlers.slack.blocks.kit import MESSAGE_BLOCKS, SECTION_TEXT

UTC = dt.timezone.utc


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- cadences


def test_a_weekly_cadence_cuts_time_into_weeks_in_the_program_time_zone():
    weekly = Cadence("0 10 * * mon", "America/Chicago")
    wednesday = at(2026, 3, 4, 12)
    assert weekly.period_start(wednesday) == at(2026, 3, 2, 16)          # Monday 10:00 CST
    assert weekly.previous_period_start(wednesday) == at(2026, 2, 23, 16)
    assert weekly.next_fire(wednesday) == at(2026, 3, 9, 15)             # 10:00 CDT after the DST change
    # The fire time itself belongs to the period it starts.
    assert weekly.period_start(at(2026, 3, 2, 16)) == at(2026, 3, 2, 16)
    assert weekly.period_start(at(2026, 3, 2, 15, 59)) == at(2026, 2, 23, 16)


def test_fast_and_sparse_cadences():
    assert Cadence("*/2 * * * * *").period_start(at(2026, 3, 4, 12, 0, 5)) == at(2026, 3, 4, 12, 0, 4)
    yearly = Cadence("0 9 1 jan *")
    assert yearly.period_start(at(2026, 6, 1)) == at(2026, 1, 1, 9)
    assert period_key(at(2026, 1, 1, 9)) == "2026-01-01T09:00:00Z"


@pytest.mark.parametrize("expr, problem", [
    ("0 10 * * 1", "name the weekdays"),
    ("0 10 * *", "5 fields"),
    ("61 10 * * mon", "61"),
])
def test_bad_crontabs_are_refused_with_the_reason(expr, problem):
    with pytest.raises(ValueError, match=problem):
        parse_cron(expr, "UTC")


# --------------------------------------------------------------------------- quiet hours


def test_quiet_hours_wrap_midnight_and_hold_messages_until_morning():
    quiet = QuietHours.parse("20:00-08:00", "", "America/Chicago")
    late = at(2026, 3, 4, 3)                       # 21:00 CST
    assert quiet.is_quiet(late)
    assert quiet.next_allowed(late) == at(2026, 3, 4, 14)   # 08:00 CST
    afternoon = at(2026, 3, 4, 20)                 # 14:00 CST
    assert not quiet.is_quiet(afternoon) and quiet.next_allowed(afternoon) == afternoon


def test_quiet_days_push_to_the_next_working_morning():
    quiet = QuietHours.parse("20:00-08:00", "sat,sun", "UTC")
    friday_night = at(2026, 3, 6, 22)
    assert quiet.next_allowed(friday_night) == at(2026, 3, 9, 8)
    saturday_noon = at(2026, 3, 7, 12)
    assert quiet.next_allowed(saturday_noon) == at(2026, 3, 9, 8)


def test_no_quiet_hours_and_a_daytime_window():
    assert not QuietHours.parse("off").is_quiet(at(2026, 3, 4, 3))
    lunch = QuietHours.parse("12:00-13:00")
    assert lunch.is_quiet(at(2026, 3, 4, 12, 30)) and lunch.next_allowed(at(2026, 3, 4, 12, 30)) == at(2026, 3, 4, 13)
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        QuietHours.parse("8pm-8am")


# --------------------------------------------------------------------------- whom to nudge


def test_finishers_are_congratulated_not_nudged_and_opted_out_learners_get_nothing():
    candidates = [(1, 10, 2, 3), (2, 11, 1, 2), (3, 10, 1, 3)]
    finished = {2: [12], 4: [10], 5: [11]}
    plans = plan_nudges(candidates, finished, opted_in={1, 2, 4})
    assert plans == [
        NudgePlan(1, 10, 2, 3),
        NudgePlan(2, finished=(12,)),      # finished something: congratulated instead of nudged
        NudgePlan(4, finished=(10,)),
    ]                                      # 3 and 5 opted out
    assert [p.congratulate for p in plans] == [False, True, True]


def test_grantor_groups_are_expanded_once_each():
    groups = {"S0FACULTY1": frozenset({"U2", "U3"})}
    assert expand_grantors(["U1", "S0FACULTY1", "U2"], lambda g: groups.get(g, frozenset())) == ["U1", "U2", "U3"]


def test_days_waiting_counts_whole_days():
    assert days_waiting(at(2026, 3, 1, 9), at(2026, 3, 4, 8)) == 2
    assert days_waiting(at(2026, 3, 1, 9), at(2026, 3, 4, 9)) == 3


# --------------------------------------------------------------------------- what the messages say


NUDGE = {"learner": "U1", "certificate": "data-analytics-practiced", "certificate_name": "Data Analytics (Practiced)",
         "certificate_type": "Digital Certificate (Practiced)", "held": 2, "required": 3,
         "missing": [{"slug": "sql-basics", "name": "SQL Basics", "in_review": False}]}


def test_the_nudge_says_how_far_and_offers_to_submit_the_missing_badge():
    text, blocks = nudge_blocks.nudge_message(NUDGE)
    assert text == "2 of 3 toward Digital Certificate (Practiced) in Data Analytics; remaining: SQL Basics"
    [actions] = [b for b in blocks if b["type"] == "actions"]
    [submit] = actions["elements"]
    assert (submit["action_id"], submit["value"], submit["text"]["text"]) == (
        "submit_for", "sql-basics", "Submit for SQL Basics")
    assert "nudges off" in json.dumps(blocks)


def test_a_badge_in_review_gets_no_button():
    payload = NUDGE | {"held": 1, "missing": [{"slug": "sql-basics", "name": "SQL Basics", "in_review": True},
                                              {"slug": "data-visualization-foundations",
                                               "name": "Data Visualization Foundations", "in_review": False}]}
    text, blocks = nudge_blocks.nudge_message(payload)
    assert text.endswith("remaining: SQL Basics, Data Visualization Foundations")
    assert "SQL Basics (in review)" in blocks[0]["text"]["text"]
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert [e["value"] for e in actions["elements"]] == ["data-visualization-foundations"]


def test_certificate_titles():
    assert nudge_blocks.certificate_title("Data Analytics (Expert)", "Digital Certificate (Expert)") == \
        "Digital Certificate (Expert) in Data Analytics"
    assert nudge_blocks.certificate_title("Cloud Data", "Digital Certificate (Practiced)") == \
        "Digital Certificate (Practiced) in Cloud Data"


def test_a_long_review_reminder_stays_within_slacks_limits():
    items = [{"id": i, "learner": f"U{i:04d}", "credential_name": "x" * 190, "waiting_days": 100 - i,
              "grantors": ["U0GRANT001", "S0FACULTY1"]} for i in range(60)]
    links = {i: f"https://example.slack.com/archives/C1/p{i}" for i in range(60)}
    for text, blocks in (nudge_blocks.review_reminder(items, links), nudge_blocks.review_escalation(items, links, 7)):
        assert text.startswith("60 submission")
        assert len(blocks) <= MESSAGE_BLOCKS
        assert all(len(b["text"]["text"]) <= SECTION_TEXT for b in blocks if b["type"] == "section")
        assert "…and 40 more" in json.dumps(blocks, ensure_ascii=False)
    _, blocks = nudge_blocks.review_escalation(items[:1], {}, 7)
    assert "<!subteam^S0FACULTY1>" in blocks[1]["text"]["text"]


def test_expiry_notices_name_the_date():
    text, _ = nudge_blocks.expiry_notice("SQL in Practice", "Badge Level II", "sql", at(2026, 4, 3, 9), dt.date(2026, 3, 4))
    assert text == "Your SQL in Practice (Badge Level II) expires on April 3, 2026, in 30 days."
    text, blocks = nudge_blocks.lapsed_notice("SQL in Practice", "Badge Level II", "sql", at(2026, 4, 3, 9))
    assert text == "Your SQL in Practice (Badge Level II) expired on April 3, 2026."
    assert "/badges submit sql" in blocks[0]["text"]["text"]
