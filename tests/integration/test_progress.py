"""Progress for every learner at once (the scheduler's view), on both databases."""
from __future__ import annotations

from sqlalchemy import select

from bot.usecases.learners import set_nudges
from bot.usecases.progress import all_stack_progress, nudge_candidates
from models import Credential, Learner
from tests.helpers import earn


def names(ctx, candidates) -> dict[str, tuple[str, int, int]]:
    with ctx.transaction() as session:
        learners = dict(session.execute(select(Learner.id, Learner.slack_user_id)).all())
        credentials = dict(session.execute(select(Credential.id, Credential.slug)).all())
    return {learners[c.learner_id]: (credentials[c.certificate_id], c.held, c.required) for c in candidates}


def test_nudges_go_to_the_closest_unfinished_certificate_of_opted_in_learners(ctx, clock):
    earn(ctx, "U0ANA00001", "sql-basics")                    # 1/3 practiced
    earn(ctx, "U0ANA00001", "business-writing")              # 1/2 communication: closer
    earn(ctx, "U0BO000001", "sql-analytics-professional")    # 1/3 expert
    earn(ctx, "U0BO000001", "dashboard-design-in-practice")  # 2/3 expert
    earn(ctx, "U0CHEN0001", "business-writing")
    set_nudges(ctx, "U0CHEN0001", False)                     # opted out
    for slug in ("business-writing", "presentation-skills"):  # finished: congratulated, not nudged
        earn(ctx, "U0DEV00001", slug)

    with ctx.transaction() as session:
        candidates = nudge_candidates(session, clock())
    assert names(ctx, candidates) == {
        "U0ANA00001": ("professional-communication-practiced", 1, 2),
        "U0BO000001": ("data-analytics-expert", 2, 3),
    }


def test_progress_rows_and_the_single_pass(ctx, clock):
    earn(ctx, "U0ANA00001", "sql-basics")
    earn(ctx, "U0ANA00001", "spreadsheet-fundamentals")
    with ctx.transaction() as session:
        rows = list(all_stack_progress(session, clock()))
        assert [(held, required) for _, _, held, required in rows] == [(2, 3)]
        walked = []

        def tap(stream):
            for row in stream:
                walked.append(row)
                yield row

        candidates = nudge_candidates(session, clock(), progress=tap(all_stack_progress(session, clock())))
    assert walked == rows and len(candidates) == 1


def test_a_held_certificate_is_not_nudged_toward_after_a_badge_is_revoked(ctx, clock):
    from bot.usecases.awards import revoke
    from bot.usecases.progress import learner_progress

    for slug in ("business-writing", "presentation-skills"):
        earn(ctx, "U0ANA00001", slug)
    badge = next(h for h in learner_progress(ctx, "U0ANA00001").holdings if h.credential == "presentation-skills")
    revoke(ctx, "U0ADMIN001", badge.public_id, "Recording was someone else's.")
    with ctx.transaction() as session:
        assert nudge_candidates(session, clock()) == []
