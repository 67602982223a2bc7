"""Assets: per-document lake stages (one dynamic partition per document), models, warehouse, exports."""

from pathlib import Path

import dagster as dg
import polars as pl

from models.consensus import GROUP as CONSENSUS_GROUP
from pipelines.data_dictionary import column_description, table_description
from pipelines.document_stages import StageResult, registered_document, run_fact_stage, run_table_stage
from pipelines.exports import export_datasets
from pipelines.model_marts import (
    MODELS, build_capex_marts, build_consensus_mart, build_model_mart, build_model_vs_reported_mart,
    build_report_checks_mart,
)
from pipelines.report.build import build_report
from pipelines.resources import RdwHome
from pipelines.warehouse import build_warehouse, read_only

source_documents = dg.DynamicPartitionsDefinition(name="source_documents")
DOCUMENT_TABLES = dg.AssetKey(["lake", "document_tables"])
DOCUMENT_FACTS = dg.AssetKey(["lake", "document_facts"])
WAREHOUSE = dg.AssetKey(["warehouse", "research_duckdb"])
WARN = dg.AssetCheckSeverity.WARN
PREVIEW_ROWS = 10


def table_metadata(table: str, frame: pl.DataFrame, file: Path) -> dict:
    """Row count, column schema with the dictionary's descriptions, a markdown preview, the file."""
    columns = [dg.TableColumn(name, str(dtype), description=column_description(table, name))
               for name, dtype in frame.schema.items()]
    with pl.Config(tbl_formatting="MARKDOWN", tbl_hide_column_data_types=True,
                   tbl_hide_dataframe_shape=True, tbl_cols=-1, fmt_str_lengths=40,
                   tbl_width_chars=60_000):
        preview = str(frame.head(PREVIEW_ROWS))
    return {"dagster/row_count": frame.height, "dagster/column_schema": dg.TableSchema(columns),
            "dagster/table_name": table, "dagster/uri": dg.MetadataValue.path(str(file)),
            "description": table_description(table) or "", "preview": dg.MetadataValue.md(preview)}


def _document_metadata(paths, doc_id: str, counts: dict) -> dict:
    doc = registered_document(paths, doc_id)
    return {**counts, "path": doc["path"], "dagster/uri": dg.MetadataValue.path(str(paths.raw / doc["path"]))}


def _check_results(result: StageResult, asset_key: dg.AssetKey) -> list[dg.AssetCheckResult]:
    checks = []
    for name, outcome in result.gates.items():
        reasons = outcome.rejects["reason"].unique().sort().to_list()[:10]
        checks.append(dg.AssetCheckResult(
            asset_key=asset_key, check_name=f"{name}_schema", passed=outcome.passed, severity=WARN,
            metadata={"rows_checked": outcome.checked, "rows_rejected": outcome.rejects.height,
                      "reasons": ", ".join(reasons) or "none"}))
    return checks


StageOutcome = tuple[dg.MaterializeResult, list[dg.AssetCheckResult]]


def table_outcome(paths, doc_id: str, result: StageResult) -> StageOutcome:
    """document_tables of one document from what its stage wrote: metadata and gate checks."""
    return (dg.MaterializeResult(metadata=_document_metadata(paths, doc_id, result.counts)),
            _check_results(result, DOCUMENT_TABLES))


def fact_outcome(paths, doc_id: str, result: StageResult) -> StageOutcome:
    """document_facts of one document from what its stage wrote: metadata, its gate and
    every_cell_accounted."""
    accounted = dg.AssetCheckResult(
        asset_key=DOCUMENT_FACTS, check_name="every_cell_accounted",
        passed=result.counts["cells"] == result.counts["cells_with_role"],
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"cells": result.counts["cells"], "with_role": result.counts["cells_with_role"]})
    return (dg.MaterializeResult(metadata=_document_metadata(paths, doc_id, result.counts)),
            [*_check_results(result, DOCUMENT_FACTS), accounted])


def table_stage(paths, doc_id: str, extraction=None) -> StageOutcome:
    """document_tables of one document: the stage, its metadata and its gate checks (`extraction`:
    see run_table_stage)."""
    return table_outcome(paths, doc_id, run_table_stage(paths, doc_id, extraction))


def fact_stage(paths, doc_id: str) -> StageOutcome:
    """document_facts of one document: the stage, its metadata, its gate and every_cell_accounted."""
    return fact_outcome(paths, doc_id, run_fact_stage(paths, doc_id))


