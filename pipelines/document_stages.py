"""The two per-document stages, as plain functions over the lake: tables+cells, then facts."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipelines.extract.dispatch import extract_document
from pipelines.extract.layout import EXTRACTOR_VERSION, Extraction
from pipelines.extract.metadata import document_metadata
from pipelines.extract.prose import body_sentences
from pipelines.lake import RdwPaths, load_registry, read_parquet_or_empty, write_parquet_atomic
from pipelines.normalize.dates import stated_report_date
from pipelines.normalize.metrics import load_catalog
from pipelines.normalize.facts import (
    FACT_COLUMNS, apply_relative_periods, facts_from_cells, with_filing_mappings,
)
from pipelines.normalize.periods import fiscal_year_of_report
from pipelines.normalize.prose_facts import facts_from_sentences
from quality.gates import GateResult, gate
from quality.schemas import (
    ANALYST_COLUMNS, CELL_COLUMNS, COMPANY_COLUMNS, META_COLUMNS, REJECT_COLUMNS, SENTENCE_COLUMNS,
    TABLE_COLUMNS, CellsSchema, FactsSchema, TablesSchema, frame,
)

DOCUMENT_INFO_COLUMNS = {
    "doc_id": pl.String, "pages": pl.Int32, "n_tables": pl.Int32, "n_cells": pl.Int32,
    "status": pl.String, "error": pl.String, "report_date": pl.String, "fiscal_year": pl.Int32,
    "extractor_version": pl.String,
}


@dataclass
class StageResult:
    """What a stage wrote, for asset metadata and checks."""

    counts: dict[str, int]
    gates: dict[str, GateResult] = field(default_factory=dict)

    def without_rows(self) -> "StageResult":
        """The same result with the gates' valid rows dropped (metadata and checks read only the
        counts and rejects): what a worker process hands back."""
        return StageResult(self.counts, {name: GateResult(g.valid.clear(), g.rejects, g.checked)
                                         for name, g in self.gates.items()})


def registered_document(paths: RdwPaths, doc_id: str) -> dict:
    registry = load_registry(paths).filter(pl.col("doc_id") == doc_id)
    if registry.height == 0:
        raise KeyError(f"document {doc_id} is not in the registry; run `rdw refresh` to scan raw/")
    return registry.row(0, named=True)


def run_table_stage(paths: RdwPaths, doc_id: str, extraction: Extraction | None = None) -> StageResult:
    """Extract a document's tables and cells, gate them, and write them with the rejects.

    `extraction` stands in for reading the file when the reading was refused (a document that
    exceeded its time or memory budget comes here as an Extraction holding only that reject)."""
    doc = registered_document(paths, doc_id)
    if extraction is None:
        extraction = extract_document(paths.raw / doc["path"], doc["kind"], doc_id)
    tables, cells, rejects = extraction.frames()
    table_gate = gate(tables, TablesSchema, "tables")
    cell_gate = gate(cells, CellsSchema, "cells")
    source_facts, filing_facts = (
        pl.DataFrame([{k: f.get(k) for k in FACT_COLUMNS} for f in rows], schema=FACT_COLUMNS,
                     orient="row")
        for rows in (extraction.facts, extraction.filing_facts))
    all_rejects = pl.concat([rejects, table_gate.rejects, cell_gate.rejects])
    has_content = tables.height > 0 or source_facts.height > 0
    hard = [r for r in extraction.rejects if not r.get("table_id") and r.get("page") is None]
    status = "loaded" if has_content else ("rejected" if hard else "no tables")
    info = pl.DataFrame([{
        "doc_id": doc_id, "pages": extraction.pages, "n_tables": tables.height,
        "n_cells": cells.height, "status": status,
        "error": "; ".join(r["reason"] for r in extraction.rejects) or None,
        "report_date": str(found) if (found := stated_report_date(extraction.head_text)) else None,
        "fiscal_year": fiscal_year_of_report(extraction.head_text),
        "extractor_version": stages_version(),
    }], schema=DOCUMENT_INFO_COLUMNS, orient="row")
    write_parquet_atomic(table_gate.valid, paths.stage_file("tables", doc_id))
    write_parquet_atomic(cell_gate.valid, paths.stage_file("cells", doc_id))
    write_parquet_atomic(source_facts, paths.stage_file("source_facts", doc_id))
    write_parquet_atomic(filing_facts, paths.stage_file("filing_facts", doc_id))
    write_parquet_atomic(all_rejects, paths.stage_file("rejects", doc_id))
    write_parquet_atomic(body_sentences(extraction), paths.stage_file("sentences", doc_id))
    write_parquet_atomic(info, paths.stage_file("documents", doc_id))
    for stage, meta in zip(("document_meta", "analysts", "companies"), metadata_frames(extraction)):
        write_parquet_atomic(meta, paths.stage_file(stage, doc_id))
    return StageResult(
        {"tables": table_gate.valid.height, "cells": cell_gate.valid.height,
         "source_facts": source_facts.height, "rejects": all_rejects.height,
         "pages": extraction.pages or 0},
        {"tables": table_gate, "cells": cell_gate},
    )


def metadata_frames(extraction) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Report metadata with evidence; filings and empty documents get none."""
    if not extraction.text_lines:
        return (pl.DataFrame(schema=META_COLUMNS), pl.DataFrame(schema=ANALYST_COLUMNS),
                pl.DataFrame(schema=COMPANY_COLUMNS))
    sources = [t["source_line"] for t in extraction.tables if t.get("source_line")]
    fields, analysts, companies = document_metadata(extraction.text_lines, sources)
    pages = extraction.line_pages

    def located(rows: list[dict]) -> list[dict]:
        return [{**r, "doc_id": extraction.doc_id,
                 "page": pages[r["line_no"] - 1] if pages and r.get("line_no") else None}
                for r in rows]

    return (frame(located(fields), META_COLUMNS), frame(located(analysts), ANALYST_COLUMNS),
            frame(located(companies), COMPANY_COLUMNS))


