"""The whole slice: Dagster assets materialized in-process, the DuckDB warehouse, exports, CLI."""

import json
import subprocess
import sys

import dagster as dg
import duckdb
import polars as pl
import pytest

from conftest import ROOT, copy_home, make_home
from pipelines.assets import (
    DOCUMENT_ASSETS, DOCUMENT_FACTS, DOCUMENT_TABLES, REFRESH_ASSETS, WAREHOUSE, source_documents,
)
from pipelines.automation import daily_refresh_schedule, raw_documents_sensor
from pipelines.cli import main as rdw
from pipelines.definitions import defs
from pipelines.lake import RefreshBusy, load_registry, register_documents, refresh_lock
from pipelines.refresh import refresh
from pipelines.resources import RdwHome
from pipelines.warehouse import read_only, scalar

CONTRACT = {
    "core.documents": {"doc_id", "path", "kind", "bytes", "pages", "first_seen", "status"},
    "core.tables": {"table_id", "doc_id", "page", "label", "caption", "unit_hint", "source_line",
                    "n_rows", "n_cols", "method"},
    "core.cells": {"table_id", "row_idx", "col_idx", "text", "is_header"},
    "core.facts": {"doc_id", "table_id", "page", "x0", "top", "x1", "bottom", "metric_raw",
                   "metric_id", "entity", "region", "period_label", "year", "is_estimate", "value",
                   "unit", "scale_label", "currency", "raw_text", "extractor", "extractor_version"},
    "core.rejects": {"doc_id", "stage", "reason", "detail"},
}


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    assert {j.name for j in repo.get_all_jobs()} >= {"daily_refresh", "extract_documents"}
    assert daily_refresh_schedule.cron_schedule == "0 6 * * *"
    assert daily_refresh_schedule.execution_timezone == "Asia/Shanghai"


def test_per_document_assets_materialize_in_process(tmp_path):
    paths = make_home(tmp_path)
    registry = register_documents(paths)
    doc = registry.filter(pl.col("path").str.ends_with("yd_ai_infrastructure_2024.pdf")).row(0, named=True)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(source_documents.name, [doc["doc_id"]])
    result = dg.materialize(DOCUMENT_ASSETS, partition_key=doc["doc_id"], instance=instance,
                            resources={"rdw": RdwHome.for_paths(paths)})
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"tables_schema": True, "cells_schema": True, "facts_schema": True,
                      "every_cell_accounted": True}
    tables = pl.read_parquet(paths.stage_file("tables", doc["doc_id"]))
    assert tables["label"].to_list() == ["表3", "表8", "表9", "表11"]
    facts = pl.read_parquet(paths.stage_file("facts", doc["doc_id"]))
    assert facts.filter(pl.col("metric_id") == "servers_required")["value"].max() == 2917


def test_refresh_builds_the_contracted_warehouse(refreshed, warehouse):
    paths, summary = refreshed
    assert summary.documents == 9 and len(summary.extracted) == 9 and not summary.failed
    assert summary.warehouse_rebuilt
    assert set(summary.models_materialized) == {"marts/ai_server_market", "marts/optical_module_demand",
                                                "marts/liquid_cooling_tam", "marts/model_vs_reported",
                                                "marts/hyperscaler_capex", "marts/report_checks",
                                                "marts/consensus"}
    for table, columns in CONTRACT.items():
        have = {r[0] for r in warehouse.execute(f"DESCRIBE {table}").fetchall()}
        assert columns <= have, (table, columns - have)
    counts = dict(warehouse.execute(
        "SELECT kind, count(*) FROM core.documents WHERE status = 'loaded' GROUP BY kind").fetchall())
    assert counts == {"report_pdf": 3, "report_text": 1, "companyfacts": 4, "filing_pdf": 1}
    assert scalar(warehouse, "SELECT count(*) FROM core.tables") == 16
    assert scalar(warehouse, "SELECT count(*) FROM core.rejects") == 0


def test_golden_queries(warehouse):
    text = warehouse.execute("""
        SELECT c.text FROM core.cells c JOIN core.tables t USING (table_id)
        JOIN core.cells h ON h.table_id = c.table_id AND h.row_idx = 0 AND h.col_idx = c.col_idx
        JOIN core.cells r ON r.table_id = c.table_id AND r.row_idx = c.row_idx AND r.col_idx = 0
        WHERE t.label = '图表108' AND h.text = '2024E' AND r.text LIKE 'AI 服务器存量规模%'""").fetchall()
    assert text == [("889.6",)]
    china = warehouse.execute("""
        SELECT f.value, f.unit, t.label, f.page FROM core.facts f JOIN core.tables t USING (table_id)
        WHERE f.metric_id = 'ai_server_market_size' AND f.region = 'China' AND f.year = 2025
          AND f.is_estimate ORDER BY t.label""").fetchall()
    assert [(round(v / 1e10, 4), u, label) for v, u, label, _ in china] == [
        (5.605, "USD", "图表109"), (5.605, "USD", "图表8")]  # both tables state it
    assert [page for *_, page in china] == [3, 1]
    capex = scalar(warehouse, "SELECT value FROM core.facts WHERE metric_id = 'capex' "
                              "AND entity = 'Alphabet' AND period_label = 'FY2023'")
    assert capex == 32_251_000_000


