"""construction projects

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_no", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("developer_name", sa.String(length=200), nullable=False),
        sa.Column("developer_uscc", sa.String(length=18), nullable=False),
        sa.Column("division", sa.String(length=6), nullable=False),
        sa.Column("project_type", sa.String(length=16), nullable=False),
        sa.Column("declared_params", sa.JSON(), nullable=False),
        sa.Column("payer_flags", sa.JSON(), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("project_no", name=op.f("uq_projects_project_no")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_developer_uscc"), ["developer_uscc"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_developer_uscc"))
    op.drop_table("projects")
