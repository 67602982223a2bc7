"""Cells → typed facts: labels from headers and label columns, units applied, periods parsed.

Every cell ends as exactly one of: a fact (numeric or a placeholder null), a label (header or row
label), empty, or text (a non-numeric value, e.g. 'Volta'). `cell_roles` records which.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from pipelines.normalize.metrics import Mapping, load_catalog
from pipelines.normalize.numbers import clean_text
from pipelines.normalize.periods import Period, parse_period, relative_period_offset
from pipelines.normalize.units import Unit, is_data_token, parse_quantity, parse_unit, unit_in_label

FACT_COLUMNS = {
    "fact_id": pl.String, "doc_id": pl.String, "table_id": pl.String, "page": pl.Int32,
    "row_idx": pl.Int32, "col_idx": pl.Int32, "x0": pl.Float64, "top": pl.Float64,
    "x1": pl.Float64, "bottom": pl.Float64, "line_no": pl.Int32,
    "metric_raw": pl.String, "metric_id": pl.String, "metric_rule": pl.String,
    "metric_confidence": pl.Float64, "metric_qualifier": pl.String, "unmapped_reason": pl.String,
    "concept": pl.String, "entity": pl.String,
    "region": pl.String, "row_label": pl.String, "col_label": pl.String,
    "period_label": pl.String, "period_kind": pl.String, "year": pl.Int32,
    "period_start": pl.String, "period_end": pl.String, "is_estimate": pl.Boolean,
    "value": pl.Float64, "value_low": pl.Float64, "value_high": pl.Float64,
    "qualifier": pl.String, "null_reason": pl.String, "unit": pl.String, "dimension": pl.String,
    "scale_label": pl.String, "scale": pl.Float64, "currency": pl.String, "raw_text": pl.String,
    "form": pl.String, "accn": pl.String, "filed": pl.String, "report_date": pl.String,
    "extractor": pl.String, "extractor_version": pl.String,
    "sentence": pl.String, "char_start": pl.Int32, "char_end": pl.Int32,
    "attributed_source": pl.String,
}
FP16_METRIC = "gpu_fp16_throughput"
ROLE_COLUMNS = {"table_id": pl.String, "row_idx": pl.Int32, "col_idx": pl.Int32,
                "role": pl.String}


def column_labels(grid: list[list[str]], header_rows: int) -> list[str | None]:
    """One label per column, joining the header tiers; a spanning upper header fills rightwards."""
    if not grid:
        return []
    width = len(grid[0])
    if header_rows == 0:
        first = grid[0]
        if first[0] and all(is_data_token(t) for t in first[1:] if t):
            return [None] + [f"{clean_text(first[0])}={t}" for t in first[1:]]
        return [None] * width
    tiers = []
    for r in range(header_rows):
        row = list(grid[r])
        if r < header_rows - 1:
            for c in range(1, width):
                if not row[c].strip():
                    row[c] = row[c - 1]
        tiers.append(row)
    labels = []
    for c in range(width):
        parts = [tiers[r][c].strip() for r in range(header_rows) if tiers[r][c].strip()]
        labels.append(" / ".join(dict.fromkeys(parts)) or None)
    return labels


NOTE_HEADERS = {"附注", "注释", "Note", "Notes"}


def _label_columns(grid: list[list[str]], header_rows: int) -> list[int]:
    """Columns whose body cells are all text (row labels, codes, configurations)."""
    body = grid[header_rows:]
    width = len(grid[0]) if grid else 0
    label_cols = []
    for c in range(width):
        if c == 0 or not any(is_data_token(row[c]) or _is_placeholder(row[c]) for row in body):
            label_cols.append(c)
        else:
            break
    return label_cols or [0]


def _is_placeholder(text: str) -> bool:
    return parse_quantity(text)[0].null_reason == "placeholder"


def _period_of(label: str | None) -> Period | None:
    if not label:
        return None
    for part in reversed(label.split(" / ")):
        period = parse_period(part)
        if period:
            return period
    return None


def _resolve_unit(cell_unit: Unit | None, percent: bool, labels: list[str | None],
                  table_unit: str | None) -> Unit | None:
    """The cell's own unit, else one stated in its row, column or caption, else the table's. A cell
    printing only its currency ('$1,234') takes the scale a label states in that currency
    ('Revenue (US$ m)', '单位：百万美元')."""
    if percent:
        return parse_unit("%")
    if cell_unit and not (cell_unit.dimension == "money" and cell_unit.scale == 1):
        return cell_unit
    for label in labels:
        unit = unit_in_label(label) if label else None
        if unit and (cell_unit is None or unit.currency == cell_unit.currency):
            return unit
    return cell_unit or parse_unit(table_unit)


def facts_from_table(table: dict, cells: list[dict]) -> tuple[list[dict], list[dict]]:
    """Facts and cell roles for one table."""
    catalog = load_catalog()
    n_rows, n_cols = table["n_rows"], table["n_cols"]
    by_pos = {(c["row_idx"], c["col_idx"]): c for c in cells}
    grid = [[(by_pos.get((r, c)) or {}).get("text") or "" for c in range(n_cols)]
            for r in range(n_rows)]
    header_rows = table["header_rows"]
    col_labels = column_labels(grid, header_rows)
    label_cols = _label_columns(grid, header_rows)
    column_texts = [" ".join(line[c] for line in grid) for c in range(n_cols)]  # once: tables run long
    facts, roles = [], []
    carried = {c: "" for c in label_cols}
    for r in range(n_rows):
        row = grid[r]
        row_text = " ".join(row)
        if r >= header_rows:
            data_in_row = any(row[c] for c in range(n_cols) if c not in label_cols)
            for c in label_cols:
                if row[c]:
                    carried[c] = row[c]
                elif c == label_cols[0] and data_in_row and len(label_cols) > 1:
                    row = [*row[:c], carried[c], *row[c + 1:]]  # a spanned group label
        named = [c for c in label_cols if (col_labels[c] or "") not in NOTE_HEADERS]
        row_label = " / ".join(dict.fromkeys(row[c] for c in named if row[c])) or None
        for c in range(n_cols):
            text = grid[r][c]
            role = _role(r, c, text, header_rows, label_cols)
            if role == "value":
                context = (row_text, column_texts[c])
                fact = _fact(table, by_pos[(r, c)], text, row_label, col_labels[c], catalog,
                             col_labels[0], context)
                role = "fact" if fact else "text"
                if fact:
                    facts.append(fact)
            roles.append({"table_id": table["table_id"], "row_idx": r, "col_idx": c, "role": role})
    return facts, roles


def _role(r: int, c: int, text: str, header_rows: int, label_cols: list[int]) -> str:
    if r < header_rows:
        return "header"
    if c in label_cols:
        return "label" if text else "empty"
    return "value" if text else "empty"


def _without_period(label: str | None) -> str | None:
    parts = [p for p in (label or "").split(" / ") if p and not parse_period(p)]
    return " / ".join(parts) or None


@lru_cache(maxsize=1 << 14)
def _orient(row_label: str | None, col_label: str | None, first_header: str | None):
    """Decide which label names the metric and which the entity/qualifier, and find the period.

    Periods as columns: the metric is the row label, unless the column header also names one
    ('归母净利润（亿元） / 2023E', then the row is the entity). Periods as rows: the column names it.
    Otherwise a column header with a unit is the metric ('价格（人民币）'); key rows ('模型参数=1750')
    and numeric row keys ('SU Count=4') are qualifiers.
    """
    col_period, row_period = _period_of(col_label), _period_of(row_label)
    if row_label and is_data_token(row_label):
        row_label = f"{first_header}={row_label}" if first_header else row_label
        return _without_period(col_label), row_label, col_period
    if col_period:
        col_metric = _without_period(col_label)
        if col_metric:
            return col_metric, row_label, col_period
        return row_label, None, col_period
    if row_period:
        return col_label, None, row_period
    if col_label and "=" not in col_label and unit_in_label(col_label):
        return col_label, row_label, None
    return row_label, col_label, None


def _fact(table: dict, cell: dict, text: str, row_label: str | None, col_label: str | None,
          catalog, header_of_first_col: str | None,
          context: tuple[str, str] = ("", "")) -> dict | None:
    number, cell_unit = parse_quantity(text)
    if number.value is None and number.null_reason != "placeholder":
        return None
    metric_raw, other, period = _orient(row_label, col_label, header_of_first_col)
    unit = _resolve_unit(cell_unit, number.is_percent, [row_label, col_label, table.get("caption")],
                         table.get("unit_hint"))
    scale = unit.scale if unit else 1.0

    def scaled(v: float | None) -> float | None:
        return None if v is None else v * scale

    caption = table.get("caption")
    dimension = unit.dimension if unit else None
    mapping = catalog.map_label(metric_raw, caption, dimension)
    if mapping.metric_id is None and other and "=" not in other:
        swapped = catalog.map_label(other, caption, dimension)
        if swapped.metric_id:  # the catalog knows the other label as a metric: '价格' × '8 块 A800'
            metric_raw, other, mapping = other, metric_raw, swapped
    labels = " ".join(t for t in (metric_raw, row_label, col_label) if t)
    mapping, qualifier = _with_fp16_basis(mapping, catalog, metric_raw, [labels, *context],
                                          scaled(number.value))
    return {
        "fact_id": f"{table['table_id']}:{cell['row_idx']}:{cell['col_idx']}",
        "doc_id": table["doc_id"], "table_id": table["table_id"], "page": cell.get("page"),
        "row_idx": cell["row_idx"], "col_idx": cell["col_idx"],
        "x0": cell.get("x0"), "top": cell.get("top"), "x1": cell.get("x1"),
        "bottom": cell.get("bottom"), "line_no": cell.get("line_no"),
        "metric_raw": metric_raw, "metric_id": mapping.metric_id, "metric_rule": mapping.rule,
        "metric_confidence": mapping.confidence, "metric_qualifier": qualifier,
        "unmapped_reason": mapping.unmapped_reason if metric_raw else None,
        "entity": catalog.company(other, metric_raw) or other,
        "region": catalog.region(metric_raw, other, table.get("caption")),
        "row_label": row_label, "col_label": col_label,
        "period_label": period.label if period else None,
        "period_kind": period.kind if period else None, "year": period.year if period else None,
        "is_estimate": period.is_estimate if period else None,
        "value": scaled(number.value), "value_low": scaled(number.low),
        "value_high": scaled(number.high), "qualifier": number.qualifier,
        "null_reason": number.null_reason,
        "unit": unit.base if unit else None,
        "dimension": unit.dimension if unit else None,
        "scale_label": unit.label if unit else None, "scale": scale,
        "currency": unit.currency if unit else None, "raw_text": text,
        "extractor": f"table:{table.get('method')}", "extractor_version": table.get("extractor_version"),
    }


def _with_fp16_basis(mapping: Mapping, catalog, metric_raw: str | None, texts: list[str],
                     value: float | None) -> tuple[Mapping, str | None]:
    """An FP16 throughput figure is comparable only with its basis: dense or with sparsity, read off
    the chip it names (in its labels, then its row, then its column). A bare 'FP16' figure is the
    metric only when it is the chip's tensor figure; one labelled 'Tensor' stays mapped without a
    basis when no known chip is named."""
    if mapping.metric_id != FP16_METRIC:
        return mapping, None
    chip_text = next((t for t in texts if catalog.names_known_chip(t)), "")
    basis = catalog.fp16_basis(chip_text, None if value is None else value / 1e12)
    if basis:
        return mapping, basis
    tensor_named = "tensor" in (metric_raw or "").lower()
    if tensor_named and (value is None or not chip_text):
        return Mapping(mapping.metric_id, mapping.rule, min(mapping.confidence, 0.6)), None
    return Mapping(None, unmapped_reason=(
        f"ambiguous: {FP16_METRIC} (tensor, dense or sparse) or FP16 without tensor cores")), None


def facts_from_cells(tables: pl.DataFrame, cells: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Facts and cell roles for every table of a document."""
    facts, roles = [], []
    cells_by_table = cells.partition_by("table_id", as_dict=True) if cells.height else {}
    for table in tables.iter_rows(named=True):
        part = cells_by_table.get((table["table_id"],))
        if part is None:
            continue
        table_facts, table_roles = facts_from_table(table, part.to_dicts())
        facts += table_facts
        roles += table_roles
    return (pl.DataFrame([{k: f.get(k) for k in FACT_COLUMNS} for f in facts],
                         schema=FACT_COLUMNS, orient="row"),
            pl.DataFrame(roles, schema=ROLE_COLUMNS, orient="row"))


