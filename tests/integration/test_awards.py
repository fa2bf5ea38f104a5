"""Awards, certificate stacking, revocation and souvenirs on a real database (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.domain.vocabulary import Decision
from bot.errors import BadgebotError, Conflict, InvalidInput, NotAllowed
from bot.usecases.awards import award_souvenir, revoke, set_shared
from bot.usecases.progress import learner_progress
from bot.usecases.reviews import review
from models import AuditEntry, Award, Credential, OutboxMessage, Review
from tests.helpers import earn, overlapping, run_together, submit_for

LEARNER = "U0LEARN001"
PRACTICED = ["spreadsheet-fundamentals", "sql-basics", "data-visualization-foundations"]
EXPERT = ["sql-analytics-professional", "dashboard-design-in-practice", "applied-statistical-modeling"]


def held(ctx, learner: str = LEARNER) -> list[str]:
    return sorted(h.credential for h in learner_progress(ctx, learner).holdings)


def live_awards(ctx, slug: str) -> int:
    with ctx.transaction() as session:
        return session.scalar(
            select(func.count()).select_from(Award).join(Credential)
            .where(Credential.slug == slug, Award.revoked_at.is_(None)))


def test_practiced_certificate_comes_exactly_with_the_last_level_one_badge(ctx):
    earn(ctx, LEARNER, "sql-basics")
    earn(ctx, LEARNER, "data-visualization-foundations")
    assert "data-analytics-practiced" not in held(ctx)
    last = earn(ctx, LEARNER, "spreadsheet-fundamentals")
    assert last.awarded == ("spreadsheet-fundamentals", "data-analytics-practiced")
    assert held(ctx) == sorted(PRACTICED + ["data-analytics-practiced"])
    with ctx.transaction() as session:
        certificate_notes = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "award")).all()
    assert len(certificate_notes) == 4  # three badges and the certificate, each told once


def test_level_two_badges_never_make_a_practiced_certificate(ctx):
    for slug in EXPERT:
        earn(ctx, LEARNER, slug)
    assert "data-analytics-practiced" not in held(ctx)
    assert "data-analytics-expert" in held(ctx)
    assert [s.certificate for s in learner_progress(ctx, LEARNER).stacks] == ["data-analytics-expert"]


def test_concurrent_double_approval_yields_one_award_and_one_certificate(ctx):
    earn(ctx, LEARNER, "sql-basics")
    earn(ctx, LEARNER, "data-visualization-foundations")
    submission = submit_for(ctx, LEARNER, "spreadsheet-fundamentals")  # grantors U0GRANT001 and U0GRANT002

    with overlapping(ctx, Review):
        results = run_together(
            lambda: review(ctx, "U0GRANT001", submission.id, Decision.APPROVE),
            lambda: review(ctx, "U0GRANT002", submission.id, Decision.APPROVE),
        )

    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], Conflict), losers
    winner = "U0GRANT001" if results[0] is winners[0] else "U0GRANT002"
    assert f"Already decided by <@{winner}>" in str(losers[0])
    assert live_awards(ctx, "spreadsheet-fundamentals") == 1
    assert live_awards(ctx, "data-analytics-practiced") == 1


def test_concurrent_approvals_of_two_last_badges_still_complete_the_stack_once(ctx):
    earn(ctx, LEARNER, "sql-basics")
    a = submit_for(ctx, LEARNER, "spreadsheet-fundamentals")
    b = submit_for(ctx, LEARNER, "data-visualization-foundations")
    with overlapping(ctx, Award):
        results = run_together(
            lambda: review(ctx, "U0GRANT001", a.id, Decision.APPROVE),
            lambda: review(ctx, "U0GRANT002", b.id, Decision.APPROVE),
        )
    assert not [r for r in results if isinstance(r, Exception)], results
    # Without the per-learner lock each transaction would miss the other's badge and no
    # certificate would be issued at all.
    assert live_awards(ctx, "data-analytics-practiced") == 1


def test_revoking_keeps_history_and_flags_the_certificate(ctx, clock):
    for slug in PRACTICED:
        earn(ctx, LEARNER, slug)
    badge = next(h for h in learner_progress(ctx, LEARNER).holdings if h.credential == "sql-basics")

    with pytest.raises(NotAllowed):
        revoke(ctx, "U0GRANT001", badge.public_id, "plagiarism")
    with pytest.raises(InvalidInput):
        revoke(ctx, "U0ADMIN001", badge.public_id, " ")
    clock.advance(days=10)
    flagged = revoke(ctx, "U0ADMIN001", badge.public_id, "Artifact was copied.")

    assert len(flagged) == 1
    with pytest.raises(Conflict, match="already revoked"):
        revoke(ctx, "U0ADMIN001", badge.public_id, "again")
    with ctx.transaction() as session:
        row = session.scalars(select(Award).where(Award.public_id == badge.public_id)).one()
        assert (row.revoked_by, row.revoked_reason, row.revoked_at) == ("U0ADMIN001", "Artifact was copied.", clock.now)
        certificate = session.scalars(select(Award).where(Award.public_id == flagged[0])).one()
        assert certificate.revoked_at is None and "sql-basics was revoked" in certificate.flagged_reason
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["award.revoked", "award.flagged"]
    assert "sql-basics" not in held(ctx)
    # The learner can earn it again; the revoked award stays as history.
    earn(ctx, LEARNER, "sql-basics")
    with ctx.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Award).join(Credential)
                              .where(Credential.slug == "sql-basics")) == 2


def test_hosts_award_souvenirs_in_bulk_once_each(ctx):
    people = [("U0LEARN001", "Ana"), ("U0LEARN002", "Bo"), ("U0LEARN003", "Chen")]
    with pytest.raises(NotAllowed, match="Only event hosts"):
        award_souvenir(ctx, "U0LEARN009", "welcome-week-2026", people)
    awarded, already = award_souvenir(ctx, "U0HOST0001", "welcome-week-2026", people[:1])
    assert (awarded, already) == (["U0LEARN001"], [])
    awarded, already = award_souvenir(ctx, "U0HOST0001", "welcome-week-2026", people)
    assert (awarded, already) == (["U0LEARN002", "U0LEARN003"], ["U0LEARN001"])
    assert live_awards(ctx, "welcome-week-2026") == 3
    with pytest.raises(InvalidInput, match="not a souvenir"):
        award_souvenir(ctx, "U0HOST0001", "sql-basics", people)


def test_sharing_is_the_learners_choice(ctx):
    earn(ctx, LEARNER, "sql-basics")
    assert learner_progress(ctx, LEARNER).holdings[0].shared is False
    assert set_shared(ctx, LEARNER, "sql-basics", True).shared is True
    assert set_shared(ctx, LEARNER, "sql-basics", False).shared is False
    with pytest.raises(BadgebotError, match="do not hold"):
        set_shared(ctx, "U0LEARN002", "sql-basics", True)


def test_expired_badges_do_not_count_toward_a_stack(ctx, clock):
    earn(ctx, LEARNER, "sql-analytics-professional")  # expires after 3 years
    earn(ctx, LEARNER, "dashboard-design-in-practice")
    clock.advance(days=3 * 366)
    earn(ctx, LEARNER, "applied-statistical-modeling")
    assert "data-analytics-expert" not in held(ctx)
    [stack] = learner_progress(ctx, LEARNER).stacks
    assert [slug for slug, _ in stack.missing] == ["sql-analytics-professional"]
