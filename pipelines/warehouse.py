"""DuckDB warehouse: built from the lake into a new file, then atomically renamed over the served one.

The file is written in DuckDB 1.4's storage format, so the DuckDB 1.x that analysts' tools embed
(DuckDB CLI 1.4/1.5, DBeaver, JDBC/ODBC drivers) can open it as well as DuckDB 2.0."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from models.registry import MODELS
from pipelines.compacted_lake import stage_frame, stage_sources
from pipelines.data_dictionary import comment_warehouse, date_columns
from pipelines.document_stages import DOCUMENT_INFO_COLUMNS
from pipelines.fault_points import pause_if_requested
from pipelines.lake import RdwPaths, load_registry
from pipelines.normalize.facts import FACT_COLUMNS, ROLE_COLUMNS
from quality.schemas import (
    ANALYST_COLUMNS, CELL_COLUMNS, COMPANY_COLUMNS, META_COLUMNS, PROSE_CANDIDATE_COLUMNS, REJECT_COLUMNS,
    TABLE_COLUMNS,
)
from pipelines.normalize.metrics import load_catalog
from pipelines.warehouse_reader import file_checksum, read_only, scalar, warehouse_damage, write_checksum

CORE_STAGES = {"tables": TABLE_COLUMNS, "cells": CELL_COLUMNS, "facts": FACT_COLUMNS,
               "roles": ROLE_COLUMNS, "filing_facts": FACT_COLUMNS, "document_meta": META_COLUMNS,
               "analysts": ANALYST_COLUMNS, "prose_candidates": PROSE_CANDIDATE_COLUMNS}
STAGE_TABLES = {"companies": ("core.document_companies", COMPANY_COLUMNS)}
REJECT_STAGES = ("rejects", "fact_rejects")
NO_TABLES_REASON = ("read, but no table found: no caption (图表/表/Figure/Table …) above or below a "
                    "grid or aligned rows, and no ruled grid")
STORAGE_VERSION = "v1.4.0"  # the oldest DuckDB release that can open the served file
MARTS = (*MODELS, "model_vs_reported", "hyperscaler_capex", "capex_vs_reports", "report_checks",
         "consensus")
REPORT_CATALOG_VIEW = """
    CREATE VIEW core.report_catalog AS
    SELECT d.doc_id, d.path, d.kind, d.status,
           max(m.value) FILTER (WHERE m.field = 'title') AS title,
           max(m.value) FILTER (WHERE m.field = 'subtitle') AS subtitle,
           max(m.value) FILTER (WHERE m.field = 'institution') AS institution,
           TRY_CAST(max(m.value) FILTER (WHERE m.field = 'publication_date') AS DATE) AS publication_date,
           TRY_CAST(max(m.value) FILTER (WHERE m.field = 'publication_date_not_before') AS DATE)
             AS publication_date_not_before,
           max(m.value) FILTER (WHERE m.field = 'rating') AS rating,
           max(m.value) FILTER (WHERE m.field = 'rating_direction') AS rating_direction,
           max(m.value) FILTER (WHERE m.field = 'report_type') AS report_type,
           max(m.value) FILTER (WHERE m.field = 'industry') AS industry,
           (SELECT list(a.name || ' ' || a.registration_no ORDER BY a.line_no)
              FROM core.analysts a WHERE a.doc_id = d.doc_id) AS analysts
    FROM core.documents d LEFT JOIN core.document_meta m USING (doc_id)
    GROUP BY ALL"""


ESTIMATES_VIEW = """
    CREATE VIEW marts.estimates AS
    SELECT f.fact_id, f.metric_id, f.region, f.entity, f.period_label, f.year, f.is_estimate, f.value,
           f.unit, c.institution, f.report_date,
           f.is_estimate AND f.year < year(f.report_date) AS is_stale,
           row_number() OVER (PARTITION BY f.metric_id, f.region, f.entity, f.year, c.institution
                              ORDER BY f.report_date DESC NULLS LAST, f.fact_id) = 1 AS is_latest_vintage,
           f.doc_id, f.table_id, f.page, f.line_no, f.raw_text
    FROM core.facts f JOIN core.report_catalog c USING (doc_id)
    WHERE f.metric_id IS NOT NULL AND f.value IS NOT NULL AND f.year IS NOT NULL
      AND c.status <> 'superseded'"""


def lake_fingerprint(paths: RdwPaths) -> str:
    """Changes whenever any lake input of the warehouse changes (names, sizes, mtimes)."""
    digest = hashlib.sha256(f"catalog:{load_catalog().version}".encode())
    for file in (paths.registry, paths.skipped):
        if file.exists():
            stat = file.stat()
            digest.update(f"{file.relative_to(paths.lake)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    files = sorted((f"{stage}/{doc_id}.parquet", size, mtime)
                   for stage in [*CORE_STAGES, *STAGE_TABLES, *REJECT_STAGES, "documents", "marts"]
                   for doc_id, (size, mtime) in stage_sources(paths, stage).items())
    for name, size, mtime in files:
        digest.update(f"{name}:{size}:{mtime}".encode())
    return digest.hexdigest()


class WarehouseBuildFailed(RuntimeError):
    """The new warehouse could not be written (a full disk, say); the previous one is still served."""


def served_fingerprint(paths: RdwPaths) -> str | None:
    """The lake fingerprint the served warehouse was built from; None when there is none or its
    bytes no longer match the checksum written beside it (a truncated or damaged file)."""
    if not paths.warehouse.exists() or warehouse_damage(paths.warehouse, full=True):
        return None
    try:
        with read_only(paths.warehouse) as con:
            return scalar(con, "SELECT fingerprint FROM core.build_info")
    except duckdb.Error:
        return None


def _documents(paths: RdwPaths) -> pl.DataFrame:
    registry = load_registry(paths)
    info = stage_frame(paths, "documents", registry["doc_id"].to_list(), DOCUMENT_INFO_COLUMNS)
    docs = registry.join(info, on="doc_id", how="left")
    status = (pl.when(~pl.col("present")).then(pl.lit("superseded"))
              .otherwise(pl.col("status").fill_null("pending")))
    why = (pl.when((pl.col("status") == "no tables") & pl.col("error").is_null())
           .then(pl.lit(NO_TABLES_REASON)).otherwise(pl.col("error")))
    return docs.with_columns(status.alias("status"), why.alias("error")).select(
        "doc_id", "path", "kind", "bytes", "pages", "first_seen", "status", "sha256", "aliases",
        "present", "n_tables", "n_cells", "report_date", "fiscal_year", "error", "extractor_version")


def _load_stage(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame,
                schema: dict[str, pl.DataType]) -> None:
    """CREATE the table with the stage's columns, then INSERT its rows by column name."""
    con.register("empty_stage", pl.DataFrame(schema=schema))
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM empty_stage")
    con.unregister("empty_stage")
    if rows.height:
        con.register("stage_rows", rows)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM stage_rows")
        con.unregister("stage_rows")


