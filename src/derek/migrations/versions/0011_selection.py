"""dataset selection: data holdings, proposals, supports, assessments, consultation records, the Commission's
sessions, agenda, votes and conflicts of interest, the unified list's versions and items, and the search log

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 15:10:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import derek.core.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    when = derek.core.db.UTCDateTime(timezone=True)
    op.create_table(
        "search_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_log")),
        sa.UniqueConstraint("day", "query", name="uq_search_log_day_query"),
    )
    op.create_index(op.f("ix_search_log_day"), "search_log", ["day"], unique=False)
    op.create_table(
        "commission_session",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closed_at", when, nullable=True),
        sa.Column("members", json_type, nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
            name=op.f("fk_commission_session_created_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_session")),
        sa.UniqueConstraint("number", name=op.f("uq_commission_session_number")),
    )
    op.create_table(
        "open_list_version",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("act_title", sa.String(length=300), nullable=False),
        sa.Column("act_number", sa.String(length=100), nullable=False),
        sa.Column("act_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("approved_at", when, nullable=True),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["user.id"],
            name=op.f("fk_open_list_version_approved_by_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
            name=op.f("fk_open_list_version_created_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_list_version")),
        sa.UniqueConstraint("number", name=op.f("uq_open_list_version_number")),
    )
    op.create_table(
        "data_holding",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("information_system", sa.String(length=300), nullable=False),
        sa.Column("access", sa.String(length=20), nullable=False),
        sa.Column("access_basis", sa.String(length=500), nullable=False),
        sa.Column("formats", sa.String(length=200), nullable=False),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("machine_readable", sa.Boolean(), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_data_holding_created_by_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_data_holding_dataset_id_dataset"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_data_holding_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_holding")),
    )
    op.create_index(
        op.f("ix_data_holding_organization_id"), "data_holding", ["organization_id"], unique=False
    )
    op.create_table(
        "open_list_fulfilment",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=True),
        sa.Column("linked_by", sa.String(length=36), nullable=True),
        sa.Column("linked_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_open_list_fulfilment_dataset_id_dataset"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["linked_by"],
            ["user.id"],
            name=op.f("fk_open_list_fulfilment_linked_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_open_list_fulfilment")),
    )
    op.create_table(
        "proposal",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("holding_id", sa.String(length=36), nullable=True),
        sa.Column("proposer_id", sa.String(length=36), nullable=True),
        sa.Column("keywords", json_type, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("criteria", json_type, nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("recommendation", sa.String(length=20), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["holding_id"],
            ["data_holding.id"],
            name=op.f("fk_proposal_holding_id_data_holding"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_proposal_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposer_id"], ["user.id"], name=op.f("fk_proposal_proposer_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
        sa.UniqueConstraint("number", name=op.f("uq_proposal_number")),
    )
    op.create_index(op.f("ix_proposal_organization_id"), "proposal", ["organization_id"], unique=False)
    op.create_index(op.f("ix_proposal_status"), "proposal", ["status"], unique=False)
    op.create_table(
        "commission_agenda_item",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_at", when, nullable=True),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("facts", json_type, nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["user.id"],
            name=op.f("fk_commission_agenda_item_decided_by_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_commission_agenda_item_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["commission_session.id"],
            name=op.f("fk_commission_agenda_item_session_id_commission_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_agenda_item")),
        sa.UniqueConstraint("session_id", "proposal_id", name="uq_agenda_item_proposal"),
    )
    op.create_index(
        op.f("ix_commission_agenda_item_proposal_id"), "commission_agenda_item", ["proposal_id"], unique=False
    )
    op.create_index(
        op.f("ix_commission_agenda_item_session_id"), "commission_agenda_item", ["session_id"], unique=False
    )
    op.create_table(
        "consultation_record",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("submitted_by", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("check", sa.String(length=20), nullable=False),
        sa.Column("entered_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by"],
            ["user.id"],
            name=op.f("fk_consultation_record_entered_by_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_consultation_record_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_record")),
    )
    op.create_index(
        op.f("ix_consultation_record_proposal_id"), "consultation_record", ["proposal_id"], unique=False
    )
    op.create_table(
        "open_list_item",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("update_frequency", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_open_list_item_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_open_list_item_proposal_id_proposal"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["open_list_version.id"],
            name=op.f("fk_open_list_item_version_id_open_list_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_list_item")),
        sa.UniqueConstraint("version_id", "code", name="uq_open_list_item_code"),
    )
    op.create_index(op.f("ix_open_list_item_version_id"), "open_list_item", ["version_id"], unique=False)
    op.create_table(
        "proposal_assessment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("criteria", json_type, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("recommendation", sa.String(length=20), nullable=False),
        sa.Column("suggested", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_proposal_assessment_actor_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_assessment_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_assessment")),
    )
    op.create_index(
        op.f("ix_proposal_assessment_proposal_id"), "proposal_assessment", ["proposal_id"], unique=False
    )
    op.create_table(
        "proposal_support",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_support_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_proposal_support_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_support")),
        sa.UniqueConstraint("proposal_id", "user_id", name="uq_proposal_support_person"),
    )
    op.create_index(
        op.f("ix_proposal_support_proposal_id"), "proposal_support", ["proposal_id"], unique=False
    )
    op.create_table(
        "commission_conflict",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["commission_agenda_item.id"],
            name=op.f("fk_commission_conflict_item_id_commission_agenda_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["user.id"], name=op.f("fk_commission_conflict_member_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_conflict")),
        sa.UniqueConstraint("item_id", "member_id", name="uq_commission_conflict_member"),
    )
    op.create_index(op.f("ix_commission_conflict_item_id"), "commission_conflict", ["item_id"], unique=False)
    op.create_table(
        "commission_vote",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("vote", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["commission_agenda_item.id"],
            name=op.f("fk_commission_vote_item_id_commission_agenda_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["user.id"], name=op.f("fk_commission_vote_member_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_vote")),
        sa.UniqueConstraint("item_id", "member_id", name="uq_commission_vote_member"),
    )
    op.create_index(op.f("ix_commission_vote_item_id"), "commission_vote", ["item_id"], unique=False)


def downgrade() -> None:
    op.drop_table("commission_vote")
    op.drop_table("commission_conflict")
    op.drop_table("proposal_support")
    op.drop_table("proposal_assessment")
    op.drop_table("open_list_item")
    op.drop_table("consultation_record")
    op.drop_table("commission_agenda_item")
    op.drop_table("proposal")
    op.drop_table("open_list_fulfilment")
    op.drop_table("data_holding")
    op.drop_table("open_list_version")
    op.drop_table("commission_session")
    op.drop_table("search_log")
