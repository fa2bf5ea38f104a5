"""credentials.issuer, alignment, review_every: the issuer that answers for a credential, its skills
alignment and how often it is evaluated (existing credentials: the university's, none, never)"""
import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0008", "0007", None, None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("issuer", sa.String(length=64), server_default="university", nullable=False))
        batch.add_column(sa.Column("alignment", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch.add_column(sa.Column("review_every", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("review_every")
        batch.drop_column("alignment")
        batch.drop_column("issuer")
