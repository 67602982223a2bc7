"""Optical-module demand: 004 表9 cluster counts and the 4-SU module result, then yearly demand."""

import polars as pl
import pytest

from conftest import SAMPLES
from models.inputs import parameters, reported_figures
from models.optical_module_demand import MODEL, build_all_scenarios, build_optical_module_demand, cluster
from models.reconcile import model_vs_reported
from pipelines.extract.pdf import extract_pdf
from pipelines.normalize.facts import facts_from_cells
from quality.gates import gate
from quality.schemas import ModelOutputSchema

TABLE_9 = {  # SU count → nodes, GPUs, leaf, spine, compute+UFM cables, spine-leaf cables
    1: (31, 248, 8, 4, 252, 256), 2: (63, 504, 16, 8, 508, 512),
    3: (95, 760, 24, 16, 764, 768), 4: (127, 1016, 32, 16, 1020, 1024)}


@pytest.fixture(scope="module")
def facts():
    frames = []
    for name in ("csc_ai_compute_panorama_2023.pdf", "yd_ai_infrastructure_2024.pdf"):
        tables, cells, _ = extract_pdf(SAMPLES / "reports" / name, name[:3]).frames()
        frames.append(facts_from_cells(tables, cells)[0])
    return pl.concat(frames)


def test_cluster_rules_reproduce_table_9():
    p = {k: v for k, (v, _) in parameters(MODEL).items()}
    for su, expected in TABLE_9.items():
        got = cluster(su, p)
        assert (got["cluster_nodes"], got["cluster_gpus"], got["leaf_switches"], got["spine_switches"],
                got["node_leaf_cables"], got["spine_leaf_cables"]) == expected
    four = cluster(4, p)
    assert (four["cluster_gpus"], four["optical_modules_800g"], four["optical_modules_400g"]) == (1016, 1536, 1024)
    ratio = (four["optical_modules_800g"] / four["cluster_gpus"], four["optical_modules_400g"] / four["cluster_gpus"])
    assert ratio == pytest.approx((1.5, 1.0), abs=0.02)  # ≈ 1 : 1.5 : 1


def test_model_vs_table_9_facts(facts):
    outputs = build_all_scenarios(facts)
    assert gate(outputs, ModelOutputSchema, "models").passed
    table = model_vs_reported(outputs, facts, reported_figures(MODEL))
    counts = table.filter(pl.col("segment").str.starts_with("SU Count="), pl.col("reported_value").is_not_null())
    assert counts.height == 24 and counts["within_tolerance"].all()
    assert set(counts["reported_fact_id"].str.split(":").list.first()) == {"yd_"}


def test_yearly_demand_from_h100_increments(facts):
    outputs = build_optical_module_demand(facts)
    units = outputs.filter(pl.col("metric_id") == "optical_module_units", pl.col("year") == 2024)
    got = dict(zip(units["segment"], units["value"]))
    assert got["800G"] == pytest.approx(109.07e4 * 1536 / 1016)
    assert got["400G"] == pytest.approx(109.07e4 * 1024 / 1016)
    used = facts.filter(pl.col("fact_id").is_in(units["input_ids"][0]))
    assert used.select("metric_raw", "period_label", "raw_text").rows() == [
        ("H100 需求增量（万张）", "2024E", "109.07")]
    market = outputs.filter(pl.col("metric_id") == "optical_module_market_size", pl.col("year") == 2024)
    assert market["value"][0] == pytest.approx(got["800G"] * 600 + got["400G"] * 350)


def test_shipments_scenario_uses_004_server_shipments(facts):
    outputs = build_all_scenarios(facts).filter(pl.col("scenario") == "shipments",
                                                pl.col("metric_id") == "optical_module_units")
    got = {(r["year"], r["segment"]): r["value"] for r in outputs.iter_rows(named=True)}
    assert got[(2023, "800G")] == pytest.approx(27.0e4 * 8 * 1536 / 1016)
    assert got[(2024, "400G")] == pytest.approx(54.3e4 * 8 * 1024 / 1016)


def test_lightcounting_gap_is_shown_with_its_reason(facts):
    table = model_vs_reported(build_all_scenarios(facts), facts, reported_figures(MODEL))
    lc = table.filter(pl.col("metric_id") == "optical_module_market_size",
                      pl.col("reported_value").is_not_null()).sort("year")
    assert lc["year"].to_list() == [2025, 2027]
    assert lc["reported_value"].to_list() == pytest.approx([1.7e10, 2.094e10])
    assert not lc["within_tolerance"].any() and "scope" in lc["note"][0]
    assert lc["reported_fact_id"][0] == "report:optical_module_demand.lightcounting_2025"


@pytest.fixture(scope="module")
def seed_002_facts():
    from conftest import SEEDS, needs_shared
    from pipelines.extract.text import extract_text

    path = next(needs_shared(SEEDS).glob("002_*.txt"))
    tables, cells, _ = extract_text(path, "002").frames()
    return facts_from_cells(tables, cells)[0]


def _units(outputs: pl.DataFrame, scenario: str, speed: str, year: int) -> dict:
    return outputs.filter(pl.col("scenario") == scenario, pl.col("metric_id") == "optical_module_units",
                          pl.col("segment") == speed, pl.col("year") == year).row(0, named=True)


def test_002_stated_ratio_on_training_and_inference_increments(seed_002_facts):
    outputs = build_all_scenarios(seed_002_facts)
    stated = _units(outputs, "csc_ratio", "800G", 2024)
    assert stated["value"] == pytest.approx(109.07e4 * 3.5)  # 381.7万 800G modules
    assert "assumption:optical_module_demand.stated_800g_per_h100@csc_ratio" in stated["input_ids"]
    assert _units(outputs, "csc_ratio", "400G", 2024)["value"] == 0
    assert _units(outputs, "csc_ratio_inference", "800G", 2024)["value"] == pytest.approx(182e4 * 3.5)
    assert _units(outputs, "inference", "800G", 2024)["value"] == pytest.approx(182e4 * 1536 / 1016)
    assert _units(outputs, "base", "800G", 2024)["value"] == pytest.approx(109.07e4 * 1536 / 1016)
    assert "127 compute nodes" in _units(outputs, "base", "400G", 2024)["note"]
    priced = outputs.filter(pl.col("metric_id").str.starts_with("optical_module_value"))
    assert set(priced["metric_id"]) == {"optical_module_value_at_assumed_asp"}
    assert priced["note"].str.contains("assumed ASP").all()
