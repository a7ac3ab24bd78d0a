"""Dialogue conferences (hội nghị tiếp xúc, đối thoại): a table beside the sessions, keyed by the
same unit id.

Revision ID: 0009
Revises: 0008
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
        "dialogues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("form", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=True),
        sa.Column("end", sa.String(length=5), nullable=True),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("online_url", sa.Text(), nullable=False),
        sa.Column("co_organisers", sa.Text(), nullable=False),
        sa.Column("lead_agency", sa.Text(), nullable=False),
        sa.Column("coordinating", sa.Text(), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=True),
        sa.Column("mttq_opinions", sa.Integer(), nullable=True),
        sa.Column("mttq_summary", sa.Text(), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=True),
        sa.Column("opinions_raised", sa.Integer(), nullable=True),
        sa.Column("opinions_answered", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=10), nullable=False),
        sa.Column("voters_asked", sa.Integer(), nullable=True),
        sa.Column("voters_total", sa.Integer(), nullable=True),
        sa.Column("trigger_reason", sa.Text(), nullable=False),
        sa.Column("hold_by", sa.Date(), nullable=True),
        sa.Column("conclusion_number", sa.String(length=100), nullable=False),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogues")),
    )
    op.create_index("ix_dialogues_unit_held_on", "dialogues", ["unit_id", "held_on"])


def downgrade() -> None:
    op.drop_index("ix_dialogues_unit_held_on", table_name="dialogues")
    op.drop_table("dialogues")
