"""one active session per unit and day; who received (the head in person or someone else), the form

- ``ux_sessions_active_day``: a partial unique index on (unit_id, date) over the active statuses
  (planned, held). Two clerks booking make-ups of different sessions onto one day, or a move onto
  a day another clerk just gave an ad hoc session, cannot both win: the database refuses the
  second, on SQLite and PostgreSQL alike (a check-then-insert cannot hold under concurrency).
- ``received_in_person``: true when the head received in person (người đứng đầu trực tiếp tiếp),
  false when someone else received (người khác tiếp thay: ``received_by`` is that person's name,
  ``received_title`` their title); null when not recorded. Rows recorded before this revision
  keep their free text in ``received_by`` and a null here: the reports read such a row as in
  person when the text is the head's own name (the configuration knows it, not the migration).
- ``form``: how the session was held: ``in_person``, ``online`` or ``both`` (from 1/7/2026 a
  session may be held online); null when not recorded.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('planned', 'held')"


def upgrade() -> None:
    conn = op.get_bind()
    clash = conn.execute(
        sa.text(
            f"SELECT unit_id, date, COUNT(*) FROM sessions WHERE {ACTIVE} "
            "GROUP BY unit_id, date HAVING COUNT(*) > 1 ORDER BY unit_id, date LIMIT 5"
        )
    ).all()
    if clash:
        from rules import ConfigError

        listed = ", ".join(f"{u} ngày {d}" for u, d, _ in clash)
        raise ConfigError(
            "database: không nâng cấp được: có đơn vị có hai buổi tiếp còn hiệu lực trong cùng một ngày "
            f"({listed}); vui lòng hoãn hoặc dời một buổi rồi chạy lại tiepdan db upgrade"
        )
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.add_column(sa.Column("received_in_person", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("received_title", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("form", sa.String(length=10), nullable=True))
    op.create_index(
        "ux_sessions_active_day",
        "sessions",
        ["unit_id", "date"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    op.drop_index("ux_sessions_active_day", table_name="sessions")
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.drop_column("form")
        batch_op.drop_column("received_title")
        batch_op.drop_column("received_in_person")
