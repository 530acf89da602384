"""bundle notices: a notice is for a case or for a construction project

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_notices_project_id"), ["project_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notices_project_id_projects"), "projects", ["project_id"], ["id"]
        )
        batch_op.create_check_constraint("case_or_project", "(case_id IS NULL) <> (project_id IS NULL)")


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notices_case_or_project"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_notices_project_id_projects"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notices_project_id"))
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("project_id")