def run_fact_stage(paths: RdwPaths, doc_id: str) -> StageResult:
    """Type a document's cells and body sentences into facts, gate them, and account for every cell
    and every number of the sentences (core.prose_candidates)."""
    tables = read_parquet_or_empty(paths.stage_file("tables", doc_id), TABLE_COLUMNS)
    cells = read_parquet_or_empty(paths.stage_file("cells", doc_id), CELL_COLUMNS)
    source = read_parquet_or_empty(paths.stage_file("source_facts", doc_id), FACT_COLUMNS)
    info = read_parquet_or_empty(paths.stage_file("documents", doc_id), DOCUMENT_INFO_COLUMNS)
    report_date = info["report_date"][0] if info.height else None
    sentences = read_parquet_or_empty(paths.stage_file("sentences", doc_id), SENTENCE_COLUMNS)
    facts, roles = facts_from_cells(tables, cells)
    facts = apply_relative_periods(facts, info["fiscal_year"][0] if info.height else None)
    prose, candidates = facts_from_sentences(sentences)
    facts = with_filing_mappings(pl.concat([facts, source, prose])).with_columns(pl.lit(report_date, pl.String).alias("report_date"))
    fact_gate = gate(facts, FactsSchema, "facts")
    write_parquet_atomic(fact_gate.valid, paths.stage_file("facts", doc_id))
    write_parquet_atomic(roles, paths.stage_file("roles", doc_id))
    write_parquet_atomic(candidates, paths.stage_file("prose_candidates", doc_id))
    write_parquet_atomic(fact_gate.rejects, paths.stage_file("fact_rejects", doc_id))
    return StageResult(
        {"facts": fact_gate.valid.height, "fact_rejects": fact_gate.rejects.height,
         "cells": cells.height, "cells_with_role": roles.height, "prose_facts": prose.height,
         "prose_candidates": candidates.height},
        {"facts": fact_gate},
    )


def record_stage_failure(paths: RdwPaths, doc_id: str, error: str) -> None:
    """A stage raised: the document shows as 'failed' with the error (never 'loaded' with no facts),
    and the reason joins its rejects. The fact stage's last file is not written, so the next refresh
    tries again."""
    info = read_parquet_or_empty(paths.stage_file("documents", doc_id), DOCUMENT_INFO_COLUMNS)
    if info.height == 0:
        info = pl.DataFrame([{"doc_id": doc_id, "extractor_version": stages_version()}],
                            schema=DOCUMENT_INFO_COLUMNS, orient="row")
    info = info.with_columns(pl.lit("failed").alias("status"), pl.lit(error).alias("error"))
    rejects = read_parquet_or_empty(paths.stage_file("rejects", doc_id), REJECT_COLUMNS)
    failure = frame([{"doc_id": doc_id, "stage": "facts", "reason": "stage failed", "detail": error}],
                    REJECT_COLUMNS)
    write_parquet_atomic(pl.concat([rejects, failure]), paths.stage_file("rejects", doc_id))
    paths.stage_file("fact_rejects", doc_id).unlink(missing_ok=True)
    write_parquet_atomic(info, paths.stage_file("documents", doc_id))


def stages_version(refused_under: str | None = None) -> str:
    """What a document's stages were run with: the extractor's version and the metric catalog's
    (facts are mapped in the fact stage: a catalog that changes meaning maps them again); for a
    document refused for its budget, that budget too (a larger one reads it again)."""
    version = f"{EXTRACTOR_VERSION}+catalog.{load_catalog().version}"
    return f"{version}+refused@{refused_under}" if refused_under else version


def mark_refused(paths: RdwPaths, doc_id: str, budget_key: str) -> None:
    """Record the budget a document was refused under in its stages version."""
    info = read_parquet_or_empty(paths.stage_file("documents", doc_id), DOCUMENT_INFO_COLUMNS)
    write_parquet_atomic(info.with_columns(pl.lit(stages_version(budget_key)).alias("extractor_version")),
                         paths.stage_file("documents", doc_id))


def documents_to_extract(paths: RdwPaths, doc_ids: list[str]) -> list[str]:
    """Those of `doc_ids` whose two stages have not both finished for these bytes with this
    extractor and catalog version (stages_version), in the order given: the one staleness rule of
    the refresh and the sensor.

    `fact_rejects` is the last file the fact stage writes: a run killed before it re-extracts. The
    `documents` files are read in one go (a no-op refresh of 1,000 documents reads them all)."""
    finished = [d for d in doc_ids if paths.stage_file("fact_rejects", d).exists()
                and paths.stage_file("documents", d).exists()]
    try:
        versions = pl.read_parquet([paths.stage_file("documents", d) for d in finished],
                                   columns=["doc_id", "extractor_version"]) if finished else None
    except (pl.exceptions.PolarsError, OSError):  # one unreadable file: judge them one by one
        versions = pl.concat([read_parquet_or_empty(paths.stage_file("documents", d), DOCUMENT_INFO_COLUMNS)
                              .select("doc_id", "extractor_version") for d in finished])
    from pipelines.document_workers import DocumentBudget

    done = [stages_version(), stages_version(DocumentBudget.from_env().key)]
    current = set() if versions is None else set(
        versions.filter(pl.col("extractor_version").is_in(done))["doc_id"])
    return [d for d in doc_ids if d not in current]


def needs_extraction(paths: RdwPaths, doc_id: str) -> bool:
    """True unless both stages finished for these bytes with this stages_version."""
    return bool(documents_to_extract(paths, [doc_id]))
