"""AI server market, rebuilt the way 002 argues it (图表49 → 图表108 → 图表109).

Training demand per model class: developers × concurrent models × 6·N·tokens ÷ (days × 86400 s)
= peak FLOP/s; all classes ÷ (utilisation × FP16 throughput) = A100 / H100 equivalent cards;
GPU value = A100 equivalents × price per card; global AI server market = GPU value ÷ GPU share of
server cost; China = global × China's share.

Variants: `as_published` follows the report, which states a GPU-upgrade / algorithm-efficiency
factor (100/120/150%, 图表108) but does not apply it; `corrected` divides the GPU value by it.
`corrected` is one reading, not a published figure: the report says only that the market may come
out 略低于 (slightly below) its demand-based estimate (002 line 1603).
Where 图表49's inputs are not in the warehouse, the stated GPU value (图表108) starts the chain.

`basis`: `extrapolated` for a figure in a year no stated fact publishes that metric for (002 prints
the market for 2021–2025 only, so its 2026/2027 global market is the chain carried on), else
`one_reading` (corrected) or `report_chain`. `gpu_unit_price` sets the price per card the chain implies beside 000 表1's prices.
"""

from __future__ import annotations

import polars as pl

from models.inputs import load_assumptions, pick, scenarios, stated_or_assumed, with_segments

MODEL = "ai_server_market"
MODEL_VERSION = "2"
SECONDS_PER_DAY = 86_400
CLASSES = ("multimodal", "general")
OUTPUT_COLUMNS = {
    "model": pl.String, "model_version": pl.String, "scenario": pl.String, "variant": pl.String,
    "metric_id": pl.String, "workload": pl.String, "segment": pl.String, "region": pl.String,
    "year": pl.Int32,
    "value": pl.Float64, "unit": pl.String, "input_ids": pl.List(pl.String), "note": pl.String,
    "basis": pl.String,
}
TWICE_NOTE = ("the report's peak total is already divided by utilisation, and its card counts divide "
              "by utilisation again; as_published follows it, corrected applies utilisation once")
UPLIFT_NOTE = ("the report states a GPU-upgrade/algorithm-efficiency factor (图表108) but its market "
               "figures do not apply it")
ONE_READING = ("one reading, not a published figure: the report says only the market may be 略低于 its "
               "estimate (002 line 1603)")
PRICE_NOTE = ("price per card the chain implies: 图表49's A100 demand in 万张 equals 图表108's GPU value "
              "in 亿美元 (US$10,000 per A100 equivalent); H100 = that × H100/A100 FP16 throughput")


