"""directions: the head's directions on each case of the log, their follow-up, and the
conclusion notice's number and date (issue 17)

Revision ID: 0004_directions
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_directions"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("limit_id", sa.String(length=60), nullable=False),
        sa.Column("limit_days", sa.Integer(), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["log_entries.id"], name=op.f("fk_directions_entry_id_log_entries")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_directions_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directions")),
    )
    op.create_index("ix_directions_unit_due", "directions", ["unit_id", "due"])
    op.create_index("ix_directions_session", "directions", ["session_id"])
    op.create_index("ix_directions_entry", "directions", ["entry_id"])
    op.create_table(
        "conclusion_notices",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_conclusion_notices_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_conclusion_notices")),
    )


def downgrade() -> None:
    op.drop_table("conclusion_notices")
    op.drop_index("ix_directions_entry", table_name="directions")
    op.drop_index("ix_directions_session", table_name="directions")
    op.drop_index("ix_directions_unit_due", table_name="directions")
    op.drop_table("directions")
