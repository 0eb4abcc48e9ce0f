"""PostgreSQL row-level security for ward-owned tables, as SQL the migrations run.

Policies read the transaction-local settings written by `app.tenancy` (`dan_van.unit_ids`,
`dan_van.template_unit_ids`, `dan_van.read_only`). They bind the app role, which owns no
table; with no settings in force it sees nothing and writes nothing; "*" opens every unit to the
tables' owner only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from alembic.operations import Operations

# "*" (every unit) is honoured for the owner of the tables only: an operator's own SQL. The app's
# role, even one that sets "*" itself, sees the units its scope lists (app.tenancy).
IS_OWNER = """
    CREATE OR REPLACE FUNCTION dan_van_is_owner() RETURNS boolean
    LANGUAGE sql STABLE AS $$
        SELECT coalesce(pg_has_role(current_user,
                                    (SELECT relowner FROM pg_class WHERE oid = to_regclass('units')), 'USAGE'), false)
    $$
"""

FUNCTIONS = [
    IS_OWNER,
    """
    CREATE OR REPLACE FUNCTION dan_van_unit_in(setting text, unit integer) RETURNS boolean
    LANGUAGE sql STABLE AS $$
        SELECT CASE
            WHEN coalesce(current_setting(setting, true), '') = '*' THEN dan_van_is_owner()
            ELSE coalesce(
                unit = ANY (string_to_array(nullif(current_setting(setting, true), ''), ',')::integer[]),
                false)
        END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION dan_van_writable(unit integer) RETURNS boolean
    LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting('dan_van.read_only', true), 'on') = 'off'
           AND dan_van_unit_in('dan_van.unit_ids', unit)
    $$
    """,
    # The scope as the policies read it, once per statement (each call sits in a sub-select, which
    # PostgreSQL runs once and, for the ids, probes as a hash): a parent's cost no longer grows
    # with its number of units on every row checked.
    """
    CREATE OR REPLACE FUNCTION dan_van_scope_all(setting text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting(setting, true), '') = '*' AND dan_van_is_owner()
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION dan_van_scope_ids(setting text) RETURNS integer[]
    LANGUAGE sql STABLE AS $$
        SELECT coalesce(
            string_to_array(nullif(nullif(current_setting(setting, true), ''), '*'), ',')::integer[],
            '{}'::integer[])
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION dan_van_may_write() RETURNS boolean
    LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting('dan_van.read_only', true), 'on') = 'off'
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION dan_van_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit entries are append-only';
    END
    $$
    """,
]


def create_app_role(role: str) -> list[str]:
    """Create the app role (if missing) and let the migrating role switch to it."""
    return [
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        END $$
        """,
        f'GRANT "{role}" TO CURRENT_USER',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ]


def grant_shared(role: str, tables: list[str]) -> list[str]:
    """Registry tables (units, accounts): readable and writable by the app without row policies."""
    return [f'GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO "{role}"' for t in tables]


def _in_scope(setting: str) -> str:
    """`unit_id` is in the scope the setting holds, evaluated once per statement, not per row."""
    return (f"((SELECT dan_van_scope_all('{setting}')) "
            f"OR unit_id IN (SELECT unnest(dan_van_scope_ids('{setting}'))))")


# What the policies of a ward-owned table check. PER_ROW is how 0001–0007 wrote them (kept for
# the downgrade of 0008): it parsed the scope's list of ids for every row.
PER_STATEMENT = {
    "visible": _in_scope("dan_van.unit_ids"),
    "templates": f"(is_template AND {_in_scope('dan_van.template_unit_ids')})",
    "writable": f"((SELECT dan_van_may_write()) AND {_in_scope('dan_van.unit_ids')})",
}
PER_ROW = {
    "visible": "dan_van_unit_in('dan_van.unit_ids', unit_id)",
    "templates": "(is_template AND dan_van_unit_in('dan_van.template_unit_ids', unit_id))",
    "writable": "dan_van_writable(unit_id)",
}


def policies(table: str, *, shares_templates: bool = False, append_only: bool = False,
             checks: dict[str, str] = PER_STATEMENT) -> list[str]:
    """The row policies of a ward-owned table: read in scope (plus the templates published above it),
    write only in a writable scope; the audit log takes inserts only."""
    visible = checks["visible"] + (f" OR {checks['templates']}" if shares_templates else "")
    writable = checks["writable"]
    statements = [
        f"CREATE POLICY {table}_read ON {table} FOR SELECT USING ({visible})",
        f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({writable})",
    ]
    if not append_only:
        statements += [
            f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({writable}) WITH CHECK ({writable})",
            f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({writable})",
        ]
    return statements


def drop_policies(table: str, *, append_only: bool = False) -> list[str]:
    kinds = ("read", "insert") if append_only else ("read", "insert", "update", "delete")
    return [f"DROP POLICY IF EXISTS {table}_{kind} ON {table}" for kind in kinds]


def protect_ward_table(role: str, table: str, *, shares_templates: bool = False, append_only: bool = False) -> list[str]:
    """Grants, RLS policies and (for the audit log) an append-only trigger for a ward-owned table."""
    privileges = "SELECT, INSERT" if append_only else "SELECT, INSERT, UPDATE, DELETE"
    statements = [
        f'GRANT {privileges} ON {table} TO "{role}"',
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",  # binds the owner too (superusers excepted)
        *policies(table, shares_templates=shares_templates, append_only=append_only),
    ]
    if append_only:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION dan_van_append_only()"
        )
    return statements


SQLITE_APPEND_ONLY = [
    """
    CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END
    """,
    """
    CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END
    """,
]


def secure_new_tables(op: Operations, statements: Callable[[str], list[str]]) -> None:
    """In a migration, on PostgreSQL: run `statements(app_role)` (grants, policies), then let the
    app role use the new tables' id sequences. Nothing on SQLite."""
    if op.get_bind().dialect.name != "postgresql":
        return
    role = current_app.config["DB_APP_ROLE"]
    for statement in [*statements(role), f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"']:
        op.execute(statement)
