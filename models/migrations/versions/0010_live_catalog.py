"""catalog_changes (approved credential changes over the file: the live catalog) and evaluations
(periodic keep / change / retire reviews of a credential)"""
import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision, down_revision, branch_labels, depends_on = "0010", "0009", None, None


def upgrade() -> None:
    op.create_table(
        "catalog_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("credential", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("approvals", sa.JSON(), nullable=False),
        sa.Column("approved_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_changes")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_catalog_changes_proposal_id")),
    )
    op.create_index(op.f("ix_catalog_changes_slug"), "catalog_changes", ["slug"])
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("since", UTCDateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["credential_id"], ["credentials.id"],
                                name=op.f("fk_evaluations_credential_id_credentials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sa.UniqueConstraint("credential_id", "due_at", name="uq_evaluations_credential_due"),
    )
    op.create_index("ix_evaluations_open", "evaluations", ["decided_at"])


def downgrade() -> None:
    op.drop_index("ix_evaluations_open", table_name="evaluations")
    op.drop_table("evaluations")
    op.drop_index(op.f("ix_catalog_changes_slug"), table_name="catalog_changes")
    op.drop_table("catalog_changes")
