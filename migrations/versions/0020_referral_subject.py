"""referral subject: a referral may be about a child, an unborn baby (expected date of
delivery instead of a date of birth) or a parent or carer; a date of birth may be not
known (an approximate year of birth instead) and a home postcode not known ("")

Revision ID: 0020_referral_subject
Revises: 0017_link_delivery
Create Date: 2026-12-01 11:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020_referral_subject'
down_revision = '0019_family_record'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=10), server_default='child',
                                      nullable=False))
        batch_op.add_column(sa.Column('expected_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('birth_year', sa.Integer(), nullable=True))
        batch_op.alter_column('date_of_birth', existing_type=sa.Date(), nullable=True)


def downgrade():
    # A record with no date of birth cannot go back: the older schema requires one.
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.alter_column('date_of_birth', existing_type=sa.Date(), nullable=False)
        batch_op.drop_column('birth_year')
        batch_op.drop_column('expected_date')
        batch_op.drop_column('subject')