def test_marts(warehouse):
    rows = warehouse.execute("""SELECT region, year, within_tolerance FROM marts.model_vs_reported
                                WHERE metric_id = 'ai_server_market_size' AND variant = 'as_published'
                                  AND reported_value IS NOT NULL ORDER BY region, year""").fetchall()
    assert rows == [("China", y, True) for y in (2023, 2024, 2025)] + \
                   [("global", y, True) for y in (2023, 2024, 2025)]
    misses = warehouse.execute("""SELECT reported_fact_id FROM marts.model_vs_reported
                                  WHERE variant = 'as_published' AND NOT within_tolerance
                                  ORDER BY 1""").fetchall()
    assert misses == [("report:ai_server_market.a100_price_000",),
                      ("report:ai_server_market.h100_price_000",),  # 000 表1's prices vs 002's US$10,000
                      ("report:liquid_cooling_tam.ai_new_260",), ("report:liquid_cooling_tam.china_lc_2025",),
                      ("report:liquid_cooling_tam.china_lc_2027",), ("report:liquid_cooling_tam.retrofit_832",),
                      ("report:optical_module_demand.lightcounting_2025",),
                      ("report:optical_module_demand.lightcounting_2027",)]  # undisclosed inputs / scope
    table_9 = warehouse.execute("""SELECT count(*) FROM marts.model_vs_reported
                                   WHERE segment LIKE 'SU Count=%' AND within_tolerance""").fetchall()
    assert table_9 == [(24,)]
    unmapped = warehouse.execute("SELECT label, facts FROM marts.unmapped_labels "
                                 "WHERE label IN ('YoY', '最大并发峰值算力乘数')").fetchall()
    assert unmapped == [("YoY", 8)]


def test_second_refresh_does_no_work_and_changes_nothing(refreshed):
    paths, _ = refreshed
    before = paths.warehouse.read_bytes()
    exports_before = {p: p.read_bytes() for p in paths.exports.rglob("*.parquet")}
    summary = refresh(paths, instance=dg.DagsterInstance.ephemeral())
    assert summary.extracted == [] and summary.models_materialized == []
    assert not summary.warehouse_rebuilt
    assert paths.warehouse.read_bytes() == before
    assert {p: p.read_bytes() for p in paths.exports.rglob("*.parquet")} == exports_before


def test_exports_match_warehouse(refreshed, warehouse):
    paths, _ = refreshed
    manifest = json.loads((paths.exports / "manifest.json").read_text())
    assert set(manifest["datasets"]) >= {"documents", "tables", "cells", "facts", "rejects",
                                         "ai_server_market", "optical_module_demand",
                                         "liquid_cooling_tam", "model_vs_reported",
                                         "hyperscaler_capex", "capex_vs_reports", "filing_facts"}
    for name, dataset in manifest["datasets"].items():
        file = paths.exports / dataset["path"]
        expected = scalar(warehouse, f"SELECT count(*) FROM {dataset['source']}")
        assert pl.read_parquet(file).height == dataset["rows"] == expected
        assert duckdb.execute(f"SELECT count(*) FROM read_parquet('{file}')").fetchall()[0][0] == expected


def test_sql_is_read_only(refreshed, capsys):
    paths, _ = refreshed
    home = ["--home", str(paths.home)]
    assert rdw([*home, "sql", "select count(*) as n from core.facts"]) == 0
    assert "476" in capsys.readouterr().out  # 468 from tables and filings, 8 from sentences
    for statement in ["delete from core.facts", "create table x as select 1",
                      "select * from read_csv('/etc/passwd')", "attach '/tmp/x.duckdb' as x",
                      "copy core.facts to '/tmp/leak.csv'", "install httpfs"]:
        assert rdw([*home, "sql", statement]) == 2, statement
        assert "refused or failed" in capsys.readouterr().err
    assert paths.warehouse.exists()


def test_sql_formats(refreshed, tmp_path, capsys):
    paths, _ = refreshed
    out = tmp_path / "facts.parquet"
    assert rdw(["--home", str(paths.home), "sql", "select fact_id, value from core.facts",
                "--format", "parquet", "--out", str(out), "--allow-outside-home"]) == 0
    assert pl.read_parquet(out).height == 476
    assert rdw(["--home", str(paths.home), "sql", "select 1 as a", "--format", "csv"]) == 0
    assert capsys.readouterr().out.endswith("a\n1\n")


