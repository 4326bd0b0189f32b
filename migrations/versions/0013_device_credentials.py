"""device credentials for ODK Collect

Revision ID: 0013
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_credentials",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("ha1", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_device_credentials_account_id_accounts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["accounts.id"], name=op.f("fk_device_credentials_created_by_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_credentials")),
        sa.UniqueConstraint("username", name=op.f("uq_device_credentials_username")),
    )
    op.create_index(op.f("ix_device_credentials_account_id"), "device_credentials", ["account_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_device_credentials_account_id"), table_name="device_credentials")
    op.drop_table("device_credentials")
