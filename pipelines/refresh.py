"""`rdw refresh`: register raw/, run the stages of new or changed documents on every core, then
models, warehouse and exports in one Dagster run. One refresh at a time per RDW_HOME.

Which documents need their stages is `document_stages.documents_to_extract`, the one rule the sensor
uses too; the stages are the functions the document assets call (document_workers.py), recorded as
those assets' partitions. Everything is recorded in the persistent Dagster instance of RDW_HOME
(`RdwPaths.dagster_home`), the same one `rdw ui` (dagster dev) shows, so work from the CLI, the
schedule, the sensor and the UI appears in one place."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from pipelines.document_stages import documents_to_extract
from pipelines.document_workers import DocumentWorkers, default_workers
from pipelines.fault_points import pause_if_requested
from pipelines.lake import (
    NoRawFolder, RdwPaths, RefreshFailed, refresh_lock, register_documents, remove_leftovers,
    repair_lake,
)
from pipelines.warehouse_reader import warehouse_damage

if TYPE_CHECKING:
    import dagster as dg

# Dagster, the assets and the models are imported by `refresh` once its document workers have
# started, so that the import (about a second) overlaps the workers' own start and first documents.


# A failed step is reported by `refresh` in one line (RefreshFailed); the console logger stays quiet.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}



INSTANCE_CONFIG = """\
# Written by `rdw refresh` when missing. Runs the sensor, schedule or UI start (one per document
# partition) go as many at a time as there are cores; the DuckDB write pool takes one step at a time.
concurrency:
  runs:
    max_concurrent_runs: {workers}
  pools:
    default_limit: 1
