"""Stage schemas. Validate collected DataFrames (a LazyFrame only gets schema-level checks)."""

from __future__ import annotations

import polars as pl
import pandera.polars as pa
from pandera.api.polars.types import PolarsData

from pipelines.normalize.numbers import DEFAULT_MAX_MAGNITUDE, MAX_MAGNITUDE

# The lake's stage tables: one home for their columns; the readers build frames from these, the
# gates and the warehouse read them, and the Pandera models below check them.
TABLE_COLUMNS = {
    "table_id": pl.String, "doc_id": pl.String, "page": pl.Int32, "page_end": pl.Int32,
    "table_index": pl.Int32, "label": pl.String, "caption": pl.String, "unit_hint": pl.String,
    "source_line": pl.String, "n_rows": pl.Int32, "n_cols": pl.Int32, "header_rows": pl.Int32,
    "method": pl.String, "confidence": pl.Float64, "turn": pl.Int32, "x0": pl.Float64, "top": pl.Float64,
    "x1": pl.Float64, "bottom": pl.Float64, "line_start": pl.Int32, "line_end": pl.Int32,
    "extractor_version": pl.String,
}
CELL_COLUMNS = {
    "table_id": pl.String, "doc_id": pl.String, "row_idx": pl.Int32, "col_idx": pl.Int32,
    "text": pl.String, "raw_text": pl.String, "is_header": pl.Boolean, "page": pl.Int32, "x0": pl.Float64,
    "top": pl.Float64, "x1": pl.Float64, "bottom": pl.Float64, "line_no": pl.Int32,
}
REJECT_COLUMNS = {
    "doc_id": pl.String, "stage": pl.String, "reason": pl.String, "detail": pl.String,
    "table_id": pl.String, "row_idx": pl.Int32, "col_idx": pl.Int32, "page": pl.Int32,
    "schema": pl.String, "check": pl.String, "value": pl.String,
}

# Body sentences (pipelines/extract/prose.py) and the numbers found in them, each a fact or a
# rejected candidate with its reason (pipelines/normalize/prose_facts.py).
SENTENCE_COLUMNS = {
    "sentence_id": pl.String, "doc_id": pl.String, "page": pl.Int32, "line_no": pl.Int32,
    "text": pl.String, "extractor_version": pl.String,
}
PROSE_CANDIDATE_COLUMNS = {
    "doc_id": pl.String, "sentence_id": pl.String, "page": pl.Int32, "line_no": pl.Int32,
    "char_start": pl.Int32, "char_end": pl.Int32, "raw_text": pl.String, "outcome": pl.String,
    "reason": pl.String, "fact_id": pl.String, "sentence": pl.String,
}


