"""marts.consensus: every source's figure side by side — the seeds' China 2023 AI server market
conflict end to end, one original source quoted by two brokers, and a restatement."""

from __future__ import annotations

import polars as pl
import pytest

from models.consensus import CONSENSUS_TOLERANCE, build_consensus
from pipelines.normalize.facts import FACT_COLUMNS


def test_china_2023_ai_server_market_sources_conflict(consensus_seed_home):
    from pipelines.warehouse import read_only

    with read_only(consensus_seed_home.warehouse) as con:
        group = con.sql("""SELECT value, original_source, institution, extractor, n_independent_sources,
                                  conflict, spread, tolerance, fact_id
                           FROM marts.consensus WHERE metric_id = 'ai_server_market_size'
                           AND region = 'China' AND year = 2023 ORDER BY value""").pl()
    assert group.select("value", "original_source", "institution").rows() == [
        (9.1e9, "IDC", "东吴证券"), (1.34e10, "中信建投", "中信建投"), (1.344e10, "中信建投", "中信建投")]
    assert group["extractor"].to_list() == ["prose", "prose", "table:text_rows"]
    assert set(group["n_independent_sources"]) == {2}  # 002's sentence and 图表109 are one source
    assert group["conflict"].all() and group["tolerance"][0] == CONSENSUS_TOLERANCE
    broker = (1.34e10 + 1.344e10) / 2  # one value per source: the median of its figures in its report
    assert group["spread"][0] == pytest.approx((broker - 9.1e9) / ((broker + 9.1e9) / 2))


def test_sizing_tables_sections_and_workloads_stay_apart(consensus_seed_home):
    """002 图表49 (training) and 图表50 (inference) print the same metrics for 普通 and 多模态
    models: each is a group of its own, not one figure in conflict with the others."""
    from pipelines.warehouse import read_only

    with read_only(consensus_seed_home.warehouse) as con:
        groups = con.sql("""SELECT metric_id, qualifier, count(DISTINCT value) AS values,
                                   bool_or(conflict) AS conflict
                            FROM marts.consensus WHERE year = 2023 AND metric_id IN
                              ('concurrent_models', 'daily_active_users', 'gpu_demand_a100_equiv')
                            GROUP BY ALL ORDER BY ALL""").pl()
    assert groups.select("metric_id", "qualifier").rows() == [
        ("concurrent_models", "training · general"), ("concurrent_models", "training · multimodal"),
        ("daily_active_users", "inference · general"), ("daily_active_users", "inference · multimodal"),
        ("gpu_demand_a100_equiv", "inference"), ("gpu_demand_a100_equiv", "training")]
    assert set(groups["values"]) == {1} and not groups["conflict"].any()


def test_rdw_consensus_shows_the_conflict(consensus_seed_home, capsys):
    from pipelines.cli import main

    assert main(["--home", str(consensus_seed_home.home), "consensus", "ai_server_market_size",
                 "--region", "China", "--year", "2023"]) == 0
    out = capsys.readouterr().out
    assert "3 source values in 1 groups, 1 in conflict" in out
    assert "9,100,000,000" in out and "13,440,000,000" in out and "IDC" in out
    assert main(["--home", str(consensus_seed_home.home), "consensus", "ai_server_market"]) == 2
    assert "did you mean 'ai_server_market_size'" in capsys.readouterr().err


def _facts(rows: list[dict]) -> pl.DataFrame:
    base = {"metric_id": "ai_server_market_size", "region": "China", "year": 2024, "unit": "USD",
            "extractor": "prose", "is_estimate": True}
    return pl.DataFrame([{k: {**base, **r}.get(k) for k in FACT_COLUMNS} for r in rows],
                        schema=FACT_COLUMNS, orient="row")


INSTITUTIONS = pl.DataFrame({"doc_id": ["a", "b", "c", "d"],
                             "institution": ["东吴证券", "国海证券", "中信建投", "中信建投"]})


def test_one_original_source_quoted_by_two_brokers_counts_once():
    facts = _facts([
        {"fact_id": "a:1", "doc_id": "a", "value": 2.0e10, "attributed_source": "IDC", "report_date": "2024-03-01"},
        {"fact_id": "b:1", "doc_id": "b", "value": 2.0e10, "attributed_source": "IDC", "report_date": "2024-02-01"},
    ])
    table = build_consensus(facts, INSTITUTIONS)
    assert table["original_source"].to_list() == ["IDC", "IDC"]
    assert table["n_independent_sources"].to_list() == [1, 1] and not table["conflict"].any()
    with_broker = build_consensus(pl.concat([facts, _facts([
        {"fact_id": "c:1", "doc_id": "c", "value": 3.0e10, "report_date": "2023-06-14"}])]), INSTITUTIONS)
    assert with_broker["n_independent_sources"].unique().to_list() == [2]
    assert with_broker["conflict"].all()
    assert with_broker.select("min", "max").unique().rows() == [(2.0e10, 3.0e10)]


def test_restatement_by_the_same_institution():
    facts = _facts([
        {"fact_id": "c:1", "doc_id": "c", "value": 3.0e10, "report_date": "2023-06-14"},
        {"fact_id": "d:1", "doc_id": "d", "value": 3.6e10, "report_date": "2024-01-10"},
    ])
    table = build_consensus(facts, INSTITUTIONS).sort("report_date")
    assert table["restated"].to_list() == [False, True]
    assert table["is_latest_vintage"].to_list() == [False, True]
    assert table.row(1, named=True)["previous_value"] == 3.0e10
    assert table.row(1, named=True)["previous_report_date"] == "2023-06-14"
    assert table["n_independent_sources"].to_list() == [1, 1]  # one institution, not a conflict
    assert not table["conflict"].any()
    small = build_consensus(facts.with_columns(pl.Series("value", [3.0e10, 3.05e10])), INSTITUTIONS)
    assert not small["restated"].any()  # within the tolerance: a rounding, not a restatement


def test_figures_stated_in_sentences_take_no_workload_from_other_documents():
    """A sentence has no table: one document's 'ChatGPT 日活用户' sentence gives no other document's
    prose figures a workload (all prose facts share a null table id)."""
    facts = _facts([
        {"fact_id": "a:L1:s0:c1", "doc_id": "a", "year": 2023, "value": 9.1e9, "report_date": "2024-01-05"},
        {"fact_id": "c:L2:s0:c1", "doc_id": "c", "year": 2023, "value": 1.344e10, "report_date": "2024-02-01"},
        {"fact_id": "b:L3:s0:c1", "doc_id": "b", "year": 2023, "metric_id": "daily_active_users",
         "region": None, "value": 1e8, "unit": "count", "report_date": "2024-02-01"}])
    group = build_consensus(facts, INSTITUTIONS).filter(pl.col("metric_id") == "ai_server_market_size")
    assert group["qualifier"].to_list() == [None, None] and group["conflict"].all()