"""


def persistent_instance(paths: RdwPaths) -> dg.DagsterInstance:
    """The Dagster instance stored in RDW_HOME (DAGSTER_HOME, default <RDW_HOME>/.dagster), with a
    dagster.yaml (INSTANCE_CONFIG) when it has none."""
    import dagster as dg

    paths.dagster_home.mkdir(parents=True, exist_ok=True)
    config = paths.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG.format(workers=default_workers()))
    return dg.DagsterInstance.from_config(str(paths.dagster_home))


@dataclass
class RefreshSummary:
    documents: int = 0
    extracted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    models_materialized: list[str] = field(default_factory=list)
    warehouse_rebuilt: bool = False
    blocked_by: list[str] = field(default_factory=list)  # failed blocking checks of the model run
    repaired: list[str] = field(default_factory=list)  # damaged files found and rebuilt, said how
    refused: dict[str, str] = field(default_factory=dict)  # doc_id → budget reason (time/memory limit)
    costs: dict[str, tuple[float, int]] = field(default_factory=dict)  # doc_id → (seconds, peak bytes)


def refresh(paths: RdwPaths, instance: dg.DagsterInstance | None = None,
            progress=lambda message, done=None, total=None: None, init: bool = False,
            workers: int | None = None) -> RefreshSummary:
    """Bring lake, warehouse and exports up to date with raw/.

    `progress(message, done, total)` hears of each step; `init` creates a missing raw/; `workers`
    processes extract documents side by side (default: RDW_WORKERS, else every core)."""
    if not paths.raw.is_dir():
        if not init:
            raise NoRawFolder(f"no raw/ folder at {paths.raw} (RDW_HOME {paths.home}); put documents "
                              "there, check RDW_HOME, or pass --init to start an empty one")
        paths.raw.mkdir(parents=True)
    summary = RefreshSummary()
    with refresh_lock(paths), ExitStack() as stack:
        remove_leftovers(paths)
        summary.repaired = [f"lake/{f} was damaged: removed and rebuilt" for f in repair_lake(paths)]
        damage = paths.warehouse.exists() and warehouse_damage(paths.warehouse, full=True)
        if damage:
            summary.repaired.append(f"the served warehouse was damaged ({damage}): rebuilt")
        registry = register_documents(paths)
        present = registry.filter(pl.col("present"))["doc_id"].to_list()
        summary.documents = len(present)
        # the largest first (longest-processing-time first: no core idles at the end on one big
        # document), on workers started now and handed their first documents: they read while this
        # process imports Dagster and opens the instance
        size = dict(zip(registry["doc_id"], registry["bytes"]))
        todo = sorted(documents_to_extract(paths, present), key=lambda k: -size[k])
        if not todo and not build_needed(paths):
            return summary  # nothing new, nothing stale: the Dagster instance is not even opened
        pool = stack.enter_context(DocumentWorkers(
            paths, todo, workers or default_workers())) if todo else None
        import dagster as dg  # now, while the workers start (see the imports above)

        from pipelines.assets import REFRESH_ASSETS, WAREHOUSE, source_documents
        from pipelines.automation import batched
        from pipelines.document_runs import EventRecorder, document_run
        from pipelines.resources import RdwHome

        paths_by_id = dict(zip(registry["doc_id"], registry["path"]))

        given, opened_here = instance, []
        stack.callback(lambda: [i.dispose() for i in opened_here])  # after the recorder stops (LIFO)

        def open_instance() -> dg.DagsterInstance:  # in the recorder's thread, while workers read
            if given is None:
                opened_here.append(persistent_instance(paths))
            opened = given or opened_here[0]
            known = set(opened.get_dynamic_partitions(source_documents.name))
            for batch in batched([k for k in present if k not in known]):
                opened.add_dynamic_partitions(source_documents.name, batch)
            return opened

        # the pool closes with the stack: an interrupt in this loop stops the workers now (at exit,
        # multiprocessing would wait for workers that ignore SIGTERM); the recorder, closed before
        # the pool, stores the events of every document read before it stopped
        recorder = stack.enter_context(EventRecorder(open_instance))
        if todo:
            progress(f"extracting {len(todo)} documents", 0, len(todo))

        def start_drawing() -> None:
            """The report comes last: the processes drawing its charts and page images warm up
            (about a core-second each) on a core the extraction's tail or the models leave idle."""
            from pipelines.report.drawing import DrawingProcesses

            if DrawingProcesses.start():
                stack.callback(DrawingProcesses.stop)

        for done, stages in enumerate(pool.runs() if pool else [], 1):
            if len(todo) - done < len(pool.slots):  # the last documents are read: a worker idles
                start_drawing()
            run = document_run(paths, stages)
            recorder.put(run)
            (summary.extracted if run.success else summary.failed).append(run.doc_id)
            summary.costs[run.doc_id] = (run.seconds, run.peak_bytes)
            if run.refused:
                summary.refused[run.doc_id] = run.refused
            progress(f"extracted {paths_by_id[run.doc_id]}", done, len(todo))
            pause_if_requested("extract")
        recorder.close()
        instance = recorder.instance
        if pool:
            pool.close()  # the workers' memory is free for the build
        if summary.extracted or build_needed(paths):
            progress("building models, warehouse and exports", len(todo), len(todo))
            start_drawing()
            result = dg.materialize(REFRESH_ASSETS, instance=instance,
                                    resources={"rdw": RdwHome.for_paths(paths)},
                                    run_config=QUIET, raise_on_error=False)
            summary.blocked_by = [
                f"{'/'.join(e.asset_key.path)}:{e.check_name}"
                for e in result.get_asset_check_evaluations()
                if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
            if not result.success and not summary.blocked_by:
                failure = next(e for e in result.all_events if e.is_failure)
                raise RefreshFailed(_failure_line(failure))
            events = result.get_asset_materialization_events()
            summary.models_materialized = [
                "/".join(e.asset_key.path) for e in events if e.asset_key.path[0] == "marts"]
            summary.warehouse_rebuilt = any(
                e.asset_key == WAREHOUSE and e.materialization.metadata["built"].value
                for e in events)
    return summary


def build_needed(paths: RdwPaths) -> bool:
    """A mart, the exports or the report is missing, or the served warehouse was not built from the
    lake as it is (a registry change, a document extracted, a damaged warehouse)."""
    from pipelines.model_marts import MODELS
    from pipelines.warehouse import lake_fingerprint, served_fingerprint

    marts_missing = not all(paths.mart_file(m).exists()
                            for m in [*MODELS, "model_vs_reported", "hyperscaler_capex", "consensus"])
    exports_missing = not ((paths.exports / "manifest.json").exists()
                           and (paths.exports / "report" / "index.html").exists())
    return marts_missing or exports_missing or served_fingerprint(paths) != lake_fingerprint(paths)


def _failure_line(failure: dg.DagsterEvent) -> str:
    """The asset's own error of a failed step, in one line (below Dagster's wrappers)."""
    error = failure.step_failure_data.error if failure.step_failure_data else None
    while error is not None and error.cause is not None and (error.cls_name or "").startswith("Dagster"):
        error = error.cause
    message = (error.message if error else failure.message or "").strip().splitlines()
    if message and error and error.cls_name and f"{error.cls_name}: " in message[0]:
        message[0] = message[0].split(f"{error.cls_name}: ", 1)[1]  # the class path says nothing more
    step = failure.step_key or "a step"
    return f"{step} failed: {message[0] if message else 'no message'}"
