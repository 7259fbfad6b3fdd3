"""jobs, the DataStore data dictionary, reading and report, and saved chart views

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 02:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import derek.core.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("params", _json(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("result", _json(), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", derek.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", derek.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_job_actor_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    op.create_index(op.f("ix_job_kind"), "job", ["kind"])
    op.create_index(op.f("ix_job_subject_id"), "job", ["subject_id"])
    op.create_index(op.f("ix_job_status"), "job", ["status"])
    with op.batch_alter_table("datastore_table") as batch:
        batch.add_column(sa.Column("source", sa.String(length=10), nullable=False, server_default="file"))
        batch.add_column(sa.Column("primary_key", _json(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("dictionary", _json(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("reading", _json(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("report", _json(), nullable=False, server_default="{}"))
    op.create_table(
        "datastore_view",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("config", _json(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", derek.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_datastore_view_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_datastore_view_created_by_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datastore_view")),
    )
    op.create_index(op.f("ix_datastore_view_resource_id"), "datastore_view", ["resource_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_datastore_view_resource_id"), table_name="datastore_view")
    op.drop_table("datastore_view")
    with op.batch_alter_table("datastore_table") as batch:
        for column in ("report", "reading", "dictionary", "primary_key", "source"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_job_status"), table_name="job")
    op.drop_index(op.f("ix_job_subject_id"), table_name="job")
    op.drop_index(op.f("ix_job_kind"), table_name="job")
    op.drop_table("job")
