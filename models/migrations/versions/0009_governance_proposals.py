"""credential proposals and their stage decisions"""
import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision, down_revision, branch_labels, depends_on = "0009", "0008", None, None

OPEN = "status IN ('changes_requested', 'open')"


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("proposal_kind", "add", "change", "retire"), nullable=False),
        sa.Column("credential", sa.String(length=64), nullable=False),
        sa.Column("table", sa.JSON(), nullable=False),
        sa.Column("issuer", sa.String(length=64), nullable=False),
        sa.Column("proposer", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", _enum("proposal_status", "open", "changes_requested", "rejected", "approved",
                                  "withdrawn"), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    op.create_index(op.f("ix_proposals_credential"), "proposals", ["credential"])
    op.create_index(op.f("ix_proposals_status"), "proposals", ["status"])
    op.create_index("uq_proposals_open_per_credential", "proposals", ["credential"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_table(
        "proposal_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("stage_name", sa.String(length=200), nullable=False),
        sa.Column("approver", sa.String(length=32), nullable=False),
        sa.Column("decision", _enum("stage_decision", "approve", "changes", "reject"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"],
                                name=op.f("fk_proposal_decisions_proposal_id_proposals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_decisions")),
        sa.UniqueConstraint("proposal_id", "round", "stage", name="uq_proposal_decisions_stage"),
    )
    op.create_index(op.f("ix_proposal_decisions_proposal_id"), "proposal_decisions", ["proposal_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_proposal_decisions_proposal_id"), table_name="proposal_decisions")
    op.drop_table("proposal_decisions")
    op.drop_index("uq_proposals_open_per_credential", table_name="proposals")
    op.drop_index(op.f("ix_proposals_status"), table_name="proposals")
    op.drop_index(op.f("ix_proposals_credential"), table_name="proposals")
    op.drop_table("proposals")
