"""harvest sources, records and runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import derek.core.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "harvest_source",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("schedule", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", derek.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_harvest_source_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_source")),
        sa.UniqueConstraint("name", name=op.f("uq_harvest_source_name")),
    )
    op.create_index(op.f("ix_harvest_source_organization_id"), "harvest_source", ["organization_id"])
    op.create_table(
        "harvest_record",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("remote_id", sa.String(length=200), nullable=False),
        sa.Column("remote_name", sa.String(length=200), nullable=False),
        sa.Column("remote_url", sa.String(length=2000), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("harvested_at", derek.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["harvest_source.id"],
            name=op.f("fk_harvest_record_source_id_harvest_source"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_harvest_record_dataset_id_dataset"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_record")),
        sa.UniqueConstraint("source_id", "remote_id", name=op.f("uq_harvest_record_source_id")),
    )
    op.create_index(op.f("ix_harvest_record_source_id"), "harvest_record", ["source_id"])
    op.create_index(op.f("ix_harvest_record_dataset_id"), "harvest_record", ["dataset_id"])
    op.create_table(
        "harvest_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", derek.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("errors", _json(), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["harvest_source.id"],
            name=op.f("fk_harvest_run_source_id_harvest_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_run")),
    )
    op.create_index(op.f("ix_harvest_run_source_id"), "harvest_run", ["source_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_harvest_run_source_id"), table_name="harvest_run")
    op.drop_table("harvest_run")
    op.drop_index(op.f("ix_harvest_record_dataset_id"), table_name="harvest_record")
    op.drop_index(op.f("ix_harvest_record_source_id"), table_name="harvest_record")
    op.drop_table("harvest_record")
    op.drop_index(op.f("ix_harvest_source_organization_id"), table_name="harvest_source")
    op.drop_table("harvest_source")
