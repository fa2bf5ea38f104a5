"""Each decision's duration, stored when it is made (what the time-to-decision report reads), and the same
durations filled in by migration 0011 for decisions made before it (SQLite and PostgreSQL)."""
from __future__ import annotations

from alembic import command
from sqlalchemy import select

from bot.adapters import migrate
from models import Submission
from tests.integration.test_reports import G1, G2, L, program  # noqa: F401 - `program` is a fixture

DAY = 86400


def stored(ctx) -> tuple[dict, dict]:
    """(learner, credential) -> the submission's wait; (learner, credential, grantor, round) -> the review's."""
    with ctx.reading() as session:
        waits = {(s.learner.slack_user_id, s.credential.slug): s.waited_seconds
                 for s in session.scalars(select(Submission)).unique()}
        reviews = {(s.learner.slack_user_id, s.credential.slug, r.grantor, r.round): r.decision_seconds
                   for s in session.scalars(select(Submission)).unique() for r in s.reviews}
    return waits, reviews


# The story of tests/integration/test_reports.py, counted by hand.
WAITS = {
    (L[1], "sql-basics"): 2 * DAY,                 # approved with distinction on day 2
    (L[2], "sql-basics"): 10 * DAY,                # changes asked on day 3 do not end the wait; approved on day 10
    (L[3], "spreadsheet-fundamentals"): 5 * DAY,   # rejected on day 5
    (L[1], "spreadsheet-fundamentals"): 0,         # submitted and approved at once
    (L[4], "business-writing"): None,              # withdrawn
    (L[5], "presentation-skills"): None,           # open
    (L[6], "business-writing"): None,              # open
    (L[7], "data-visualization-foundations"): None,  # changes requested, never resubmitted
}
REVIEWS = {
    (L[7], "data-visualization-foundations", G2, 1): 1 * DAY,
    (L[1], "sql-basics", G1, 1): 2 * DAY,
    (L[2], "sql-basics", G1, 1): 3 * DAY,
    (L[2], "sql-basics", G1, 2): 6 * DAY,  # round 2 began with its files, resubmitted on day 4
    (L[3], "spreadsheet-fundamentals", G2, 1): 5 * DAY,
    (L[1], "spreadsheet-fundamentals", G1, 1): 0,
}


def test_each_decision_stores_how_long_it_took(program):  # noqa: F811 - the fixture imported above
    assert stored(program) == (WAITS, REVIEWS)


def test_the_migration_fills_in_decisions_made_before_it(program, engine):  # noqa: F811 - the fixture
    assert stored(program) == (WAITS, REVIEWS)
    config = migrate.alembic_config(engine)
    try:
        with engine.begin() as connection:  # back to 0010: the columns are gone, the decisions are not
            config.attributes["connection"] = connection
            command.downgrade(config, "0010")
    finally:
        assert migrate.upgrade(engine)[1] == migrate.head_revision(engine)  # 0011 again: filled in from the rows
    assert stored(program) == (WAITS, REVIEWS)
