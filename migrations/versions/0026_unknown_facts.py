"""unknown facts: a service's ages and fees may be not stated (NULL), as its ways of
delivery and languages may (an empty list); existing rows keep their values

Revision ID: 0026_unknown_facts
Revises: 0020_referral_subject
Create Date: 2026-12-01 14:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0026_unknown_facts'
down_revision = '0020_referral_subject'
branch_labels = None
depends_on = None

_STATED = 'min_age >= 0 AND min_age <= max_age'
# Each bound may be unknown; those stated are checked.
_MAYBE = ('(min_age IS NULL OR min_age >= 0) AND '
          '(min_age IS NULL OR max_age IS NULL OR min_age <= max_age)')


def upgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_service_age_range'), type_='check')
        batch_op.alter_column('min_age', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('max_age', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('cost', existing_type=sa.String(length=200), nullable=True)
        batch_op.create_check_constraint(op.f('ck_service_age_range'), _MAYBE)


def downgrade():
    # A fact left unknown becomes the old defaults, which the model then invented.
    op.execute("UPDATE service SET min_age = 0 WHERE min_age IS NULL")
    op.execute("UPDATE service SET max_age = 25 WHERE max_age IS NULL")
    op.execute("UPDATE service SET min_age = max_age WHERE min_age > max_age")
    op.execute("UPDATE service SET cost = '' WHERE cost IS NULL")
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_service_age_range'), type_='check')
        batch_op.alter_column('min_age', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('max_age', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('cost', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_check_constraint(op.f('ck_service_age_range'), _STATED)
