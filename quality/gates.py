"""Split a stage's frame into rows that pass its schema and rejects that say why (nothing dropped)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pandera.polars as pa
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from quality.schemas import REJECT_COLUMNS

PROVENANCE = ["doc_id", "table_id", "row_idx", "col_idx", "page"]


@dataclass(frozen=True)
class GateResult:
    valid: pl.DataFrame
    rejects: pl.DataFrame
    checked: int

    @property
    def passed(self) -> bool:
        return self.rejects.height == 0


def gate(frame: pl.DataFrame, schema: type[pa.DataFrameModel], stage: str) -> GateResult:
    """Validate eagerly with lazy=True; rows named in failure cases become rejects.

    Schema-level failures (a missing column, a wrong dtype) are bugs, not bad data: they raise. A
    frame without rows is checked at the schema level only: no row can fail a data check, and
    pandera runs each check as a query of its own (~15 ms a frame; many documents have no tables).
    """
    depth = ValidationDepth.SCHEMA_ONLY if frame.height == 0 else None  # None: pandera's own
    try:
        with config_context(validation_depth=depth):
            schema.validate(frame, lazy=True)
        return GateResult(frame, pl.DataFrame(schema=REJECT_COLUMNS), frame.height)
    except SchemaErrors as errors:
        cases = errors.failure_cases
    structural = cases.filter(pl.col("index").is_null())
    if structural.height:
        raise ValueError(f"{schema.__name__} does not fit the {stage} frame:\n{structural}")
    indexed = frame.with_row_index("_row")
    bad = cases.select(pl.col("index").cast(pl.UInt32).alias("_row"), "check", "column",
                       "failure_case")
    joined = bad.join(indexed, on="_row", how="left")
    present = [c for c in PROVENANCE if c in frame.columns]
    rejects = joined.select(
        *[pl.col(c) for c in present],
        pl.lit(stage).alias("stage"),
        pl.when(pl.col("column") == schema.__name__)
        .then(pl.format("failed {}", "check"))
        .otherwise(pl.format("failed {} on {}", "check", "column")).alias("reason"),
        (pl.col("value").cast(pl.String) if "value" in frame.columns
         else pl.col("failure_case")).fill_null(pl.col("failure_case")).alias("value"),
        pl.lit(schema.__name__).alias("schema"),
        pl.col("check"),
        (pl.col("raw_text") if "raw_text" in frame.columns else pl.lit(None, pl.String))
        .alias("detail"),
    )
    rejects = pl.concat([pl.DataFrame(schema=REJECT_COLUMNS), rejects], how="diagonal_relaxed")
    bad_rows = bad["_row"].unique()
    valid = indexed.filter(~pl.col("_row").is_in(bad_rows.implode())).drop("_row")
    return GateResult(valid, rejects.select(list(REJECT_COLUMNS)), frame.height)
