"""personal-data scans of resources

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 09:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import derek.core.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "personal_data_scan",
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("findings", json_type, nullable=False),
        sa.Column("rows_scanned", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("scanned_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", derek.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lawful_basis", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=36), nullable=True),
        sa.Column("reviewed_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_personal_data_scan_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["user.id"],
            name=op.f("fk_personal_data_scan_reviewed_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("resource_id", name=op.f("pk_personal_data_scan")),
    )


def downgrade() -> None:
    op.drop_table("personal_data_scan")
