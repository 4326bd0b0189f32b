"""sync: submissions, conflicts, change feed, record versions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:16:12.008068
"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


# The change feed is written by the database itself, so no code path (API,
# submissions, seeding, a hand-run SQL fix) can change a record phones keep
# without phones hearing of it. See docs/decisions/0003-change-feed.md.
FEED_TRIGGERS = """
CREATE FUNCTION feed_gridded_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO changes (entity_type, entity_id, grid_id, op) VALUES (TG_ARGV[0], OLD.id, OLD.grid_id, 'delete');
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.grid_id IS DISTINCT FROM NEW.grid_id THEN
        -- it left a grid: phones of that grid must drop it
        INSERT INTO changes (entity_type, entity_id, grid_id, op) VALUES (TG_ARGV[0], OLD.id, OLD.grid_id, 'delete');
    END IF;
    INSERT INTO changes (entity_type, entity_id, grid_id, op) VALUES (TG_ARGV[0], NEW.id, NEW.grid_id, 'upsert');
    RETURN NEW;
END $$;

CREATE FUNCTION feed_residence_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO changes (entity_type, entity_id, grid_id, op)
            SELECT 'residence', OLD.id, h.grid_id, 'delete' FROM houses h WHERE h.id = OLD.house_id;
        RETURN OLD;
    END IF;
    INSERT INTO changes (entity_type, entity_id, grid_id, op)
        SELECT 'residence', NEW.id, h.grid_id, 'upsert' FROM houses h WHERE h.id = NEW.house_id;
    RETURN NEW;
END $$;

CREATE FUNCTION feed_person_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- phones hold people as residents: re-send each residence of this person
    INSERT INTO changes (entity_type, entity_id, grid_id, op)
        SELECT 'residence', r.id, h.grid_id, 'upsert'
        FROM residences r JOIN houses h ON h.id = r.house_id WHERE r.person_id = NEW.id;
    RETURN NEW;
END $$;

CREATE TRIGGER feed AFTER INSERT OR UPDATE OR DELETE ON addresses FOR EACH ROW EXECUTE FUNCTION feed_gridded_change('address');
CREATE TRIGGER feed AFTER INSERT OR UPDATE OR DELETE ON houses FOR EACH ROW EXECUTE FUNCTION feed_gridded_change('house');
CREATE TRIGGER feed AFTER INSERT OR UPDATE OR DELETE ON units FOR EACH ROW EXECUTE FUNCTION feed_gridded_change('unit');
CREATE TRIGGER feed AFTER INSERT OR UPDATE OR DELETE ON conflicts FOR EACH ROW EXECUTE FUNCTION feed_gridded_change('conflict');
CREATE TRIGGER feed AFTER INSERT OR UPDATE OR DELETE ON residences FOR EACH ROW EXECUTE FUNCTION feed_residence_change();
CREATE TRIGGER feed AFTER UPDATE ON persons FOR EACH ROW EXECUTE FUNCTION feed_person_change();
"""

FEED_DROP = """
DROP TRIGGER feed ON persons; DROP TRIGGER feed ON residences; DROP TRIGGER feed ON conflicts;
DROP TRIGGER feed ON units; DROP TRIGGER feed ON houses; DROP TRIGGER feed ON addresses;
DROP FUNCTION feed_person_change(); DROP FUNCTION feed_residence_change(); DROP FUNCTION feed_gridded_change();
"""


def upgrade() -> None:
    op.create_table('changes',
    sa.Column('seq', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('xid', sa.BigInteger(), server_default=sa.text('pg_current_xact_id()::text::bigint'), nullable=False),
    sa.Column('entity_type', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('grid_id', sa.Uuid(), nullable=True),
    sa.Column('op', sa.String(length=8), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.CheckConstraint("op IN ('upsert', 'delete')", name=op.f('ck_changes_op')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_changes'))
    )
    op.create_index('ix_changes_grid_order', 'changes', ['grid_id', 'xid', 'seq'], unique=False)
    op.create_index('ix_changes_order', 'changes', ['xid', 'seq'], unique=False)
    op.create_geospatial_table('submissions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('deprecated_id', sa.Uuid(), nullable=True),
    sa.Column('superseded_by', sa.Uuid(), nullable=True),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.String(length=32), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=True),
    sa.Column('grid_id', sa.Uuid(), nullable=True),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('device_id', sa.String(length=100), nullable=True),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('server_received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('device_clock_skew_s', sa.Integer(), nullable=True),
    sa.Column('location_accuracy_m', sa.Double(), nullable=True),
    sa.Column('location_captured_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('base_versions', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('attachments', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('flags', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('result', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_submissions_account_id_accounts')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_submissions_grid_id_grids')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('deprecated_id', name=op.f('uq_submissions_deprecated_id')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_submissions_instance_id'))
    )
    op.create_index(op.f('ix_submissions_account_id'), 'submissions', ['account_id'], unique=False)
    op.create_index('ix_submissions_grid_received', 'submissions', ['grid_id', 'server_received_at'], unique=False)
    op.create_index('ix_submissions_subject', 'submissions', ['subject_type', 'subject_id'], unique=False)
    op.create_table('attachments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['submissions.instance_id'], name=op.f('fk_attachments_instance_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('instance_id', 'name', name='uq_attachments_instance_name')
    )
    op.create_table('conflicts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('record_type', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('grid_id', sa.Uuid(), nullable=True),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('properties', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.String(length=8), server_default='open', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Uuid(), nullable=True),
    sa.Column('resolution', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f('ck_conflicts_status')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_conflicts_grid_id_grids')),
    sa.ForeignKeyConstraint(['instance_id'], ['submissions.instance_id'], name=op.f('fk_conflicts_instance_id_submissions')),
    sa.ForeignKeyConstraint(['resolved_by'], ['accounts.id'], name=op.f('fk_conflicts_resolved_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflicts'))
    )
    op.create_index(op.f('ix_conflicts_instance_id'), 'conflicts', ['instance_id'], unique=False)
    op.create_index('ix_conflicts_open', 'conflicts', ['grid_id'], unique=False, postgresql_where=sa.text("status = 'open'"))
    op.add_column('addresses', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('houses', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('persons', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('residences', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('units', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.execute(FEED_TRIGGERS)


def downgrade() -> None:
    op.execute(FEED_DROP)
    op.drop_column('units', 'version')
    op.drop_column('residences', 'version')
    op.drop_column('persons', 'version')
    op.drop_column('houses', 'version')
    op.drop_column('addresses', 'version')
    op.drop_index('ix_conflicts_open', table_name='conflicts', postgresql_where=sa.text("status = 'open'"))
    op.drop_index(op.f('ix_conflicts_instance_id'), table_name='conflicts')
    op.drop_table('conflicts')
    op.drop_table('attachments')
    op.drop_index('ix_submissions_subject', table_name='submissions')
    op.drop_index('ix_submissions_grid_received', table_name='submissions')
    op.drop_index(op.f('ix_submissions_account_id'), table_name='submissions')
    op.drop_geospatial_table('submissions')
    op.drop_index('ix_changes_order', table_name='changes')
    op.drop_index('ix_changes_grid_order', table_name='changes')
    op.drop_table('changes')
