"""stored quality per dataset: metadata score, stars, broken links and update schedule

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import derek.core.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "dataset_quality",
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("computed_generation", sa.Integer(), nullable=False),
        sa.Column("computed_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("dimensions", json_type, nullable=False),
        sa.Column("missed", json_type, nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("resources", sa.Integer(), nullable=False),
        sa.Column("broken_links", sa.Integer(), nullable=False),
        sa.Column("dcat_violations", sa.Integer(), nullable=False),
        sa.Column("last_change", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_soon_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_dataset_quality_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_dataset_quality")),
    )
    op.create_index("ix_dataset_quality_due_at", "dataset_quality", ["due_at"])
    op.create_index("ix_dataset_quality_rating", "dataset_quality", ["rating"])
    op.create_index("ix_dataset_quality_stars", "dataset_quality", ["stars"])
    op.create_index("ix_dataset_quality_stale", "dataset_quality", ["computed_generation", "generation"])


def downgrade() -> None:
    op.drop_table("dataset_quality")
