"""needs triage: imported services whose needs are not yet assigned (not routable until
the coordinator confirms them), and the coordinator's keyword rules that suggest needs

Revision ID: 0025_needs_triage
Revises: 0017_link_delivery
Create Date: 2026-12-01 12:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0025_needs_triage'
down_revision = '0017_link_delivery'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_triage', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table(
        'need_keyword_rule',
        sa.Column('need_code', sa.String(length=20), nullable=False),
        sa.Column('keywords', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_name', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['need_code'], ['need.code'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('need_code'),
    )


def downgrade():
    op.drop_table('need_keyword_rule')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('needs_triage')