def test_status(refreshed, capsys):
    paths, _ = refreshed
    assert rdw(["--home", str(paths.home), "status"]) == 0
    out = capsys.readouterr().out
    assert "9 file(s) — 9 readable, 0 unsupported; 0 not yet refreshed" in out
    assert "documents 9: loaded 9" in out and "rejects 0" in out


def test_status_names_files_changed_or_removed_since_the_refresh(samples_build, tmp_path, capsys):
    paths = copy_home(samples_build[0], tmp_path / "home", with_instance=False)
    reports = paths.raw / "samples" / "reports"
    edited = reports / "csc_ai_inference_excerpt.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("10880000", "10880001"), encoding="utf-8")
    removed = next(reports.glob("*.pdf"))
    removed.unlink()
    (paths.raw / "new.md").write_text("图表1：测试\n\n| a | 2023 |\n|---|---|\n| b | 1 |\n", encoding="utf-8")
    assert rdw(["--home", str(paths.home), "status"]) == 0
    out = capsys.readouterr().out
    assert "3 not yet refreshed" in out
    assert "  new:         new.md" in out
    assert "  changed:     samples/reports/csc_ai_inference_excerpt.md" in out
    assert f"  removed:     samples/reports/{removed.name}" in out


def test_bad_inputs_are_rejected_and_the_run_continues(samples_build, tmp_path):
    paths = copy_home(samples_build[0], tmp_path / "home", with_instance=False)  # the samples, refreshed
    reports = paths.raw / "incoming"
    reports.mkdir()
    (reports / "zero.pdf").write_bytes(b"")
    (reports / "page.pdf").write_text("<html>not a pdf</html>")
    (reports / "copy of 'sample' $(x).pdf").write_bytes(
        (paths.raw / "samples" / "reports" / "yd_ai_infrastructure_2024.pdf").read_bytes())
    (paths.raw / "filings" / "broken.json").parent.mkdir(exist_ok=True)
    (paths.raw / "filings" / "broken.json").write_text('{"cik": 1, "facts": {"us-gaap": {')
    summary = refresh(paths, instance=dg.DagsterInstance.ephemeral())
    assert summary.documents == 12 and not summary.failed
    with read_only(paths.warehouse) as con:
        status = dict(con.execute("SELECT path, status FROM core.documents").fetchall())
        reasons = dict(con.execute("SELECT d.path, r.reason FROM core.rejects r "
                                   "JOIN core.documents d USING (doc_id)").fetchall())
        aliases = con.execute("SELECT aliases FROM core.documents WHERE path LIKE 'incoming/copy%' "
                              "OR list_contains(aliases, ?)", ["incoming/copy of 'sample' $(x).pdf"]).fetchall()
        facts = scalar(con, "SELECT count(*) FROM core.facts")
    assert status["incoming/zero.pdf"] == "rejected" and reasons["incoming/zero.pdf"] == "empty file"
    assert reasons["incoming/page.pdf"] == "not a PDF"
    assert reasons["filings/broken.json"] == "malformed companyfacts JSON"
    assert aliases == [(["samples/reports/yd_ai_infrastructure_2024.pdf"],)] or \
        aliases == [(["incoming/copy of 'sample' $(x).pdf"],)]
    assert facts == 476


def test_second_refresh_is_refused_while_one_runs(tmp_path):
    paths = make_home(tmp_path, with_samples=False)
    with refresh_lock(paths):
        with pytest.raises(RefreshBusy, match="another refresh is running"):
            refresh(paths, instance=dg.DagsterInstance.ephemeral())


