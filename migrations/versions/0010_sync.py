"""sync: a change feed ordered by commit-time stamps (survives restore), feed epochs, residences follow their house

Revision ID: 0010
Revises: 0011
Create Date: 2026-11-25 15:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0011'
branch_labels = None
depends_on = None

# The feed was ordered by transaction id (xid). A fresh cluster hands out lower
# xids, so after a restore the order and the read horizon broke. Rows now get
# their place (pos) from one stamper at a time, after their transaction
# committed; pos and its sequence are ordinary data that pg_dump keeps. See
# docs/decisions/0010-feed-survives-restore.md.
POS_SEQUENCE = "CREATE SEQUENCE changes_pos_seq AS bigint CACHE 1 OWNED BY changes.pos"

# Rows already in the feed keep the order they had: (xid, seq). The ALTER TABLE
# below waits for every writer of `changes`, so all of them have committed.
PLACE_EXISTING = """
UPDATE changes c SET pos = o.pos
FROM (SELECT seq, row_number() OVER (ORDER BY xid, seq) AS pos FROM changes) o
WHERE c.seq = o.seq;
SELECT setval('changes_pos_seq', COALESCE((SELECT max(pos) FROM changes), 0) + 1, false);
"""

# A house that moves to another grid takes its residents along: phones of the
# old grid drop them, phones of the new grid receive them (the house itself is
# handled by feed_gridded_change).
HOUSE_MOVED = """
CREATE FUNCTION feed_house_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.grid_id IS DISTINCT FROM NEW.grid_id THEN
        INSERT INTO changes (entity_type, entity_id, grid_id, op)
            SELECT 'residence', r.id, OLD.grid_id, 'delete' FROM residences r WHERE r.house_id = NEW.id;
        INSERT INTO changes (entity_type, entity_id, grid_id, op)
            SELECT 'residence', r.id, NEW.grid_id, 'upsert' FROM residences r WHERE r.house_id = NEW.id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER feed_moved AFTER UPDATE OF grid_id ON houses FOR EACH ROW EXECUTE FUNCTION feed_house_moved();
"""
HOUSE_MOVED_DROP = "DROP TRIGGER feed_moved ON houses; DROP FUNCTION feed_house_moved();"


def upgrade() -> None:
    op.create_table('feed_epochs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_epochs'))
    )
    op.execute("INSERT INTO feed_epochs (id, reason) VALUES (gen_random_uuid(), 'migration 0010')")
    op.add_column('changes', sa.Column('pos', sa.BigInteger(), nullable=True))
    op.execute(POS_SEQUENCE)
    op.execute(PLACE_EXISTING)
    op.drop_index('ix_changes_grid_order', table_name='changes')
    op.drop_index('ix_changes_order', table_name='changes')
    op.drop_column('changes', 'xid')
    op.create_index('uq_changes_pos', 'changes', ['pos'], unique=True)
    op.create_index('ix_changes_grid_pos', 'changes', ['grid_id', 'pos'], unique=False)
    op.create_index('ix_changes_unplaced', 'changes', ['seq'], unique=False, postgresql_where=sa.text('pos IS NULL'))
    op.execute(HOUSE_MOVED)


def downgrade() -> None:
    op.execute(HOUSE_MOVED_DROP)
    op.drop_index('ix_changes_unplaced', table_name='changes', postgresql_where=sa.text('pos IS NULL'))
    op.drop_index('ix_changes_grid_pos', table_name='changes')
    op.drop_index('uq_changes_pos', table_name='changes')
    # the old order is by transaction id: every row gets this one, so seq orders them
    op.add_column('changes', sa.Column('xid', sa.BigInteger(), server_default=sa.text('pg_current_xact_id()::text::bigint'),
                                       nullable=False))
    op.drop_column('changes', 'pos')
    op.create_index('ix_changes_order', 'changes', ['xid', 'seq'], unique=False)
    op.create_index('ix_changes_grid_order', 'changes', ['grid_id', 'xid', 'seq'], unique=False)
    op.drop_table('feed_epochs')
