"""petitions: a particularly complex case ("vụ việc đặc biệt phức tạp"), which may extend a denunciation's
resolution twice (Luật Tố cáo 2018, Điều 30): an ordinary case not at all, a complex case once

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('petitions') as batch:
        batch.add_column(sa.Column('very_complex', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('petitions') as batch:
        batch.drop_column('very_complex')
