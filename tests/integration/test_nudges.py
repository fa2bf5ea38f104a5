"""Nudges on a real database (SQLite and PostgreSQL), with the clock injected: who gets what, once."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.domain.scheduling import Cadence, QuietHours
from bot.usecases.learners import set_nudges
from bot.usecases.nudges import NudgePolicy, nudges_wanted, queue_nudges
from handlers.slack.blocks.nudges import nudge_message
from models import JobRun, OutboxMessage
from tests.helpers import earn, submit_for

WEEKLY = NudgePolicy(Cadence("0 10 * * mon", "UTC"))


def scheduled(ctx) -> dict[str, OutboxMessage]:
    with ctx.transaction() as session:
        rows = session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind.in_(["nudge", "nudge_congratulations"])).order_by(OutboxMessage.id)).all()
    return {m.recipient: m for m in rows}


@pytest.fixture
def program(ctx, clock):
    """Ana is 2 of 3 toward Data Analytics (Practiced); Bo 1 of 3 there but 1 of 2 toward Professional
    Communication (closer); Chen has nudges off; Dev finished Professional Communication this week."""
    earn(ctx, "U0ANA00001", "spreadsheet-fundamentals")
    earn(ctx, "U0ANA00001", "data-visualization-foundations")
    earn(ctx, "U0BO000001", "sql-basics")
    earn(ctx, "U0BO000001", "business-writing")
    earn(ctx, "U0CHEN0001", "sql-basics")
    set_nudges(ctx, "U0CHEN0001", False)
    earn(ctx, "U0DEV00001", "business-writing")
    earn(ctx, "U0DEV00001", "presentation-skills")   # completes the certificate: congratulated
    clock.advance(hours=1)                             # Monday 10:00: the weekly run
    return ctx


def test_nudges_go_to_exactly_the_right_learners_with_the_right_text(program, clock):
    result = queue_nudges(program, WEEKLY)
    assert result.queued == {"nudge": 2, "nudge_congratulations": 1}
    messages = scheduled(program)
    assert set(messages) == {"U0ANA00001", "U0BO000001", "U0DEV00001"}

    ana = messages["U0ANA00001"]
    text, blocks = nudge_message(ana.payload)
    assert text == "2 of 3 toward Digital Certificate (Practiced) in Data Analytics; remaining: SQL Basics"
    [button] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == ("submit_for", "sql-basics")
    assert ana.dedupe_key == "nudge:2026-03-02T10:00:00Z:U0ANA00001"
    assert ana.next_attempt_at == clock()

    bo = messages["U0BO000001"]
    assert nudge_message(bo.payload)[0] == (
        "1 of 2 toward Digital Certificate (Practiced) in Professional Communication; remaining: Presentation Skills")

    dev = messages["U0DEV00001"]
    assert dev.kind == "nudge_congratulations"
    assert dev.payload["finished"] == [{"slug": "professional-communication-practiced",
                                        "name": "Professional Communication (Practiced)",
                                        "type": "Digital Certificate (Practiced)"}]


def test_a_second_run_in_the_same_period_sends_nothing(program, clock):
    first = queue_nudges(program, WEEKLY, scheduled_by="host:1")
    clock.advance(hours=30)                                    # Tuesday: same weekly period
    again = queue_nudges(program, WEEKLY, scheduled_by="host:2")
    by_hand = queue_nudges(program, WEEKLY)                    # an administrator's `jobs run nudges`
    assert first.total == 3
    assert again.already_ran and again.total == 0
    assert by_hand.total == 0 and by_hand.already_queued == 3
    assert len(scheduled(program)) == 3
    with program.transaction() as session:
        runs = session.execute(select(JobRun.period, JobRun.runner).order_by(JobRun.id)).all()
    assert runs == [(dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc), "host:1"), (None, "manual")]

    clock.advance(days=6)                                      # next Monday 16:00: a new period
    nxt = queue_nudges(program, WEEKLY, scheduled_by="host:1")
    # Dev finished last week: now an ordinary learner with nothing unfinished (no nudge at all).
    assert nxt.queued == {"nudge": 2, "nudge_congratulations": 0}


def test_opted_out_learners_get_nothing_even_if_queued_before(program, clock):
    queue_nudges(program, WEEKLY)
    assert "U0CHEN0001" not in scheduled(program)
    set_nudges(program, "U0ANA00001", False)       # after queueing: the sender checks again
    assert not nudges_wanted(program, "U0ANA00001") and nudges_wanted(program, "U0BO000001")


def test_a_badge_in_review_is_named_but_not_offered(program, clock):
    submit_for(program, "U0ANA00001", "sql-basics")
    queue_nudges(program, WEEKLY)
    payload = scheduled(program)["U0ANA00001"].payload
    assert payload["missing"] == [{"slug": "sql-basics", "name": "SQL Basics", "in_review": True}]
    _, blocks = nudge_message(payload)
    assert not [b for b in blocks if b["type"] == "actions"]


def test_quiet_hours_hold_a_late_run_until_morning(program, clock):
    clock.advance(hours=11)                        # Monday 21:00, a late catch-up run
    quiet = NudgePolicy(WEEKLY.cadence, QuietHours.parse("20:00-08:00", "sat,sun", "UTC"))
    result = queue_nudges(program, quiet)
    assert result.not_before == dt.datetime(2026, 3, 3, 8, tzinfo=dt.timezone.utc)
    assert {m.next_attempt_at for m in scheduled(program).values()} == {result.not_before}


def test_expired_badges_do_not_count(ctx, clock):
    # sql-analytics-professional expires after 3 years; the other two Level II badges do not.
    earn(ctx, "U0EVE00001", "sql-analytics-professional")
    earn(ctx, "U0EVE00001", "dashboard-design-in-practice")
    clock.advance(days=3 * 366)
    queue_nudges(ctx, WEEKLY)
    payload = scheduled(ctx)["U0EVE00001"].payload
    assert (payload["held"], payload["required"]) == (1, 3)
    assert {m["slug"] for m in payload["missing"]} == {"sql-analytics-professional", "applied-statistical-modeling"}


def test_a_certificate_finished_mid_week_is_congratulated_once_the_next_week(ctx, clock):
    earn(ctx, "U0FAY00001", "business-writing")
    clock.advance(days=1)                                       # Tuesday
    earn(ctx, "U0FAY00001", "presentation-skills")              # completes Professional Communication
    clock.advance(days=1)                                       # Wednesday: a late run for this week
    assert queue_nudges(ctx, WEEKLY).queued == {"nudge": 0, "nudge_congratulations": 0}
    clock.advance(days=5)                                       # next Monday 09:00, then 10:00
    assert queue_nudges(ctx, WEEKLY).queued == {"nudge": 0, "nudge_congratulations": 0}
    clock.advance(hours=1)
    assert queue_nudges(ctx, WEEKLY, scheduled_by="host:1").queued == {"nudge": 0, "nudge_congratulations": 1}
    clock.advance(days=7)                                       # the week after: news no more
    assert queue_nudges(ctx, WEEKLY, scheduled_by="host:1").queued == {"nudge": 0, "nudge_congratulations": 0}
