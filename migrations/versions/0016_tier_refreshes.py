"""tier refreshes: subjects whose tier a submission may have changed, for the refresh job (issue 17)

Revision ID: 0016
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tier_refreshes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("subject_type IN ('house', 'unit')", name=op.f("ck_tier_refreshes_subject_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_refreshes")),
    )


def downgrade():
    op.drop_table("tier_refreshes")
