"""learning from use: labelled examples and milestone synonyms added in chat; imported calendar years

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-27 14:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "labelled_examples",
        sa.Column("id", _ID, nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reference_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("replacement_text", sa.Text(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labelled_examples")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_labelled_examples_dedupe_key")),
    )
    op.create_table(
        "milestone_synonyms",
        sa.Column("id", _ID, nullable=False),
        sa.Column("word", sa.String(length=32), nullable=False),
        sa.Column("milestone", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_synonyms")),
        sa.UniqueConstraint("word", name=op.f("uq_milestone_synonyms_word")),
    )
    op.create_table(
        "calendar_days",
        sa.Column("id", _ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("off", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_days_day")),
    )
    op.create_index(op.f("ix_calendar_days_year"), "calendar_days", ["year"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_days_year"), table_name="calendar_days")
    op.drop_table("calendar_days")
    op.drop_table("milestone_synonyms")
    op.drop_table("labelled_examples")