def _series(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Rename an input frame to (year, <name>, <name>_ids) for joining."""
    return frame.select("year", pl.col("value").alias(name),
                        pl.concat_list(pl.col("input_id")).alias(f"{name}_ids"))


def _combine(*frames: pl.DataFrame) -> pl.DataFrame:
    out = frames[0]
    for frame in frames[1:]:
        out = out.join(frame, on="year", how="inner")
    return out


def _ids(*names: str) -> pl.Expr:
    return pl.concat_list([pl.col(f"{n}_ids") for n in names]).list.unique(maintain_order=True)


def training_peak(facts: pl.DataFrame) -> pl.DataFrame:
    """Peak training FLOP/s per model class and year, from 图表49-style stated inputs."""
    rows = []
    for cls in CLASSES:
        parts = [_series(pick(facts, m, segment=cls, workload="training"), m) for m in
                 ("model_developers", "concurrent_models", "model_parameters", "training_tokens",
                  "training_days")]
        if any(p.height == 0 for p in parts):
            continue
        joined = _combine(*parts).with_columns(
            (pl.col("model_developers") * pl.col("concurrent_models") * 6
             * pl.col("model_parameters") * pl.col("training_tokens")
             / (pl.col("training_days") * SECONDS_PER_DAY)).alias("value"),
            _ids("model_developers", "concurrent_models", "model_parameters", "training_tokens",
                 "training_days").alias("input_ids"),
            pl.lit(cls).alias("segment"))
        rows.append(joined.select("year", "segment", "value", "input_ids"))
    if not rows:
        return pl.DataFrame(schema={"year": pl.Int32, "segment": pl.String, "value": pl.Float64,
                                    "input_ids": pl.List(pl.String)})
    return pl.concat(rows)


def inference_peak(facts: pl.DataFrame) -> pl.DataFrame:
    """Peak inference FLOP/s per model class (图表50): DAU × queries × tokens × 2N ÷ 86400 s × peak
    multiplier."""
    rows = []
    names = ("daily_active_users", "queries_per_user_day", "tokens_per_query", "model_parameters",
             "peak_concurrency_multiplier")
    for cls in CLASSES:
        parts = [_series(pick(facts, m, segment=cls, workload="inference"), m) for m in names]
        if any(p.height == 0 for p in parts):
            continue
        joined = _combine(*parts).with_columns(
            (pl.col("daily_active_users") * pl.col("queries_per_user_day") * pl.col("tokens_per_query")
             * 2 * pl.col("model_parameters") / SECONDS_PER_DAY * pl.col("peak_concurrency_multiplier"))
            .alias("value"), _ids(*names).alias("input_ids"), pl.lit(cls).alias("segment"))
        rows.append(joined.select("year", "segment", "value", "input_ids"))
    if not rows:
        return pl.DataFrame(schema={"year": pl.Int32, "segment": pl.String, "value": pl.Float64,
                                    "input_ids": pl.List(pl.String)})
    return pl.concat(rows)


def _chain_region(facts: pl.DataFrame, workload: str) -> str | None:
    """The region the sizing table is about (图表49 says 全球; 图表50 names none, so null)."""
    regions = facts.filter(pl.col("workload") == workload)["region"].drop_nulls()
    return regions.mode().sort()[0] if regions.len() else None


def _rows(frame: pl.DataFrame, metric_id: str, unit: str, variant: str, note: str,
          segment: str | None = None, region: str | None = "global", workload: str | None = None
          ) -> pl.DataFrame:
    return frame.select(
        pl.lit(variant).alias("variant"), pl.lit(metric_id).alias("metric_id"),
        pl.lit(workload, pl.String).alias("workload"),
        (pl.col("segment") if "segment" in frame.columns and segment is None else pl.lit(segment))
        .cast(pl.String).alias("segment"),
        pl.lit(region, pl.String).alias("region"), pl.col("year").cast(pl.Int32), "value",
        pl.lit(unit).alias("unit"), "input_ids", pl.lit(note).alias("note"))


def build_ai_server_market(facts: pl.DataFrame, scenario: str = "base") -> pl.DataFrame:
    """All model figures for one scenario, each row naming the facts/assumptions it used."""
    facts = with_segments(facts)
    assumptions = load_assumptions(MODEL, scenario)

    def param(metric: str, stated: pl.DataFrame | None = None) -> pl.DataFrame:
        empty = pick(facts, "__none__")
        return _series(stated_or_assumed(stated if stated is not None else empty, assumptions,
                                         metric), metric)

    peak = training_peak(facts)
    region = _chain_region(facts, "training")
    out = [_rows(peak, "peak_training_compute", "FLOP/s", "as_published", workload="training",
                 region=region, note=(
                 "developers × models × 6·N·tokens ÷ (days × 86400 s); uses the displayed "
                 "inputs, so rounded ones stay rounded (4147 for 4147.2)"))]
    if peak.height:
        total = peak.group_by("year").agg(pl.col("value").sum(),
                                          pl.col("input_ids").list.explode(keep_nulls=False, empty_as_null=False).unique().sort())
        util = param("compute_utilisation", pick(facts, "compute_utilisation", workload="training"))
        cards, throughputs = [], {}
        for gpu in ("a100", "h100"):
            label = gpu.upper()
            fp16 = param(f"{gpu}_fp16_throughput",
                         pick(facts, "gpu_fp16_throughput", label_contains=label, workload="training"))
            throughputs[gpu] = fp16
            demand = _combine(total.rename({"input_ids": "total_ids"}), util, fp16).with_columns(
                (pl.col("value") / (pl.col("compute_utilisation") * pl.col(f"{gpu}_fp16_throughput")))
                .alias("value"),
                _ids("total", "compute_utilisation", f"{gpu}_fp16_throughput").alias("input_ids"))
            cards.append(demand)
            out.append(_rows(demand, f"gpu_demand_{gpu}_equiv", "count", "as_published",
                             f"total peak ÷ (utilisation × {label} FP16 throughput)",
                             workload="training", region=region))
        price = param("a100_equivalent_price")
        out.append(unit_price_rows(price, throughputs))
        gpu_value = _combine(cards[0].select("year", pl.col("value").alias("cards"),
                                             pl.col("input_ids").alias("cards_ids")), price)
        gpu_value = gpu_value.with_columns(
            (pl.col("cards") * pl.col("a100_equivalent_price")).alias("value"),
            _ids("cards", "a100_equivalent_price").alias("input_ids"))
        out.append(_rows(gpu_value, "gpu_stock_value", "USD", "as_published",
                         "A100-equivalent cards × price per card"))
        gpu_value = gpu_value.select("year", "value", "input_ids")
    else:
        stated = pick(facts, "gpu_stock_value")
        gpu_value = stated.select("year", "value", pl.concat_list("input_id").alias("input_ids"))
    gpu = gpu_value.rename({"value": "gpu_value", "input_ids": "gpu_value_ids"})
    share = param("gpu_share_of_server_cost", pick(facts, "gpu_share_of_server_cost", region="global"))
    uplift = _series(pick(facts, "gpu_efficiency_uplift"), "uplift")
    china_share = _series(pick(facts, "china_share_of_global"), "china_share")
    for variant in ("as_published", "corrected"):
        if variant == "corrected" and uplift.height == 0:
            continue
        base, divisor = _combine(gpu, share), pl.col("gpu_share_of_server_cost")
        names, note = ["gpu_value", "gpu_share_of_server_cost"], "GPU value ÷ GPU share of AI server cost"
        if variant == "corrected":
            base, divisor = _combine(base, uplift), divisor * pl.col("uplift")
            names, note = [*names, "uplift"], note + " ÷ stated efficiency factor"
        suffix = f"; {UPLIFT_NOTE}" if variant == "as_published" and uplift.height else ""
        suffix = f"; {ONE_READING}" if variant == "corrected" else suffix
        market = base.with_columns((pl.col("gpu_value") / divisor).alias("value"),
                                   _ids(*names).alias("input_ids"))
        out.append(_rows(market, "ai_server_market_size", "USD", variant, note + suffix))
        china = _combine(market.select("year", pl.col("value").alias("global"),
                                       pl.col("input_ids").alias("global_ids")), china_share)
        china = china.with_columns((pl.col("global") * pl.col("china_share")).alias("value"),
                                   _ids("global", "china_share").alias("input_ids"))
        out.append(_rows(china, "ai_server_market_size", "USD", variant,
                         "global AI server market × China share of global" + suffix, region="China"))
    out += inference_rows(facts, param)
    frame = with_basis(pl.concat(out, how="vertical_relaxed"), facts)
    return frame.select(
        pl.lit(MODEL).alias("model"), pl.lit(MODEL_VERSION).alias("model_version"),
        pl.lit(scenario).alias("scenario"), pl.all(),
    ).cast(OUTPUT_COLUMNS).sort("scenario", "variant", "metric_id", "segment", "region", "year",
                                nulls_last=True)


def unit_price_rows(price: pl.DataFrame, fp16: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The price per A100 and per H100 card the chain implies (one row each, not per year: the
    first year's inputs), to set beside a report that prices the cards."""
    first = _combine(price, fp16["a100"], fp16["h100"]).sort("year").head(1)
    cards = pl.concat([
        first.select(pl.lit("A100").alias("segment"), pl.col("a100_equivalent_price").alias("value"),
                     _ids("a100_equivalent_price").alias("input_ids")),
        first.select(pl.lit("H100").alias("segment"),
                     (pl.col("a100_equivalent_price") * pl.col("h100_fp16_throughput")
                      / pl.col("a100_fp16_throughput")).alias("value"),
                     _ids("a100_equivalent_price", "a100_fp16_throughput", "h100_fp16_throughput")
                     .alias("input_ids"))])
    return _rows(cards.with_columns(pl.lit(None, pl.Int32).alias("year")), "gpu_unit_price", "USD",
                 "as_published", PRICE_NOTE)


def with_basis(frame: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """`extrapolated` where no fact publishes the row's metric for its year (any region), though
    facts publish it for other years; else `one_reading` for the corrected variant, `report_chain`
    for the rest."""
    published = facts.filter(pl.col("value").is_not_null(), pl.col("year").is_not_null()).group_by(
        "metric_id").agg(pl.col("year").unique().alias("published_years"))
    return frame.join(published, on="metric_id", how="left").with_columns(
        pl.when(pl.col("published_years").is_not_null()
                & ~pl.col("year").is_in(pl.col("published_years")).fill_null(True))
        .then(pl.lit("extrapolated"))
        .when(pl.col("variant") == "corrected").then(pl.lit("one_reading"))
        .otherwise(pl.lit("report_chain")).alias("basis"),
    ).drop("published_years")


def inference_rows(facts: pl.DataFrame, param) -> list[pl.DataFrame]:
    """图表50: peak inference compute and the cards it needs, as published and corrected."""
    peak = inference_peak(facts)
    if peak.height == 0:
        return []
    region = _chain_region(facts, "inference")
    out = [_rows(peak, "peak_inference_compute_class", "FLOP/s", "as_published",
                 "DAU × queries × tokens × 2N ÷ 86400 s × peak multiplier", workload="inference",
                 region=region)]
    total = peak.group_by("year").agg(
        pl.col("value").sum(),
        pl.col("input_ids").list.explode(keep_nulls=False, empty_as_null=False).unique().sort())
    util = param("compute_utilisation", pick(facts, "compute_utilisation", workload="inference"))
    for variant, times in (("as_published", 2), ("corrected", 1)):
        with_util = _combine(total.rename({"input_ids": "total_ids"}), util)
        shown = with_util.with_columns(
            (pl.col("value") / pl.col("compute_utilisation") ** (times - 1)).alias("value"),
            _ids("total", "compute_utilisation").alias("input_ids"))
        note = TWICE_NOTE if variant == "as_published" else "sum of classes; utilisation applied once"
        out.append(_rows(shown, "peak_inference_compute", "FLOP/s", variant, note,
                         workload="inference", region=region))
        for gpu in ("a100", "h100"):
            label = gpu.upper()
            fp16 = param(f"{gpu}_fp16_throughput",
                         pick(facts, "gpu_fp16_throughput", label_contains=label, workload="inference"))
            cards = _combine(with_util, fp16).with_columns(
                (pl.col("value") / (pl.col("compute_utilisation") ** times
                                    * pl.col(f"{gpu}_fp16_throughput"))).alias("value"),
                _ids("total", "compute_utilisation", f"{gpu}_fp16_throughput").alias("input_ids"))
            out.append(_rows(cards, f"gpu_demand_{gpu}_equiv", "count", variant, note,
                             workload="inference", region=region))
    return out


def build_all_scenarios(facts: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([build_ai_server_market(facts, s) for s in scenarios(MODEL)])
