"""an attempt's outbox row is not checked by a foreign key: the statement that writes it is the check

Every attempt row is written from its outbox row in the same statement (``INSERT ... SELECT id
FROM outbox WHERE ...``, ``scheduler/outbox/record.py`` and ``record_fast.py``), and no outbox row
is ever deleted; the foreign key asked the database again, for each row, what that statement had
just read. On PostgreSQL its check was a fifth of the server's CPU during a delivery (0.28 ms a
message with it, 0.23 ms without: part 1's 3,000 e-mails, six paired rounds on two databases of one
server, five of them lower without; 1,151 against 1,001 e-mails/s). The index on
``outbox_id`` stays: the desk and ``tiepdan outbox`` read a row's attempts by it.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_FK = "fk_delivery_attempts_outbox_id_outbox"


def upgrade() -> None:
    with op.batch_alter_table("delivery_attempts") as batch_op:
        batch_op.drop_constraint(_FK, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempts") as batch_op:
        batch_op.create_foreign_key(_FK, "outbox", ["outbox_id"], ["id"])
