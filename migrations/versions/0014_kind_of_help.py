"""kind of help: what kind of help each service gives, who it is for, and the level of need

Revision ID: 0014_kind_of_help
Revises: 0005_capacity_changes
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_kind_of_help'
down_revision = '0013_audit_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('help_kinds', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('audiences', sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column('need_level', sa.String(length=20), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('need_level')
        batch_op.drop_column('audiences')
        batch_op.drop_column('help_kinds')
