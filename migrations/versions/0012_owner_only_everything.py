""""*" (every unit) in the row-level security settings is honoured for the tables' owner only

The app connects as its own login role (DATABASE_URL) and migrations as the owner
(MIGRATION_DATABASE_URL). A scope of every unit is written by the app as the list of its units'
ids; "*" set by the app's role opens nothing. Nothing on SQLite.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:30:00.000000

"""
from alembic import op

from app import row_security

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# As 0001 and 0008 wrote them: "*" opened every unit to any role.
BEFORE = [
    """
    CREATE OR REPLACE FUNCTION dan_van_unit_in(setting text, unit integer) RETURNS boolean
    LANGUAGE sql STABLE AS $$
        SELECT CASE
            WHEN coalesce(current_setting(setting, true), '') = '*' THEN true
            ELSE coalesce(
                unit = ANY (string_to_array(nullif(current_setting(setting, true), ''), ',')::integer[]),
                false)
        END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION dan_van_scope_all(setting text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting(setting, true), '') = '*'
    $$
    """,
]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in row_security.FUNCTIONS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in BEFORE:
        op.execute(statement)
    op.execute("DROP FUNCTION IF EXISTS dan_van_is_owner()")
