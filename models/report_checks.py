"""marts.report_checks: a report's own arithmetic recomputed from its own figures.

Four sources of checks: every growth row of a table (YoY, 市场增速) against the row it grows; every
合计 / 总计 / Total row against the sum of the rows above it; shares of one whole (a 占比 / 份额
column) against 100%; and the claims of models/report_claims.yaml (a CAGR stated in prose, a total
row) against the table's facts.
Each row keeps the stated figure, the recomputed one, the periods and the fact ids used, a verdict
(agrees / rounding / disagrees) and, when a known pattern explains a disagreement, the likely reason:
one class taken for the total, the wrong number of periods, an input applied twice, a total over
parts the table does not list.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

from models.inputs import with_segments
from models.reconcile import display_half_unit

CLAIMS_FILE = Path(__file__).with_name("report_claims.yaml")
EXACT = 1e-9  # relative gap below which a recomputed figure agrees outright
GROWTH_LABEL = r"^(YoY|yoy|同比|同比增长|增速|市场增速)"
CHECK_COLUMNS = {
    "check_id": pl.String, "check_kind": pl.String, "doc_id": pl.String, "table_id": pl.String,
    "metric_id": pl.String, "row_label": pl.String, "segment": pl.String, "from_year": pl.Int32,
    "to_year": pl.Int32, "periods": pl.Int32, "stated_value": pl.Float64,
    "recomputed_value": pl.Float64, "abs_diff": pl.Float64, "display_half_unit": pl.Float64,
    "verdict": pl.String, "likely_reason": pl.String, "alternative_value": pl.Float64,
    "stated_fact_id": pl.String, "stated_text": pl.String, "input_ids": pl.List(pl.String),
    "source": pl.String,
}


def verdict(stated: float, recomputed: float, half_unit: float) -> str:
    gap = abs(stated - recomputed)
    if gap <= EXACT * max(abs(stated), 1.0):
        return "agrees"
    return "rounding" if gap <= half_unit else "disagrees"


def _half_unit(text: str) -> float:
    """Half a unit in the last printed digit of a percentage ('78.0%' → 0.0005, '113%' → 0.005)."""
    decimals = len(text.rstrip("%").split(".")[1]) if "." in text else 0
    return 0.5 * 10.0 ** -decimals / 100


def cagr(first: float, last: float, periods: int) -> float:
    return (last / first) ** (1 / periods) - 1


def _row(**values) -> dict:
    return {k: values.get(k) for k in CHECK_COLUMNS}


def growth_row_checks(facts: pl.DataFrame) -> pl.DataFrame:
    """Every YoY / 市场增速 cell against the growth of the row it follows (or, for 市场增速, the
    table's market-size row), year on year."""
    cells = facts.filter(pl.col("year").is_not_null(), pl.col("table_id").is_not_null(),
                         ~pl.col("extractor").str.starts_with("xbrl"))
    rows = []
    for (table_id,), table in cells.partition_by("table_id", as_dict=True).items():
        by_row = {r: part for (r,), part in table.partition_by("row_idx", as_dict=True).items()}
        for r in sorted(by_row):
            growth = by_row[r]
            label = growth["metric_raw"][0] or ""
            if not pl.Series([label]).str.contains(GROWTH_LABEL).item():
                continue
            base = _base_row(by_row, r)
            if base is None:
                continue
            rows += _yoy_rows(table_id, growth, base)
    return pl.DataFrame(rows, schema=CHECK_COLUMNS, orient="row")


def _base_row(by_row: dict[int, pl.DataFrame], growth_row: int) -> pl.DataFrame | None:
    growth = by_row[growth_row]
    sizes = [r for r, part in by_row.items()
             if (part["metric_id"].fill_null("").str.ends_with("market_size")).any()]
    if sizes and (growth["metric_id"] == "market_growth").any():
        same_region = [r for r in sizes if by_row[r]["region"][0] == growth["region"][0]]
        return by_row[(same_region or sizes)[-1]]
    above = [r for r in by_row if r < growth_row]
    return by_row[max(above)] if above else None


def _yoy_rows(table_id: str, growth: pl.DataFrame, base: pl.DataFrame) -> list[dict]:
    halves = base.with_columns(display_half_unit(pl.col("raw_text"), pl.col("scale").fill_null(1.0))
                               .alias("half"))
    values = {y: (v, f) for y, v, f in halves.select("year", "value", "fact_id").iter_rows()
              if v is not None}
    base_half = dict(halves.select("year", "half").iter_rows())
    rows = []
    for g in growth.filter(pl.col("value").is_not_null()).iter_rows(named=True):
        year = g["year"]
        if year not in values or year - 1 not in values or not values[year - 1][0]:
            continue
        (before, before_id), (after, after_id) = values[year - 1], values[year]
        recomputed = after / before - 1
        half = display_half_unit(pl.lit(g["raw_text"]), pl.lit(g["scale"] or 1.0))
        # the printed rate's own rounding, plus what rounding the two printed figures can move it
        half_unit = pl.select(half).item() + (1 + recomputed) * (
            base_half[year - 1] / abs(before) + base_half[year] / abs(after))
        rows.append(_row(
            check_id=f"yoy:{g['fact_id']}", check_kind="yoy", doc_id=g["doc_id"], table_id=table_id,
            metric_id=base["metric_id"][0], row_label=base["metric_raw"][0], segment=None,
            from_year=year - 1, to_year=year, periods=1, stated_value=g["value"],
            recomputed_value=recomputed, abs_diff=g["value"] - recomputed,
            display_half_unit=half_unit, verdict=verdict(g["value"], recomputed, half_unit),
            stated_fact_id=g["fact_id"], stated_text=g["raw_text"],
            input_ids=[before_id, after_id], source=f"{g['metric_raw']} row of {table_id}"))
    return rows


def claim_checks(facts: pl.DataFrame, claims: list[dict]) -> pl.DataFrame:
    """Each claim recomputed in every document whose table of that caption holds the metric."""
    segmented = with_segments(facts.filter(pl.col("value").is_not_null()))
    rows = []
    for claim in claims:
        tables = segmented.filter(pl.col("table_label") == claim["table"],
                                  pl.col("metric_id") == claim["metric_id"])
        for (table_id,), table in tables.partition_by("table_id", as_dict=True).items():
            whole = segmented.filter(pl.col("table_id") == table_id)
            check = _cagr_check if claim["kind"] == "cagr" else _total_checks
            rows += check(claim, table, whole)
    return pl.DataFrame(rows, schema=CHECK_COLUMNS, orient="row")


def _cagr_check(claim: dict, metric_facts: pl.DataFrame, _table: pl.DataFrame) -> list[dict]:
    start, end = claim["from_year"], claim["to_year"]
    ends = metric_facts.filter(pl.col("year").is_in([start, end]))
    totals = ends.group_by("year").agg(pl.col("value").sum())
    total = dict(totals.iter_rows())
    if start not in total or end not in total:
        return []
    periods = end - start
    recomputed = cagr(total[start], total[end], periods)
    half = _half_unit(claim["stated_text"])
    result = verdict(claim["stated"], recomputed, half)
    reason, alternative = None, None
    if result == "disagrees":
        reason, alternative = _cagr_reason(claim, ends, total, periods, half)
    return [_row(
        check_id=f"claim:{claim['id']}:{metric_facts['table_id'][0]}", check_kind="stated_cagr",
        doc_id=metric_facts["doc_id"][0], table_id=metric_facts["table_id"][0],
        metric_id=claim["metric_id"], row_label=ends["metric_raw"][0], segment="total",
        from_year=start, to_year=end, periods=periods, stated_value=claim["stated"],
        recomputed_value=recomputed, abs_diff=claim["stated"] - recomputed, display_half_unit=half,
        verdict=result, likely_reason=reason, alternative_value=alternative,
        stated_text=claim["stated_text"], input_ids=sorted(ends["fact_id"].to_list()),
        source=claim["source"])]


def _cagr_reason(claim: dict, ends: pl.DataFrame, total: dict, periods: int,
                 half: float) -> tuple[str | None, float | None]:
    """A known pattern that reproduces the stated rate: one class for the total, or one period more
    or fewer than the years span."""
    start, end = claim["from_year"], claim["to_year"]
    for (segment,), part in ends.partition_by("segment", as_dict=True).items():
        by_year = dict(part.select("year", "value").iter_rows())
        if segment and start in by_year and end in by_year:
            alt = cagr(by_year[start], by_year[end], periods)
            if abs(alt - claim["stated"]) <= half:
                return f"class vs total: the {segment} class alone grows {alt:.2%} a year", alt
    for n in (periods + 1, periods - 1):
        alt = cagr(total[start], total[end], n) if n > 0 else None
        if alt is not None and abs(alt - claim["stated"]) <= half:
            return (f"wrong number of periods: {start}→{end} is {periods} years of growth; the stated "
                    f"rate is the {n}th root ({alt:.2%})"), alt
    return None, None


def _total_checks(claim: dict, metric_facts: pl.DataFrame, table: pl.DataFrame) -> list[dict]:
    parts = table.filter(pl.col("metric_id") == claim["parts_metric_id"])
    rows = []
    for t in metric_facts.iter_rows(named=True):
        year_parts = parts.filter(pl.col("year") == t["year"])
        if year_parts.height == 0:
            continue
        recomputed = year_parts["value"].sum()
        half = pl.select(display_half_unit(pl.lit(t["raw_text"]), pl.lit(t["scale"]))).item()
        result = verdict(t["value"], recomputed, max(half, EXACT))
        reason, alternative = None, None
        if result == "disagrees":
            reason, alternative = _applied_twice(t, recomputed, table, half)
        rows.append(_row(
            check_id=f"claim:{claim['id']}:{t['fact_id']}", check_kind="total",
            doc_id=t["doc_id"], table_id=t["table_id"], metric_id=claim["metric_id"],
            row_label=t["metric_raw"], segment="total", from_year=t["year"], to_year=t["year"],
            periods=0, stated_value=t["value"], recomputed_value=recomputed,
            abs_diff=t["value"] - recomputed, display_half_unit=half, verdict=result,
            likely_reason=reason, alternative_value=alternative, stated_fact_id=t["fact_id"],
            stated_text=t["raw_text"], input_ids=sorted(year_parts["fact_id"].to_list()),
            source=claim["source"]))
    return rows


def _applied_twice(total: dict, parts_sum: float, table: pl.DataFrame,
                   half: float) -> tuple[str | None, float | None]:
    """The stated total equals the parts' sum divided (or multiplied) by a ratio the table states for
    the same year: that ratio is applied in the total and again downstream."""
    ratios = table.filter(pl.col("year") == total["year"], pl.col("unit") == "ratio",
                          pl.col("value") > 0, pl.col("value") < 1)
    for r in ratios.iter_rows(named=True):
        for alt, how in ((parts_sum / r["value"], "÷"), (parts_sum * r["value"], "×")):
            if abs(alt - total["value"]) <= max(half, 1e-4 * abs(total["value"])):
                return (f"an input applied twice: the total is the parts' sum {how} "
                        f"{r['metric_raw']} ({r['raw_text']}, fact {r['fact_id']}), which the "
                        f"table applies again after it"), alt
    return None, None


# A row that states the sum of the rows above it: its label (before any bracket) ends in 合计 / 总计 /
# 小计, or is Total / Sum. A label that states its own formula (×) is a product, not a sum.
TOTAL_LABEL = r"(?i)(合计|总计|小计)$|^(total|sum|合计|总计)\b"
SHARE_LABEL = r"(?i)占比|份额|比重|构成|share"


def _label_head(label: pl.Expr) -> pl.Expr:
    return label.fill_null("").str.split("(").list.first().str.split("（").list.first().str.strip_chars()


def _is_total(label: pl.Expr) -> pl.Expr:
    return _label_head(label).str.contains(TOTAL_LABEL) & ~label.fill_null("").str.contains("×")


def _table_cells(facts: pl.DataFrame) -> pl.DataFrame:
    return facts.filter(pl.col("table_id").is_not_null(), pl.col("value").is_not_null(),
                        ~pl.col("extractor").str.starts_with("xbrl")).with_columns(
        _is_total(pl.col("row_label")).alias("is_total"),
        display_half_unit(pl.col("raw_text"), pl.col("scale").fill_null(1.0)).alias("half"))


def total_row_checks(facts: pl.DataFrame) -> pl.DataFrame:
    """Every 合计 / 总计 / Total cell against the sum of the same column's cells (same unit) in the
    rows above it, back to the previous total row."""
    cells = _table_cells(facts)
    rows = []
    for t in cells.filter(pl.col("is_total")).iter_rows(named=True):
        same_col = cells.filter(pl.col("table_id") == t["table_id"], pl.col("col_idx") == t["col_idx"],
                                pl.col("row_idx") < t["row_idx"], pl.col("unit").eq_missing(t["unit"]))
        previous = same_col.filter(pl.col("is_total"))["row_idx"].max()
        parts = same_col.filter(pl.col("row_idx") > (previous if previous is not None else -1))
        if parts.height < 2:
            continue
        recomputed = parts["value"].sum()
        half = t["half"] + parts["half"].sum()
        result = verdict(t["value"], recomputed, max(half, EXACT * abs(t["value"])))
        reason = _total_row_reason(t["value"], recomputed, parts, half) if result == "disagrees" else None
        rows.append(_row(
            check_id=f"total_row:{t['fact_id']}", check_kind="total_row", doc_id=t["doc_id"],
            table_id=t["table_id"], metric_id=t["metric_id"], row_label=t["row_label"],
            segment="total", from_year=t["year"], to_year=t["year"], periods=0,
            stated_value=t["value"], recomputed_value=recomputed, abs_diff=t["value"] - recomputed,
            display_half_unit=half, verdict=result, likely_reason=reason,
            stated_fact_id=t["fact_id"], stated_text=t["raw_text"],
            input_ids=sorted(parts["fact_id"].to_list()),
            source=f"{t['row_label']} row of {t['table_id']} (column {t['col_label']})"))
    return pl.DataFrame(rows, schema=CHECK_COLUMNS, orient="row")


def _total_row_reason(total: float, parts_sum: float, parts: pl.DataFrame, half: float) -> str:
    if parts_sum < total:
        return (f"the rows above sum to {parts_sum / total:.1%} of the total: the table lists only "
                "some of its parts (an excerpt, or items left out)")
    for p in parts.iter_rows(named=True):
        if abs(parts_sum - p["value"] - total) <= half:
            return (f"'{p['row_label']}' is not a part (a subtotal or an 'of which' row): without it "
                    "the rows above sum to the total")
    return "the rows above add to more than the total: overlapping parts"


def share_sum_checks(facts: pl.DataFrame) -> pl.DataFrame:
    """Shares of one whole (a column headed 占比 / 份额 / share, or a row so labelled, not a series
    over years) against 100%, total rows left out."""
    cells = _table_cells(facts).filter(pl.col("unit") == "ratio", pl.col("year").is_null(),
                                       ~pl.col("is_total"))
    by_column = cells.filter(pl.col("col_label").fill_null("").str.contains(SHARE_LABEL)).with_columns(
        pl.format("column {}", "col_label").alias("axis"), pl.col("col_idx").alias("axis_idx"))
    by_row = cells.filter(pl.col("row_label").fill_null("").str.contains(SHARE_LABEL),
                          ~pl.col("col_label").fill_null("").str.contains(SHARE_LABEL)).with_columns(
        pl.format("row {}", "row_label").alias("axis"), pl.col("row_idx").alias("axis_idx"))
    rows = []
    for (table_id, axis, _), group in pl.concat([by_column, by_row]).partition_by(
            "table_id", "axis", "axis_idx", as_dict=True).items():
        if group.height < 2:
            continue
        recomputed = group["value"].sum()
        half = group["half"].sum()
        result = verdict(1.0, recomputed, half)
        reason = None
        if result == "disagrees":
            reason = (f"the shares leave {1 - recomputed:.1%} unaccounted: parts left out (no 其他 / "
                      "other row)" if recomputed < 1 else
                      f"the shares add to {recomputed:.1%}: overlapping parts, or shares of different wholes")
        first = group.row(0, named=True)
        rows.append(_row(
            check_id=f"share_sum:{table_id}:{group['fact_id'].min()}", check_kind="share_sum",
            doc_id=first["doc_id"], table_id=table_id, metric_id=first["metric_id"], row_label=axis,
            segment="total", periods=0, stated_value=1.0, recomputed_value=recomputed,
            abs_diff=1.0 - recomputed, display_half_unit=half, verdict=result, likely_reason=reason,
            stated_text="100%", input_ids=sorted(group["fact_id"].to_list()),
            source=f"{axis} of {table_id}: shares of one whole sum to 100%"))
    return pl.DataFrame(rows, schema=CHECK_COLUMNS, orient="row")


def load_claims(path: Path = CLAIMS_FILE) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]


def build_report_checks(facts: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """marts.report_checks from the facts and the table captions of the current documents."""
    labelled = facts.join(tables.select("table_id", pl.col("label").alias("table_label")),
                          on="table_id", how="left")
    checks = pl.concat([growth_row_checks(labelled), claim_checks(labelled, load_claims()),
                        total_row_checks(labelled), share_sum_checks(labelled)])
    return checks.sort("doc_id", "table_id", "check_kind", "check_id")