def frame(rows: list[dict], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Build a frame with exactly the lake schema, whatever keys the rows carry."""
    return pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema, orient="row")

META_COLUMNS = {
    "doc_id": pl.String, "field": pl.String, "value": pl.String, "evidence": pl.String,
    "page": pl.Int32, "line_no": pl.Int32, "method": pl.String, "confidence": pl.Float64,
    "null_reason": pl.String,
}
ANALYST_COLUMNS = {
    "doc_id": pl.String, "name": pl.String, "registration_no": pl.String, "email": pl.String,
    "role": pl.String, "page": pl.Int32, "line_no": pl.Int32, "evidence": pl.String,
}
COMPANY_COLUMNS = {
    "doc_id": pl.String, "name": pl.String, "ticker": pl.String, "method": pl.String,
    "page": pl.Int32, "line_no": pl.Int32, "evidence": pl.String,
}

SHARE_METRICS = ["china_share_of_global", "gpu_share_of_server_cost", "compute_utilisation"]
NON_NEGATIVE_DIMENSIONS = ["count", "throughput", "compute", "power", "bytes", "bandwidth", "time"]
ESTIMATE_MARGIN_YEARS = 1
METHODS = ["lattice", "three_line", "borderless", "zebra", "text_rows", "xbrl", "spreadsheet"]


class TablesSchema(pa.DataFrameModel):
    table_id: str = pa.Field(unique=True)
    doc_id: str
    label: str = pa.Field(nullable=True)
    n_rows: pl.Int32 = pa.Field(ge=1)
    n_cols: pl.Int32 = pa.Field(ge=1)
    header_rows: pl.Int32 = pa.Field(ge=0)
    method: str = pa.Field(isin=METHODS)
    confidence: float = pa.Field(ge=0, le=1)
    turn: pl.Int32 = pa.Field(nullable=True, isin=[0, 90, 180, 270])

    class Config:
        strict = False


class CellsSchema(pa.DataFrameModel):
    table_id: str
    doc_id: str
    row_idx: pl.Int32 = pa.Field(ge=0)
    col_idx: pl.Int32 = pa.Field(ge=0)
    text: str
    is_header: bool

    @pa.dataframe_check(name="cell_position_unique")
    def cell_position_unique(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            ~pl.struct("table_id", "row_idx", "col_idx").is_duplicated()
        )

    class Config:
        strict = False


class FactsSchema(pa.DataFrameModel):
    fact_id: str = pa.Field(unique=True)
    doc_id: str
    table_id: str = pa.Field(nullable=True)  # null for a fact read from a sentence (extractor 'prose')
    metric_raw: str = pa.Field(nullable=True)
    metric_id: str = pa.Field(nullable=True)
    year: pl.Int32 = pa.Field(nullable=True, ge=1990, le=2100)
    value: float = pa.Field(nullable=True)
    unit: str = pa.Field(nullable=True)
    raw_text: str

    @pa.dataframe_check(name="market_size_not_negative")
    def market_size_not_negative(cls, data: PolarsData) -> pl.LazyFrame:
        bad = pl.col("metric_id").str.ends_with("market_size") & (pl.col("value") < 0)
        return data.lazyframe.select((~bad).fill_null(True))

    @pa.dataframe_check(name="share_within_0_1")
    def share_within_0_1(cls, data: PolarsData) -> pl.LazyFrame:
        bad = pl.col("metric_id").is_in(SHARE_METRICS) & ~pl.col("value").is_between(0, 1)
        return data.lazyframe.select((~bad).fill_null(True))

    @pa.dataframe_check(name="quantity_not_negative")
    def quantity_not_negative(cls, data: PolarsData) -> pl.LazyFrame:
        bad = pl.col("dimension").is_in(NON_NEGATIVE_DIMENSIONS) & (pl.col("value") < 0)
        return data.lazyframe.select((~bad).fill_null(True))

    @pa.dataframe_check(name="estimate_not_before_report_year")
    def estimate_not_before_report_year(cls, data: PolarsData) -> pl.LazyFrame:
        """An estimate ('2021E') for a year well before the report's own date is a misread."""
        report_year = pl.col("report_date").str.slice(0, 4).cast(pl.Int32, strict=False)
        bad = pl.col("is_estimate") & (pl.col("year") < report_year - ESTIMATE_MARGIN_YEARS)
        return data.lazyframe.select((~bad).fill_null(True))

    @pa.dataframe_check(name="value_is_a_plausible_number")
    def value_is_a_plausible_number(cls, data: PolarsData) -> pl.LazyFrame:
        """Finite, and within MAX_MAGNITUDE for its dimension (normalize/numbers.py): inf, NaN and
        absurd scales ('E+400亿元') are rejected, never loaded."""
        limit = pl.col("dimension").replace_strict(MAX_MAGNITUDE, default=DEFAULT_MAX_MAGNITUDE,
                                                   return_dtype=pl.Float64)
        ok = pl.col("value").is_finite() & (pl.col("value").abs() <= limit)
        return data.lazyframe.select(ok.fill_null(True))

    @pa.dataframe_check(name="null_value_has_reason")
    def null_value_has_reason(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("value").is_not_null() | pl.col("null_reason").is_not_null())

    class Config:
        strict = False


class ModelOutputSchema(pa.DataFrameModel):
    model: str
    model_version: str
    scenario: str
    variant: str
    metric_id: str
    year: pl.Int32 = pa.Field(nullable=True, ge=1990, le=2100)
    value: float
    unit: str
    input_ids: list[str]

    @pa.dataframe_check(name="has_provenance")
    def has_provenance(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("input_ids").list.len() > 0)

    class Config:
        strict = False
