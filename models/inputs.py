"""Picking model inputs: one value per (metric, segment, year) from facts, else from an assumption."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import polars as pl
import yaml

ASSUMPTIONS_DIR = Path(__file__).with_name("assumptions")
INPUT_COLUMNS = {"input_id": pl.String, "metric_id": pl.String, "year": pl.Int32,
                 "value": pl.Float64, "origin": pl.String}
# Rows of a sectioned table (002 图表49) that belong to the section named above them.
SECTION_METRICS = ["model_developers", "concurrent_models", "model_parameters", "training_tokens",
                   "training_days", "peak_training_compute", "daily_active_users",
                   "queries_per_user_day", "tokens_per_query", "peak_concurrency_multiplier",
                   "peak_inference_compute_class"]
# A sizing table is about training or inference by what it states (图表49 vs 图表50).
WORKLOAD_MARKERS = {"training_tokens": "training", "daily_active_users": "inference"}
SECTIONS = {"多模态": "multimodal", "普通": "general"}


def _spec(model: str) -> dict:
    """The model's assumptions YAML, parsed once per version of the file (a model reads it a dozen
    times per build); each caller gets its own copy."""
    path = ASSUMPTIONS_DIR / f"{model}.yaml"
    stat = path.stat()
    return copy.deepcopy(_parsed_yaml(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=32)
def _parsed_yaml(path: Path, mtime_ns: int, size: int) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def scenarios(model: str) -> list[str]:
    spec = _spec(model)
    named = [a.get("scenario", "base") for a in spec.get("assumptions", []) + spec.get("parameters", [])]
    return sorted(set(named) | {"base"})


def load_assumptions(model: str, scenario: str) -> pl.DataFrame:
    """Base assumptions, with the scenario's own values replacing them metric by metric."""
    rows = {}
    for wanted in ["base", scenario] if scenario != "base" else ["base"]:
        for a in _spec(model).get("assumptions", []):
            if a["scenario"] == wanted:
                for year in a["years"]:
                    rows[(a["metric_id"], year)] = {
                        "input_id": f"assumption:{model}.{a['id']}", "metric_id": a["metric_id"],
                        "year": year, "value": float(a["value"]), "origin": a["source"],
                        "scenario_override": wanted != "base"}
    frame = pl.DataFrame(list(rows.values()), orient="row") if rows else None
    if frame is None:
        return pl.DataFrame(schema={**INPUT_COLUMNS, "scenario_override": pl.Boolean})
    return frame.cast({k: v for k, v in INPUT_COLUMNS.items()})


def with_segments(facts: pl.DataFrame) -> pl.DataFrame:
    """Give per-class rows of sectioned tables the section they sit in (multimodal / general), and
    every fact of a sizing table its workload (training / inference). Facts stated in sentences
    (no table) have neither."""
    workload = pl.lit(None, pl.String)
    for metric, name in WORKLOAD_MARKERS.items():
        workload = pl.when((pl.col("metric_id") == metric).any().over("table_id")).then(pl.lit(name)) \
            .otherwise(workload)
    in_table = pl.col("table_id").is_not_null()
    ordered = facts.sort("table_id", "row_idx", "col_idx").with_columns(
        pl.when(in_table).then(workload).alias("workload"))
    section = pl.lit(None, pl.String)
    for prefix, name in SECTIONS.items():
        section = pl.when(pl.col("metric_raw").str.starts_with(prefix)).then(pl.lit(name)).otherwise(section)
    return (
        ordered.with_columns(section.alias("_section_start"))
        .with_columns(pl.col("_section_start").forward_fill().over("table_id").alias("_section"))
        .with_columns(pl.when(pl.col("metric_id").is_in(SECTION_METRICS) & in_table).then(pl.col("_section"))
                      .alias("segment"))
        .drop("_section_start", "_section")
    )


def pick(facts: pl.DataFrame, metric_id: str, *, segment: str | None = None,
         region: str | None = None, label_contains: str | None = None,
         workload: str | None = None) -> pl.DataFrame:
    """One stated value per year: the first fact by id among those that match."""
    wanted = [pl.col("metric_id") == metric_id, pl.col("year").is_not_null(),
              pl.col("value").is_not_null()]
    wanted += [pl.col(column) == value for column, value in
               (("workload", workload), ("segment", segment), ("region", region)) if value is not None]
    if label_contains is not None:
        wanted.append(pl.col("metric_raw").str.contains(label_contains, literal=True))
    return (
        facts.lazy().filter(*wanted)  # one query: a model picks a hundred inputs
        .sort("year", "fact_id").unique(subset=["year"], keep="first", maintain_order=True)
        .select(pl.col("fact_id").alias("input_id"), pl.lit(metric_id).alias("metric_id"), "year",
                "value", pl.format("fact {} ({})", "fact_id", "raw_text").alias("origin"))
        .cast(INPUT_COLUMNS).collect()
    )


def stated_or_assumed(stated: pl.DataFrame, assumptions: pl.DataFrame, metric_id: str) -> pl.DataFrame:
    """Per year the stated fact, else the assumption; a scenario's own assumption wins over facts."""
    assumed = assumptions.filter(pl.col("metric_id") == metric_id)
    override = assumed.filter(pl.col("scenario_override")).drop("scenario_override")
    base = assumed.filter(~pl.col("scenario_override")).drop("scenario_override")
    chosen = override
    for layer in (stated, base):
        chosen = pl.concat([chosen, layer.filter(~pl.col("year").is_in(chosen["year"].implode()))])
    return chosen.sort("year")


def parameters(model: str, scenario: str = "base") -> dict[str, tuple[float, str]]:
    """Scalar parameters of a model: id → (value, input id); a scenario's own entries win."""
    chosen = {}
    for wanted in ["base", scenario] if scenario != "base" else ["base"]:
        for p in _spec(model).get("parameters", []):
            if p.get("scenario", "base") == wanted:
                suffix = "" if wanted == "base" else f"@{wanted}"
                chosen[p["id"]] = (float(p["value"]), f"assumption:{model}.{p['id']}{suffix}")
    return chosen


def reported_figures(model: str) -> pl.DataFrame:
    """Published figures a report states only in prose, kept in the model's YAML with their source."""
    rows = [{"metric_id": r["metric_id"], "workload": None, "segment": r.get("segment"),
             "region": r.get("region"), "year": r.get("year"), "reported_value": float(r["value"]), "display_half_unit": 0.0,
             "reported_fact_id": f"report:{model}.{r['id']}", "reported_text": r["source"],
             "band_note": r.get("band_note")}
            for r in _spec(model).get("reported", [])]
    return pl.DataFrame(rows, schema={
        "metric_id": pl.String, "workload": pl.String, "segment": pl.String, "region": pl.String,
        "year": pl.Int32, "reported_value": pl.Float64, "display_half_unit": pl.Float64,
        "reported_fact_id": pl.String, "reported_text": pl.String, "band_note": pl.String},
        orient="row")
