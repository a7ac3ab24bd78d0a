"""The outbox keeps an e-mail as it goes on the wire (its MIME), composed when it is queued

An e-mail is composed once, when its row is written (``scheduler/outbox/compose.py``): the
delivery then claims, sends the bytes and records, as a mail server's queue does. A retry sends the
same bytes (the same Date and boundary as well as the same Message-ID). Empty where the message is
composed at sending instead: no [email] server configured (the file channel), an address that
needs SMTPUTF8, rows queued before this revision. ASCII text (the MIME is 7-bit clean), compressed
with lz4 on PostgreSQL where the server has it, as the payload. A composed e-mail's payload keeps
only its subject and names; a downgrade puts the words of those still waiting back from the MIME.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import email
import email.policy
import json
import re

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


_PARTS = {"text/plain": "text", "text/html": "html", "text/calendar": "ics"}


def _words(wire: str) -> dict[str, str]:
    """The text, HTML and calendar of a composed e-mail, read back from its MIME (the calendar
    without the ORGANIZER and ATTENDEE composing added: the older code adds them when it builds)."""
    mime = email.message_from_string(wire, policy=email.policy.default)
    words: dict[str, str] = {}
    for part in mime.walk():
        kind = _PARTS.get(part.get_content_type())
        if kind and not part.is_multipart():
            words[kind] = part.get_content()
    if "ics" in words:
        # Unfold, drop the two properties, keep the rest's folding as written.
        lines = re.split(r"\r\n(?![ \t])", words["ics"])
        kept = [line for line in lines if not re.match(r"(ORGANIZER|ATTENDEE)[;:]", line)]
        words["ics"] = "\r\n".join(kept)
    return words


def downgrade() -> None:
    # Pending e-mails composed under this revision keep only their subject and names in the
    # payload: their words are put back from the MIME first, so that nothing waiting is lost.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, payload, wire FROM outbox WHERE wire IS NOT NULL AND status = 'pending'")
    ).all()
    for row_id, payload, wire in rows:
        data = {**json.loads(payload), **_words(wire)}
        bind.execute(
            sa.text("UPDATE outbox SET payload = :p WHERE id = :i"),
            {"p": json.dumps(data, ensure_ascii=False), "i": row_id},
        )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("wire")
