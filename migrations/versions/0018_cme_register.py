"""children missing education register: cases and their actions, attendance imports and
records, a service's stated response time, and the progress link's sends (one per form key)

Revision ID: 0018_cme_register
Revises: 0017_link_delivery
Create Date: 2026-12-01 11:31:04.947674

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_cme_register'
down_revision = '0023_identity_versions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_hash', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_name', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_attendance_import_imported_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_attendance_import_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_import')),
    sa.UniqueConstraint('file_hash', name=op.f('uq_attendance_import_file_hash'))
    )
    with op.batch_alter_table('attendance_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_import_imported_at'), ['imported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_import_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('attendance_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('upn', sa.String(length=13), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('sessions_possible', sa.Integer(), nullable=False),
    sa.Column('missed_authorised', sa.Integer(), nullable=False),
    sa.Column('missed_unauthorised', sa.Integer(), nullable=False),
    sa.Column('band', sa.Enum('none', 'persistent', 'severe', name='absenceband', native_enum=False, length=20), nullable=False),
    sa.Column('previous_band', sa.Enum('none', 'persistent', 'severe', name='absenceband', native_enum=False, length=20), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_attendance_record_child_id_child')),
    sa.ForeignKeyConstraint(['import_id'], ['attendance_import.id'], name=op.f('fk_attendance_record_import_id_attendance_import')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_attendance_record_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_record')),
    sa.UniqueConstraint('school_id', 'upn', 'period', name=op.f('uq_attendance_record_school_id'))
    )
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_record_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_record_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_record_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_attendance_record_upn', ['upn'], unique=False)

    op.create_table('progress_link_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('send_key', sa.String(length=64), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['progress_link.id'], name=op.f('fk_progress_link_send_link_id_progress_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_link_send')),
    sa.UniqueConstraint('send_key', name=op.f('uq_progress_link_send_send_key'))
    )
    with op.batch_alter_table('progress_link_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_link_send_link_id'), ['link_id'], unique=False)

    op.create_table('cme_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('upn', sa.String(length=13), nullable=False),
    sa.Column('last_known_address', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('reported', 'tracing', 'found_on_roll', 'found_ehe', 'moved_out', 'closed', name='casestatus', native_enum=False, length=20), nullable=False),
    sa.Column('missing_since', sa.Date(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opened_by_name', sa.String(length=200), nullable=False),
    sa.Column('traced_at', sa.DateTime(), nullable=True),
    sa.Column('destination_council', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_cme_case_child_id_child')),
    sa.ForeignKeyConstraint(['item_id'], ['safeguarding_item.id'], name=op.f('fk_cme_case_item_id_safeguarding_item')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_cme_case_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cme_case')),
    sa.UniqueConstraint('item_id', name=op.f('uq_cme_case_item_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_cme_case_reference'))
    )
    with op.batch_alter_table('cme_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cme_case_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cme_case_opened_at'), ['opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cme_case_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_cme_case_school_status', ['school_id', 'status'], unique=False)

    op.create_table('cme_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('from_status', sa.Enum('reported', 'tracing', 'found_on_roll', 'found_ehe', 'moved_out', 'closed', name='casestatus', native_enum=False, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('reported', 'tracing', 'found_on_roll', 'found_ehe', 'moved_out', 'closed', name='casestatus', native_enum=False, length=20), nullable=True),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('action_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_cme_action_actor_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['cme_case.id'], name=op.f('fk_cme_action_case_id_cme_case')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_cme_action_child_id_child')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cme_action')),
    sa.UniqueConstraint('action_key', name=op.f('uq_cme_action_action_key'))
    )
    with op.batch_alter_table('cme_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cme_action_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cme_action_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cme_action_child_id'), ['child_id'], unique=False)

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_working_days', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('response_working_days')

    with op.batch_alter_table('cme_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cme_action_child_id'))
        batch_op.drop_index(batch_op.f('ix_cme_action_case_id'))
        batch_op.drop_index(batch_op.f('ix_cme_action_at'))

    op.drop_table('cme_action')
    with op.batch_alter_table('cme_case', schema=None) as batch_op:
        batch_op.drop_index('ix_cme_case_school_status')
        batch_op.drop_index(batch_op.f('ix_cme_case_school_id'))
        batch_op.drop_index(batch_op.f('ix_cme_case_opened_at'))
        batch_op.drop_index(batch_op.f('ix_cme_case_child_id'))

    op.drop_table('cme_case')
    with op.batch_alter_table('progress_link_send', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_link_send_link_id'))

    op.drop_table('progress_link_send')
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_record_upn')
        batch_op.drop_index(batch_op.f('ix_attendance_record_school_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_record_import_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_record_child_id'))

    op.drop_table('attendance_record')
    with op.batch_alter_table('attendance_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_import_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_import_imported_at'))

    op.drop_table('attendance_import')
