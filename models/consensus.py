"""marts.consensus: every source's figure for the same thing, side by side.

A group is one metric × region × entity × item × year × qualifier × unit (the item: the row label
of a per-item metric such as a model's parameters or a chip's FP16 throughput). Each row is one source value in
it: the figure a document states (a table cell or a sentence; the same value stated twice in one
document is one row, with all its fact ids), who published the document (`institution`) and who
the figure comes from (`original_source`: the source a sentence attributes it to, else the
institution). A table figure equal to a sentence's figure in the same document takes the sentence's
attribution, so a number printed twice is never two sources.

Per group: the number of independent sources (distinct original sources), and min / median / max
over one value per source (its latest report's), with spread = (max − min) / median. A group
`conflict`s when it has two or more independent sources and spread > CONSENSUS_TOLERANCE. Per
institution: `is_latest_vintage` marks its latest report's rows; a row is `restated` when the same
institution printed a figure differing beyond the tolerance in an earlier report (which
`previous_value` and `previous_report_date` give).
"""

from __future__ import annotations

import polars as pl

from models.inputs import with_segments

CONSENSUS_TOLERANCE = 0.10  # independent sources within 10% of the group median agree
# Metrics of one item (a model, a chip, a server) rather than a market: their figures compare only
# for the same item, which is the row the table prints them in.
ITEM_METRICS = {"model_parameters", "training_tokens", "training_days", "gpu_fp16_throughput",
                "chip_tdp", "server_price", "server_power", "server_compute", "cluster_nodes",
                "cluster_gpus", "leaf_switches", "spine_switches", "node_leaf_cables",
                "spine_leaf_cables"}
GROUP = ["metric_id", "region", "entity", "item", "year", "qualifier", "unit"]
CONSENSUS_COLUMNS = {
    "metric_id": pl.String, "region": pl.String, "entity": pl.String, "item": pl.String,
    "year": pl.Int32,
    "qualifier": pl.String, "value": pl.Float64, "unit": pl.String, "fact_id": pl.String,
    "fact_ids": pl.List(pl.String), "doc_id": pl.String, "institution": pl.String,
    "original_source": pl.String, "report_date": pl.String, "is_estimate": pl.Boolean,
    "extractor": pl.String, "n_independent_sources": pl.UInt32, "min": pl.Float64,
    "median": pl.Float64, "max": pl.Float64, "spread": pl.Float64, "conflict": pl.Boolean,
    "is_latest_vintage": pl.Boolean, "restated": pl.Boolean, "previous_value": pl.Float64,
    "previous_report_date": pl.String, "tolerance": pl.Float64,
}


def _within(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return ((a - b).abs() <= CONSENSUS_TOLERANCE * pl.max_horizontal(a.abs(), b.abs()))


def source_values(facts: pl.DataFrame, institutions: pl.DataFrame) -> pl.DataFrame:
    """One row per document × group × value, with institution and original source."""
    usable = with_segments(facts.filter(pl.col("metric_id").is_not_null() & pl.col("value").is_not_null()
                                        & pl.col("year").is_not_null()))
    rows = (usable.join(institutions, on="doc_id", how="left")
            .with_columns(pl.coalesce("institution", "doc_id").alias("institution"),
                          # what the figure is of within its metric: a chip's dense figure, a list's
                          # item, a sizing table's workload and section (图表49's 普通 models)
                          pl.concat_str("metric_qualifier", "workload", "segment", separator=" · ",
                                        ignore_nulls=True).replace("", None).alias("qualifier"),
                          pl.when(pl.col("metric_id").is_in(sorted(ITEM_METRICS)))
                          .then(pl.coalesce("row_label", "metric_raw")).alias("item"),
                          pl.col("value").round_sig_figs(6).alias("rounded")))
    attributed = (rows.filter(pl.col("attributed_source").is_not_null())
                  .select("doc_id", *GROUP, pl.col("value").alias("stated"),
                          pl.col("attributed_source").alias("stated_source")))
    rows = (rows.join(attributed, on=["doc_id", *GROUP], how="left", nulls_equal=True)
            .with_columns(pl.when(pl.col("stated").is_not_null() & _within(pl.col("value"), pl.col("stated")))
                          .then(pl.col("stated_source")).alias("same_number_source"))
            .sort("same_number_source", nulls_last=True)
            .unique(subset=["fact_id"], keep="first", maintain_order=True)
            .with_columns(pl.coalesce("attributed_source", "same_number_source", "institution")
                          .alias("original_source")))
    return (rows.sort("extractor", "fact_id")
            .group_by("doc_id", *GROUP, "rounded", "original_source", maintain_order=True)
            .agg(pl.col("fact_id").first(), pl.col("fact_id").alias("fact_ids"),
                 pl.col("value").first(), pl.col("institution").first(),
                 pl.col("report_date").first(), pl.col("is_estimate").first(),
                 pl.col("extractor").first())
            .drop("rounded"))


def build_consensus(facts: pl.DataFrame, institutions: pl.DataFrame) -> pl.DataFrame:
    """marts.consensus from facts and each document's institution (doc_id, institution)."""
    rows = source_values(facts, institutions)
    if rows.height == 0:
        return pl.DataFrame(schema=CONSENSUS_COLUMNS)
    latest_date = pl.col("report_date").max().over([*GROUP, "institution"])
    rows = rows.with_columns(
        (pl.col("report_date").fill_null("") == latest_date.fill_null("")).alias("is_latest_vintage"))
    per_source = (rows.filter(pl.col("report_date").fill_null("")
                              == pl.col("report_date").max().over([*GROUP, "original_source"]).fill_null(""))
                  .group_by([*GROUP, "original_source"]).agg(pl.col("value").median().alias("source_value")))
    summary = per_source.group_by(GROUP).agg(
        pl.col("original_source").n_unique().alias("n_independent_sources"),
        pl.col("source_value").min().alias("min"), pl.col("source_value").median().alias("median"),
        pl.col("source_value").max().alias("max"))
    summary = summary.with_columns(
        ((pl.col("max") - pl.col("min")) / pl.col("median").abs()).alias("spread")).with_columns(
        ((pl.col("n_independent_sources") >= 2) & (pl.col("spread") > CONSENSUS_TOLERANCE))
        .alias("conflict"))
    rows = rows.join(summary, on=GROUP, how="left", nulls_equal=True)
    return _with_restatements(rows).with_columns(
        pl.lit(CONSENSUS_TOLERANCE).alias("tolerance")).select(
        [pl.col(c).cast(t) for c, t in CONSENSUS_COLUMNS.items()]).sort(
        "metric_id", "region", "entity", "item", "year", "qualifier", "report_date", "original_source",
        "fact_id", nulls_last=True)


def _with_restatements(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row's institution's figure in its previous report (the latest dated before this row's),
    and whether this row differs from it beyond the tolerance."""
    keys = [*GROUP, "institution"]
    reports = (rows.filter(pl.col("report_date").is_not_null())
               .group_by([*keys, "report_date"]).agg(pl.col("value").median().alias("report_value"))
               .sort("report_date"))
    previous = reports.with_columns(
        pl.col("report_value").shift(1).over(keys).alias("previous_value"),
        pl.col("report_date").shift(1).over(keys).alias("previous_report_date")).select(
        *keys, "report_date", "previous_value", "previous_report_date")
    rows = rows.join(previous, on=[*keys, "report_date"], how="left", nulls_equal=True)
    return rows.with_columns(
        (pl.col("previous_value").is_not_null()
         & ~_within(pl.col("value"), pl.col("previous_value"))).fill_null(False).alias("restated"))
