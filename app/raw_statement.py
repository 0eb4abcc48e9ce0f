"""A SELECT compiled once per database and run on the driver's own cursor: for the one statement a kept
page costs (app/accounts/kept_pages), where SQLAlchemy's execution and result machinery cost several
times what the database does. Parameters and columns are converted by the statement's own types, as
SQLAlchemy would; the statement must read no ward table (no tenancy scope applies: one that does is
refused when first run)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from app.tenancy import TenancyError, ward_tables_in

__all__ = ["RawSelect"]

_Processor = Callable[[Any], Any] | None


class _Compiled:
    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        if tables := ward_tables_in(statement):  # no tenancy scope applies here: fail closed
            raise TenancyError(f"a raw statement may read no ward table: {sorted({t.name for t in tables})}")
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positions = compiled.positiontup  # the parameters' order (qmark style), else None (named)
        binds = compiled.binds
        self.bind_processors: dict[str, _Processor] = {
            name: binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in binds}
        columns = list(statement.selected_columns)
        self.result_processors: list[_Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        self.row = namedtuple("Row", [column.key for column in columns], rename=True)  # type: ignore[misc]

    def parameters(self, values: Mapping[str, Any]) -> Any:
        converted = {name: (process(values[name]) if (process := self.bind_processors.get(name)) else values[name])
                     for name in self.bind_processors}
        return [converted[name] for name in self.positions] if self.positions is not None else converted


class RawSelect:
    """`statement` (a SELECT of plain columns), run by `rows`."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, bind: Engine | Connection, values: Mapping[str, Any]) -> list[Any]:
        """Its rows for the parameters `values` (named tuples, by column key): on a connection of the
        engine's pool held for this statement only, or on the connection given (a session bound to one,
        as the tests' are, inside their transaction)."""
        compiled = self._compiled.get(bind.dialect.name)
        if compiled is None:
            compiled = self._compiled[bind.dialect.name] = _Compiled(self.statement, bind.dialect)
        parameters = compiled.parameters(values)
        if isinstance(bind, Engine) and bind.dispatch.before_cursor_execute:
            with bind.connect() as listened:  # someone listens for statements (a count, a timing): on a Connection
                return self.rows(listened, values)
        dbapi_error = bind.dialect.loaded_dbapi.Error
        try:
            if isinstance(bind, Connection):
                for listener in bind.dispatch.before_cursor_execute:  # those counting statements see this one too
                    listener(bind, None, compiled.sql, parameters, None, False)
                fetched = _fetch(bind.connection, compiled.sql, parameters)
            else:
                pooled = bind.raw_connection()
                try:
                    fetched = _fetch(pooled, compiled.sql, parameters)
                except dbapi_error as error:
                    if bind.dialect.is_disconnect(error, pooled.dbapi_connection, None):
                        pooled.invalidate(error)  # not back to the pool: the server dropped it
                    raise
                finally:
                    pooled.close()  # back to the pool, its transaction (if any) rolled back
        except dbapi_error as error:
            # As SQLAlchemy's own execution raises it, so that app/errors answers an unreachable database
            # with 503 (and retries a read) instead of a 500.
            raise DBAPIError.instance(compiled.sql, parameters, error, dbapi_error, hide_parameters=True,
                                      dialect=bind.dialect,
                                      connection_invalidated=bind.dialect.is_disconnect(error, None, None)) from error
        processors = compiled.result_processors
        return [compiled.row(*(p(v) if p else v for p, v in zip(processors, row, strict=True))) for row in fetched]


def _fetch(connection: Any, sql: str, parameters: Any) -> list[Any]:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()
