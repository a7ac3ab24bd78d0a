"""a postponed dialogue keeps the day it was postponed from and the version that postponed it

``tiepdan dialogue postpone`` (hoãn) either leaves a dialogue postponed with no day yet, or moves
it to a new day. The people already told are told once of that change, naming the old day: the
old day is kept in ``postponed_from`` and the change's version in ``postponed_version`` (the
outbox key of the message, so a later change — its notice recorded — is not told again).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dialogues") as batch_op:
        batch_op.add_column(sa.Column("postponed_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("postponed_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dialogues") as batch_op:
        batch_op.drop_column("postponed_version")
        batch_op.drop_column("postponed_from")