def apply_relative_periods(facts: pl.DataFrame, fiscal_year: int | None) -> pl.DataFrame:
    """Columns headed 本期/上期 (期末/期初余额) get the report's fiscal year, or the year before."""
    if fiscal_year is None or facts.height == 0:
        return facts
    offset = pl.col("col_label").map_elements(relative_period_offset, return_dtype=pl.Int32)
    relative = pl.col("period_label").is_null() & offset.is_not_null()
    year = pl.lit(fiscal_year, pl.Int32) + offset
    return facts.with_columns(
        pl.when(relative).then(year).otherwise(pl.col("year")).alias("year"),
        pl.when(relative).then(pl.format("FY{}", year)).otherwise(pl.col("period_label")).alias("period_label"),
        pl.when(relative).then(pl.lit("year")).otherwise(pl.col("period_kind")).alias("period_kind"),
        pl.when(relative).then(False).otherwise(pl.col("is_estimate")).alias("is_estimate"),
        pl.when(relative & (pl.col("entity") == pl.col("col_label"))).then(None)
        .otherwise(pl.col("entity")).alias("entity"),
    )


def with_filing_mappings(facts: pl.DataFrame) -> pl.DataFrame:
    """Filing facts are mapped by their XBRL concept, not a label rule: record that, with full
    confidence, so every mapped fact says what mapped it."""
    by_concept = pl.col("metric_id").is_not_null() & pl.col("metric_rule").is_null()
    return facts.with_columns(
        pl.when(by_concept).then(pl.format("xbrl:{}", "concept")).otherwise(pl.col("metric_rule"))
        .alias("metric_rule"),
        pl.when(by_concept).then(1.0).otherwise(pl.col("metric_confidence")).alias("metric_confidence"),
    )
