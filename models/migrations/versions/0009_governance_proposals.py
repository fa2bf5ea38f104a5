"""credential proposals and their stage decisions (being written this session; owner fills it)"""
from alembic import op  # noqa: F401

revision, down_revision, branch_labels, depends_on = "0009", "0008", None, None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
