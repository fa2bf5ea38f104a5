"""scheduling: APScheduler's job store and the record of job runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 19:37:13
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The job store's own table (see models/scheduling.py): created here so every replica finds it,
    # and the job store's create-if-missing never races on a fresh database.
    op.create_table(
        'apscheduler_jobs',
        sa.Column('id', sa.Unicode(length=191), nullable=False),
        sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
        sa.Column('job_state', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs')),
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apscheduler_jobs_next_run_time'), ['next_run_time'], unique=False)

    op.create_table(
        'job_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=32), nullable=False),
        sa.Column('period', UTCDateTime(timezone=True), nullable=True),
        sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('runner', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
        sa.UniqueConstraint('job', 'period', name='uq_job_runs_job_period'),
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_started', ['job', 'started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_job_started')
    op.drop_table('job_runs')
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apscheduler_jobs_next_run_time'))
    op.drop_table('apscheduler_jobs')
