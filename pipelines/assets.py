"""Assets: per-document lake stages (one dynamic partition per document), models, warehouse, exports."""


import dagster as dg

from pipelines.document_stages import StageResult, run_fact_stage, run_table_stage
from pipelines.model_marts import (
    MODELS, build_capex_marts, build_model_mart, build_model_vs_reported_mart,
)
from pipelines.resources import RdwHome
from pipelines.warehouse import build_warehouse, export_datasets, read_only

source_documents = dg.DynamicPartitionsDefinition(name="source_documents")
DOCUMENT_TABLES = dg.AssetKey(["lake", "document_tables"])
DOCUMENT_FACTS = dg.AssetKey(["lake", "document_facts"])
WAREHOUSE = dg.AssetKey(["warehouse", "research_duckdb"])
WARN = dg.AssetCheckSeverity.WARN


def _check_results(result: StageResult, asset_key: dg.AssetKey):
    for name, outcome in result.gates.items():
        reasons = outcome.rejects["reason"].unique().sort().to_list()[:10]
        yield dg.AssetCheckResult(
            asset_key=asset_key, check_name=f"{name}_schema", passed=outcome.passed, severity=WARN,
            metadata={"rows_checked": outcome.checked, "rows_rejected": outcome.rejects.height,
                      "reasons": ", ".join(reasons) or "none"})


@dg.asset(key=DOCUMENT_TABLES, partitions_def=source_documents, group_name="lake",
          kinds={"pdfplumber", "parquet"},
          check_specs=[dg.AssetCheckSpec("tables_schema", asset=DOCUMENT_TABLES),
                       dg.AssetCheckSpec("cells_schema", asset=DOCUMENT_TABLES)],
          description="Tables and cells of one document (lake/tables, lake/cells), with rejects.")
def document_tables(context: dg.AssetExecutionContext, rdw: RdwHome):
    result = run_table_stage(rdw.paths(), context.partition_key)
    yield dg.MaterializeResult(metadata=result.counts)
    yield from _check_results(result, DOCUMENT_TABLES)


@dg.asset(key=DOCUMENT_FACTS, partitions_def=source_documents, group_name="lake",
          kinds={"polars", "parquet"}, deps=[DOCUMENT_TABLES],
          check_specs=[dg.AssetCheckSpec("facts_schema", asset=DOCUMENT_FACTS),
                       dg.AssetCheckSpec("every_cell_accounted", asset=DOCUMENT_FACTS)],
          description="Typed facts of one document (lake/facts) gated by FactsSchema.")
def document_facts(context: dg.AssetExecutionContext, rdw: RdwHome):
    result = run_fact_stage(rdw.paths(), context.partition_key)
    yield dg.MaterializeResult(metadata=result.counts)
    yield from _check_results(result, DOCUMENT_FACTS)
    yield dg.AssetCheckResult(
        asset_key=DOCUMENT_FACTS, check_name="every_cell_accounted",
        passed=result.counts["cells"] == result.counts["cells_with_role"],
        metadata={"cells": result.counts["cells"], "with_role": result.counts["cells_with_role"]})


def _model_asset(model: str, description: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["marts", model])

    @dg.asset(key=key, deps=[DOCUMENT_FACTS], group_name="models", kinds={"polars"},
              automation_condition=dg.AutomationCondition.eager(), description=description,
              check_specs=[dg.AssetCheckSpec("model_output_schema", asset=key)])
    def model_mart(rdw: RdwHome):
        result = build_model_mart(rdw.paths(), model)
        yield dg.MaterializeResult(metadata={"rows": result.valid.height})
        yield dg.AssetCheckResult(check_name="model_output_schema", passed=result.passed,
                                  metadata={"rows_rejected": result.rejects.height})

    return model_mart


ai_server_market = _model_asset(
    "ai_server_market", "Training and inference compute → GPUs → global and China AI server market (002).")
optical_module_demand = _model_asset(
    "optical_module_demand", "Leaf-spine cluster modules per GPU × GPU deployments → 800G/400G demand (004).")
liquid_cooling_tam = _model_asset(
    "liquid_cooling_tam", "New-build IDC, new AI servers and retrofit liquid cooling in China (002/004/001).")
MODEL_KEYS = [["marts", m] for m in MODELS]


@dg.asset(key=["marts", "model_vs_reported"], deps=MODEL_KEYS,
          group_name="models", kinds={"polars"}, automation_condition=dg.AutomationCondition.eager(),
          description="Each model figure beside the figure the report publishes.")
def model_vs_reported(rdw: RdwHome) -> dg.MaterializeResult:
    table = build_model_vs_reported_mart(rdw.paths())
    compared = table.filter(table["reported_value"].is_not_null())
    return dg.MaterializeResult(metadata={
        "rows": table.height, "compared": compared.height,
        "within_tolerance": int(compared["within_tolerance"].sum() or 0)})


@dg.asset(key=["marts", "hyperscaler_capex"], deps=[DOCUMENT_FACTS], group_name="models",
          kinds={"polars"}, automation_condition=dg.AutomationCondition.eager(),
          description="Filing capex by company and period (YTD → quarters), and what reports say of it.")
def hyperscaler_capex(rdw: RdwHome) -> dg.MaterializeResult:
    capex, versus = build_capex_marts(rdw.paths())
    return dg.MaterializeResult(metadata={"rows": capex.height, "companies": capex["company"].n_unique(),
                                          "report_claims": versus.height})


@dg.asset(key=WAREHOUSE, deps=[DOCUMENT_FACTS, ["marts", "model_vs_reported"],
                               ["marts", "hyperscaler_capex"]],
          group_name="warehouse", kinds={"duckdb"}, pool="duckdb_write",
          automation_condition=dg.AutomationCondition.eager(),
          description="warehouse/research.duckdb, built into a new file and renamed over the old.")
def research_warehouse(rdw: RdwHome) -> dg.MaterializeResult:
    info = build_warehouse(rdw.paths())
    return dg.MaterializeResult(metadata={k: v for k, v in info.items() if v is not None})


@dg.asset_check(asset=WAREHOUSE, description="core.cells and the cell roles match one to one.")
def cells_all_typed(rdw: RdwHome) -> dg.AssetCheckResult:
    with read_only(rdw.paths().warehouse) as con:
        cells, roles = con.execute("SELECT (SELECT count(*) FROM core.cells), "
                               "(SELECT count(*) FROM core.roles)").fetchall()[0]
    return dg.AssetCheckResult(passed=cells == roles, metadata={"cells": cells, "roles": roles})


@dg.asset(key=["exports", "curated_parquet"], deps=[WAREHOUSE], group_name="exports",
          kinds={"parquet"}, automation_condition=dg.AutomationCondition.eager(),
          description="exports/<dataset>/<dataset>.parquet and manifest.json.")
def curated_exports(rdw: RdwHome) -> dg.MaterializeResult:
    manifest = export_datasets(rdw.paths())
    return dg.MaterializeResult(metadata={
        name: d["rows"] for name, d in manifest["datasets"].items()})


DOCUMENT_ASSETS = [document_tables, document_facts]
REFRESH_ASSETS = [ai_server_market, optical_module_demand, liquid_cooling_tam, model_vs_reported,
                  hyperscaler_capex, research_warehouse, curated_exports]
ASSET_CHECKS = [cells_all_typed]
