"""concerns and the safeguarding lead's queue: concerns recorded without a referral and
safeguarding stops, each with the lead's decision and an immutable history

Revision ID: 0016_concerns
Revises: 0005_capacity_changes
Create Date: 2026-12-01 08:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_concerns'
down_revision = '0015_capacity_confirm'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('safeguarding_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.Enum('safeguarding_stop', 'whereabouts_unknown', 'not_on_roll', 'not_attending', 'persistent_absence', 'wellbeing', name='concernkind', native_enum=False, length=30), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('raised_by_name', sa.String(length=200), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('raise_key', sa.String(length=64), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('home_postcode', sa.String(length=10), nullable=False),
    sa.Column('upn', sa.String(length=13), nullable=False),
    sa.Column('nhs_number', sa.String(length=10), nullable=False),
    sa.Column('known_school', sa.String(length=200), nullable=False),
    sa.Column('last_known_address', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('decision', sa.Enum('front_door', 'in_school', 'early_help', 'no_further_action', name='decision', native_enum=False, length=30), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=200), nullable=False),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('front_door_on', sa.Date(), nullable=True),
    sa.Column('front_door_reference', sa.String(length=100), nullable=False),
    sa.Column('front_door_outcome', sa.Text(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_safeguarding_item_child_id_child')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user_account.id'], name=op.f('fk_safeguarding_item_raised_by_id_user_account')),
    sa.ForeignKeyConstraint(['request_id'], ['referral_request.id'], name=op.f('fk_safeguarding_item_request_id_referral_request')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_safeguarding_item_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_item')),
    sa.UniqueConstraint('raise_key', name=op.f('uq_safeguarding_item_raise_key')),
    sa.UniqueConstraint('reference', name=op.f('uq_safeguarding_item_reference')),
    sa.UniqueConstraint('request_id', name=op.f('uq_safeguarding_item_request_id'))
    )
    with op.batch_alter_table('safeguarding_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_item_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_item_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_item_raised_by_id'), ['raised_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_item_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_safeguarding_item_school_open', ['school_id', 'decided_at'], unique=False)

    op.create_table('safeguarding_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_safeguarding_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_safeguarding_event_child_id_child')),
    sa.ForeignKeyConstraint(['item_id'], ['safeguarding_item.id'], name=op.f('fk_safeguarding_event_item_id_safeguarding_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_event'))
    )
    with op.batch_alter_table('safeguarding_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_event_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_event_item_id'), ['item_id'], unique=False)



def downgrade():
    with op.batch_alter_table('safeguarding_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_event_item_id'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_event_child_id'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_event_at'))

    op.drop_table('safeguarding_event')
    with op.batch_alter_table('safeguarding_item', schema=None) as batch_op:
        batch_op.drop_index('ix_safeguarding_item_school_open')
        batch_op.drop_index(batch_op.f('ix_safeguarding_item_school_id'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_item_raised_by_id'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_item_raised_at'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_item_child_id'))

    op.drop_table('safeguarding_item')
