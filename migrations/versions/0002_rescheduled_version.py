"""sessions.rescheduled_version: the version at which a session's date last changed

A change notice goes out once per reschedule; recording an outcome or booking a make-up also
bumps the version but is not a change of date.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.add_column(sa.Column("rescheduled_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.drop_column("rescheduled_version")
