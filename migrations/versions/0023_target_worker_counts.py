"""target worker counts: each grid worker's visits per ISO week, kept by the nightly targets job (issue 18)

A district's board counted 36,000 visits of 1,200 workers at every request (one index probe per worker,
most of the board's SQL time at 350k households); the nightly job now stores them beside the grids' counts,
so a stored week's board reads two small tables.

The weeks counted before this migration have no workers' rows, so they are dropped: ``target_counts`` is a
cache of what the registry holds, and the job ``targets.catch_up`` (within 5 minutes of the worker running;
``gridwork targets materialise`` does it by hand) counts the running week, the last complete one and the
trend's earlier weeks again.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "target_worker_counts",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("residential", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_target_worker_counts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "week", name=op.f("pk_target_worker_counts")),
    )
    op.create_index(op.f("ix_target_worker_counts_week"), "target_worker_counts", ["week"], unique=False)
    op.execute("DELETE FROM target_counts")  # counted without the workers' rows: recounted by the nightly job


def downgrade():
    op.drop_index(op.f("ix_target_worker_counts_week"), table_name="target_worker_counts")
    op.drop_table("target_worker_counts")
