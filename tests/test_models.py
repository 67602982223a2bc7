"""AI server market rebuilt from stated inputs reproduces 002 图表108/109 within 0.05%."""

import polars as pl
import pytest

from conftest import SAMPLES
from models.ai_server_market import build_ai_server_market, build_all_scenarios
from models.reconcile import TOLERANCE, model_vs_reported
from pipelines.extract.pdf import extract_pdf
from pipelines.normalize.facts import facts_from_cells
from quality.gates import gate
from quality.schemas import ModelOutputSchema

PUBLISHED = {("global", 2023): 395.2e8, ("global", 2024): 889.6e8, ("global", 2025): 1601.3e8,
             ("China", 2023): 134.4e8, ("China", 2024): 306.9e8, ("China", 2025): 560.5e8}


@pytest.fixture(scope="module")
def facts():
    tables, cells, _ = extract_pdf(SAMPLES / "reports" / "csc_ai_compute_panorama_2023.pdf", "d").frames()
    return facts_from_cells(tables, cells)[0]


def test_reproduces_published_market(facts):
    base = build_ai_server_market(facts)
    got = {(r["region"], r["year"]): r["value"] for r in base.iter_rows(named=True)}
    assert set(got) == set(PUBLISHED)
    for key, published in PUBLISHED.items():
        assert abs(got[key] - published) <= TOLERANCE * published, key


def test_rows_carry_provenance(facts):
    base = build_ai_server_market(facts)
    assert gate(base, ModelOutputSchema, "models").passed
    global_2024 = base.filter(pl.col("region") == "global", pl.col("year") == 2024).row(0, named=True)
    ids = global_2024["input_ids"]
    assert len(ids) == 2 and all(i.startswith("d:") for i in ids)
    assert set(facts.filter(pl.col("fact_id").is_in(ids))["raw_text"]) == {"622.7", "70.0"}
    china = base.filter(pl.col("region") == "China", pl.col("year") == 2024)["input_ids"][0]
    assert len(china) == 3


def test_gpu_share_scenario_moves_every_output_by_the_right_factor(facts):
    outputs = build_all_scenarios(facts)
    base = outputs.filter(pl.col("scenario") == "base")
    low = outputs.filter(pl.col("scenario") == "gpu_share_60")
    joined = base.join(low, on=["region", "year"], suffix="_low")
    assert joined.height == 6
    ratio = (joined["value_low"] / joined["value"]).to_list()
    assert ratio == pytest.approx([0.70 / 0.60] * 6)
    assert all(any(i.startswith("assumption:") for i in ids) for ids in low["input_ids"])


def test_assumption_used_when_no_fact_states_it(facts):
    without_share = facts.filter(pl.col("metric_id") != "gpu_share_of_server_cost")
    base = build_ai_server_market(without_share)
    row = base.filter(pl.col("region") == "global", pl.col("year") == 2025).row(0, named=True)
    assert row["value"] == pytest.approx(1120.9e8 / 0.70)
    assert "assumption:ai_server_market.gpu_share_of_server_cost" in row["input_ids"]


def test_model_vs_reported(facts):
    table = model_vs_reported(build_all_scenarios(facts), facts)
    assert table.height == 6 and table["within_tolerance"].all()
    assert table["rel_diff"].abs().max() < TOLERANCE
    assert table["reported_fact_id"].null_count() == 0
