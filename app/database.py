"""Engine set-up per database: the PostgreSQL app role, and SQLite's transaction handling."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import Integer, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.functions import FunctionElement
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1  # the largest id or year both databases store in an INTEGER column


class DatabaseInt(IntegerConverter):
    """`<int:...>` in URLs, limited to what an INTEGER column holds (larger is a 404, not a 500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def bounded_int(value: str) -> int:
    """`type=` for query arguments: an int an INTEGER column holds, else ValueError (ignored)."""
    number = int(value)
    if not 0 <= number <= INT_MAX:
        raise ValueError(value)
    return number


class AppRoleError(RuntimeError):
    """DATABASE_URL connects as a role the app must not run as."""


# What the connecting role is and may do: the app's own role owns nothing, belongs to no other role
# (so SET ROLE leads nowhere) and neither is a superuser nor bypasses row-level security.
_ROLE_FACTS = """
    SELECT r.rolname, r.rolsuper OR r.rolbypassrls,
           EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid),
           EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace)
    FROM pg_roles r WHERE r.rolname = session_user
"""


def use_app_role(engine: Engine, role: str, *, strict: bool) -> None:
    """Check every new PostgreSQL connection is the app's own login role `role`, which row-level
    security binds and which cannot become another role (RESET ROLE leaves it where it is).

    A connection as another role is refused when `strict` (production); in development it acts
    as `role` by SET ROLE, which RESET ROLE would undo: a convenience, never for production."""

    @event.listens_for(engine, "connect")
    def _check_role(dbapi_connection: Any, connection_record: object) -> None:  # a psycopg connection
        with dbapi_connection.cursor() as cursor:
            cursor.execute(_ROLE_FACTS)
            name, privileged, member, owner = cursor.fetchone()
            if name == role and (privileged or member or owner):
                raise AppRoleError(
                    f"the app role {role!r} must own no table, belong to no other role, and be neither a "
                    "superuser nor BYPASSRLS (README: Database roles)")
            if name != role:
                if strict:
                    raise AppRoleError(
                        f"DATABASE_URL connects as {name!r}: the app must connect as its own role {role!r} "
                        "(README: Database roles); migrations use MIGRATION_DATABASE_URL")
                cursor.execute(f'SET ROLE "{role}"')
        dbapi_connection.commit()


SQLITE_BUSY_MS = 15_000  # how long a request waits for another's write before giving up

# Whether SQLite transactions take the write lock at their start (BEGIN IMMEDIATE). True outside
# requests (commands) and for requests that write; a request that only reads begins DEFERRED, so
# readers run side by side.
_IMMEDIATE: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=True)


def sqlite_writes_ahead(writes: bool) -> None:
    """Say, before a request touches the database, whether it may write (see configure_sqlite)."""
    _IMMEDIATE.set(writes)


def configure_sqlite(engine: Engine) -> None:
    """SQLite under concurrent requests: foreign keys on; WAL, so readers never wait for a writer;
    a busy timeout; and, for a request that may write, BEGIN IMMEDIATE: it queues for the write
    lock at its start instead of failing with "database is locked" when a read transaction upgrades
    (a GET that logs who saw a petitioner's identity declares so). Requests that only read begin
    DEFERRED and run concurrently. SQLAlchemy issues BEGIN itself so SAVEPOINTs work."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, connection_record: object) -> None:  # a sqlite3 connection
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        if dbapi_connection.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
            dbapi_connection.execute("PRAGMA journal_mode = WAL")
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint in WAL

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _IMMEDIATE.get() else "BEGIN")


def insert_unless_there(session: Session, table: Table, values: Any) -> ReturningInsert[Any]:
    """INSERT `values` (a row or a list of rows) into `table`, skipping those whose unique key is there
    already (ON CONFLICT DO NOTHING, PostgreSQL and SQLite alike), returning the ids of the rows it wrote:
    safe when several processes insert the same row at once."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    key = table.c.id if "id" in table.c else next(iter(table.primary_key))
    return dialect.insert(table).values(values).on_conflict_do_nothing().returning(key)


class day_number(FunctionElement[int]):  # noqa: N801  (used like a SQL function)
    """A date as a whole number of days, in SQL: dates in order are numbers in order (PostgreSQL counts
    from 2000-01-01, SQLite gives the Julian day)."""

    type = Integer()
    inherit_cache = True


@compiles(day_number, "postgresql")
def _day_number_postgresql(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '2000-01-01')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) AS INTEGER)"
