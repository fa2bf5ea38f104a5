"""scheduler: drop APScheduler's job store table (jobs live in memory; job_runs finds a missed period)"""
import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0005", "0004", None, None


def upgrade() -> None:
    op.drop_index("ix_apscheduler_jobs_next_run_time", table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")


def downgrade() -> None:  # the table as migration 0003 made it
    op.create_table("apscheduler_jobs", sa.Column("id", sa.Unicode(191), primary_key=True),
                    sa.Column("next_run_time", sa.Float(25)), sa.Column("job_state", sa.LargeBinary, nullable=False))
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])
