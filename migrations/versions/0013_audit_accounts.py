"""audit and accounts: a fuller, append-only audit; password changes, second factor, resets

Revision ID: 0013_audit_accounts
Revises: 0005_capacity_changes
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_audit_accounts'
down_revision = '0012_trust_operations'
branch_labels = None
depends_on = None

_FOREIGN_KEYS = (
    ('fk_audit_event_actor_id_user_account', 'actor_id'),
    ('fk_audit_event_child_id_child', 'child_id'),
    ('fk_audit_event_organisation_id_organisation', 'organisation_id'),
    ('fk_audit_event_referral_id_referral', 'referral_id'),
)

_PG_FUNCTION = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
      SELECT 1 FROM audit_purge_permit WHERE OLD.at < audit_purge_permit.before) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_event rows are append-only' USING ERRCODE = 'insufficient_privilege';
END $$
"""
_PG_TRIGGER = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""
_SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event rows are append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit WHERE OLD.at < audit_purge_permit.before)
    BEGIN SELECT RAISE(ABORT, 'audit_event rows are append-only'); END""",
)


def upgrade():
    # The audit outlives what it names (a purged child, a removed account): no foreign keys.
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        for name, _ in _FOREIGN_KEYS:
            batch_op.drop_constraint(name, type_='foreignkey')
        batch_op.add_column(sa.Column('organisation_name', sa.String(length=200),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('subject_type', sa.String(length=30),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('subject_id', sa.String(length=64),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('detail', sa.String(length=500),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('remote_addr', sa.String(length=64),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('refused', sa.Boolean(), server_default='0',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_organisation_id'), ['organisation_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
    op.create_table('audit_purge_permit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('before', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_purge_permit'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_dpo', sa.Boolean(), server_default='0',
                                      nullable=False))
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_recovery_code_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)
    op.create_table('password_reset_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_password_reset_token_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_token_hash'))
    )
    with op.batch_alter_table('password_reset_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_token_user_id'), ['user_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_password_reset_token_expires_at'), ['expires_at'],
                              unique=False)


def downgrade():
    op.drop_table('password_reset_token')
    op.drop_table('recovery_code')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for column in ('is_dpo', 'totp_last_step', 'totp_secret', 'password_changed_at',
                       'must_change_password'):
            batch_op.drop_column(column)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_event_append_only ON audit_event')
        op.execute('DROP FUNCTION audit_event_append_only()')
    else:
        op.execute('DROP TRIGGER audit_event_no_update')
        op.execute('DROP TRIGGER audit_event_no_delete')
    op.drop_table('audit_purge_permit')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        for index in ('action', 'organisation_id', 'actor_id'):
            batch_op.drop_index(f'ix_audit_event_{index}')
        for column in ('refused', 'remote_addr', 'detail', 'subject_id', 'subject_type',
                       'organisation_name'):
            batch_op.drop_column(column)
        batch_op.create_foreign_key('fk_audit_event_actor_id_user_account', 'user_account',
                                    ['actor_id'], ['id'])
        batch_op.create_foreign_key('fk_audit_event_child_id_child', 'child', ['child_id'], ['id'])
        batch_op.create_foreign_key('fk_audit_event_organisation_id_organisation',
                                    'organisation', ['organisation_id'], ['id'])
        batch_op.create_foreign_key('fk_audit_event_referral_id_referral', 'referral',
                                    ['referral_id'], ['id'])
