"""Review reminders on a real database: grouped per grantor, oldest first, once a day; the review
channel past the second threshold."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.domain.scheduling import Cadence
from bot.domain.vocabulary import Decision
from bot.usecases.reminders import ReminderPolicy, queue_review_reminders
from bot.usecases.reviews import review
from models import OutboxMessage
from tests.helpers import submit_for

POLICY = ReminderPolicy(Cadence("0 9 * * mon-fri", "UTC"), remind_after_days=3, escalate_after_days=7)


def queued(ctx, kind: str) -> dict[str, OutboxMessage]:
    with ctx.transaction() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))
        return {m.recipient: m for m in rows}


def ids(message: OutboxMessage) -> list[int]:
    return [item["id"] for item in message.payload["submissions"]]


def test_reminders_group_per_grantor_oldest_first_once_a_day(ctx, clock):
    # sql-basics: U0GRANT001; spreadsheet: U0GRANT001 + U0GRANT002; data viz: U0GRANT002;
    # sql-analytics-professional: both, two approvals needed.
    sql = submit_for(ctx, "U0ANA00001", "sql-basics")
    clock.advance(hours=2)
    sheet = submit_for(ctx, "U0BO000001", "spreadsheet-fundamentals")
    clock.advance(hours=2)
    viz = submit_for(ctx, "U0ANA00001", "data-visualization-foundations")
    pro = submit_for(ctx, "U0BO000001", "sql-analytics-professional")
    review(ctx, "U0GRANT001", pro.id, Decision.APPROVE)      # one of two approvals: only U0GRANT002 waits
    clock.advance(days=2)
    fresh = submit_for(ctx, "U0CHEN0001", "business-writing")  # too recent to remind about

    clock.advance(days=1, hours=1)                          # Thursday 14:00: the first three waited > 3 days
    result = queue_review_reminders(ctx, POLICY)
    assert result.queued == {"review_reminder": 2, "review_escalation": 0}
    reminders = queued(ctx, "review_reminder")
    assert set(reminders) == {"U0GRANT001", "U0GRANT002"}
    assert ids(reminders["U0GRANT001"]) == [sql.id, sheet.id]
    assert ids(reminders["U0GRANT002"]) == [sheet.id, viz.id, pro.id]
    # U0GRANT001 already approved pro (it waits for the second approval only); fresh is too recent.
    assert pro.id not in ids(reminders["U0GRANT001"]) and fresh.id not in sum(map(ids, reminders.values()), [])
    first = reminders["U0GRANT001"].payload["submissions"][0]
    assert (first["learner"], first["credential_name"], first["waiting_days"]) == ("U0ANA00001", "SQL Basics", 3)

    clock.advance(hours=3)
    assert queue_review_reminders(ctx, POLICY).total == 0   # same day: nothing more
    clock.advance(days=1)
    nxt = queue_review_reminders(ctx, POLICY)                # next day: a new reminder to each
    assert nxt.queued["review_reminder"] == 2
    with ctx.transaction() as session:
        keys = sorted(session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "review_reminder")))
    assert keys == ["review-reminder:2026-03-05:U0GRANT001", "review-reminder:2026-03-05:U0GRANT002",
                    "review-reminder:2026-03-06:U0GRANT001", "review-reminder:2026-03-06:U0GRANT002"]


def test_past_the_second_threshold_the_review_channel_is_told(ctx, clock):
    old = submit_for(ctx, "U0ANA00001", "sql-basics")
    clock.advance(days=5)
    newer = submit_for(ctx, "U0BO000001", "sql-basics")
    clock.advance(days=3)                                   # old: 8 days; newer: 3 days
    result = queue_review_reminders(ctx, POLICY)
    assert result.queued == {"review_reminder": 1, "review_escalation": 1}
    [(channel, escalation)] = queued(ctx, "review_escalation").items()
    assert channel == "C0REVIEWS1" and ids(escalation) == [old.id]
    assert escalation.payload["days"] == 7 and escalation.payload["submissions"][0]["grantors"] == ["U0GRANT001"]
    assert ids(queued(ctx, "review_reminder")["U0GRANT001"]) == [old.id]   # newer waited exactly 3 days, not more
    assert newer.id


def test_decided_submissions_are_not_reminded(ctx, clock):
    sub = submit_for(ctx, "U0ANA00001", "sql-basics")
    review(ctx, "U0GRANT001", sub.id, Decision.REQUEST_CHANGES, "Add the query output.")
    clock.advance(days=10)
    assert queue_review_reminders(ctx, POLICY).total == 0
    assert dt.timedelta(days=10)
