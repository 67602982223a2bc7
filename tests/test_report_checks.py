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
