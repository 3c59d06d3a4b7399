"""need-to-know sharing: what of the form each referral's provider may read, and a new
school's requests to an earlier school's safeguarding lead for its referrals' details

Revision ID: 0022_need_to_know
Revises: 0017_link_delivery
Create Date: 2026-12-01 11:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_need_to_know'
down_revision = '0018_cme_register'
branch_labels = None
depends_on = None


def upgrade():
    # NULL for referrals already sent: they are read with the defaults (need-to-know),
    # so safeguarding notes and risk to self or others stop showing to providers.
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_sections', sa.JSON(), nullable=True))

    op.create_table('details_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=True),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('holder_school_id', sa.Integer(), nullable=False),
    sa.Column('requester_school_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_name', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'granted', 'refused', name='requeststate', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_details_request_child_id_child')),
    sa.ForeignKeyConstraint(['holder_school_id'], ['school.id'], name=op.f('fk_details_request_holder_school_id_school')),
    sa.ForeignKeyConstraint(['requester_school_id'], ['school.id'], name=op.f('fk_details_request_requester_school_id_school')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_details_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_details_request_decided_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_details_request')),
    sa.UniqueConstraint('reference', name=op.f('uq_details_request_reference')),
    sa.UniqueConstraint('request_key', name=op.f('uq_details_request_request_key'))
    )
    with op.batch_alter_table('details_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_details_request_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_details_request_requester_school_id'), ['requester_school_id'], unique=False)
        batch_op.create_index('ix_details_request_holder_state', ['holder_school_id', 'state'], unique=False)


def downgrade():
    with op.batch_alter_table('details_request', schema=None) as batch_op:
        batch_op.drop_index('ix_details_request_holder_state')
        batch_op.drop_index(batch_op.f('ix_details_request_requester_school_id'))
        batch_op.drop_index(batch_op.f('ix_details_request_child_id'))
    op.drop_table('details_request')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_column('shared_sections')
