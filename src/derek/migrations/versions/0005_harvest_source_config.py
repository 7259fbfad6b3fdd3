"""harvest source configuration (the datasets a data.egov.kz source mirrors)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("harvest_source") as batch:
        batch.add_column(sa.Column("config", json_type, nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table("harvest_source") as batch:
        batch.drop_column("config")
