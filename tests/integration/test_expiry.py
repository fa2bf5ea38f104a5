"""Expiry on a real database: a heads-up 30 days before, word when it lapses, each once."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.domain.scheduling import Cadence
from bot.usecases.awards import revoke
from bot.usecases.expiry import ExpiryPolicy, queue_expiry_notices
from bot.usecases.progress import learner_progress
from models import Award, OutboxMessage
from tests.helpers import earn

POLICY = ExpiryPolicy(Cadence("15 * * * *", "UTC"), notice_days=30)


def outbox(ctx, kind: str) -> list[OutboxMessage]:
    with ctx.transaction() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_a_heads_up_thirty_days_before_then_word_of_the_lapse(ctx, clock):
    earn(ctx, "U0ANA00001", "sql-analytics-professional")    # expires after 3y
    earn(ctx, "U0ANA00001", "sql-basics")                    # never expires
    with ctx.transaction() as session:
        award = session.scalars(select(Award).where(Award.expires_at.is_not(None))).one()
        award_id, expires_at = award.id, award.expires_at
    assert queue_expiry_notices(ctx, POLICY).total == 0

    clock.now = expires_at - dt.timedelta(days=31)
    assert queue_expiry_notices(ctx, POLICY).total == 0
    clock.now = expires_at - dt.timedelta(days=30)
    assert queue_expiry_notices(ctx, POLICY).queued == {"expiry_notice": 1, "award_lapsed": 0}
    [notice] = outbox(ctx, "expiry_notice")
    assert (notice.recipient, notice.payload, notice.dedupe_key) == (
        "U0ANA00001", {"award_id": award_id}, f"expiry-notice:{award_id}")
    clock.advance(days=1)
    assert queue_expiry_notices(ctx, POLICY).total == 0      # told once

    clock.now = expires_at
    assert not learner_progress(ctx, "U0ANA00001").holds("sql-analytics-professional")  # lapses on time
    assert queue_expiry_notices(ctx, POLICY).queued == {"expiry_notice": 0, "award_lapsed": 1}
    clock.advance(hours=1)
    assert queue_expiry_notices(ctx, POLICY).total == 0
    assert [m.payload for m in outbox(ctx, "award_lapsed")] == [{"award_id": award_id}]


def test_revoked_and_long_lapsed_awards_are_left_alone(ctx, clock):
    result = earn(ctx, "U0BO000001", "sql-analytics-professional")
    [public_id] = result.award_public_ids
    revoke(ctx, "cli", public_id, "plagiarism")
    clock.advance(days=3 * 366 - 10)
    assert queue_expiry_notices(ctx, POLICY).total == 0
    earn(ctx, "U0CHEN0001", "sql-analytics-professional")
    clock.advance(days=3 * 366 + 60)                          # lapsed two months ago: old news
    assert queue_expiry_notices(ctx, POLICY).total == 0
