"""reuse: use cases with their datasets, screenshots and liveness checks; ideas with supports and comments;
surveys with questions, one-time codes and responses

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 18:10:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import derek.core.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    when = derek.core.db.UTCDateTime(timezone=True)
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", json_type, nullable=False),
        sa.Column("description", json_type, nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("access", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("results_public", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("opened_at", when, nullable=True),
        sa.Column("closed_at", when, nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_survey_created_by_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_survey_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
    )
    op.create_index(op.f("ix_survey_organization_id"), "survey", ["organization_id"], unique=False)
    op.create_table(
        "use_case",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", json_type, nullable=False),
        sa.Column("description", json_type, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("store_links", json_type, nullable=False),
        sa.Column("topics", json_type, nullable=False),
        sa.Column("author", sa.String(length=300), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("submitted_by", sa.String(length=36), nullable=True),
        sa.Column("prototype", sa.Boolean(), nullable=False),
        sa.Column("moderation", sa.String(length=20), nullable=False),
        sa.Column("moderation_note", sa.Text(), nullable=False),
        sa.Column("liveness", sa.String(length=20), nullable=False),
        sa.Column("liveness_note", sa.Text(), nullable=False),
        sa.Column("dead_since", when, nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("checked_at", when, nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["user.id"], name=op.f("fk_use_case_submitted_by_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_use_case")),
    )
    op.create_index(op.f("ix_use_case_liveness"), "use_case", ["liveness"], unique=False)
    op.create_index(op.f("ix_use_case_submitted_by"), "use_case", ["submitted_by"], unique=False)
    op.create_table(
        "idea",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("keywords", json_type, nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("moderation_note", sa.Text(), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_idea_author_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["dataset.id"], name=op.f("fk_idea_dataset_id_dataset"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_idea_organization_id_organization"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea")),
    )
    op.create_index(op.f("ix_idea_author_id"), "idea", ["author_id"], unique=False)
    op.create_index(op.f("ix_idea_organization_id"), "idea", ["organization_id"], unique=False)
    op.create_index(op.f("ix_idea_status"), "idea", ["status"], unique=False)
    op.create_table(
        "survey_code",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("used_at", when, nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_code_survey_id_survey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_survey_code_code_hash")),
    )
    op.create_index(op.f("ix_survey_code_survey_id"), "survey_code", ["survey_id"], unique=False)
    op.create_table(
        "survey_question",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", json_type, nullable=False),
        sa.Column("options", json_type, nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_question_survey_id_survey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_question")),
    )
    op.create_index(op.f("ix_survey_question_survey_id"), "survey_question", ["survey_id"], unique=False)
    op.create_table(
        "use_case_check",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("checked_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["use_case_id"],
            ["use_case.id"],
            name=op.f("fk_use_case_check_use_case_id_use_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_use_case_check")),
    )
    op.create_index(op.f("ix_use_case_check_checked_at"), "use_case_check", ["checked_at"], unique=False)
    op.create_index(op.f("ix_use_case_check_use_case_id"), "use_case_check", ["use_case_id"], unique=False)
    op.create_table(
        "use_case_dataset",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_use_case_dataset_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["use_case_id"],
            ["use_case.id"],
            name=op.f("fk_use_case_dataset_use_case_id_use_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_use_case_dataset")),
        sa.UniqueConstraint("use_case_id", "dataset_id", name="uq_use_case_dataset"),
    )
    op.create_index(op.f("ix_use_case_dataset_dataset_id"), "use_case_dataset", ["dataset_id"], unique=False)
    op.create_index(
        op.f("ix_use_case_dataset_use_case_id"), "use_case_dataset", ["use_case_id"], unique=False
    )
    op.create_table(
        "use_case_screenshot",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("caption", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["use_case_id"],
            ["use_case.id"],
            name=op.f("fk_use_case_screenshot_use_case_id_use_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_use_case_screenshot")),
    )
    op.create_index(
        op.f("ix_use_case_screenshot_use_case_id"), "use_case_screenshot", ["use_case_id"], unique=False
    )
    op.create_table(
        "idea_comment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_idea_comment_author_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["idea.id"], name=op.f("fk_idea_comment_idea_id_idea"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_comment")),
    )
    op.create_index(op.f("ix_idea_comment_idea_id"), "idea_comment", ["idea_id"], unique=False)
    op.create_table(
        "idea_support",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["idea.id"], name=op.f("fk_idea_support_idea_id_idea"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_idea_support_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_support")),
        sa.UniqueConstraint("idea_id", "user_id", name="uq_idea_support_person"),
    )
    op.create_index(op.f("ix_idea_support_at"), "idea_support", ["at"], unique=False)
    op.create_index(op.f("ix_idea_support_idea_id"), "idea_support", ["idea_id"], unique=False)
    op.create_index(op.f("ix_idea_support_user_id"), "idea_support", ["user_id"], unique=False)
    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("code_id", sa.Integer(), nullable=True),
        sa.Column("answers", json_type, nullable=False),
        sa.Column("submitted_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["survey_code.id"],
            name=op.f("fk_survey_response_code_id_survey_code"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_response_survey_id_survey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_survey_response_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
        sa.UniqueConstraint("code_id", name="uq_survey_response_code"),
        sa.UniqueConstraint("survey_id", "user_id", name="uq_survey_response_person"),
    )
    op.create_index(op.f("ix_survey_response_survey_id"), "survey_response", ["survey_id"], unique=False)


def downgrade() -> None:
    op.drop_table("survey_response")
    op.drop_table("idea_support")
    op.drop_table("idea_comment")
    op.drop_table("use_case_screenshot")
    op.drop_table("use_case_dataset")
    op.drop_table("use_case_check")
    op.drop_table("survey_question")
    op.drop_table("survey_code")
    op.drop_table("idea")
    op.drop_table("use_case")
    op.drop_table("survey")
