"""family record: families, their children, parents and carers (with a change history),
brothers and sisters without a record, and the family each sent referral form reached

Revision ID: 0019_family_record
Revises: 0017_link_delivery
Create Date: 2026-12-01 11:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019_family_record'
down_revision = '0022_need_to_know'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'family',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'family_child',
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('family_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['child_id'], ['child.id']),
        sa.ForeignKeyConstraint(['family_id'], ['family.id']),
        sa.PrimaryKeyConstraint('child_id'),
    )
    op.create_index('ix_family_child_family_id', 'family_child', ['family_id'])
    op.create_table(
        'carer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('family_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('relationship', sa.String(length=100), nullable=False),
        sa.Column('parental_responsibility', sa.String(length=20), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('language', sa.String(length=100), nullable=False),
        sa.Column('interpreter', sa.Boolean(), nullable=False),
        sa.Column('access_needs', sa.Text(), nullable=False),
        sa.Column('contact_notes', sa.Text(), nullable=False),
        sa.Column('do_not_contact', sa.Boolean(), nullable=False),
        sa.Column('do_not_contact_reason', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['family_id'], ['family.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_carer_family_id', 'carer', ['family_id'])
    op.create_table(
        'carer_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('carer_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=200), nullable=False),
        sa.Column('organisation_name', sa.String(length=200), nullable=False),
        sa.Column('verb', sa.String(length=20), nullable=False),
        sa.Column('fields', sa.String(length=500), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['carer_id'], ['carer.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_carer_change_carer_id', 'carer_change', ['carer_id'])
    op.create_table(
        'family_sibling',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('family_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('birth_year', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['family_id'], ['family.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_family_sibling_family_id', 'family_sibling', ['family_id'])
    op.create_table(
        'family_referral_form',
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('family_id', sa.Integer(), nullable=False),
        sa.Column('contact_carer_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['referral_request.id']),
        sa.ForeignKeyConstraint(['family_id'], ['family.id']),
        sa.ForeignKeyConstraint(['contact_carer_id'], ['carer.id']),
        sa.PrimaryKeyConstraint('request_id'),
    )
    op.create_index('ix_family_referral_form_family_id', 'family_referral_form',
                    ['family_id'])
    op.create_index('ix_family_referral_form_contact_carer_id', 'family_referral_form',
                    ['contact_carer_id'])


def downgrade():
    op.drop_table('family_referral_form')
    op.drop_table('family_sibling')
    op.drop_table('carer_change')
    op.drop_table('carer')
    op.drop_table('family_child')
    op.drop_table('family')
