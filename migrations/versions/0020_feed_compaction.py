"""feed compaction: the horizon below which the change feed keeps only the latest row per record (issue 17)

Revision ID: 0020
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # One row per compaction that changed something: the feed at or below `horizon` holds only the
    # latest upsert per record and grid (docs/decisions/0020-feed-compaction.md). The current horizon is
    # the highest; a cursor below it that was issued under an older horizon answers reset: true.
    op.create_table(
        "feed_compactions",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("horizon", sa.BigInteger(), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_compactions")),
    )


def downgrade():
    op.drop_table("feed_compactions")
