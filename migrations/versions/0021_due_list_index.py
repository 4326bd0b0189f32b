"""due lists: the (role, due date) index carries grid_id, so an officer's page is read from the index alone (issue 17)

The police due list walks the police obligations in due-date order and keeps those of the
officer's grids. Without grid_id in the index every row walked was a heap visit (12,361 of them
for a 40,000-household station of a 350,000-household district: 50 ms); with it the walk is an
index-only scan (4 ms). See docs/performance.md, "Due lists and summaries".

Revision ID: 0021
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_inspection_dues_role_due_grid",
        "inspection_dues",
        ["role", "due_on", "id"],
        unique=False,
        postgresql_include=["grid_id"],
        postgresql_where=sa.text("due_on IS NOT NULL"),
    )
    op.drop_index("ix_inspection_dues_role_due", table_name="inspection_dues", postgresql_where=sa.text("due_on IS NOT NULL"))


def downgrade():
    op.create_index(
        "ix_inspection_dues_role_due",
        "inspection_dues",
        ["role", "due_on", "id"],
        unique=False,
        postgresql_where=sa.text("due_on IS NOT NULL"),
    )
    op.drop_index(
        "ix_inspection_dues_role_due_grid", table_name="inspection_dues", postgresql_where=sa.text("due_on IS NOT NULL")
    )
