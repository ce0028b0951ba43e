"""inbox: verified inbound messages stored before they are acknowledged

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("chat_name", sa.String(length=200), nullable=False),
        sa.Column("mentions", sa.JSON(), nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("channel_kind", sa.String(length=32), nullable=True),
        sa.Column("channel_address", sa.Text(), nullable=True),
        sa.Column("channel_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("reply_ok", sa.Boolean(), nullable=False),
        sa.Column("mention_user_ids", sa.JSON(), nullable=False),
        sa.Column("answer_route", sa.String(length=16), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("platform", "message_id", name=op.f("uq_inbox_platform")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_status"))
    op.drop_table("inbox")