def test_sensor_adds_one_partition_per_document(tmp_path):
    paths = make_home(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(instance=instance, resources={"rdw": RdwHome.for_paths(paths)})
    result = raw_documents_sensor(context)
    added = [k for r in result.dynamic_partitions_requests for k in r.partition_keys]
    assert len(added) == 9 and all(len(k) == 16 for k in added)
    assert sorted(r.partition_key for r in result.run_requests) == sorted(added)
    cursor = json.loads(result.cursor)
    again = raw_documents_sensor(dg.build_sensor_context(
        instance=instance, cursor=result.cursor, resources={"rdw": RdwHome.for_paths(paths)}))
    assert again.run_requests == [] and sorted(cursor) == sorted(added)


def test_rdw_console_script_help():
    out = subprocess.run([sys.executable, "-m", "pipelines.cli", "--help"], capture_output=True,
                         text=True, cwd=ROOT, check=True).stdout
    for command in ("refresh", "sql", "export", "status"):
        assert command in out


def test_dagster_workspace_validates():
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "dagster") if (ROOT / ".venv").exists()
                             else "dagster", "definitions", "validate", "-w", "workspace.yaml"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_trace_a_fact_and_a_model_figure(refreshed, capsys):
    paths, _ = refreshed
    with read_only(paths.warehouse) as con:
        fact_id = scalar(con, """SELECT f.fact_id FROM core.facts f JOIN core.tables t USING (table_id)
                                 WHERE t.label = '图表108' AND f.raw_text = '889.6'""")
    assert rdw(["--home", str(paths.home), "trace", fact_id]) == 0
    fact = json.loads(capsys.readouterr().out)
    assert (fact["path"], fact["page"], fact["label"], fact["row_idx"], fact["col_idx"]) == (
        "samples/reports/csc_ai_compute_panorama_2023.pdf", 3, "图表108", 4, 4)
    assert fact["x0"] < fact["x1"] and fact["source_line"].startswith("资料来源")
    assert rdw(["--home", str(paths.home), "trace", "--model", "ai_server_market", "--metric",
                "ai_server_market_size", "--region", "China", "--year", "2025"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and rows[0]["value"] == pytest.approx(560.5e8, rel=5e-4)
    inputs = rows[0]["inputs"]
    assert {i["label"] for i in inputs if i.get("label")} == {"图表49", "图表7", "图表8"}
    price = next(i for i in inputs if i.get("input_id", "").startswith("assumption:"))
    assert price["value"] == 10000 and price["file"] == "models/assumptions/ai_server_market.yaml"


def test_writes_outside_home_need_an_explicit_flag(refreshed, tmp_path, capsys):
    paths, _ = refreshed
    outside = tmp_path / "elsewhere.csv"
    assert rdw(["--home", str(paths.home), "sql", "select 1 as a", "--format", "csv",
                "--out", str(outside)]) == 2
    assert "outside RDW_HOME" in capsys.readouterr().err and not outside.exists()
    assert rdw(["--home", str(paths.home), "sql", "select 1 as a", "--format", "csv",
                "--out", str(outside), "--allow-outside-home"]) == 0
    assert outside.read_text() == "a\n1\n"
    assert rdw(["--home", str(paths.home), "export", "--out", str(tmp_path / "x")]) == 2
    inside = paths.home / "exports_copy"
    assert rdw(["--home", str(paths.home), "export", "--out", str(inside)]) == 0
    assert (inside / "manifest.json").exists()


def test_refresh_records_runs_in_the_home_dagster_instance(refreshed):
    paths, _ = refreshed
    assert paths.dagster_home == paths.home / ".dagster"
    with dg.DagsterInstance.from_config(str(paths.dagster_home)) as instance:
        event = instance.get_latest_materialization_event(WAREHOUSE)
        assert event is not None and event.asset_materialization.metadata["built"].value is True
        assert len(instance.get_dynamic_partitions(source_documents.name)) == 9
        partitions = set(instance.get_dynamic_partitions(source_documents.name))
        assert instance.get_materialized_partitions(DOCUMENT_TABLES) == partitions
        assert instance.get_materialized_partitions(DOCUMENT_FACTS) == partitions
        doc_id = next(r["doc_id"] for r in load_registry(paths).iter_rows(named=True)
                      if r["path"] == "samples/reports/yd_ai_infrastructure_2024.pdf")
        [record] = instance.fetch_materializations(dg.AssetRecordsFilter(
            asset_key=DOCUMENT_TABLES, asset_partitions=[doc_id]), limit=1).records
        assert record.asset_materialization.metadata["tables"].value == 4
        history = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(DOCUMENT_FACTS, "every_cell_accounted"), limit=50)
        assert len(history) == 9 and {h.status.value for h in history} == {"SUCCEEDED"}
        mart = instance.get_latest_materialization_event(dg.AssetKey(["marts", "ai_server_market"]))
        metadata = mart.asset_materialization.metadata
        schema = metadata["dagster/column_schema"].schema
        assert metadata["dagster/row_count"].value == 243
        assert all(c.description for c in schema.columns) and metadata["preview"].value.split()[:4] == ["|", "model", "|", "model_version"]


def test_checks_are_described_and_gates_block(refreshed):
    specs = [spec for assets in (*DOCUMENT_ASSETS, *REFRESH_ASSETS) for spec in assets.check_specs]
    assert specs and all(spec.description for spec in specs)
    blocking = {spec.name for spec in specs if spec.blocking}
    assert blocking == {"every_cell_accounted", "model_output_schema"}
    sensors = {s.name: s.default_status for s in defs.sensors}
    assert sensors["default_automation_condition_sensor"] == dg.DefaultSensorStatus.RUNNING
