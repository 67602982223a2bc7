"""model_vs_reported: each model figure beside the figure the report publishes for it."""

from __future__ import annotations

import polars as pl

from models.inputs import with_segments

TOLERANCE = 0.0005  # 0.05 %: the reports round what they display
KEYS = ["metric_id", "segment", "region", "year"]


def model_vs_reported(outputs: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """Base-scenario model rows joined to one published fact per (metric, segment, region, year)."""
    published = (
        with_segments(facts)
        .filter(pl.col("value").is_not_null(), pl.col("year").is_not_null(),
                pl.col("metric_id").is_in(outputs["metric_id"].unique().implode()))
        .sort("fact_id")
        .unique(subset=KEYS, keep="first", maintain_order=True)
        .select(*KEYS, pl.col("value").alias("reported_value"),
                pl.col("fact_id").alias("reported_fact_id"), pl.col("raw_text").alias("reported_text"))
    )
    joined = outputs.filter(pl.col("scenario") == "base").join(
        published, on=KEYS, how="left", nulls_equal=True)
    diff = pl.col("value") - pl.col("reported_value")
    return joined.select(
        "model", "model_version", "scenario", "variant", *KEYS,
        pl.col("value").alias("model_value"), "reported_value", "unit",
        diff.alias("abs_diff"), (diff / pl.col("reported_value")).alias("rel_diff"),
        (diff.abs() <= TOLERANCE * pl.col("reported_value").abs()).alias("within_tolerance"),
        "reported_fact_id", "reported_text", "input_ids", "note",
    ).sort("model", "variant", "metric_id", "segment", "region", "year", nulls_last=True)
