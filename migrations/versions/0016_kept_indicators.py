"""rollup_figures: every indicator of a ward's plan for the period, kept beside its figures, so that the
API's rollup of a hundred wards reads a hundred rows instead of their year's records

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 21:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rollup_figures') as batch:
        batch.add_column(sa.Column('indicators', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('rollup_figures') as batch:
        batch.drop_column('indicators')
