"""each review decision's time to decision, stored when it is made

submissions.waited_seconds: submission to final decision (approved or rejected); reviews.decision_seconds:
the round's start (its first file; the submission's creation for round 1 or a round without files) to the
grantor's decision. The time-to-decision report reads them instead of computing every duration at every
run (5.0 s on SQLite at bench/reports.py's size). Existing rows are filled in here, one UPDATE each.

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0011", "0010", None, None

# What the report reads from the index alone (models/submissions.py): each credential's durations in order,
# all of them in order, each grantor's in order.
_INDEXES = (
    ("submissions", "ix_submissions_waited", ["credential_id", "waited_seconds", "decided_at"], "waited_seconds"),
    ("submissions", "ix_submissions_waited_order", ["waited_seconds", "decided_at", "credential_id"],
     "waited_seconds"),
    ("reviews", "ix_reviews_decision_seconds", ["grantor", "decision_seconds", "created_at", "submission_id"],
     "decision_seconds"),
)
_OPEN = "status IN ('changes_requested', 'resubmitted', 'submitted')"  # the open submissions, as in 0001


def _seconds(later: str, earlier: str) -> str:
    """SQL for whole seconds between two timestamps (SQLite stores naive UTC text, PostgreSQL timestamptz)."""
    if op.get_bind().dialect.name == "postgresql":
        return f"CAST(round(extract(epoch FROM {later} - {earlier})) AS INTEGER)"
    return f"CAST(round((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN and CREATE INDEX on both databases: SQLite's batch mode would copy the
    # tables, which their foreign keys forbid once they hold rows.
    op.add_column("submissions", sa.Column("waited_seconds", sa.Integer(), nullable=True))
    op.add_column("reviews", sa.Column("decision_seconds", sa.Integer(), nullable=True))
    # The same rules bot/usecases/reviews.py applies when a decision is made.
    op.execute(f"UPDATE submissions SET waited_seconds = {_seconds('decided_at', 'created_at')} "
               "WHERE status IN ('approved', 'rejected') AND decided_at IS NOT NULL")
    start = ("CASE WHEN reviews.round = 1 THEN s.created_at ELSE coalesce("
             "(SELECT min(a.created_at) FROM artifacts a WHERE a.submission_id = reviews.submission_id "
             "AND a.round = reviews.round), s.created_at) END")
    op.execute(f"UPDATE reviews SET decision_seconds = (SELECT {_seconds('reviews.created_at', start)} "
               "FROM submissions s WHERE s.id = reviews.submission_id)")
    # Indexed once filled (cheaper than keeping the indexes up to date through the UPDATEs).
    for table, name, columns, column in _INDEXES:
        op.create_index(name, table, columns, unique=False, sqlite_where=sa.text(f"{column} IS NOT NULL"),
                        postgresql_where=sa.text(f"{column} IS NOT NULL"))
    op.create_index("ix_submissions_open_age", "submissions", ["status", "created_at", "credential_id"], unique=False,
                    sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))


def downgrade() -> None:
    op.drop_index("ix_submissions_open_age", table_name="submissions")
    for table, name, _, _ in _INDEXES:
        op.drop_index(name, table_name=table)
    # ALTER TABLE DROP COLUMN (SQLite 3.35 and later): the columns carry no constraint once unindexed.
    op.drop_column("reviews", "decision_seconds")
    op.drop_column("submissions", "waited_seconds")
