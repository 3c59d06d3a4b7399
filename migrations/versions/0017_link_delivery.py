"""link delivery: an outbox message's channel (email or text message), so the family's
progress link can be sent to a parent or carer by either

Revision ID: 0017_link_delivery
Revises: 0014_kind_of_help
Create Date: 2026-12-01 10:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_link_delivery'
down_revision = '0014_kind_of_help'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), server_default='email',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('channel')
