"""capacity changes: a numbered log of capacity changes every worker patches its index from

Revision ID: 0005_capacity_changes
Revises: 0007_import_sources
Create Date: 2026-12-01 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_capacity_changes'
down_revision = '0007_import_sources'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('directory_version', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('capacity_seq', sa.Integer(), server_default='0', nullable=False))
    op.create_table('capacity_change',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'],
                            name=op.f('fk_capacity_change_service_id_service'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_capacity_change'))
    )


def downgrade():
    op.drop_table('capacity_change')
    with op.batch_alter_table('directory_version', schema=None) as batch_op:
        batch_op.drop_column('capacity_seq')
