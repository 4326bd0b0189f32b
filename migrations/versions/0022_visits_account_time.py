"""visits by worker and time: the targets board counts each grid worker's visits of one week (issue 18)

The single-column index on visits.account_id made the board read every visit of the district (a parallel
sequential scan of 700,000 rows at 350k households, 300-400 ms); (account_id, visited_at) with the columns the
count filters on reads only the week's visits of each worker, from the index alone. It also serves what the
old index served (lookups by account).

Revision ID: 0022
Revises: 0021
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_visits_account_time",
        "visits",
        ["account_id", "visited_at"],
        unique=False,
        postgresql_include=["kind", "outcome", "subject_type"],
    )
    op.drop_index("ix_visits_account_id", table_name="visits")


def downgrade():
    op.create_index("ix_visits_account_id", "visits", ["account_id"], unique=False)
    op.drop_index("ix_visits_account_time", table_name="visits")
