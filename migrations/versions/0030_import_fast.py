"""oruk_source: the hash of each imported record as read and the fingerprint of what
its import saved, so a re-import finds an unchanged record with one comparison; the
record's cleaning notes (warnings, unmapped terms) to report it without cleaning again

Revision ID: 0030_import_fast
Revises: 0029_gaps
Create Date: 2026-12-01 17:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0030_import_fast'
down_revision = '0029_gaps'
branch_labels = None
depends_on = None


def upgrade():
    # Links made before this have none: their next import compares them in full and
    # stores both.
    with op.batch_alter_table('oruk_source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_hash', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('notes', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('oruk_source', schema=None) as batch_op:
        batch_op.drop_column('notes')
        batch_op.drop_column('fingerprint')
        batch_op.drop_column('record_hash')
