"""units with a life: official list, reorganisations with history, issuing-body names

A unit may end on a date (merged into a successor, or dissolved) and start on one; a code belongs to
one live unit at a time (a merged ward's code may pass to its successor); a unit moved to another
parent keeps the parent it had before (unit_past_parents); every reorganisation is kept as applied,
step by step (unit_changes), so it can be shown and undone before it takes effect.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:10:00

"""
import sqlalchemy as sa
from alembic import op

from app import row_security

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

LIVE = sa.text("ended_on IS NULL")


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('official', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('issuer_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('issuer_parent_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.drop_constraint('uq_units_code', type_='unique')
        batch_op.create_foreign_key(batch_op.f('fk_units_successor_id_units'), 'units', ['successor_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_units_successor_id'), ['successor_id'], unique=False)
        batch_op.create_index('uq_units_live_code', ['code'], unique=True, sqlite_where=LIVE, postgresql_where=LIVE)

    op.create_table('unit_past_parents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_unit_past_parents_parent_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_past_parents_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_past_parents'))
    )
    with op.batch_alter_table('unit_past_parents', schema=None) as batch_op:
        batch_op.create_index('ix_unit_past_parents_parent_id', ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_past_parents_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acting_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('merge', 'split', 'reparent', 'dissolve', name='unitchangekind', native_enum=False,
                              length=20), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('unit_ids', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acting_unit_id'], ['units.id'], name=op.f('fk_unit_changes_acting_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unit_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_changes'))
    )
    with op.batch_alter_table('unit_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_changes_acting_unit_id'), ['acting_unit_id'], unique=False)

    row_security.secure_new_tables(
        op, lambda role: row_security.grant_shared(role, ["unit_past_parents", "unit_changes"]))


def downgrade():
    op.drop_table('unit_changes')
    op.drop_table('unit_past_parents')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index('uq_units_live_code')
        batch_op.drop_index(batch_op.f('ix_units_successor_id'))
        batch_op.drop_constraint(batch_op.f('fk_units_successor_id_units'), type_='foreignkey')
        batch_op.create_unique_constraint('uq_units_code', ['code'])
        for column in ('issuer_parent_name', 'issuer_name', 'official', 'successor_id', 'ended_on', 'started_on',
                       'parent_since'):
            batch_op.drop_column(column)
