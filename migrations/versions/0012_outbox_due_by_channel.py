"""the outbox's due index leads with the channel and ends with the id: a claim's order

Each channel claims its own due rows, oldest first (``ORDER BY next_attempt_at, id``). With the
index on ``next_attempt_at`` alone, a claim on a morning with tens of thousands of rows due at the
same minute read and sorted all of them to take 200; in the claim's own order it reads its batch
and stops.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.create_index(
            "ix_outbox_due",
            ["channel", "next_attempt_at", "id"],
            unique=False,
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.create_index(
            "ix_outbox_due",
            ["next_attempt_at"],
            unique=False,
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        )