def _gate_spec(name: str, asset: dg.AssetKey, schema: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(f"{name}_schema", asset=asset, description=(
        f"Rows that fail {schema} (Pandera) are moved to core.rejects with the reason; warns when "
        "any row was rejected (the other rows go on)."))


@dg.asset(key=DOCUMENT_TABLES, partitions_def=source_documents, group_name="lake",
          kinds={"pdfplumber", "parquet"},
          check_specs=[_gate_spec("tables", DOCUMENT_TABLES, "TablesSchema"),
                       _gate_spec("cells", DOCUMENT_TABLES, "CellsSchema")],
          description="Tables and cells of one document (lake/tables, lake/cells), with rejects. "
                      "The partition key is the document id; the run's rdw/path tag names the file.")
def document_tables(context: dg.AssetExecutionContext, rdw: RdwHome):
    materialization, checks = table_stage(rdw.paths(), context.partition_key)
    yield materialization
    yield from checks


@dg.asset(key=DOCUMENT_FACTS, partitions_def=source_documents, group_name="lake",
          kinds={"polars", "parquet"}, deps=[DOCUMENT_TABLES],
          check_specs=[_gate_spec("facts", DOCUMENT_FACTS, "FactsSchema"),
                       dg.AssetCheckSpec(
                           "every_cell_accounted", asset=DOCUMENT_FACTS, blocking=True,
                           description="Every cell became exactly one of fact, label, header, text or "
                                       "empty; a cell lost in typing fails the run (blocking).")],
          description="Typed facts of one document (lake/facts) gated by FactsSchema.")
def document_facts(context: dg.AssetExecutionContext, rdw: RdwHome):
    materialization, checks = fact_stage(rdw.paths(), context.partition_key)
    yield materialization
    yield from checks


def _model_asset(model: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["marts", model])
    table = f"marts.{model}"

    @dg.asset(key=key, deps=[DOCUMENT_FACTS], group_name="models", kinds={"polars"},
              automation_condition=dg.AutomationCondition.eager(),
              description=table_description(table),
              check_specs=[dg.AssetCheckSpec(
                  "model_output_schema", asset=key, blocking=True,
                  description="Every model row fits ModelOutputSchema and names the facts or "
                              "assumptions it used; a failing row keeps the warehouse from "
                              "being rebuilt with this model (blocking).")])
    def model_mart(rdw: RdwHome):
        result = build_model_mart(rdw.paths(), model)
        yield dg.MaterializeResult(metadata=table_metadata(table, result.valid,
                                                           rdw.paths().mart_file(model)))
        yield dg.AssetCheckResult(check_name="model_output_schema", passed=result.passed,
                                  severity=dg.AssetCheckSeverity.ERROR,
                                  metadata={"rows_rejected": result.rejects.height})

    return model_mart


MODEL_ASSETS = [_model_asset(model) for model in MODELS]
MODEL_KEYS = [["marts", m] for m in MODELS]


@dg.asset(key=["marts", "report_checks"], deps=[DOCUMENT_FACTS], group_name="models",
          kinds={"polars"}, automation_condition=dg.AutomationCondition.eager(),
          description=table_description("marts.report_checks"))
def report_checks(rdw: RdwHome) -> dg.MaterializeResult:
    table = build_report_checks_mart(rdw.paths())
    return dg.MaterializeResult(metadata={
        **table_metadata("marts.report_checks", table, rdw.paths().mart_file("report_checks")),
        "disagrees": table.filter(table["verdict"] == "disagrees").height})


@dg.asset(key=["marts", "model_vs_reported"], deps=[*MODEL_KEYS, ["marts", "report_checks"]],
          group_name="models", kinds={"polars"}, automation_condition=dg.AutomationCondition.eager(),
          description=table_description("marts.model_vs_reported"))
def model_vs_reported(rdw: RdwHome) -> dg.MaterializeResult:
    table = build_model_vs_reported_mart(rdw.paths())
    compared = table.filter(table["reported_value"].is_not_null())
    return dg.MaterializeResult(metadata={
        **table_metadata("marts.model_vs_reported", table, rdw.paths().mart_file("model_vs_reported")),
        "compared": compared.height, "within_tolerance": int(compared["within_tolerance"].sum() or 0)})


@dg.asset(key=["marts", "hyperscaler_capex"], deps=[DOCUMENT_FACTS], group_name="models",
          kinds={"polars"}, automation_condition=dg.AutomationCondition.eager(),
          description=table_description("marts.hyperscaler_capex"))
def hyperscaler_capex(rdw: RdwHome) -> dg.MaterializeResult:
    capex, versus = build_capex_marts(rdw.paths())
    return dg.MaterializeResult(metadata={
        **table_metadata("marts.hyperscaler_capex", capex, rdw.paths().mart_file("hyperscaler_capex")),
        "companies": capex["company"].n_unique(), "report_claims": versus.height})


@dg.asset(key=["marts", "consensus"], deps=[DOCUMENT_FACTS], group_name="models",
          kinds={"polars"}, automation_condition=dg.AutomationCondition.eager(),
          description=table_description("marts.consensus"))
def consensus(rdw: RdwHome) -> dg.MaterializeResult:
    table = build_consensus_mart(rdw.paths())
    return dg.MaterializeResult(metadata={
        **table_metadata("marts.consensus", table, rdw.paths().mart_file("consensus")),
        "conflicting_groups": table.filter(table["conflict"]).select(CONSENSUS_GROUP).unique().height})


@dg.asset(key=WAREHOUSE, deps=[DOCUMENT_FACTS, ["marts", "model_vs_reported"],
                               ["marts", "hyperscaler_capex"], ["marts", "consensus"]],
          group_name="warehouse", kinds={"duckdb"}, pool="duckdb_write",
          automation_condition=dg.AutomationCondition.eager(),
          description="warehouse/research.duckdb, built into a new file and renamed over the old "
                      "(DuckDB 1.4+ can open it). `rdw schema` lists its tables.")
def research_warehouse(rdw: RdwHome) -> dg.MaterializeResult:
    paths = rdw.paths()
    info = build_warehouse(paths)
    with read_only(paths.warehouse) as con:
        tables = con.sql("""SELECT schema_name || '.' || table_name AS "table",
                                   estimated_size AS rows, comment AS description
                            FROM duckdb_tables() WHERE schema_name IN ('core', 'marts')
                            ORDER BY 1""").pl()
    with pl.Config(tbl_formatting="MARKDOWN", tbl_hide_column_data_types=True,
                   tbl_hide_dataframe_shape=True, tbl_rows=-1, fmt_str_lengths=200,
                   tbl_width_chars=60_000):
        listing = str(tables)
    return dg.MaterializeResult(metadata={
        **{k: v for k, v in info.items() if v is not None and k != "path"},
        "dagster/uri": dg.MetadataValue.path(str(paths.warehouse)),
        "tables": dg.MetadataValue.md(listing)})


@dg.asset_check(asset=WAREHOUSE, blocking=True,
                description="core.cells and core.roles match one to one (every cell has a role); "
                            "a mismatch keeps the exports from being rewritten (blocking).")
def cells_all_typed(rdw: RdwHome) -> dg.AssetCheckResult:
    with read_only(rdw.paths().warehouse) as con:
        cells, roles = con.execute("SELECT (SELECT count(*) FROM core.cells), "
                                   "(SELECT count(*) FROM core.roles)").fetchall()[0]
    return dg.AssetCheckResult(passed=cells == roles, severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"cells": cells, "roles": roles})


