"""plans: the day a plan was first issued, kept when it is reopened, so that progress is recorded on a plan
that is or has been issued (a draft never issued is refused), whatever its number and date say

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 15:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plans') as batch:
        batch.add_column(sa.Column('first_issued_on', sa.Date(), nullable=True))
    # Until now only issuing gave a plan a date: issued plans, and drafts reopened after issuing.
    op.execute("UPDATE plans SET first_issued_on = issued_on WHERE issued_on IS NOT NULL AND NOT is_template")


def downgrade():
    with op.batch_alter_table('plans') as batch:
        batch.drop_column('first_issued_on')
