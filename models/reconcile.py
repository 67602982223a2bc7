"""model_vs_reported: each base-scenario model figure beside the figure the report publishes."""

from __future__ import annotations

import polars as pl

TOLERANCE = 0.0005  # 0.05 %, the reports' display rounding


def model_vs_reported(outputs: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """Join model rows to published facts on (metric, region, year); one row per model figure."""
    published = (
        facts.filter(pl.col("value").is_not_null(), pl.col("year").is_not_null())
        .sort("fact_id")
        .unique(subset=["metric_id", "region", "year"], keep="first", maintain_order=True)
        .select("metric_id", "region", "year", pl.col("value").alias("reported_value"),
                pl.col("fact_id").alias("reported_fact_id"),
                pl.col("raw_text").alias("reported_text"))
    )
    joined = outputs.filter(pl.col("scenario") == "base").join(
        published, on=["metric_id", "region", "year"], how="left")
    return joined.select(
        "model", "model_version", "scenario", "variant", "metric_id", "region", "year",
        pl.col("value").alias("model_value"), "reported_value", "unit",
        (pl.col("value") - pl.col("reported_value")).alias("abs_diff"),
        ((pl.col("value") - pl.col("reported_value")) / pl.col("reported_value")).alias("rel_diff"),
        ((pl.col("value") - pl.col("reported_value")).abs()
         <= TOLERANCE * pl.col("reported_value").abs()).alias("within_tolerance"),
        "reported_fact_id", "reported_text", "input_ids", "note",
    ).sort("model", "metric_id", "region", "year")
