"""Cells → facts with units applied, and Pandera gates that reject bad rows with reasons."""

import math

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


def test_a_frame_without_rows_is_checked_for_its_columns_only(csc):
    _, _, facts, _ = csc
    empty = facts.clear()
    result = gate(empty, FactsSchema, "facts")
    assert result.passed and result.checked == 0 and result.valid.columns == facts.columns
    with pytest.raises(ValueError, match="does not fit"):
        gate(empty.drop("raw_text"), FactsSchema, "facts")
    with pytest.raises(ValueError, match="does not fit"):
        gate(empty.with_columns(pl.col("year").cast(pl.Float64)), FactsSchema, "facts")


def test_duplicate_cell_positions_rejected(csc):
    _, cells, _, _ = csc
    doubled = pl.concat([cells, cells.head(1)])
    result = gate(doubled, CellsSchema, "cells")
    assert result.rejects["reason"].unique().to_list() == ["failed cell_position_unique"]
    assert result.rejects.height == 2


@pytest.mark.parametrize("seed, expected", [
    ("000", "2024-02-08"), ("001", "2024-03-26"), ("002", "2023-06-14"), ("003", None), ("004", None)])
def test_stated_report_date(seed, expected):
    from conftest import SEEDS, needs_shared
    from pipelines.normalize.dates import stated_report_date

    path = next(needs_shared(SEEDS).glob(f"{seed}_*.txt"))
    found = stated_report_date(path.read_text(encoding="utf-8"))
    assert (str(found) if found else None) == expected


def test_estimate_far_before_the_report_is_rejected(csc):
    _, _, facts, _ = csc
    dated = facts.with_columns(pl.lit("2026-05-01").alias("report_date"))
    result = gate(dated, FactsSchema, "facts")
    stale = result.rejects.filter(pl.col("check") == "estimate_not_before_report_year")
    assert stale.height == facts.filter(pl.col("is_estimate") & (pl.col("year") < 2025)).height > 0
    assert gate(facts.with_columns(pl.lit("2023-06-14").alias("report_date")), FactsSchema, "facts").passed


def _facts_of_text(path, text: str) -> pl.DataFrame:
    """The facts of a converted report holding `text`."""
    from pipelines.extract.text import extract_text

    path.write_text(text, encoding="utf-8")
    tables, cells, _ = extract_text(path, path.stem).frames()
    return facts_from_cells(tables, cells)[0]


def test_periods_as_rows(tmp_path):
    facts = _facts_of_text(tmp_path / "rows.md", "表 2：中国液冷数据中心市场规模\n\n年份\t市场规模（亿元）\t同比增速（%）\n"
                           "2022\t100.5\t-\n2025E\t377.6\t56\n2027E\t1020\t—\n资料来源：样本\n")
    market = facts.filter(pl.col("metric_raw") == "市场规模（亿元）").sort("year")
    assert market.select("year", "is_estimate", "value", "currency").rows() == [
        (2022, False, pytest.approx(100.5e8), "CNY"), (2025, True, pytest.approx(377.6e8), "CNY"),
        (2027, True, pytest.approx(1020e8), "CNY")]
    assert market["metric_id"].to_list() == ["liquid_cooling_market_size"] * 3
    growth = facts.filter(pl.col("metric_raw") == "同比增速（%）").sort("year")
    assert growth["value"].to_list() == [None, pytest.approx(0.56), None]
    assert growth["null_reason"].to_list() == ["placeholder", None, "placeholder"]


def test_report_with_absurd_values_loads_its_good_facts(tmp_path):
    import dagster as dg

    from conftest import make_home
    from pipelines.refresh import refresh
    from pipelines.warehouse import read_only

    paths = make_home(tmp_path, with_samples=False)
    (paths.raw / "absurd.md").write_text(
        "发布日期：2024 年 05 月 06 日\n\n图表1：全球 AI 服务器市场规模测算\n\n\t2023E\t2024E\n"
        "AI 服务器存量规模（亿美元）\t-395.2\t889.6\n中国市场占全球市场份额（%）\t34.0\t340\n"
        "市场增速（%）\t95.6\t125.1\n资料来源：样本\n", encoding="utf-8")
    refresh(paths, instance=dg.DagsterInstance.ephemeral())
    with read_only(paths.warehouse) as con:
        rejects = con.execute("SELECT stage, reason, value, detail, table_id, row_idx, col_idx "
                              "FROM core.rejects ORDER BY reason").fetchall()
        kept = con.execute("SELECT metric_id, year, value FROM core.facts ORDER BY metric_id, year").fetchall()
    assert [(s, r, d, row, col) for s, r, _, d, _, row, col in rejects] == [
        ("facts", "failed market_size_not_negative", "-395.2", 1, 1),
        ("facts", "failed share_within_0_1", "340", 2, 2)]
    assert all(table_id for *_, table_id, _, _ in [(r[4], r[5], r[6]) for r in rejects])
    assert kept == [("ai_server_market_size", 2024, pytest.approx(889.6e8)),
                    ("china_share_of_global", 2023, pytest.approx(0.34)),
                    ("market_growth", 2023, pytest.approx(0.956)),
                    ("market_growth", 2024, pytest.approx(1.251))]


def test_gate_rejects_non_finite_and_absurd_values(csc):
    _, _, facts, _ = csc
    ids = facts.filter(pl.col("metric_id") == "ai_server_market_size")["fact_id"].to_list()[:3]
    tampered = facts.with_columns(
        pl.col("fact_id").replace_strict(dict(zip(ids, [math.inf, math.nan, 1e20])), default=None,
                                         return_dtype=pl.Float64).fill_null(pl.col("value")).alias("value"))
    result = gate(tampered, FactsSchema, "facts")
    assert result.valid.height == facts.height - 3
    assert result.rejects["reason"].to_list() == ["failed value_is_a_plausible_number"] * 3
    assert sorted(result.rejects["value"]) == ["1e+20", "NaN", "inf"]


def test_a_cell_printing_only_its_currency_takes_the_scale_its_label_states(tmp_path):
    facts = _facts_of_text(tmp_path / "money.md", "Table 3: Capex (US$ m)\n\nCompany\t2023\t2024\n"
                           "Alpha\t$1,234\t$1,500\nBeta\t€80\t€95\nSource: sample\n")
    rows = facts.sort("row_idx", "col_idx").select("raw_text", "value", "currency").rows()
    # dollars take the caption's millions; euros, another currency, keep their own unit
    assert rows == [("$1,234", pytest.approx(1.234e9), "USD"), ("$1,500", pytest.approx(1.5e9), "USD"),
                    ("€80", 80.0, "EUR"), ("€95", 95.0, "EUR")]
