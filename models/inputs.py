"""Picking model inputs: one fact per (metric, region, year) from the warehouse, else an assumption."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

ASSUMPTIONS_DIR = Path(__file__).with_name("assumptions")
INPUT_COLUMNS = {"input_id": pl.String, "metric_id": pl.String, "region": pl.String,
                 "year": pl.Int32, "value": pl.Float64, "unit": pl.String, "origin": pl.String}


def load_assumptions(model: str, scenario: str = "base") -> pl.DataFrame:
    """The model's YAML assumptions for one scenario, one row per year."""
    spec = yaml.safe_load((ASSUMPTIONS_DIR / f"{model}.yaml").read_text(encoding="utf-8"))
    rows = [
        {"input_id": f"assumption:{a['id']}", "metric_id": a["metric_id"],
         "region": a.get("region"), "year": year, "value": float(a["value"]), "unit": a["unit"],
         "origin": a["source"]}
        for a in spec["assumptions"] if a["scenario"] == scenario for year in a["years"]
    ]
    return pl.DataFrame(rows, schema=INPUT_COLUMNS, orient="row")


def scenarios(model: str) -> list[str]:
    spec = yaml.safe_load((ASSUMPTIONS_DIR / f"{model}.yaml").read_text(encoding="utf-8"))
    return sorted({a["scenario"] for a in spec["assumptions"]} | {"base"})


def pick_facts(facts: pl.DataFrame, metric_id: str, region: str | None = None) -> pl.DataFrame:
    """One fact per year for a metric (and region): the highest-confidence, then first by id."""
    chosen = facts.filter(pl.col("metric_id") == metric_id, pl.col("year").is_not_null(),
                          pl.col("value").is_not_null())
    if region is not None:
        chosen = chosen.filter(pl.col("region") == region)
    return (
        chosen.sort(["year", "fact_id"])
        .unique(subset=["year"], keep="first", maintain_order=True)
        .select(pl.col("fact_id").alias("input_id"), "metric_id", "region", "year", "value", "unit",
                pl.format("fact {} ({})", "fact_id", "raw_text").alias("origin"))
        .cast(INPUT_COLUMNS)
    )


def stated_or_assumed(facts: pl.DataFrame, assumptions: pl.DataFrame, metric_id: str,
                      region: str | None = None, prefer_assumptions: bool = False) -> pl.DataFrame:
    """Per year: the fact a report states, else the assumption (or the other way round for scenarios)."""
    stated = pick_facts(facts, metric_id, region)
    assumed = assumptions.filter(pl.col("metric_id") == metric_id)
    first, second = (assumed, stated) if prefer_assumptions else (stated, assumed)
    merged = pl.concat([first, second.filter(~pl.col("year").is_in(first["year"].implode()))])
    return merged.sort("year")
