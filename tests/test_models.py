"""AI server market rebuilt from 002's stated inputs reproduces 图表49/108/109 within 0.05%."""

import polars as pl
import pytest

from conftest import SAMPLES
from models.ai_server_market import build_ai_server_market, build_all_scenarios
from models.reconcile import TOLERANCE, model_vs_reported
from pipelines.extract.pdf import extract_pdf
from pipelines.normalize.facts import facts_from_cells
from quality.gates import gate
from quality.schemas import ModelOutputSchema

WAN, YI = 1e4, 1e8
PUBLISHED = {
    ("gpu_demand_a100_equiv", "global"): {2023: 276.63 * WAN, 2024: 622.71 * WAN, 2025: 1120.88 * WAN,
                                          2026: 2079.30 * WAN, 2027: 3459.04 * WAN},
    ("gpu_demand_h100_equiv", "global"): {2023: 87.18 * WAN, 2024: 196.25 * WAN, 2025: 353.25 * WAN},
    ("ai_server_market_size", "global"): {2023: 395.2 * YI, 2024: 889.6 * YI, 2025: 1601.3 * YI},
    ("ai_server_market_size", "China"): {2023: 134.4 * YI, 2024: 306.9 * YI, 2025: 560.5 * YI},
}


@pytest.fixture(scope="module")
def facts():
    tables, cells, _ = extract_pdf(SAMPLES / "reports" / "csc_ai_compute_panorama_2023.pdf", "d").frames()
    return facts_from_cells(tables, cells)[0]


def _values(outputs, metric, region="global", variant="as_published", scenario="base", segment=None):
    rows = outputs.filter(pl.col("metric_id") == metric, pl.col("region") == region,
                          pl.col("variant") == variant, pl.col("scenario") == scenario)
    if segment:
        rows = rows.filter(pl.col("segment") == segment)
    return dict(zip(rows["year"], rows["value"]))


def test_reproduces_every_published_figure(facts):
    outputs = build_ai_server_market(facts)
    for (metric, region), published in PUBLISHED.items():
        got = _values(outputs, metric, region)
        for year, value in published.items():
            assert abs(got[year] - value) <= TOLERANCE * value, (metric, region, year, got[year])
    peak = _values(outputs, "peak_training_compute", segment="multimodal")
    assert peak[2023] == pytest.approx(223214.29e15, rel=1e-6)


def test_inference_of_price_per_card(facts):
    outputs = build_ai_server_market(facts)
    value = _values(outputs, "gpu_stock_value")[2024]
    assert value == pytest.approx(622.71 * WAN * 10_000, rel=1e-5)  # 622.71 万张 ↔ 622.7 亿美元


def test_rows_carry_provenance(facts):
    outputs = build_all_scenarios(facts)
    assert gate(outputs, ModelOutputSchema, "models").passed
    market = outputs.filter(pl.col("metric_id") == "ai_server_market_size", pl.col("region") == "China",
                            pl.col("year") == 2024, pl.col("variant") == "as_published",
                            pl.col("scenario") == "base").row(0, named=True)
    ids = market["input_ids"]
    stated = facts.filter(pl.col("fact_id").is_in(ids))
    assert set(stated["metric_id"]) >= {"model_developers", "model_parameters", "training_tokens",
                                        "compute_utilisation", "gpu_fp16_throughput",
                                        "gpu_share_of_server_cost", "china_share_of_global"}
    assert "assumption:ai_server_market.a100_equivalent_price" in ids


@pytest.mark.parametrize("scenario, card_factor, market_factor", [
    ("gpu_share_60", 1.0, 0.70 / 0.60),
    ("utilisation_40", 0.30 / 0.40, 0.30 / 0.40),
])
def test_changing_one_assumption_moves_dependents_by_the_right_factor(facts, scenario, card_factor,
                                                                      market_factor):
    outputs = build_all_scenarios(facts)
    for metric, factor in [("gpu_demand_a100_equiv", card_factor), ("gpu_demand_h100_equiv", card_factor),
                           ("ai_server_market_size", market_factor)]:
        for region in (["global", "China"] if metric == "ai_server_market_size" else ["global"]):
            base, changed = _values(outputs, metric, region), _values(outputs, metric, region,
                                                                      scenario=scenario)
            assert base.keys() == changed.keys() and base
            for year in base:
                assert changed[year] / base[year] == pytest.approx(factor), (metric, region, year)
    scenario_rows = outputs.filter(pl.col("scenario") == scenario, pl.col("metric_id") == "ai_server_market_size")
    assert all(any(i.startswith("assumption:") for i in ids) for ids in scenario_rows["input_ids"])


