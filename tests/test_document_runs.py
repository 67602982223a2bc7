"""Document stages run side by side and recorded as the document assets' partitions."""

import dagster as dg
import pytest
import polars as pl

from conftest import SAMPLES, make_home
from pipelines.assets import DOCUMENT_FACTS, DOCUMENT_TABLES
from pipelines.document_runs import (
    DocumentRun, EventRecorder, record, run_document, run_documents,
)
from pipelines.lake import register_documents


def _text_home(tmp_path):
    paths = make_home(tmp_path, with_samples=False)
    for name in ("csc_ai_inference_excerpt.md",):
        (paths.raw / name).write_bytes((SAMPLES / "reports" / name).read_bytes())
    (paths.raw / "copy.md").write_bytes((SAMPLES / "reports" / "csc_ai_inference_excerpt.md")
                                        .read_bytes() + b"\n")
    return paths, register_documents(paths)["doc_id"].to_list()


def test_two_workers_give_what_one_gives_and_the_instance_records_it(tmp_path):
    paths, ids = _text_home(tmp_path)
    parallel = {run.doc_id: run for run in run_documents(paths, ids, workers=2)}
    tables = {i: pl.read_parquet(paths.stage_file("cells", i)) for i in ids}
    serial = {run.doc_id: run for run in run_documents(paths, ids, workers=1)}
    assert sorted(parallel) == sorted(ids) and all(run.success for run in parallel.values())
    assert all(pl.read_parquet(paths.stage_file("cells", i)).equals(tables[i]) for i in ids)
    assert [e.metadata for e in parallel[ids[0]].events] == [e.metadata for e in serial[ids[0]].events]
    kinds = [(type(e).__name__, e.asset_key, getattr(e, "check_name", None)) for e in serial[ids[0]].events]
    assert kinds == [("AssetMaterialization", DOCUMENT_TABLES, None),
                     ("AssetCheckEvaluation", DOCUMENT_TABLES, "tables_schema"),
                     ("AssetCheckEvaluation", DOCUMENT_TABLES, "cells_schema"),
                     ("AssetMaterialization", DOCUMENT_FACTS, None),
                     ("AssetCheckEvaluation", DOCUMENT_FACTS, "facts_schema"),
                     ("AssetCheckEvaluation", DOCUMENT_FACTS, "every_cell_accounted")]
    instance = dg.DagsterInstance.ephemeral()
    for run in parallel.values():
        record(instance, run)
    assert instance.get_materialized_partitions(DOCUMENT_FACTS) == set(ids)
    assert parallel[ids[0]].events[0].metadata["tables"].value == 2


def test_the_recorder_stores_every_run_handed_over_and_raises_what_failed(tmp_path):
    paths, ids = _text_home(tmp_path)
    runs = list(run_documents(paths, ids, workers=1))
    instance = dg.DagsterInstance.ephemeral()
    with EventRecorder(lambda: instance) as recorder:
        for run in runs:
            recorder.put(run)
    assert recorder.instance is instance
    assert instance.get_materialized_partitions(DOCUMENT_TABLES) == set(ids)

    def broken():
        raise OSError("no room for the instance")

    recorder = EventRecorder(broken)
    with pytest.raises(OSError, match="no room"):
        recorder.close()


def test_a_failing_document_is_reported_not_raised(tmp_path):
    paths, _ = _text_home(tmp_path)
    run = run_document(paths, "0000000000000000")
    assert not run.success and run.events == []
    assert run.error.startswith("KeyError") and "not in the registry" in run.error


def test_a_failed_blocking_check_fails_the_document():
    failed = dg.AssetCheckEvaluation(asset_key=DOCUMENT_FACTS, check_name="every_cell_accounted",
                                     passed=False, severity=dg.AssetCheckSeverity.ERROR)
    warned = dg.AssetCheckEvaluation(asset_key=DOCUMENT_FACTS, check_name="facts_schema",
                                     passed=False, severity=dg.AssetCheckSeverity.WARN)
    assert DocumentRun("d", [warned]).success
    assert not DocumentRun("d", [warned, failed]).success


