"""marts.report_checks on report 002: its stated CAGRs, its total row and its YoY rows recomputed."""

import polars as pl
import pytest

from conftest import SEEDS, needs_shared
from models.report_checks import build_report_checks
from pipelines.extract.text import extract_text
from pipelines.normalize.facts import facts_from_cells


@pytest.fixture(scope="module")
def checks() -> pl.DataFrame:
    path = next(needs_shared(SEEDS).glob("002_*.txt"))
    tables, cells, _ = extract_text(path, "002").frames()
    facts, _ = facts_from_cells(tables, cells)
    return build_report_checks(facts, tables)


def _claim(checks: pl.DataFrame, claim: str) -> dict:
    return checks.filter(pl.col("check_id").str.starts_with(f"claim:{claim}:")).row(0, named=True)


def test_training_cagr_is_the_general_class_not_the_total(checks):
    row = _claim(checks, "training_compute_cagr_2023_2027")
    assert row["stated_value"] == 0.78 and row["recomputed_value"] == pytest.approx(0.8805, abs=5e-5)
    assert (row["from_year"], row["to_year"], row["periods"]) == (2023, 2027, 4)
    assert row["verdict"] == "disagrees" and row["likely_reason"].startswith("class vs total: the general")
    assert row["alternative_value"] == pytest.approx(0.7797, abs=5e-5)
    assert len(row["input_ids"]) == 4  # two classes × two years of 图表49


def test_inference_cagr_takes_the_fifth_root_of_four_years(checks):
    row = _claim(checks, "inference_compute_cagr_2023_2027")
    assert row["stated_value"] == 1.13 and row["recomputed_value"] == pytest.approx(1.576, abs=5e-4)
    assert row["likely_reason"].startswith("wrong number of periods")
    assert row["alternative_value"] == pytest.approx(1.1321, abs=5e-4)


def test_inference_total_divides_by_utilisation_that_is_applied_again(checks):
    totals = checks.filter(pl.col("check_kind") == "total").sort("from_year")
    assert totals["verdict"].to_list() == ["disagrees"] * 5
    first = totals.row(0, named=True)
    assert first["stated_value"] == pytest.approx(246914e15)
    assert first["recomputed_value"] == pytest.approx((69.44 + 4.63) * 1e18)
    assert "算力效率" in first["likely_reason"] and "applied twice" in first["likely_reason"]


def test_yoy_rows_agree_within_the_printed_rounding(checks):
    yoy = checks.filter(pl.col("check_kind") == "yoy")
    assert yoy.height == 40
    disagreeing = yoy.filter(pl.col("verdict") == "disagrees")
    # 图表7/108 print 29.8% for 2022 where 202.0 ÷ 156.0 gives 29.49%
    assert disagreeing["stated_text"].to_list() == ["29.8", "29.8"]
    assert disagreeing["recomputed_value"].to_list() == [pytest.approx(202 / 156 - 1)] * 2
    china = yoy.filter(pl.col("row_label") == "市场规模（亿美元）")
    assert china.height > 0 and set(china["verdict"]) <= {"agrees", "rounding"}


# 002 line 1619 (China 2022: GPU servers 60亿美元 = 89%, non-GPU 7亿美元 = 11%, 67亿美元 in all) and
# line 1653 (2022 China vendor shares: 浪潮 47%, 新华三 11%, 宁畅 9%), as a converter renders tables.
PROSE_AS_TABLES = """图表1：中国 AI 服务器市场结构

类型\t市场规模（亿美元）\t市场份额（%）
GPU 服务器\t60\t89
非 GPU 加速服务器\t7\t11
合计\t67\t100

资料来源：IDC，中信建投

图表2：中国 AI 服务器厂商市场份额

厂商\t市场份额（%）
浪潮信息\t47
新华三\t11
宁畅\t9

资料来源：IDC，中信建投
"""


def _checks_of(path, doc_id, extract):
    tables, cells, _ = extract(path, doc_id).frames()
    facts, _ = facts_from_cells(tables, cells)
    return build_report_checks(facts, tables)


def test_total_rows_and_shares_of_002s_prose_figures(tmp_path):
    path = tmp_path / "structure.md"
    path.write_text(PROSE_AS_TABLES, encoding="utf-8")
    checks = _checks_of(path, "m", extract_text)
    totals = checks.filter(pl.col("check_kind") == "total_row").sort("stated_value")
    assert totals["row_label"].to_list() == ["合计", "合计"]
    assert totals["verdict"].to_list() == ["agrees", "agrees"]
    assert totals["recomputed_value"].to_list() == [pytest.approx(1.0), pytest.approx(67e8)]
    assert all(len(ids) == 2 for ids in totals["input_ids"])
    shares = {round(r["recomputed_value"], 4): r for r in
              checks.filter(pl.col("check_kind") == "share_sum").iter_rows(named=True)}
    assert set(shares) == {1.0, 0.67}  # the 合计 row's 100% is not one of the shares
    assert shares[1.0]["verdict"] == "agrees"
    top_three = shares[0.67]
    assert top_three["verdict"] == "disagrees" and "33.0% unaccounted" in top_three["likely_reason"]


def test_a_total_over_an_excerpt_of_its_parts():
    from conftest import SAMPLES
    from pipelines.extract.pdf import extract_pdf

    checks = _checks_of(SAMPLES / "filings" / "sample_a_share_annual_report_2023.pdf", "a", extract_pdf)
    totals = checks.filter(pl.col("check_kind") == "total_row").sort("from_year")
    assert totals["row_label"].to_list() == ["资产总计", "资产总计"]
    assert totals["verdict"].to_list() == ["disagrees", "disagrees"]
    latest = totals.row(1, named=True)
    assert latest["stated_value"] == pytest.approx(8_765_432_109.87)
    assert latest["recomputed_value"] == pytest.approx(1_234_567_890.12 + 456_789_012.34 + 2_345_678_901.23)
    assert latest["likely_reason"].startswith("the rows above sum to 46.1% of the total")


def test_a_row_stating_its_formula_is_not_taken_for_a_sum(checks):
    # 图表50's 全天计算次数合计 (… × 查询次数 × 日活人数) is a product; 002 prints no 合计 row of parts
    assert checks.filter(pl.col("check_kind").is_in(["total_row", "share_sum"])).height == 0