def test_unapplied_efficiency_factor_gives_a_corrected_variant(facts):
    outputs = build_ai_server_market(facts)
    published = _values(outputs, "ai_server_market_size")
    corrected = _values(outputs, "ai_server_market_size", variant="corrected")
    assert [corrected[y] / published[y] for y in (2023, 2024, 2025)] == pytest.approx([1.0, 1 / 1.2, 1 / 1.5])
    note = outputs.filter(pl.col("variant") == "as_published", pl.col("metric_id") == "ai_server_market_size")["note"][0]
    assert "does not apply" in note or "do not apply" in note


def test_assumption_used_when_no_fact_states_it(facts):
    without = facts.filter(~pl.col("metric_id").is_in(["gpu_share_of_server_cost", "compute_utilisation"]))
    outputs = build_ai_server_market(without)
    row = outputs.filter(pl.col("metric_id") == "ai_server_market_size", pl.col("region") == "global",
                         pl.col("year") == 2025, pl.col("variant") == "as_published").row(0, named=True)
    assert row["value"] == pytest.approx(1601.3 * YI, rel=TOLERANCE)
    assert {"assumption:ai_server_market.gpu_share_of_server_cost",
            "assumption:ai_server_market.compute_utilisation"} <= set(row["input_ids"])


def test_without_training_table_the_stated_gpu_value_starts_the_chain(facts):
    only_market_tables = facts.filter(~pl.col("table_id").is_in(
        facts.filter(pl.col("metric_id") == "model_developers")["table_id"].unique().implode()))
    outputs = build_ai_server_market(only_market_tables)
    assert outputs.filter(pl.col("metric_id") == "gpu_demand_a100_equiv").height == 0
    assert _values(outputs, "ai_server_market_size")[2024] == pytest.approx(622.7 * YI / 0.70)


def test_model_vs_reported(facts):
    table = model_vs_reported(build_all_scenarios(facts), facts)
    compared = table.filter(pl.col("variant") == "as_published", pl.col("reported_value").is_not_null())
    assert compared.height == 29 and compared["within_tolerance"].all()
    corrected = table.filter(pl.col("variant") == "corrected", pl.col("year") == 2025)
    assert corrected["within_tolerance"].to_list() == [False, False]


def test_model_vs_reported_takes_the_figure_of_the_models_own_document(facts):
    """Another broker's figure for the same metric, region and year (001 quoting IDC's 91亿美元 for
    China 2023, its fact id sorting first) is no published figure of this model: 002's 134.4亿 is."""
    other = facts.filter(pl.col("metric_id") == "ai_server_market_size", pl.col("region") == "China",
                         pl.col("year") == 2023).head(1).with_columns(
        pl.lit("0other:L263:s0:c31").alias("fact_id"), pl.lit("0other").alias("doc_id"),
        pl.lit(91e8).alias("value"), pl.lit("91亿美元").alias("raw_text"), pl.lit("prose").alias("extractor"))
    table = model_vs_reported(build_all_scenarios(facts), pl.concat([other, facts]))
    china = table.filter(pl.col("metric_id") == "ai_server_market_size", pl.col("region") == "China",
                         pl.col("year") == 2023, pl.col("variant") == "as_published")
    assert china.height == 1
    assert china["reported_value"][0] == pytest.approx(134.4 * YI) and china["within_tolerance"][0]
    assert china["reported_fact_id"][0].startswith("d:")
    # and with the model's own figure gone, the other broker's is the one beside it
    alone = model_vs_reported(build_all_scenarios(facts), pl.concat([other, facts.filter(
        ~((pl.col("metric_id") == "ai_server_market_size") & (pl.col("region") == "China")))]))
    assert alone.filter(pl.col("region") == "China", pl.col("year") == 2023, pl.col("variant") == "as_published",
                        pl.col("metric_id") == "ai_server_market_size")["reported_value"].to_list() == [91e8]


@pytest.fixture(scope="module")
def inference_facts():
    from pipelines.extract.text import extract_text

    tables, cells, _ = extract_text(SAMPLES / "reports" / "csc_ai_inference_excerpt.md", "m").frames()
    return facts_from_cells(tables, cells)[0]


