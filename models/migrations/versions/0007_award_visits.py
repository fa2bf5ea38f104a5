"""award_visits: public page views and LinkedIn clicks per award and day (for the program's reports)"""
import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0007", "0006", None, None


def upgrade() -> None:
    op.create_table(
        "award_visits",
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["award_id"], ["awards.id"], name=op.f("fk_award_visits_award_id_awards"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("award_id", "kind", "day", name=op.f("pk_award_visits")),
    )


def downgrade() -> None:
    op.drop_table("award_visits")
