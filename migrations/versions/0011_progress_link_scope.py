"""progress link scope: each link shows only the referrals chosen when it was made,
and a repeated "make a link" (a reload, a double click) makes one link

Revision ID: 0011_progress_link_scope
Revises: 0010_referral_urgency
Create Date: 2026-12-01 06:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_progress_link_scope'
down_revision = '0010_referral_urgency'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'progress_link_referral',
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['progress_link.id'],
                                name=op.f('fk_progress_link_referral_link_id_progress_link')),
        sa.ForeignKeyConstraint(['referral_id'], ['referral.id'],
                                name=op.f('fk_progress_link_referral_referral_id_referral')),
        sa.PrimaryKeyConstraint('link_id', 'referral_id', name=op.f('pk_progress_link_referral')),
    )
    with op.batch_alter_table('progress_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issue_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(op.f('uq_progress_link_issue_key'), ['issue_key'])
    # Links made before: the referrals they showed then (the referrer's, for the child).
    op.execute(
        "INSERT INTO progress_link_referral (link_id, referral_id) "
        "SELECT progress_link.id, referral.id FROM progress_link "
        "JOIN referral ON referral.child_id = progress_link.child_id "
        "AND referral.referrer_id = progress_link.referrer_id "
        "WHERE referral.status != 'draft'"
    )


def downgrade():
    with op.batch_alter_table('progress_link', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_progress_link_issue_key'), type_='unique')
        batch_op.drop_column('issue_key')
    op.drop_table('progress_link_referral')
