"""AI server market (002 图表108 → 图表109): GPU value ÷ GPU share of server cost = global market;
China = global × China's share. Inputs come from facts, else from assumptions/ai_server_market.yaml."""

from __future__ import annotations

import polars as pl

from models.inputs import load_assumptions, pick_facts, scenarios, stated_or_assumed

MODEL = "ai_server_market"
MODEL_VERSION = "1"
OUTPUT_COLUMNS = {
    "model": pl.String, "model_version": pl.String, "scenario": pl.String, "variant": pl.String,
    "metric_id": pl.String, "region": pl.String, "year": pl.Int32, "value": pl.Float64,
    "unit": pl.String, "input_ids": pl.List(pl.String), "note": pl.String,
}


def _join_inputs(left: pl.DataFrame, right: pl.DataFrame, suffix: str) -> pl.DataFrame:
    return left.join(right.select("year", pl.col("value").alias(f"value_{suffix}"),
                                  pl.col("input_id").alias(f"id_{suffix}")), on="year")


def build_ai_server_market(facts: pl.DataFrame, scenario: str = "base") -> pl.DataFrame:
    """Global and China AI server market per year, each row naming the facts/assumptions used."""
    assumptions = load_assumptions(MODEL, scenario)
    gpu_value = pick_facts(facts, "gpu_stock_value").select(
        "year", pl.col("value").alias("value_gpu"), pl.col("input_id").alias("id_gpu"))
    share = stated_or_assumed(facts, assumptions, "gpu_share_of_server_cost",
                              prefer_assumptions=scenario != "base")
    china_share = pick_facts(facts, "china_share_of_global")
    global_market = (
        _join_inputs(gpu_value, share, "share")
        .with_columns((pl.col("value_gpu") / pl.col("value_share")).alias("value"),
                      pl.concat_list("id_gpu", "id_share").alias("input_ids"))
    )
    china_market = (
        _join_inputs(global_market.select("year", "value", pl.col("input_ids").alias("ids_global"),
                                          pl.lit("").alias("input_id")), china_share, "cn")
        .with_columns((pl.col("value") * pl.col("value_cn")).alias("value"),
                      pl.concat_list("ids_global", "id_cn").alias("input_ids"))
    )
    rows = pl.concat([
        global_market.select("year", "value", "input_ids", pl.lit("global").alias("region"),
                             pl.lit("GPU value ÷ GPU share of AI server cost").alias("note")),
        china_market.select("year", "value", "input_ids", pl.lit("China").alias("region"),
                            pl.lit("global market × China share of global").alias("note")),
    ])
    return rows.select(
        pl.lit(MODEL).alias("model"), pl.lit(MODEL_VERSION).alias("model_version"),
        pl.lit(scenario).alias("scenario"), pl.lit("as_published").alias("variant"),
        pl.lit("ai_server_market_size").alias("metric_id"), "region",
        pl.col("year").cast(pl.Int32), "value", pl.lit("USD").alias("unit"), "input_ids", "note",
    ).cast(OUTPUT_COLUMNS).sort("scenario", "region", "year")


def build_all_scenarios(facts: pl.DataFrame) -> pl.DataFrame:
    frames = [build_ai_server_market(facts, s) for s in scenarios(MODEL)]
    return pl.concat(frames) if frames else pl.DataFrame(schema=OUTPUT_COLUMNS)
