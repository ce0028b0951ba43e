"""outbox: claims by instance with heartbeats; each chat delivered by one live instance at a time

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-27 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_claimed_by"), ["claimed_by"], unique=False)
    op.create_table(
        "outbox_workers",
        sa.Column("instance", sa.String(length=128), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance", name=op.f("pk_outbox_workers")),
    )
    with op.batch_alter_table("outbox_workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_workers_heartbeat_at"), ["heartbeat_at"], unique=False)
    op.create_table(
        "outbox_routes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=True),
        sa.Column("resume_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_routes")),
        sa.UniqueConstraint("platform", "chat_id", name=op.f("uq_outbox_routes_platform")),
    )


def downgrade() -> None:
    op.drop_table("outbox_routes")
    with op.batch_alter_table("outbox_workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_workers_heartbeat_at"))
    op.drop_table("outbox_workers")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_claimed_by"))
        batch_op.drop_column("claimed_by")
