"""lead practitioners: a child's named lead (school staff, a hub worker or a link worker),
appointed with the family's agreement, handed over and ended, with an immutable history

Revision ID: 0024_lead_practitioner
Revises: 0017_link_delivery
Create Date: 2026-12-01 11:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0024_lead_practitioner'
down_revision = '0025_needs_triage'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lead_practitioner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('family_agreement', sa.String(length=300), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_by_name', sa.String(length=200), nullable=False),
    sa.Column('start_key', sa.String(length=64), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_by_name', sa.String(length=200), nullable=False),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.Column('handed_to_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_lead_practitioner_child_id_child')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_lead_practitioner_user_id_user_account')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_lead_practitioner_started_by_id_user_account')),
    sa.ForeignKeyConstraint(['handed_to_id'], ['lead_practitioner.id'], name=op.f('fk_lead_practitioner_handed_to_id_lead_practitioner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_practitioner')),
    sa.UniqueConstraint('reference', name=op.f('uq_lead_practitioner_reference')),
    sa.UniqueConstraint('start_key', name=op.f('uq_lead_practitioner_start_key'))
    )
    with op.batch_alter_table('lead_practitioner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_practitioner_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_lead_practitioner_user_open', ['user_id', 'ended_at'], unique=False)

    op.create_table('lead_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['lead_practitioner.id'], name=op.f('fk_lead_event_lead_id_lead_practitioner')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_lead_event_child_id_child')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_lead_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_event'))
    )
    with op.batch_alter_table('lead_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_event_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_event_lead_id'), ['lead_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lead_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_event_lead_id'))
        batch_op.drop_index(batch_op.f('ix_lead_event_child_id'))
        batch_op.drop_index(batch_op.f('ix_lead_event_at'))
    op.drop_table('lead_event')
    with op.batch_alter_table('lead_practitioner', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_practitioner_user_open')
        batch_op.drop_index(batch_op.f('ix_lead_practitioner_child_id'))
    op.drop_table('lead_practitioner')
