"""import sources: imports keyed by (source, source id); organisation UUIDs; kept ORUK fields

Revision ID: 0007_import_sources
Revises: 0011_progress_link_scope
Create Date: 2026-12-01 06:00:00

"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0007_import_sources'
down_revision = '0011_progress_link_scope'
branch_labels = None
depends_on = None

# Links made before sources were recorded: kept, under a source no feed can be named.
LEGACY_SOURCE = '(before sources were recorded)'


# ``services.oruk.ids.NAMESPACE``: organisations keep the ids already published,
# which were derived from their row ids.
NAMESPACE = uuid.UUID("5d0e3c1a-6f0b-4c55-9b0e-8f3e1f6a2b71")


def upgrade():
    with op.batch_alter_table('service') as batch:
        batch.add_column(sa.Column('oruk_extra', sa.JSON(), nullable=True))
    with op.batch_alter_table('organisation') as batch:
        batch.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('oruk_extra', sa.JSON(), nullable=True))
    bind = op.get_bind()
    for (pk,) in bind.execute(sa.text("SELECT id FROM organisation")).all():
        bind.execute(sa.text("UPDATE organisation SET uuid = :uuid WHERE id = :pk"),
                     {"uuid": str(uuid.uuid5(NAMESPACE, f"organisation:{pk}")), "pk": pk})
    with op.batch_alter_table('organisation') as batch:
        batch.alter_column('uuid', existing_type=sa.String(length=36), nullable=False)
        batch.create_unique_constraint(batch.f('uq_organisation_uuid'), ['uuid'])
    # Constraint names are schema-wide on PostgreSQL: copy the rows out, then rebuild.
    old = bind.execute(sa.text("SELECT source_ref, service_id FROM oruk_source")).all()
    op.drop_table('oruk_source')
    op.create_table(
        'oruk_source',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('source_ref', sa.String(length=300), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'],
                                name=op.f('fk_oruk_source_service_id_service'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oruk_source')),
        sa.UniqueConstraint('service_id', name=op.f('uq_oruk_source_service_id')),
        sa.UniqueConstraint('source', 'source_ref', name=op.f('uq_oruk_source_source')),
    )
    for source_ref, service_id in old:
        bind.execute(
            sa.text("INSERT INTO oruk_source (source, source_ref, service_id) "
                    "VALUES (:source, :ref, :service)"),
            {"source": LEGACY_SOURCE, "ref": source_ref, "service": service_id},
        )
    op.create_table(
        'oruk_organisation_source',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('source_ref', sa.String(length=300), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_oruk_organisation_source_organisation_id_organisation'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oruk_organisation_source')),
        sa.UniqueConstraint('organisation_id',
                            name=op.f('uq_oruk_organisation_source_organisation_id')),
        sa.UniqueConstraint('source', 'source_ref',
                            name=op.f('uq_oruk_organisation_source_source')),
    )


def downgrade():
    with op.batch_alter_table('organisation') as batch:
        batch.drop_constraint('uq_organisation_uuid', type_='unique')
        batch.drop_column('uuid')
        batch.drop_column('oruk_extra')
    with op.batch_alter_table('service') as batch:
        batch.drop_column('oruk_extra')
    op.drop_table('oruk_organisation_source')
    bind = op.get_bind()
    # Two sources may share an id: the downgrade keeps the first link of each.
    links = bind.execute(sa.text(
        "SELECT source_ref, MIN(service_id) FROM oruk_source GROUP BY source_ref")).all()
    op.drop_table('oruk_source')
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
    for source_ref, service_id in links:
        bind.execute(sa.text("INSERT INTO oruk_source (source_ref, service_id) "
                             "VALUES (:ref, :service)"),
                     {"ref": source_ref, "service": service_id})
