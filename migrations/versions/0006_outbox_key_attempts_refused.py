"""outbox: key columns that mean what they say, attempts on record before and after, refused addresses

- ``outbox.day`` (the day a daily alert is for, ISO; '' for others) and ``outbox.state`` (the
  state an alert tells, e.g. a period's counts; '' for others) join the unique key, so that
  ``lead`` is only ever a lead time in days and ``version`` only ever the session's version.
  Rows of before are moved: a make-up alert's day out of ``lead``, a period alert's counts out
  of ``version``.
- ``outbox.claimed_by``: which deliverer holds the lease (it renews only its own).
- ``delivery_attempts.result``, ``duration_ms``, ``deliverer``: an attempt is written when it
  starts and completed when it ends.
- ``refused_recipients``: an address the server refused permanently; not tried again until the
  configuration changes it.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_KEY = "uq_outbox_subject_version_purpose_lead_channel_recipient"
NEW_KEY = "uq_outbox_key"  # the convention would name it past PostgreSQL's 63 characters


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("day", sa.String(length=10), nullable=False, server_default=""))
        batch.add_column(sa.Column("state", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("claimed_by", sa.String(length=40), nullable=True))
        batch.drop_constraint(OLD_KEY, type_="unique")
        batch.create_unique_constraint(
            NEW_KEY, ["subject", "version", "purpose", "lead", "day", "state", "channel", "recipient"]
        )
    conn = op.get_bind()
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer),
        sa.column("purpose", sa.String),
        sa.column("lead", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("day", sa.String),
        sa.column("state", sa.String),
    )
    for row in conn.execute(sa.select(outbox).where(outbox.c.purpose == "makeup_alert", outbox.c.lead > 366)):
        conn.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(lead=0, day=date.fromordinal(row.lead).isoformat())
        )
    for row in conn.execute(sa.select(outbox).where(outbox.c.purpose == "at_risk")):
        conn.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(version=0, state=f"held={row.version // 1000} planned={row.version % 1000}")
        )
    with op.batch_alter_table("outbox") as batch:
        # The default only filled the rows of before; new rows always say their day and state.
        batch.alter_column("day", server_default=None, existing_type=sa.String(length=10))
        batch.alter_column("state", server_default=None, existing_type=sa.Text())
    with op.batch_alter_table("delivery_attempts") as batch:
        batch.add_column(sa.Column("result", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("duration_ms", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("deliverer", sa.String(length=40), nullable=True))
    op.create_table(
        "refused_recipients",
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("channel", "address", name=op.f("pk_refused_recipients")),
    )


def downgrade() -> None:
    op.drop_table("refused_recipients")
    with op.batch_alter_table("delivery_attempts") as batch:
        batch.drop_column("deliverer")
        batch.drop_column("duration_ms")
        batch.drop_column("result")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(NEW_KEY, type_="unique")
        batch.create_unique_constraint(
            OLD_KEY, ["subject", "version", "purpose", "lead", "channel", "recipient"]
        )
        batch.drop_column("claimed_by")
        batch.drop_column("state")
        batch.drop_column("day")
