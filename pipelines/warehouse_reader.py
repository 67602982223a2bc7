"""Read-only access to the served warehouse file (light: the CLI's query path imports only this),
and queries run under limits: one statement, a statement timeout, a memory limit, Ctrl-C."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

SEARCH_PATH = "core,marts"  # unqualified names and SHOW TABLES see both schemas
Result = TypeVar("Result")


class NoWarehouse(FileNotFoundError):
    """The warehouse file does not exist yet."""


class QueryStopped(RuntimeError):
    """A query was refused or stopped by a limit; the message says which. `abandoned`: its thread
    was still running when given up on (the process should exit without closing the connection)."""

    abandoned = False


@dataclass(frozen=True)
class QueryLimits:
    """What one `rdw sql` statement may cost: wall seconds and DuckDB's memory_limit."""

    seconds: float = 300.0
    memory: str = "2GB"

    @classmethod
    def from_env(cls, seconds: float | None = None, memory: str | None = None) -> "QueryLimits":
        """Arguments first, then RDW_SQL_TIMEOUT (seconds) and RDW_SQL_MEMORY (e.g. 2GB), then defaults."""
        env_seconds = os.environ.get("RDW_SQL_TIMEOUT")
        return cls(seconds or (float(env_seconds) if env_seconds else cls.seconds),
                   memory or os.environ.get("RDW_SQL_MEMORY") or cls.memory)


def checksum_file(database: Path) -> Path:
    """Where the served warehouse's size and sha256 are kept, beside it."""
    return Path(database).with_name(Path(database).name + ".sha256")


def file_checksum(path: Path) -> str:
    """'<sha256> <size>' of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{digest.hexdigest()} {Path(path).stat().st_size}"


def write_checksum(database: Path, checksum: str) -> None:
    target = checksum_file(database)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(checksum + "\n")
    os.replace(tmp, target)


def warehouse_damage(database: Path, full: bool = False) -> str | None:
    """Why the served file differs from the checksum written when it was built (None when it
    matches, or when no checksum was written). `full` hashes it; otherwise only its size is compared."""
    try:
        expected = checksum_file(database).read_text().split()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    if len(expected) != 2:
        return None
    size = Path(database).stat().st_size
    if str(size) != expected[1]:
        return f"its size is {size:,} bytes where {int(expected[1]):,} were written"
    if full and file_checksum(database).split()[0] != expected[0]:
        return "its sha256 differs from the one written when it was built"
    return None


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """First value of a query (DuckDB 2.0 keeps an unfinished result open after fetchone)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def current_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of documents, tables, cells, facts and rejects, of the documents in raw/ now (a
    superseded version, deleted or changed since, stays in core for its provenance, not counted)."""
    current = "doc_id IN (SELECT doc_id FROM core.documents WHERE status <> 'superseded')"
    counts = {t: scalar(con, f"select count(*) from core.{t} where {current}")
              for t in ("documents", "tables", "cells", "facts")}
    # a raw/ entry that was never read (a FIFO, a link out of raw/) is a reject of no document
    counts["rejects"] = scalar(con, f"select count(*) from core.rejects where doc_id IS NULL OR {current}")
    return counts


def read_only(database: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection that cannot touch any other file (no ATTACH, COPY TO, read_csv …),
    optionally under a DuckDB memory_limit.

    Raises NoWarehouse rather than letting DuckDB create an empty file's error."""
    if not Path(database).exists():
        raise NoWarehouse(f"no warehouse at {database}; run `rdw refresh` first")
    damage = warehouse_damage(Path(database))
    if damage:
        raise NoWarehouse(f"the warehouse at {database} is damaged ({damage}); "
                          "run `rdw refresh` to rebuild it")
    config = {"access_mode": "READ_ONLY", "enable_external_access": False, "lock_configuration": True}
    try:
        con = duckdb.connect(str(database), config={**config, **(
            {"memory_limit": memory_limit} if memory_limit else {})})
    except duckdb.ConnectionException:
        # this process already holds the file open under the plain settings (a library user, the
        # tests): DuckDB shares one instance per file, so the query runs under that instance's limit
        con = duckdb.connect(str(database), config=config)
    con.execute(f"SET search_path = '{SEARCH_PATH}'")  # a session setting: allowed while locked
    return con


def one_statement(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The query when it holds exactly one statement; several are refused, not half run."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as error:
        raise QueryStopped(f"cannot parse the query — {error}".replace("\n", " ")) from None
    if not statements:
        raise QueryStopped("no statement: give a query, e.g. \"select * from core.documents\"")
    if len(statements) > 1:
        raise QueryStopped(f"one statement at a time: the query holds {len(statements)} "
                           "(separated by ';'); run them one by one")
    return sql


def run_limited(con: duckdb.DuckDBPyConnection, work: Callable[[], Result], limits: QueryLimits) -> Result:
    """Run `work` (which queries `con`) on a thread while this one watches the clock and Ctrl-C;
    either interrupts the query. A limit that stops it raises QueryStopped naming the limit."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as error:  # handed to the caller's thread
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    deadline = time.monotonic() + limits.seconds
    stopped_by = None
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.05)
            if stopped_by is None and time.monotonic() > deadline:
                stopped_by = (f"the statement timeout ({limits.seconds:g} s; "
                              "--timeout or RDW_SQL_TIMEOUT)")
                con.interrupt()
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM turned into one by the CLI
        stopped_by = str(stop) or "Ctrl-C"
    give_up = time.monotonic() + 5
    while thread.is_alive() and time.monotonic() < give_up:
        try:
            con.interrupt()
        except duckdb.Error:  # DuckDB may refuse while the query's thread holds the connection
            pass
        thread.join(0.1)
    error = box.get("error")
    if error is None and stopped_by is None:
        return box["value"]
    if isinstance(error, duckdb.OutOfMemoryException):
        raise QueryStopped(f"stopped by the memory limit ({limits.memory}; --memory-limit or "
                           f"RDW_SQL_MEMORY) — {str(error).splitlines()[0]}") from None
    if stopped_by:
        stopped = QueryStopped(f"stopped by {stopped_by}")
        stopped.abandoned = thread.is_alive()  # the connection is still busy: do not close it
        raise stopped from None
    raise error
