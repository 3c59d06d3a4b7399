"""oruk source links: the feed id of each imported service

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'oruk_source',
        sa.Column('source_ref', sa.String(length=300), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'],
                                name=op.f('fk_oruk_source_service_id_service'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('source_ref', name=op.f('pk_oruk_source')),
        sa.UniqueConstraint('service_id', name=op.f('uq_oruk_source_service_id')),
    )


def downgrade():
    op.drop_table('oruk_source')
