"""The metric catalog on the seeds: the caption, the label and the unit's dimension must agree, each
mapped fact says which rule mapped it, and ambiguous labels stay unmapped with the reason."""

import sys

import polars as pl
import pytest

from conftest import ROOT, SEEDS, needs_shared
from pipelines.normalize.metrics import load_catalog

sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.fixture(scope="module")
def seed_facts():
    from metric_audit import seed_facts

    return seed_facts(needs_shared(SEEDS))


def _facts(facts: pl.DataFrame, doc: str, table: str, label: str) -> pl.DataFrame:
    return facts.filter(pl.col("doc") == doc, pl.col("table") == table,
                        (pl.col("metric_raw") == label) | (pl.col("row_label") == label)
                        | (pl.col("col_label") == label))


@pytest.mark.parametrize("doc, table, label, watts", [
    ("000", "图7", "最大热设计功耗(TDP)", 250), ("001", "图5", "最大功耗 TDP", 8),
    ("002", "图表42", "TDP", 300), ("002", "图表58", "TDP", 700), ("002", "图表59", "TDP (W)", 400),
    ("002", "图表61", "功耗", 250),
])
def test_watts_on_chip_tables_are_chip_tdp_not_server_power(seed_facts, doc, table, label, watts):
    facts = _facts(seed_facts, doc, table, label).filter(pl.col("value").is_not_null())
    assert set(facts["metric_id"]) == {"chip_tdp"}
    assert watts in facts["value"].to_list()
    assert set(facts["metric_rule"]) == {"chip_tdp#1"} and set(facts["metric_confidence"]) == {0.9}


def test_energy_per_operation_is_not_power(seed_facts):
    facts = _facts(seed_facts, "002", "图表93", "计算功耗")
    assert facts["metric_id"].null_count() == facts.height > 0


def test_offshore_wind_prices_are_not_cooling_value(seed_facts):
    wind = seed_facts.filter(pl.col("doc") == "002", pl.col("table") == "图表155")
    assert wind["metric_id"].null_count() == wind.height
    coal = wind.filter(pl.col("metric_raw") == "标杆煤电价格 (元/kWh)", pl.col("entity") == "辽宁")
    assert coal["dimension"].to_list() == ["money_per_energy"]
    assert coal["value"].to_list() == [pytest.approx(0.3749e-3)]  # CNY per Wh


def test_units_per_kw_and_per_kwh_keep_their_dimension():
    catalog = load_catalog()
    assert catalog.map_label("液冷单 kW 价值量 (元/kW)", "液冷价值量测算", "money_per_power").rule \
        == "cooling_value_per_kw#1"
    mapping = catalog.map_label("标杆煤电价格 (元/kWh)", "液冷价值量测算", "money_per_energy")
    assert mapping.metric_id is None
    assert mapping.unmapped_reason == ("unit dimension money_per_energy disagrees with "
                                       "cooling_value_per_kw (money_per_power)")


@pytest.mark.parametrize("doc, table, label, value, basis", [
    ("002", "图表49", "H100 SXM FP16 Tensor (TFLOPS)", 990e12, "dense"),
    ("000", "图7", "FP16 Tensor Core", 756.5e12, "dense"),
    ("001", "图5", "FP16算力", 1979e12, "with sparsity"),
    ("001", "图5", "FP16算力", 1513e12, "with sparsity"),
    ("004", "表6", "FP16", 1979e12, "with sparsity"),
])
def test_fp16_throughput_records_dense_or_sparse(seed_facts, doc, table, label, value, basis):
    facts = _facts(seed_facts, doc, table, label).filter(pl.col("value") == value)
    assert facts["metric_id"].to_list()[0] == "gpu_fp16_throughput"
    assert set(facts["metric_qualifier"]) == {basis}


def test_fp16_without_tensor_cores_stays_unmapped(seed_facts):
    plain = _facts(seed_facts, "002", "图表42", "FP16").filter(pl.col("value").is_not_null())
    assert plain["metric_id"].null_count() == plain.height == 4  # V100, A100, H100, A30 (T4, A10 print -)
    assert set(plain["unmapped_reason"]) == {
        "ambiguous: gpu_fp16_throughput (tensor, dense or sparse) or FP16 without tensor cores"}


@pytest.mark.parametrize("doc, table, label, metric, value", [
    ("000", "图16", "参数量", "model_parameters", 3e8),
    ("002", "图表45", "参数量", "model_parameters", 1750e8),
    ("002", "图表45", "训练 Tokens", "training_tokens", 3000e8),
    ("002", "图表51", "参数 (亿)", "model_parameters", 1750e8),
    ("003", "图8", "参数 (个)", "model_parameters", 1.17e8),
    ("004", "表1", "Parameter size/10 ⁻⁸", "model_parameters", 1.17e8),
])
def test_parameter_counts_and_training_tokens(seed_facts, doc, table, label, metric, value):
    facts = _facts(seed_facts, doc, table, label)
    assert set(facts["metric_id"]) == {metric}
    assert facts["value"].to_list()[0] == pytest.approx(value)


def test_rules_of_two_metrics_make_a_label_ambiguous():
    mapping = load_catalog().map_label("市场规模（亿元）", "AI 服务器市场与液冷市场规模", "money")
    assert mapping.metric_id is None
    assert mapping.unmapped_reason == "ambiguous: ai_server_market_size | liquid_cooling_market_size"


def test_every_mapped_seed_fact_has_a_rule_and_confidence(seed_facts):
    mapped = seed_facts.filter(pl.col("metric_id").is_not_null())
    assert mapped["metric_rule"].null_count() == 0
    assert mapped["metric_confidence"].is_between(0, 1).all()
    assert (mapped["metric_rule"].str.split("#").list.first() == mapped["metric_id"]).all()
    unmapped = seed_facts.filter(pl.col("metric_id").is_null(), pl.col("metric_raw").is_not_null())
    assert unmapped["unmapped_reason"].null_count() == 0


def test_at_home_and_abroad_names_no_region():
    """国内外 (domestic and foreign: NVIDIA beside Chinese chips) is not China; 国内 is."""
    catalog = load_catalog()
    assert catalog.region("国内外主流 GPGPU 产品性能对比") is None
    assert catalog.region("国内主流 GPGPU 产品") == "China"
