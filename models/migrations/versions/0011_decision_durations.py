"""each review decision's time to decision, stored when it is made (being written this session; owner fills it)"""
from alembic import op  # noqa: F401

revision, down_revision, branch_labels, depends_on = "0011", "0010", None, None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
