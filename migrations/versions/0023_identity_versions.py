"""identity that cannot be hijacked: versions of a child's identity details (who, when,
where from and why), merges of two records of one child (undoable for 30 days), and
the merged record's mark; every existing child gets its details as version 1

Revision ID: 0023_identity_versions
Revises: 0017_link_delivery
Create Date: 2026-12-01 11:32:25.759823

"""
from alembic import op
import sqlalchemy as sa


revision = '0023_identity_versions'
down_revision = '0024_lead_practitioner'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('child_identity_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('home_postcode', sa.String(length=10), nullable=False),
    sa.Column('upn', sa.String(length=13), nullable=False),
    sa.Column('nhs_number', sa.String(length=10), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Enum('referral_form', 'correction', 'merge', 'merge_undone', 'import', 'existing', name='identitysource', native_enum=False, length=20), nullable=False),
    sa.Column('source_ref', sa.String(length=100), nullable=False),
    sa.Column('changed', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_child_identity_version_child_id_child')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_child_identity_version_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_child_identity_version_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_identity_version'))
    )
    with op.batch_alter_table('child_identity_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_identity_version_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_identity_version_recorded_at'), ['recorded_at'], unique=False)

    op.create_table('child_merge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('surviving_child_id', sa.Integer(), nullable=False),
    sa.Column('merged_child_id', sa.Integer(), nullable=False),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_by_name', sa.String(length=200), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('chosen', sa.JSON(), nullable=False),
    sa.Column('survivor_before', sa.JSON(), nullable=False),
    sa.Column('merged_before', sa.JSON(), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.Column('undone_by_name', sa.String(length=200), nullable=False),
    sa.Column('undo_reason', sa.Text(), nullable=False),
    sa.Column('purged_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['merged_by_id'], ['user_account.id'], name=op.f('fk_child_merge_merged_by_id_user_account')),
    sa.ForeignKeyConstraint(['surviving_child_id'], ['child.id'], name=op.f('fk_child_merge_surviving_child_id_child')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['user_account.id'], name=op.f('fk_child_merge_undone_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_merge'))
    )
    with op.batch_alter_table('child_merge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_merge_merged_at'), ['merged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_merge_merged_child_id'), ['merged_child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_merge_surviving_child_id'), ['surviving_child_id'], unique=False)

    op.add_column('child', sa.Column('merged_at', sa.DateTime(), nullable=True))

    # Every record's details as they are now become its first version.
    op.execute(
        "INSERT INTO child_identity_version (child_id, number, first_name, last_name, "
        "date_of_birth, home_postcode, upn, nhs_number, school_id, recorded_at, "
        "recorded_by_id, recorded_by_name, organisation_name, source, source_ref, changed, "
        "reason) "
        "SELECT id, 1, first_name, last_name, date_of_birth, home_postcode, "
        "COALESCE(upn, ''), COALESCE(nhs_number, ''), school_id, created_at, NULL, "
        "'Family Hub', 'Family Hub', 'existing', '', '', '' FROM child"
    )


def downgrade():
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_column('merged_at')

    with op.batch_alter_table('child_merge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_merge_surviving_child_id'))
        batch_op.drop_index(batch_op.f('ix_child_merge_merged_child_id'))
        batch_op.drop_index(batch_op.f('ix_child_merge_merged_at'))

    op.drop_table('child_merge')
    with op.batch_alter_table('child_identity_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_identity_version_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_child_identity_version_child_id'))

    op.drop_table('child_identity_version')