def test_inference_reproduces_figure_50_by_applying_utilisation_twice(inference_facts):
    outputs = build_all_scenarios(inference_facts)
    table = model_vs_reported(outputs, inference_facts)

    def row(metric, year, variant="as_published"):
        return table.filter(pl.col("metric_id") == metric, pl.col("year") == year,
                            pl.col("variant") == variant, pl.col("workload") == "inference").row(0, named=True)

    peak = row("peak_inference_compute", 2027)
    assert peak["reported_value"] == pytest.approx(10880000e15)
    assert abs(peak["rel_diff"]) < TOLERANCE and peak["within_tolerance"]
    assert row("peak_inference_compute", 2023)["model_value"] == pytest.approx(246914e15, rel=TOLERANCE)
    a100 = row("gpu_demand_a100_equiv", 2027)
    assert a100["model_value"] == pytest.approx(11624e4, rel=TOLERANCE) and a100["within_tolerance"]
    first = row("gpu_demand_a100_equiv", 2023)  # 263.80 shown as 264: inside display rounding only
    assert first["model_value"] == pytest.approx(263.80e4, rel=1e-4)
    assert abs(first["rel_diff"]) > TOLERANCE and first["within_tolerance"]
    assert first["display_half_unit"] == pytest.approx(0.5e4)
    corrected = row("gpu_demand_a100_equiv", 2027, "corrected")
    assert corrected["model_value"] == pytest.approx(a100["model_value"] * 0.30)
    assert not corrected["within_tolerance"] and "once" in corrected["note"]
    assert "again" in a100["note"]
    # FP16 throughput is not in the excerpt: the documented assumption fills it
    assert "assumption:ai_server_market.a100_fp16_throughput" in a100["input_ids"]


def test_seed_002_reproduces_training_and_inference_chains():
    from conftest import SEEDS, needs_shared
    from pipelines.extract.text import extract_text

    path = next(needs_shared(SEEDS).glob("002_*.txt"))
    tables, cells, _ = extract_text(path, "002").frames()
    facts = facts_from_cells(tables, cells)[0]
    table = model_vs_reported(build_all_scenarios(facts), facts)
    compared = table.filter(pl.col("variant") == "as_published", pl.col("reported_value").is_not_null())
    assert compared["within_tolerance"].all()
    counts = dict(compared.group_by("workload").len().iter_rows())
    assert counts == {"training": 20, "inference": 25, None: 9}


def test_seed_002_labels_extrapolations_and_sets_card_prices_beside_000():
    """002 prints the market for 2021–2025 only: 2026/2027 are the chain carried on. Its figures imply
    US$10,000 per A100 equivalent, where 000 表1 prices an A100 at 1.5万 and an H100 at 3.65万美元."""
    from conftest import SEEDS, needs_shared
    from models.inputs import reported_figures
    from pipelines.extract.text import extract_text

    path = next(needs_shared(SEEDS).glob("002_*.txt"))
    tables, cells, _ = extract_text(path, "002").frames()
    facts = facts_from_cells(tables, cells)[0]
    table = model_vs_reported(build_all_scenarios(facts), facts, reported_figures("ai_server_market"))
    market = table.filter(pl.col("metric_id") == "ai_server_market_size", pl.col("region") == "global",
                          pl.col("variant") == "as_published")
    assert dict(zip(market["year"], market["basis"])) == {
        2023: "report_chain", 2024: "report_chain", 2025: "report_chain",
        2026: "extrapolated", 2027: "extrapolated"}
    assert market.filter(pl.col("basis") == "extrapolated")["reported_value"].is_null().all()
    corrected = table.filter(pl.col("variant") == "corrected", pl.col("metric_id") == "ai_server_market_size")
    assert set(corrected["basis"]) == {"one_reading"} and corrected["note"].str.contains("略低于").all()
    prices = {r["segment"]: r for r in table.filter(pl.col("metric_id") == "gpu_unit_price").iter_rows(named=True)}
    assert (prices["A100"]["model_value"], prices["A100"]["reported_value"]) == (10_000, 15_000)
    assert prices["H100"]["model_value"] == pytest.approx(10_000 * 990 / 312)
    assert prices["H100"]["reported_value"] == 36_500
    assert not any(p["within_tolerance"] or p["band_contains_reported"] for p in prices.values())
    assert all("000 表1 line 201" in p["reported_text"] and "conflict" in p["band_note"]
               for p in prices.values())