def build_warehouse(paths: RdwPaths, *, force: bool = False) -> dict:
    """Build core + marts from the lake into a fresh file and swap it in. Skips when unchanged."""
    fingerprint = lake_fingerprint(paths)
    if not force and served_fingerprint(paths) == fingerprint:
        return {"built": False, "path": str(paths.warehouse), "fingerprint": fingerprint}
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    building = paths.warehouse.with_name(f".{paths.warehouse.name}.building-{os.getpid()}")
    building.unlink(missing_ok=True)
    documents = _documents(paths)
    doc_ids = documents["doc_id"].to_list()
    try:
        built_at, counts = _build_into(paths, building, documents, doc_ids, fingerprint)
        pause_if_requested("swap")
        checksum = file_checksum(building)
        os.replace(building, paths.warehouse)
        write_checksum(paths.warehouse, checksum)
    except BaseException as error:  # Ctrl-C, SIGTERM, a full disk: no orphan, the old file served
        building.unlink(missing_ok=True)
        building.with_name(building.name + ".wal").unlink(missing_ok=True)
        if isinstance(error, (OSError, duckdb.IOException, duckdb.OutOfMemoryException)):
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise WarehouseBuildFailed(
                f"the warehouse build failed ({first}); the previous warehouse is still served"
                f"{'' if paths.warehouse.exists() else ' (there is none yet)'}") from error
        raise
    return {"built": True, "path": str(paths.warehouse), "fingerprint": fingerprint,
            "built_at": built_at, **counts}


