"""model_vs_reported: each model figure beside the figure the report publishes for it."""

from __future__ import annotations

import polars as pl

from models.inputs import with_segments

TOLERANCE = 0.0005  # 0.05 %
KEYS = ["metric_id", "workload", "segment", "region", "year"]


def display_half_unit(raw_text: pl.Expr, scale: pl.Expr) -> pl.Expr:
    """Half a unit in the last digit the report prints ('264'万 → 0.5万): rounding it cannot show."""
    decimals = raw_text.str.extract(r"^[^.]*\.(\d+)\s*%?$", 1).str.len_chars().cast(pl.Int32).fill_null(0)
    plain = raw_text.str.contains(r"^[\d,.\s%]+$")
    return pl.when(plain).then(0.5 * pl.lit(10.0).pow(-decimals) * scale).otherwise(0.0)


def scenario_band(outputs: pl.DataFrame) -> pl.DataFrame:
    """Lowest and highest value of each model figure over the model's scenarios."""
    return outputs.group_by("model", "variant", *KEYS).agg(
        pl.col("value").min().alias("band_low"), pl.col("value").max().alias("band_high"))


def model_vs_reported(outputs: pl.DataFrame, facts: pl.DataFrame,
                      stated_in_prose: pl.DataFrame | None = None) -> pl.DataFrame:
    """Base-scenario model rows joined to one published figure per (metric, workload, segment,
    region, year): a fact, or a figure a report states in prose (kept in the model's YAML), and the
    bear-to-bull band of the figure over all scenarios, with why it misses the published figure."""
    published = (
        with_segments(facts)
        .with_columns(pl.coalesce("segment", "entity").alias("segment"))
        .filter(pl.col("value").is_not_null(),
                pl.col("metric_id").is_in(outputs["metric_id"].unique().implode()))
        .sort("fact_id")
        .unique(subset=KEYS, keep="first", maintain_order=True)
        .select(*KEYS, pl.col("value").alias("reported_value"),
                display_half_unit(pl.col("raw_text"), pl.col("scale")).alias("display_half_unit"),
                pl.col("fact_id").alias("reported_fact_id"), pl.col("raw_text").alias("reported_text"),
                pl.lit(None, pl.String).alias("band_note"))
    )
    if stated_in_prose is not None and stated_in_prose.height:
        published = pl.concat([published, stated_in_prose.select(published.columns)],
                              how="vertical_relaxed")
    joined = outputs.filter(pl.col("scenario") == "base").join(
        published, on=KEYS, how="left", nulls_equal=True).join(
        scenario_band(outputs), on=["model", "variant", *KEYS], how="left", nulls_equal=True)
    diff = pl.col("value") - pl.col("reported_value")
    inside = pl.col("reported_value").is_between(pl.col("band_low"), pl.col("band_high"))
    return joined.select(
        "model", "model_version", "scenario", "variant", "basis", *KEYS,
        pl.col("value").alias("model_value"), "reported_value", "unit",
        diff.alias("abs_diff"), (diff / pl.col("reported_value")).alias("rel_diff"),
        (diff.abs() <= pl.max_horizontal(TOLERANCE * pl.col("reported_value").abs(),
                                         pl.col("display_half_unit"))).alias("within_tolerance"),
        "display_half_unit", "band_low", "band_high", inside.alias("band_contains_reported"),
        "band_note", "reported_fact_id", "reported_text", "input_ids", "note",
    ).sort("model", "variant", "metric_id", "segment", "region", "year", nulls_last=True)
