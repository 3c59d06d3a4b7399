"""trust operations: a declined referral has at most one onward referral

Revision ID: 0012_trust_operations
Revises: 0005_capacity_changes
Create Date: 2026-12-01 08:40:00

A unique index on referral.rerouted_from_id is the database's guarantee behind the
row lock in reroute_need: two re-routes of one declined referral can never both be
kept, on either database.
"""
from alembic import op


revision = '0012_trust_operations'
down_revision = '0016_concerns'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_rerouted_from_id'))
        batch_op.create_index(
            batch_op.f('ix_referral_rerouted_from_id'), ['rerouted_from_id'], unique=True)


def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_rerouted_from_id'))
        batch_op.create_index(
            batch_op.f('ix_referral_rerouted_from_id'), ['rerouted_from_id'], unique=False)