@dg.asset(key=["exports", "curated_parquet"], deps=[WAREHOUSE], group_name="exports",
          kinds={"parquet"}, automation_condition=dg.AutomationCondition.eager(),
          description="exports/<table>/<table>.parquet for every warehouse table, and manifest.json "
                      "(`rdw export --format csv|tsv|xlsx` writes the other formats).")
def curated_exports(rdw: RdwHome) -> dg.MaterializeResult:
    paths = rdw.paths()
    manifest = export_datasets(paths)
    return dg.MaterializeResult(metadata={
        "dagster/uri": dg.MetadataValue.path(str(paths.exports / "manifest.json")),
        **{name: d["rows"] for name, d in manifest["datasets"].items()}})


@dg.asset(key=["exports", "report"], deps=[WAREHOUSE, ["exports", "curated_parquet"]],
          group_name="exports",
          kinds={"html"}, automation_condition=dg.AutomationCondition.eager(),
          description="exports/report/index.html: the warehouse as a static site that opens from "
                      "the file system (charts per model, model vs reported, report checks, "
                      "consensus, a trace page with the page image for every number shown).")
def research_report(rdw: RdwHome) -> dg.MaterializeResult:
    summary = build_report(rdw.paths())
    return dg.MaterializeResult(metadata={
        "dagster/uri": dg.MetadataValue.path(str(summary.out / "index.html")),
        "pages": summary.pages, "charts": summary.charts, "fact_pages": summary.fact_pages,
        "page_images": summary.images, "seconds": summary.seconds})


DOCUMENT_ASSETS = [document_tables, document_facts]
REFRESH_ASSETS = [*MODEL_ASSETS, report_checks,
                  model_vs_reported,
                  hyperscaler_capex, consensus, research_warehouse, curated_exports, research_report]
ASSET_CHECKS = [cells_all_typed]
