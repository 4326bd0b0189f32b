"""target counts: the nightly per-grid counts behind the field-work targets (issue 18)

Revision ID: 0015
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "target_counts",
        sa.Column("grid_id", sa.Uuid(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        *[
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "houses",
                "visited",
                "let",
                "complete",
                "signed",
                "arrived",
                "on_time",
                "reported",
                "verified",
                "floating",
            )
        ],
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grids.id"], name=op.f("fk_target_counts_grid_id_grids"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("grid_id", "week", name=op.f("pk_target_counts")),
    )
    op.create_index(op.f("ix_target_counts_week"), "target_counts", ["week"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_target_counts_week"), table_name="target_counts")
    op.drop_table("target_counts")
