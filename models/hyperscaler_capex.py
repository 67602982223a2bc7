"""Hyperscaler capex from filings: annual values, discrete quarters from year-to-date 10-Q values
(Q2 = H1 − Q1, Q3 = 9M − H1, Q4 = FY − 9M), calendar quarters beside fiscal ones, and YoY growth."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

CAPEX_COLUMNS = {
    "company": pl.String, "fiscal_year": pl.Int32, "fiscal_period": pl.String, "fiscal_label": pl.String,
    "calendar_label": pl.String, "period_start": pl.String, "period_end": pl.String,
    "capex_usd": pl.Float64, "yoy_growth": pl.Float64, "concept": pl.String, "accn": pl.String,
    "derived": pl.Boolean, "input_ids": pl.List(pl.String),
}
CLAIMS = Path(__file__).with_name("assumptions") / "hyperscaler_capex.yaml"


def _calendar_quarter(end: pl.Expr) -> pl.Expr:
    day = end.str.to_date()
    return pl.format("CY{}Q{}", day.dt.year(), day.dt.quarter())


def capex_facts(facts: pl.DataFrame) -> pl.DataFrame:
    """Filing capex facts, one concept per company (the one with the most periods)."""
    capex = facts.filter(pl.col("metric_id") == "capex", pl.col("extractor") == "xbrl_companyfacts")
    best = (capex.group_by("entity", "concept").len().sort("len", "concept", descending=[True, False])
            .unique("entity", keep="first"))
    return capex.join(best.select("entity", "concept"), on=["entity", "concept"])


def build_hyperscaler_capex(facts: pl.DataFrame) -> pl.DataFrame:
    capex = capex_facts(facts).with_columns(
        pl.col("period_start").str.to_date().alias("start"), pl.col("period_end").str.to_date().alias("end"),
        ((pl.col("period_end").str.to_date() - pl.col("period_start").str.to_date()).dt.total_days() / 30.44)
        .round().cast(pl.Int32).alias("months"))
    annual = capex.filter(pl.col("months") >= 11).select(
        pl.col("entity").alias("company"), pl.col("year").alias("fiscal_year"),
        pl.lit("FY").alias("fiscal_period"), pl.col("period_label").alias("fiscal_label"),
        pl.when(pl.col("end").dt.month() == 12).then(pl.format("CY{}", pl.col("end").dt.year()))
        .alias("calendar_label"),
        "period_start", "period_end", pl.col("value").alias("capex_usd"), "concept", "accn",
        pl.lit(False).alias("derived"), pl.concat_list("fact_id").alias("input_ids"))
    # cumulative values from the fiscal year start: 3, 6, 9, 12 months → discrete quarters
    cumulative = capex.filter(pl.col("months").is_in([3, 6, 9, 12])).with_columns(
        (pl.col("months") // 3).alias("quarter")).sort("entity", "start", "quarter")
    previous = pl.col("value").shift(1).over("entity", "start")
    quarters = cumulative.with_columns(
        (pl.col("value") - previous.fill_null(0)).alias("capex_usd"),
        pl.concat_list(pl.col("fact_id"), pl.col("fact_id").shift(1).over("entity", "start"))
        .list.drop_nulls().alias("input_ids"),
        pl.concat_str(pl.col("accn"), pl.col("accn").shift(1).over("entity", "start"), separator=" − ",
                      ignore_nulls=True).alias("accn"),
        (pl.col("quarter") > 1).alias("derived"),
        (pl.col("quarter") - pl.col("quarter").shift(1).over("entity", "start").fill_null(0)).alias("step"),
    ).filter(pl.col("step") == 1)  # a gap in the chain (a missing 10-Q) leaves that quarter out
    quarters = quarters.select(
        pl.col("entity").alias("company"), pl.col("year").alias("fiscal_year"),
        pl.format("Q{}", "quarter").alias("fiscal_period"),
        pl.format("FY{}Q{}", "year", "quarter").alias("fiscal_label"),
        _calendar_quarter(pl.col("period_end")).alias("calendar_label"),
        # the day after the previous quarter's end (06-30 → 04-01; 12-31 → 10-01)
        pl.col("end").dt.offset_by("1d").dt.offset_by("-3mo").cast(pl.String).alias("period_start"),
        "period_end", "capex_usd", "concept", "accn", "derived", "input_ids")
    table = pl.concat([annual, quarters.select(annual.columns)], how="vertical_relaxed")
    prior = table.select("company", "fiscal_period", (pl.col("fiscal_year") + 1).alias("fiscal_year"),
                         pl.col("capex_usd").alias("prior"))
    return (table.join(prior, on=["company", "fiscal_period", "fiscal_year"], how="left")
            .with_columns((pl.col("capex_usd") / pl.col("prior") - 1).alias("yoy_growth"))
            .select(list(CAPEX_COLUMNS)).cast(CAPEX_COLUMNS)
            .sort("company", "fiscal_year", "fiscal_period"))


def capex_vs_reports(capex: pl.DataFrame) -> pl.DataFrame:
    """What the research reports say about a company's capex, beside the filing figure."""
    claims = pl.DataFrame(yaml.safe_load(CLAIMS.read_text(encoding="utf-8"))["claims"]).with_columns(
        pl.col("value").cast(pl.Float64), pl.col("yoy").cast(pl.Float64))  # YAML 1.1 reads 1e10 as text
    joined = claims.join(capex, on=["company", "fiscal_label"], how="left")
    return joined.select(
        "company", "fiscal_label", "calendar_label", "measure", pl.col("value").alias("reported_usd"),
        pl.col("capex_usd").alias("filing_usd"),
        (pl.col("capex_usd") / pl.col("value") - 1).alias("rel_diff"),
        pl.col("yoy").alias("reported_yoy"), pl.col("yoy_growth").alias("filing_yoy"),
        "concept", "accn", "comparable", "source",
    ).sort("company", "fiscal_label", "measure")
