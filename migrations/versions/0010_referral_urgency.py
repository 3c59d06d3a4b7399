"""referral urgency: a wait-list offers a freed place to urgent referrals first

Revision ID: 0010_referral_urgency
Revises: 0004
Create Date: 2026-12-01 06:05:00

"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0010_referral_urgency'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False))
    # A referral is urgent when any of its needs was marked urgent (priority 1).
    referral = sa.table('referral', sa.column('id', sa.Integer), sa.column('needs', sa.JSON),
                        sa.column('urgent', sa.Boolean))
    connection = op.get_bind()
    for row_id, needs in connection.execute(sa.select(referral.c.id, referral.c.needs)):
        items = json.loads(needs) if isinstance(needs, str) else needs or []
        if any(isinstance(item, dict) and item.get('priority') == 1 for item in items):
            connection.execute(
                referral.update().where(referral.c.id == row_id).values(urgent=True))


def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_column('urgent')
