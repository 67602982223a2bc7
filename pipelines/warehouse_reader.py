"""Read-only access to the served warehouse file (light: the CLI's query path imports only this)."""

from __future__ import annotations

from pathlib import Path

import duckdb

SEARCH_PATH = "core,marts"  # unqualified names and SHOW TABLES see both schemas


class NoWarehouse(FileNotFoundError):
    """The warehouse file does not exist yet."""


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """First value of a query (DuckDB 2.0 keeps an unfinished result open after fetchone)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def read_only(database: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection that cannot touch any other file (no ATTACH, COPY TO, read_csv …).

    Raises NoWarehouse rather than letting DuckDB create an empty file's error."""
    if not Path(database).exists():
        raise NoWarehouse(f"no warehouse at {database}; run `rdw refresh` first")
    con = duckdb.connect(str(database), config={"access_mode": "READ_ONLY",
                                                "enable_external_access": False,
                                                "lock_configuration": True})
    con.execute(f"SET search_path = '{SEARCH_PATH}'")  # a session setting: allowed while locked
    return con
