"""referral declaration: who confirmed the declaration on check-your-answers, when, and
the version of its wording, kept on the sent referral form

Revision ID: 0029_gaps
Revises: 0020_referral_subject
Create Date: 2026-12-01 14:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0029_gaps'
down_revision = '0026_unknown_facts'
branch_labels = None
depends_on = None


def upgrade():
    # Forms sent before this keep no declaration (none was stored): left empty, never
    # guessed from the "sent" event.
    with op.batch_alter_table('referral_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declared_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('declared_by_name', sa.String(length=200),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('declared_by_organisation', sa.String(length=200),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('declared_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('declaration_version', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_referral_request_declared_by_id_user_account',
                                    'user_account', ['declared_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('referral_request', schema=None) as batch_op:
        batch_op.drop_constraint('fk_referral_request_declared_by_id_user_account',
                                 type_='foreignkey')
        batch_op.drop_column('declaration_version')
        batch_op.drop_column('declared_at')
        batch_op.drop_column('declared_by_organisation')
        batch_op.drop_column('declared_by_name')
        batch_op.drop_column('declared_by_id')
