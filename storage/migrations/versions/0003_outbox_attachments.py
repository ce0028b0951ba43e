"""outbox: a picture or file carried with a proactive message

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("attachment_filename", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("attachment_data", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("attachment_data")
        batch_op.drop_column("attachment_filename")
        batch_op.drop_column("attachment_kind")