def test_documents_over_budget_are_rejected_with_the_reason_and_the_others_load(tmp_path, monkeypatch):
    from hostile_inputs import TABLE, flate_bomb_pdf, page_tree_loop_pdf

    from pipelines.document_workers import DocumentBudget
    from pipelines.document_stages import needs_extraction
    from pipelines.refresh import refresh
    from pipelines.warehouse_reader import read_only

    monkeypatch.setenv("RDW_DOC_TIMEOUT", "5")
    monkeypatch.setenv("RDW_DOC_MEMORY", "256M")
    assert DocumentBudget.from_env() == DocumentBudget(5.0, 256 * 1024**2)
    paths, _ = _text_home(tmp_path)
    flate_bomb_pdf(paths.raw / "bomb.pdf", 128)
    page_tree_loop_pdf(paths.raw / "loop.pdf")
    (paths.raw / "long-line.md").write_text(TABLE + "数据" * 2_000_000 + "\n", encoding="utf-8")
    summary = refresh(paths, instance=dg.DagsterInstance.ephemeral(), workers=2)
    with read_only(paths.warehouse) as con:
        outcome = dict(con.execute("""
            SELECT d.path, d.status || coalesce(': ' || string_agg(r.reason, '; '), '')
            FROM core.documents d LEFT JOIN core.rejects r USING (doc_id)
            GROUP BY d.path, d.status""").fetchall())
        facts = con.execute("""SELECT count(*) FROM core.facts JOIN core.documents d USING (doc_id)
                               WHERE d.path = 'csc_ai_inference_excerpt.md'""").fetchone()[0]
    assert outcome == {"bomb.pdf": "rejected: decompression ratio", "loop.pdf": "rejected: time limit",
                       "long-line.md": "rejected: memory limit",
                       "csc_ai_inference_excerpt.md": "loaded", "copy.md": "loaded"}
    assert facts > 0 and summary.failed == []
    assert sorted(summary.refused.values()) == ["memory limit", "time limit"]
    assert not any(needs_extraction(paths, d) for d in summary.refused)  # not retried every refresh
    monkeypatch.setenv("RDW_DOC_MEMORY", "4G")  # … but read again under a larger budget
    assert all(needs_extraction(paths, d) for d in summary.refused)


def test_overflowing_numbers_are_rejected_and_the_document_loads_the_rest(tmp_path):
    from pipelines.warehouse import build_warehouse
    from pipelines.warehouse_reader import read_only

    paths = make_home(tmp_path, with_samples=False)
    (paths.raw / "overflow.md").write_text(
        "图表1：全球 AI 服务器市场规模\n\n\t2023\t2024E\t2025E\n市场规模（亿美元）\t99999999999999999999\t12×10^999\t889.6\n"
        "图表2：规模（E+400亿元）\n\n\t2023\t2024\n市场规模\t1\t2\n资料来源：样本\n", encoding="utf-8")
    doc_id = register_documents(paths)["doc_id"][0]
    run = run_document(paths, doc_id)
    assert run.success, run.error
    build_warehouse(paths)
    with read_only(paths.warehouse) as con:
        status = con.execute("SELECT status FROM core.documents").fetchall()
        facts = con.execute("SELECT raw_text, value FROM core.facts WHERE value IS NOT NULL").fetchall()
        rejects = con.execute("SELECT value, reason FROM core.rejects WHERE stage = 'facts' "
                              "ORDER BY value").fetchall()
    assert status == [("loaded",)] and facts == [("889.6", pytest.approx(889.6e8))]
    assert rejects == [("1e+28", "failed value_is_a_plausible_number"),
                       ("inf", "failed value_is_a_plausible_number"),
                       ("inf", "failed value_is_a_plausible_number"),
                       ("inf", "failed value_is_a_plausible_number")]


def test_a_stage_that_raises_leaves_the_document_failed_not_loaded(tmp_path):
    from pipelines.document_stages import needs_extraction, record_stage_failure, run_table_stage

    paths, ids = _text_home(tmp_path)
    run_table_stage(paths, ids[0])
    assert pl.read_parquet(paths.stage_file("documents", ids[0]))["status"].to_list() == ["loaded"]
    record_stage_failure(paths, ids[0], "OverflowError: (34, 'Numerical result out of range')")
    info = pl.read_parquet(paths.stage_file("documents", ids[0]))
    assert info.select("status", "error").row(0) == ("failed", "OverflowError: (34, 'Numerical result out of range')")
    assert pl.read_parquet(paths.stage_file("rejects", ids[0]))["reason"].to_list()[-1] == "stage failed"
    assert needs_extraction(paths, ids[0])  # tried again by the next refresh
