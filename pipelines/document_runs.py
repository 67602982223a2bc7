"""Documents' stages recorded in the Dagster instance as the partitions of `lake/document_tables` and
`lake/document_facts`.

The stages run in budgeted worker processes (document_workers.py) that call the same stage
functions the two assets call; the parent turns what each stage wrote into the events the assets
report (`assets.table_outcome`, `assets.fact_outcome`) and reports them to the instance
(`report_runless_asset_event`), so the UI and the automation sensor see each document's partitions
materialized, with the same metadata and checks as a run of the asset job. A Dagster run per
document costs ~0.5 s of orchestration; this costs a few SQLite writes, which `EventRecorder`
makes in a thread of its own while the workers read the next documents."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import dagster as dg

from pipelines.assets import DOCUMENT_FACTS, DOCUMENT_TABLES, fact_outcome, table_outcome
from pipelines.document_workers import DocumentBudget, DocumentWorkers, StagesRun, run_stages
from pipelines.extract.layout import Extraction
from pipelines.lake import RdwPaths

DocumentEvent = dg.AssetMaterialization | dg.AssetCheckEvaluation


@dataclass
class DocumentRun:
    """The events the two stages of one document produced; `error` when a stage raised; `refused`
    when the document exceeded its budget (and was recorded as rejected with that reason)."""

    doc_id: str
    events: list[DocumentEvent] = field(default_factory=list)
    error: str | None = None
    refused: str | None = None
    seconds: float = 0.0
    peak_bytes: int = 0  # the worker's peak resident size while it read this document

    @property
    def success(self) -> bool:
        """Both stages ran and no blocking (ERROR) check failed, as a Dagster run would judge it."""
        return self.error is None and not any(
            isinstance(e, dg.AssetCheckEvaluation) and not e.passed
            and e.severity == dg.AssetCheckSeverity.ERROR for e in self.events)


def document_run(paths: RdwPaths, stages: StagesRun) -> DocumentRun:
    """The asset events of what a document's stages wrote."""
    run = DocumentRun(stages.doc_id, error=stages.error, refused=stages.refused,
                      seconds=stages.seconds, peak_bytes=stages.peak_bytes)
    for name, result in stages.stages:
        key, outcome = ((DOCUMENT_TABLES, table_outcome) if name == "tables"
                        else (DOCUMENT_FACTS, fact_outcome))
        materialization, checks = outcome(paths, stages.doc_id, result)
        run.events.append(dg.AssetMaterialization(key, metadata=materialization.metadata,
                                                  partition=stages.doc_id))
        run.events += [dg.AssetCheckEvaluation(
            asset_key=key, check_name=c.check_name, passed=c.passed, severity=c.severity,
            metadata=c.metadata, partition=stages.doc_id) for c in checks]
    return run


def run_document(paths: RdwPaths, doc_id: str, extraction: Extraction | None = None) -> DocumentRun:
    """Both stages of one document in this process, as events for its partition. Never raises,
    except MemoryError. `extraction`: see document_stages.run_table_stage."""
    return document_run(paths, run_stages(paths, doc_id, extraction))


def run_documents(paths: RdwPaths, doc_ids: list[str], workers: int,
                  budget: DocumentBudget | None = None) -> Iterator[DocumentRun]:
    """Each document's stages on up to `workers` worker processes, in completion order, each
    document under `budget` (default DocumentBudget.from_env())."""
    if not doc_ids:
        return
    with DocumentWorkers(paths, doc_ids, workers, budget) as pool:
        for stages in pool.runs():
            yield document_run(paths, stages)


def record(instance: dg.DagsterInstance, run: DocumentRun) -> None:
    """Store a document's materializations and check evaluations in the instance."""
    from sqlalchemy.exc import IntegrityError

    for event in run.events:
        try:
            instance.report_runless_asset_event(event)
        except IntegrityError:
            # Dagster's SQLite storage keeps one runless check evaluation per (check, partition): a
            # document extracted again (repaired lake, a stage retried) keeps its first evaluation
            if not isinstance(event, dg.AssetCheckEvaluation):
                raise


class EventRecorder:
    """Stores documents' events in the instance (`record`) from a thread of its own, which first
    opens the instance (`open_instance`: Dagster's storage imports and, in a new home, creates its
    databases). Both then overlap the workers' reading instead of adding to it: the SQLite storage
    opens a connection per write (~10–60 ms an event, six events a document). `close()` (or leaving
    the `with` block, on any exit) waits until every run handed over is stored and leaves the
    instance in `instance`; an error is raised by the next `put` or by `close`."""

    def __init__(self, open_instance: Callable[[], dg.DagsterInstance]):
        self.open_instance = open_instance
        self.instance: dg.DagsterInstance | None = None
        self.queue: queue.SimpleQueue[DocumentRun | None] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._store, name="rdw-record-events", daemon=True)
        self.thread.start()

    def _store(self) -> None:
        try:
            self.instance = self.open_instance()
        except BaseException as error:  # noqa: BLE001 — handed to the refresh's thread
            self.error = error
        while (run := self.queue.get()) is not None:
            if self.error is None:
                try:
                    record(self.instance, run)
                except BaseException as error:  # noqa: BLE001 — handed to the refresh's thread
                    self.error = error

    def put(self, run: DocumentRun) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(run)

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def __enter__(self) -> "EventRecorder":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            self.close()
        except BaseException:
            if kind is None:  # an error of its own; never one hiding the error that ended the block
                raise
