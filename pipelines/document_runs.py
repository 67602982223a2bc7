"""The per-document stages of many documents at once, one process per core, recorded in the Dagster
instance as the partitions of `lake/document_tables` and `lake/document_facts`.

A worker calls the same stage functions the two assets call (`assets.table_stage`, `assets.fact_stage`)
and hands back the materializations and check evaluations they produced; the parent reports them
to the instance (`report_runless_asset_event`), so the UI and the automation sensor see each
document's partitions materialized, with the same metadata and checks as a run of the asset job.
A Dagster run per document costs ~0.5 s of orchestration; this costs a few SQLite writes."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import dagster as dg

from pipelines.assets import DOCUMENT_FACTS, DOCUMENT_TABLES, fact_stage, table_stage
from pipelines.lake import RdwPaths

DocumentEvent = dg.AssetMaterialization | dg.AssetCheckEvaluation


def default_workers() -> int:
    """RDW_WORKERS, else every core this process may run on."""
    return int(os.environ.get("RDW_WORKERS") or 0) or len(os.sched_getaffinity(0))


@dataclass
class DocumentRun:
    """What the two stages of one document produced; `error` when a stage raised."""

    doc_id: str
    events: list[DocumentEvent] = field(default_factory=list)
    error: str | None = None

    @property
    def success(self) -> bool:
        """Both stages ran and no blocking (ERROR) check failed, as a Dagster run would judge it."""
        return self.error is None and not any(
            isinstance(e, dg.AssetCheckEvaluation) and not e.passed
            and e.severity == dg.AssetCheckSeverity.ERROR for e in self.events)


def run_document(paths: RdwPaths, doc_id: str) -> DocumentRun:
    """Both stages of one document, as events for its partition. Never raises."""
    run = DocumentRun(doc_id)
    try:
        for key, stage in ((DOCUMENT_TABLES, table_stage), (DOCUMENT_FACTS, fact_stage)):
            materialization, checks = stage(paths, doc_id)
            run.events.append(dg.AssetMaterialization(key, metadata=materialization.metadata,
                                                      partition=doc_id))
            run.events += [dg.AssetCheckEvaluation(
                asset_key=key, check_name=c.check_name, passed=c.passed, severity=c.severity,
                metadata=c.metadata, partition=doc_id) for c in checks]
    except Exception as exc:  # a document that fails is reported; the others go on
        run.error = f"{type(exc).__name__}: {exc}"[:500]
    return run


def run_documents(paths: RdwPaths, doc_ids: list[str], workers: int) -> Iterator[DocumentRun]:
    """Each document's stages, in completion order, on up to `workers` processes (in this process
    when one is enough). Workers are spawned, so they inherit no open file (the refresh lock)."""
    workers = min(workers, len(doc_ids))
    if workers <= 1:
        yield from (run_document(paths, doc_id) for doc_id in doc_ids)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(run_document, paths, doc_id) for doc_id in doc_ids]
        for future in as_completed(futures):
            yield future.result()


def record(instance: dg.DagsterInstance, run: DocumentRun) -> None:
    """Store a document's materializations and check evaluations in the instance."""
    for event in run.events:
        instance.report_runless_asset_event(event)
