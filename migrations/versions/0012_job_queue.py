"""job queue: procrastinate's schema

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-07 16:55:00
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = "0013"
branch_labels = None
depends_on = None

# procrastinate's own schema (decision 0017), copied from the package version we lock
# (procrastinate/sql/schema.sql of 3.10.0), so this migration means the same thing whatever is installed
# later. Its tables (procrastinate_jobs, _workers, _events, _periodic_defers) are not in our models;
# server/store/migrate.include_object leaves tables the models do not know out of autogenerate.
# A later procrastinate release that changes the schema ships SQL migrations
# (procrastinate/sql/migrations/): apply those in a new Alembic revision when upgrading the lock.
SCHEMA = Path(__file__).resolve().parent.parent / "procrastinate" / "schema-3.10.0.sql"

DROP = """
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
        EXECUTE 'DROP FUNCTION ' || f.sig || ' CASCADE';
    END LOOP;
END $$;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type, procrastinate_job_status CASCADE;
"""


def _run(sql: str) -> None:
    # straight to psycopg without parameters: the SQL's own '%' (in RAISE messages) is not a placeholder
    op.get_bind().connection.driver_connection.execute(sql)


def upgrade() -> None:
    _run(SCHEMA.read_text(encoding="utf-8"))
    # photos: derivatives and evidence now come from the photos.derive job; rows before this are ready
    op.add_column('photos', sa.Column('processing', sa.String(length=8), server_default='ready', nullable=False))
    op.add_column('photos', sa.Column('processing_error', sa.String(length=40), nullable=True))
    op.add_column('photos', sa.Column('upload_key', sa.String(length=200), nullable=True))
    op.create_check_constraint(
        op.f('ck_photos_processing'), 'photos', "processing IN ('queued', 'ready', 'failed')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f('ck_photos_processing'), 'photos', type_='check')
    op.drop_column('photos', 'upload_key')
    op.drop_column('photos', 'processing_error')
    op.drop_column('photos', 'processing')
    _run(DROP)
