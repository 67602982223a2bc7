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


def _source_documents(input_ids: pl.Expr) -> pl.Expr:
    """The documents a model row's inputs come from: the doc_id each fact id starts with."""
    return input_ids.list.eval(
        pl.element().filter(~pl.element().str.starts_with("assumption:")).str.split(":").list.first())


def model_vs_reported(outputs: pl.DataFrame, facts: pl.DataFrame,
                      stated_in_prose: pl.DataFrame | None = None) -> pl.DataFrame:
    """Base-scenario model rows, each beside one published figure of its (metric, workload,
    segment, region, year) and the bear-to-bull band of the figure over all scenarios, with why it
    misses the published figure. Of several published figures, the one the model's YAML names (a
    figure a report states in prose) comes first, then a figure of a document the row's own inputs
    come from, then a table's figure before a sentence's; the fact id settles the rest (every other
    source of the figure is side by side in marts.consensus)."""
    published = (
        with_segments(facts)
        .with_columns(pl.coalesce("segment", "entity").alias("segment"))
        .filter(pl.col("value").is_not_null(),
                pl.col("metric_id").is_in(outputs["metric_id"].unique().implode()))
        .select(*KEYS, pl.col("value").alias("reported_value"),
                display_half_unit(pl.col("raw_text"), pl.col("scale")).alias("display_half_unit"),
                pl.col("fact_id").alias("reported_fact_id"), pl.col("raw_text").alias("reported_text"),
                pl.lit(None, pl.String).alias("band_note"), "doc_id",
                pl.lit(1).alias("named"), (pl.col("extractor") == "prose").alias("from_prose"))
    )
    if stated_in_prose is not None and stated_in_prose.height:
        named = stated_in_prose.with_columns(pl.lit(None, pl.String).alias("doc_id"), pl.lit(0).alias("named"),
                                             pl.lit(False).alias("from_prose"))
        published = pl.concat([published, named.select(published.columns)], how="vertical_relaxed")
    rows = outputs.filter(pl.col("scenario") == "base").with_row_index("row")
    chosen = (
        rows.select("row", *KEYS, _source_documents(pl.col("input_ids")).alias("sources"))
        .join(published, on=KEYS, how="inner", nulls_equal=True)
        .with_columns((~pl.col("sources").list.contains(pl.col("doc_id")).fill_null(False)).alias("elsewhere"))
        .sort("row", "named", "elsewhere", "from_prose", "reported_fact_id", nulls_last=True)
        .unique(subset="row", keep="first", maintain_order=True)
        .drop(*KEYS, "sources", "doc_id", "named", "elsewhere", "from_prose")
    )
    joined = rows.join(chosen, on="row", how="left").drop("row").join(
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
