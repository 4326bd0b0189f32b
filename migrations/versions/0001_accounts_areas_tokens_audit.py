"""accounts, areas, tokens, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 08:38:26.111964
"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


APPEND_ONLY = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('divisions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("level IN ('county', 'town', 'community')", name=op.f('ck_divisions_level')),
    sa.ForeignKeyConstraint(['parent_id'], ['divisions.id'], name=op.f('fk_divisions_parent_id_divisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_divisions')),
    sa.UniqueConstraint('code', name=op.f('uq_divisions_code'))
    )
    op.create_index(op.f('ix_divisions_parent_id'), 'divisions', ['parent_id'], unique=False)
    op.create_table('stations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stations')),
    sa.UniqueConstraint('code', name=op.f('uq_stations_code'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('community_id', sa.Uuid(), nullable=True),
    sa.Column('station_id', sa.Uuid(), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'police', 'committee', 'grid_worker', 'landlord')", name=op.f('ck_accounts_role')),
    sa.ForeignKeyConstraint(['community_id'], ['divisions.id'], name=op.f('fk_accounts_community_id_divisions')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_accounts_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('username', name=op.f('uq_accounts_username'))
    )
    op.create_index(op.f('ix_accounts_community_id'), 'accounts', ['community_id'], unique=False)
    op.create_index(op.f('ix_accounts_station_id'), 'accounts', ['station_id'], unique=False)
    op.create_geospatial_table('grids',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('community_id', sa.Uuid(), nullable=True),
    sa.Column('station_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['divisions.id'], name=op.f('fk_grids_community_id_divisions')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_grids_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grids')),
    sa.UniqueConstraint('code', name=op.f('uq_grids_code'))
    )
    op.create_geospatial_index('idx_grids_geom', 'grids', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_grids_community_id'), 'grids', ['community_id'], unique=False)
    op.create_index(op.f('ix_grids_station_id'), 'grids', ['station_id'], unique=False)
    op.create_table('account_grids',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('grid_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_grids_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_account_grids_grid_id_grids'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'grid_id', name=op.f('pk_account_grids'))
    )
    op.create_index(op.f('ix_account_grids_grid_id'), 'account_grids', ['grid_id'], unique=False)
    op.create_table('audit_events',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=True),
    sa.Column('subject_ids', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('fields', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('client_addr', postgresql.INET(), nullable=True),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_audit_events_actor_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    op.create_index('ix_audit_events_action_at', 'audit_events', ['action', 'at'], unique=False)
    op.create_index('ix_audit_events_actor_at', 'audit_events', ['actor_id', 'at'], unique=False)
    op.create_index('ix_audit_events_subject_ids', 'audit_events', ['subject_ids'], unique=False, postgresql_using='gin')
    op.create_table('tokens',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('device_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('web', 'device')", name=op.f('ck_tokens_kind')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_tokens_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_tokens_token_hash'))
    )
    op.create_index(op.f('ix_tokens_account_id'), 'tokens', ['account_id'], unique=False)
    op.execute(APPEND_ONLY)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
    op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_index(op.f('ix_tokens_account_id'), table_name='tokens')
    op.drop_table('tokens')
    op.drop_index('ix_audit_events_subject_ids', table_name='audit_events', postgresql_using='gin')
    op.drop_index('ix_audit_events_actor_at', table_name='audit_events')
    op.drop_index('ix_audit_events_action_at', table_name='audit_events')
    op.drop_table('audit_events')
    op.drop_index(op.f('ix_account_grids_grid_id'), table_name='account_grids')
    op.drop_table('account_grids')
    op.drop_index(op.f('ix_grids_station_id'), table_name='grids')
    op.drop_index(op.f('ix_grids_community_id'), table_name='grids')
    op.drop_geospatial_index('idx_grids_geom', table_name='grids', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('grids')
    op.drop_index(op.f('ix_accounts_station_id'), table_name='accounts')
    op.drop_index(op.f('ix_accounts_community_id'), table_name='accounts')
    op.drop_table('accounts')
    op.drop_table('stations')
    op.drop_index(op.f('ix_divisions_parent_id'), table_name='divisions')
    op.drop_table('divisions')
    # The extensions stay: other schemas in the database may use them.
