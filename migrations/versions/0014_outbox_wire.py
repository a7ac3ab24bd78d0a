"""The outbox keeps an e-mail as it goes on the wire (its MIME), composed when it is queued

An e-mail is composed once, when its row is written (``scheduler/outbox/compose.py``): the
delivery then claims, sends the bytes and records, as a mail server's queue does. A retry sends the
same bytes (the same Date and boundary as well as the same Message-ID). Empty where the message is
composed at sending instead: no [email] server configured (the file channel), an address that
needs SMTPUTF8, rows queued before this revision. ASCII text (the MIME is 7-bit clean), compressed
with lz4 on PostgreSQL where the server has it, as the payload.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("wire", sa.Text(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        has = bind.execute(
            sa.text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        ).scalar()
        if has:
            op.execute("ALTER TABLE outbox ALTER COLUMN wire SET COMPRESSION lz4")


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("wire")
