"""school hub agreement: a service runs at a school only once the school agrees

Links made before agreements were recorded are kept as agreed (they are what the
hub's directory already showed), under a name that says so.

Revision ID: 0015_capacity_confirm
Revises: 0005_capacity_changes
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_capacity_confirm'
down_revision = '0005_capacity_changes'
branch_labels = None
depends_on = None

BEFORE = '(before agreements were recorded)'


def upgrade():
    with op.batch_alter_table('service_school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('requested_by_name', sa.String(length=200),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('agreed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('agreed_by_name', sa.String(length=200),
                                      server_default='', nullable=False))
    op.execute(sa.text("UPDATE service_school SET agreed_at = CURRENT_TIMESTAMP, "
                       "agreed_by_name = :name").bindparams(name=BEFORE))


def downgrade():
    with op.batch_alter_table('service_school', schema=None) as batch_op:
        batch_op.drop_column('agreed_by_name')
        batch_op.drop_column('agreed_at')
        batch_op.drop_column('requested_by_name')
        batch_op.drop_column('requested_at')
