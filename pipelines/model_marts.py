"""Model marts from the lake: current documents' facts → polars models → gated parquet marts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl

from models import inputs, reconcile, report_checks
from models.consensus import build_consensus
from models.hyperscaler_capex import build_hyperscaler_capex, capex_vs_reports
from models.inputs import reported_figures
from models.reconcile import model_vs_reported
from models.registry import MODELS
from models.report_checks import CHECK_COLUMNS, build_report_checks
from pipelines.compacted_lake import SOURCES_KEY, read_with_sources, stage_frame, stage_sources
from pipelines.lake import RdwPaths, load_registry, write_parquet_atomic
from pipelines.normalize.facts import FACT_COLUMNS
from quality.gates import GateResult, gate
from quality.schemas import META_COLUMNS, ModelOutputSchema

def current_facts(paths: RdwPaths, stage: str = "facts", schema: dict = FACT_COLUMNS) -> pl.DataFrame:
    """Facts (or another per-document stage) of documents whose bytes are still in raw/
    (superseded versions stay out of models)."""
    registry = load_registry(paths)
    present = registry.filter(pl.col("present"))["doc_id"].to_list()
    return stage_frame(paths, stage, present, schema)


def write_if_changed(frame: pl.DataFrame, path) -> bool:
    """Rewrite a mart only when its content changed, so a no-op refresh leaves the lake untouched."""
    if path.exists() and pl.read_parquet(path).equals(frame):
        return False
    write_parquet_atomic(frame, path)
    return True


def build_model_mart(paths: RdwPaths, model: str) -> GateResult:
    result = gate(MODELS[model](current_facts(paths)), ModelOutputSchema, "models")
    write_if_changed(result.valid, paths.mart_file(model))
    return result


def build_report_checks_mart(paths: RdwPaths) -> pl.DataFrame:
    """marts.report_checks: the reports' own totals, YoY rows and stated growth rates recomputed.

    Every check reads one table of one document, so the checks of a document whose facts and
    tables files are as they were (bytes, mtime; kept in the mart's footer with a hash of the
    checks' code and claims) are taken from the previous mart; only the others are recomputed."""
    present = load_registry(paths).filter(pl.col("present"))["doc_id"].to_list()
    facts_files, tables_files = stage_sources(paths, "facts"), stage_sources(paths, "tables")
    stamps = {d: [facts_files.get(d), tables_files.get(d)] for d in present}
    version = hashlib.sha256(b"".join(
        Path(f).read_bytes() for f in (report_checks.__file__, report_checks.CLAIMS_FILE,
                                       reconcile.__file__, inputs.__file__))).hexdigest()
    file = paths.mart_file("report_checks")
    sources, previous = read_with_sources(file)
    if previous is None or sources.get("version") != version:
        sources, previous = {}, pl.DataFrame(schema=CHECK_COLUMNS)
    kept = [d for d in present if sources.get("documents", {}).get(d) == stamps[d]]
    todo = sorted(set(present) - set(kept))
    tables = stage_frame(paths, "tables", todo, {"table_id": pl.String, "label": pl.String})
    fresh = build_report_checks(stage_frame(paths, "facts", todo, FACT_COLUMNS), tables)
    checks = pl.concat([previous.filter(pl.col("doc_id").is_in(kept)), fresh],
                       how="vertical_relaxed").sort("doc_id", "table_id", "check_kind", "check_id")
    footer = {SOURCES_KEY: json.dumps({"version": version, "documents": stamps}, sort_keys=True)}
    if not (sources.get("documents") == stamps and previous.equals(checks)):
        write_parquet_atomic(checks, file, footer)
    return checks


def build_model_vs_reported_mart(paths: RdwPaths) -> pl.DataFrame:
    """Model figures beside published ones, with the report check of each published figure."""
    facts = current_facts(paths)
    tables = [model_vs_reported(pl.read_parquet(paths.mart_file(m)), facts, reported_figures(m))
              for m in MODELS if paths.mart_file(m).exists()]
    checks_file = paths.mart_file("report_checks")
    checks = pl.read_parquet(checks_file) if checks_file.exists() else pl.DataFrame(schema=CHECK_COLUMNS)
    table = pl.concat(tables, how="vertical_relaxed").join(
        checks.select(pl.col("stated_fact_id").alias("reported_fact_id"),
                      pl.col("check_id").alias("report_check_id"),
                      pl.col("verdict").alias("report_check_verdict"))
        .unique("reported_fact_id", keep="first", maintain_order=True),
        on="reported_fact_id", how="left")
    write_if_changed(table, paths.mart_file("model_vs_reported"))
    return table


def build_capex_marts(paths: RdwPaths) -> tuple[pl.DataFrame, pl.DataFrame]:
    """marts.hyperscaler_capex from filing facts, and marts.capex_vs_reports beside it."""
    capex = build_hyperscaler_capex(current_facts(paths))
    versus = capex_vs_reports(capex)
    write_if_changed(capex, paths.mart_file("hyperscaler_capex"))
    write_if_changed(versus, paths.mart_file("capex_vs_reports"))
    return capex, versus


def build_consensus_mart(paths: RdwPaths) -> pl.DataFrame:
    """marts.consensus: each source's figure per metric × region × entity × year × qualifier."""
    meta = current_facts(paths, "document_meta", META_COLUMNS)
    institutions = (meta.filter(pl.col("field") == "institution")
                    .select("doc_id", pl.col("value").alias("institution")).unique("doc_id", keep="first"))
    table = build_consensus(current_facts(paths), institutions)
    write_if_changed(table, paths.mart_file("consensus"))
    return table
