"""Cells → facts with units applied, and Pandera gates that reject bad rows with reasons."""

import polars as pl
import pytest

from conftest import SAMPLES
from pipelines.extract.pdf import extract_pdf
from pipelines.normalize.facts import facts_from_cells
from quality.gates import gate
from quality.schemas import CellsSchema, FactsSchema, TablesSchema


@pytest.fixture(scope="module")
def csc():
    tables, cells, _ = extract_pdf(SAMPLES / "reports" / "csc_ai_compute_panorama_2023.pdf", "d").frames()
    facts, roles = facts_from_cells(tables, cells)
    return tables, cells, facts, roles


def _one(facts: pl.DataFrame, **where) -> dict:
    rows = facts.filter(*[pl.col(k) == v for k, v in where.items()])
    assert rows.height >= 1, where
    return rows.row(0, named=True)


def test_golden_facts(csc):
    tables, _, facts, _ = csc
    t109 = tables.filter(pl.col("label") == "图表109")["table_id"][0]
    china = _one(facts, table_id=t109, metric_id="ai_server_market_size", region="China", year=2025)
    assert china["value"] == pytest.approx(5.605e10)
    assert (china["unit"], china["currency"], china["scale_label"], china["is_estimate"],
            china["raw_text"]) == ("USD", "USD", "亿美元", True, "560.5")
    t8 = tables.filter(pl.col("label") == "图表8")["table_id"][0]
    share = _one(facts, table_id=t8, metric_id="china_share_of_global", year=2023)
    assert share["value"] == pytest.approx(0.34) and share["region"] == "China"
    h100 = _one(facts, metric_raw="H100 SXM FP16 Tensor（TFLOPS）", year=2024)
    assert h100["value"] == pytest.approx(9.9e14) and h100["unit"] == "FLOP/s"
    a100 = _one(facts, metric_id="gpu_demand_a100_equiv", year=2027)
    assert a100["value"] == pytest.approx(3459.04e4) and a100["unit"] == "count"
    actual = _one(facts, metric_id="ai_server_market_size", region="global", year=2021)
    assert actual["is_estimate"] is False and actual["value"] == pytest.approx(156.0e8)


def test_placeholders_become_null_facts_with_reason(csc):
    _, _, facts, _ = csc
    nulls = facts.filter(pl.col("value").is_null())
    assert nulls.height > 0 and set(nulls["null_reason"]) == {"placeholder"}
    assert set(nulls["raw_text"]) == {"-"}


def test_group_label_and_column_metric(csc):
    _, _, facts, _ = csc
    price = _one(facts, metric_id="server_price", raw_text="878760")
    assert price["row_label"] == "训练 / 6 块 Tesla A800-80G 显卡"
    assert price["currency"] == "CNY" and price["value"] == 878760


def test_every_cell_is_accounted_for(csc):
    _, cells, facts, roles = csc
    assert roles.height == cells.height
    assert roles.filter(pl.col("role") == "fact").height == facts.height
    assert set(roles["role"]) <= {"fact", "label", "header", "empty", "text"}


def test_key_row_and_numeric_row_keys():
    tables, cells, _ = extract_pdf(SAMPLES / "reports" / "yd_ai_infrastructure_2024.pdf", "y").frames()
    facts, _ = facts_from_cells(tables, cells)
    servers = _one(facts, metric_id="servers_required", col_label="模型参数(亿个)=1750")
    assert servers["value"] == 2917
    cables = _one(facts, metric_raw="Spine-Leaf Cables", entity="SU Count=4")
    assert cables["value"] == 1024


def test_gates_reject_absurd_values_and_keep_the_rest(csc):
    _, _, facts, _ = csc
    bad_ids = {
        facts.filter(pl.col("metric_id") == "ai_server_market_size")["fact_id"][0]: -1.0,
        facts.filter(pl.col("metric_id") == "china_share_of_global")["fact_id"][0]: 3.4,
    }
    tampered = facts.with_columns(
        pl.col("fact_id").replace_strict(bad_ids, default=None, return_dtype=pl.Float64)
        .fill_null(pl.col("value")).alias("value"))
    result = gate(tampered, FactsSchema, "facts")
    assert result.valid.height == facts.height - 2
    assert sorted(result.rejects["reason"]) == ["failed market_size_not_negative", "failed share_within_0_1"]
    assert sorted(result.rejects["value"]) == ["-1.0", "3.4"]
    assert result.rejects["table_id"].null_count() == 0 and result.rejects["page"].null_count() == 0


def test_gate_passes_clean_stages(csc):
    tables, cells, facts, _ = csc
    assert gate(tables, TablesSchema, "tables").passed
    assert gate(cells, CellsSchema, "cells").passed
    assert gate(facts, FactsSchema, "facts").passed


def test_gate_raises_on_structural_mismatch(csc):
    _, _, facts, _ = csc
    with pytest.raises(ValueError, match="does not fit"):
        gate(facts.drop("raw_text"), FactsSchema, "facts")


def test_duplicate_cell_positions_rejected(csc):
    _, cells, _, _ = csc
    doubled = pl.concat([cells, cells.head(1)])
    result = gate(doubled, CellsSchema, "cells")
    assert result.rejects["reason"].unique().to_list() == ["failed cell_position_unique"]
    assert result.rejects.height == 2
