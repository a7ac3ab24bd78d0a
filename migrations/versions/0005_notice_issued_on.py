"""notices.issued_on: the date the notice bears, which the clerk may set apart from the day it was
written (a change notice cites the year's notice by its number and this date)

Revision ID: 0005
Revises: 0004_directions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004_directions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.add_column(sa.Column("issued_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.drop_column("issued_on")
