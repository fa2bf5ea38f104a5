"""outbox: claim order (status, due time, id) in one index

A weekly nudge run queues ~34k messages with one due time; with (status, next_attempt_at) alone,
PostgreSQL sorted them by id on every claim (bench/nudges.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 21:40:00
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due_order', ['status', 'next_attempt_at', 'id'], unique=False)
        batch_op.drop_index('ix_outbox_due')


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.drop_index('ix_outbox_due_order')
