"""tasks by schedule and task updates by period: the overdue list across a country reads only the tasks
whose due date passed and the updates of the periods it asks about, instead of every task and update

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 20:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_tasks_schedule', 'tasks', ['schedule'])
    op.create_index('ix_task_updates_period', 'task_updates', ['period_start'],
                    postgresql_where=sa.text('period_start IS NOT NULL'), sqlite_where=sa.text('period_start IS NOT NULL'))


def downgrade():
    op.drop_index('ix_task_updates_period', table_name='task_updates')
    op.drop_index('ix_tasks_schedule', table_name='tasks')
