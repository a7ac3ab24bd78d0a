"""directions from a dialogue conference: a direction rests on a log row of a held session or on
a held dialogue, never both, never neither

The follow-up of directions is one list with one ">90 % on time" target (issue 18): a head's
direction on an opinion raised at a dialogue goes into the same table as one on a citizen's case.
``session_id``/``entry_id`` become nullable and ``dialogue_id`` is added; the CHECK keeps exactly
one source, so a row can never hang on nothing (the foreign keys have no ON DELETE: the dialogue
cannot be deleted under its directions).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ONE_SOURCE = (
    "(session_id IS NOT NULL AND entry_id IS NOT NULL AND dialogue_id IS NULL)"
    " OR (session_id IS NULL AND entry_id IS NULL AND dialogue_id IS NOT NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("directions") as batch_op:
        batch_op.add_column(sa.Column("dialogue_id", sa.Integer(), nullable=True))
        batch_op.alter_column("session_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("entry_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            op.f("fk_directions_dialogue_id_dialogues"), "dialogues", ["dialogue_id"], ["id"]
        )
        batch_op.create_check_constraint(op.f("ck_directions_one_source"), sa.text(ONE_SOURCE))
        batch_op.create_index("ix_directions_dialogue", ["dialogue_id"])


def downgrade() -> None:
    # A dialogue's directions cannot be expressed in the older schema: they go with it.
    op.execute("DELETE FROM directions WHERE dialogue_id IS NOT NULL")
    with op.batch_alter_table("directions") as batch_op:
        batch_op.drop_index("ix_directions_dialogue")
        batch_op.drop_constraint(op.f("ck_directions_one_source"), type_="check")
        batch_op.drop_constraint(op.f("fk_directions_dialogue_id_dialogues"), type_="foreignkey")
        batch_op.alter_column("entry_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("session_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("dialogue_id")