def _build_into(paths: RdwPaths, building: Path, documents: pl.DataFrame, doc_ids: list[str],
                fingerprint: str) -> tuple[str, dict[str, int]]:
    """Write the whole warehouse into the file `building` and close it: (built_at, row counts)."""
    con = duckdb.connect()
    try:
        quoted = str(building).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS warehouse (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("USE warehouse")
        con.execute("BEGIN TRANSACTION")  # one commit for the file: one a statement was 2× slower
        con.execute("CREATE SCHEMA core; CREATE SCHEMA marts;")
        con.register("documents_frame", documents)
        con.execute("CREATE TABLE core.documents AS SELECT * FROM documents_frame ORDER BY doc_id")
        for stage, schema in CORE_STAGES.items():
            _load_stage(con, f"core.{stage}", stage_frame(paths, stage, doc_ids), schema)
        for stage, (table, schema) in STAGE_TABLES.items():
            _load_stage(con, table, stage_frame(paths, stage, doc_ids), schema)
        skipped = [pl.read_parquet(paths.skipped)] if paths.skipped.exists() else []  # raw/ entries never read
        _load_stage(con, "core.rejects", pl.concat(
            [*(stage_frame(paths, s, doc_ids) for s in REJECT_STAGES), *skipped], how="diagonal_relaxed"),
            REJECT_COLUMNS)
        con.register("metrics_frame", metric_frame())
        con.execute("CREATE TABLE core.metrics AS SELECT * FROM metrics_frame")
        for mart in MARTS:
            file = paths.mart_file(mart)
            if file.exists():
                con.execute(f"CREATE TABLE marts.{mart} AS SELECT * FROM read_parquet(?)", [str(file)])
        con.execute("""
            CREATE VIEW marts.unmapped_labels AS
            SELECT metric_raw AS label, coalesce(unmapped_reason, 'no catalog rule') AS reason,
                   count(*) AS facts, min(doc_id) AS example_doc_id, min(table_id) AS example_table_id
            FROM core.facts WHERE metric_id IS NULL AND metric_raw IS NOT NULL
            GROUP BY ALL ORDER BY facts DESC, label, reason""")
        store_dates(con)
        con.execute(REPORT_CATALOG_VIEW)
        con.execute(ESTIMATES_VIEW)
        built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        con.execute("CREATE TABLE core.build_info AS SELECT ? AS fingerprint, ? AS built_at, "
                    "? AS catalog_version", [fingerprint, built_at, load_catalog().version])
        counts = {t: scalar(con, f"SELECT count(*) FROM core.{t}")
                  for t in ("documents", "tables", "cells", "facts", "rejects")}
        comment_warehouse(con)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return built_at, counts


def store_dates(con: duckdb.DuckDBPyConnection) -> None:
    """Turn the ISO date strings of the lake into DATE columns (the dictionary lists which)."""
    tables = {f"{s}.{t}" for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE'").fetchall()}
    for table in sorted(tables):
        for column in date_columns(table):
            con.execute(f"ALTER TABLE {table} ALTER {column} SET DATA TYPE DATE "
                        f"USING TRY_CAST({column} AS DATE)")


def metric_frame() -> pl.DataFrame:
    catalog = load_catalog()
    return pl.DataFrame([
        {"metric_id": m["id"], "rule_id": rule.rule_id, "name_zh": m["zh"], "name_en": m["en"],
         "dimension": m["dimension"], "label": m["label"], "caption": m.get("caption"),
         "not_caption": m.get("not_caption"), "confidence": rule.confidence,
         "catalog_version": catalog.version}
        for m, rule in zip(catalog.metrics, catalog.rules)])
