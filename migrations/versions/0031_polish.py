"""sibling_link: who linked two children as brothers or sisters, when and why, what the
link moved (so it can be undone), and who unlinked them, when and why

Revision ID: 0031_polish
Revises: 0030_import_fast
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0031_polish'
down_revision = '0030_import_fast'
branch_labels = None
depends_on = None


def upgrade():
    # Links made before this have no row: unlinking one moves the brother or sister
    # out alone (nothing says what came with them).
    op.create_table(
        'sibling_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('sibling_id', sa.Integer(), nullable=False),
        sa.Column('linked_at', sa.DateTime(), nullable=False),
        sa.Column('linked_by_id', sa.Integer(), nullable=True),
        sa.Column('linked_by_name', sa.String(length=200), nullable=False),
        sa.Column('linked_by_organisation', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('moved', sa.JSON(), nullable=False),
        sa.Column('request_key', sa.String(length=64), nullable=True),
        sa.Column('unlinked_at', sa.DateTime(), nullable=True),
        sa.Column('unlinked_by_id', sa.Integer(), nullable=True),
        sa.Column('unlinked_by_name', sa.String(length=200), nullable=False),
        sa.Column('unlinked_by_organisation', sa.String(length=200), nullable=False),
        sa.Column('unlink_reason', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sibling_link')),
        sa.UniqueConstraint('request_key', name=op.f('uq_sibling_link_request_key')),
    )
    op.create_index('ix_sibling_link_child_id', 'sibling_link', ['child_id'])
    op.create_index('ix_sibling_link_sibling_id', 'sibling_link', ['sibling_id'])


def downgrade():
    op.drop_index('ix_sibling_link_sibling_id', table_name='sibling_link')
    op.drop_index('ix_sibling_link_child_id', table_name='sibling_link')
    op.drop_table('sibling_link')
