"""`rdw refresh`: register raw/, materialize the stages of new or changed documents in-process,
then models, warehouse and exports. One refresh at a time per RDW_HOME."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass, field

import dagster as dg
import polars as pl

from pipelines.assets import DOCUMENT_ASSETS, REFRESH_ASSETS, WAREHOUSE, source_documents
from pipelines.automation import batched
from pipelines.document_stages import needs_extraction
from pipelines.fault_points import pause_if_requested
from pipelines.lake import RdwPaths, register_documents, remove_leftovers
from pipelines.model_marts import MODELS
from pipelines.resources import RdwHome
from pipelines.warehouse import lake_fingerprint, served_fingerprint


QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


class RefreshBusy(RuntimeError):
    """Another refresh holds the lock for this RDW_HOME."""


@dataclass
class RefreshSummary:
    documents: int = 0
    extracted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    models_materialized: list[str] = field(default_factory=list)
    warehouse_rebuilt: bool = False


@contextmanager
def refresh_lock(paths: RdwPaths):
    """An exclusive, non-blocking lock file; a second refresh is refused with the holder's pid."""
    paths.lake.mkdir(parents=True, exist_ok=True)
    lock_path = paths.lake / ".refresh.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RefreshBusy(f"another refresh is running on {paths.home} (pid {holder}); "
                              "wait for it to finish") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def refresh(paths: RdwPaths, instance: dg.DagsterInstance | None = None,
            progress=lambda message: None) -> RefreshSummary:
    """Bring lake, warehouse and exports up to date with raw/."""
    summary = RefreshSummary()
    resources = {"rdw": RdwHome.for_paths(paths)}
    with refresh_lock(paths):
        remove_leftovers(paths)
        instance = instance or dg.DagsterInstance.ephemeral()
        registry = register_documents(paths)
        present = registry.filter(pl.col("present"))["doc_id"].to_list()
        summary.documents = len(present)
        known = set(instance.get_dynamic_partitions(source_documents.name))
        for batch in batched([k for k in present if k not in known]):
            instance.add_dynamic_partitions(source_documents.name, batch)
        paths_by_id = dict(zip(registry["doc_id"], registry["path"]))
        for key in [k for k in present if needs_extraction(paths, k)]:
            progress(f"extracting {paths_by_id[key]}")
            result = dg.materialize(DOCUMENT_ASSETS, partition_key=key, instance=instance,
                                    resources=resources, raise_on_error=False, run_config=QUIET)
            (summary.extracted if result.success else summary.failed).append(key)
            pause_if_requested("extract")
        marts_missing = not all(paths.mart_file(m).exists()
                                for m in [*MODELS, "model_vs_reported", "hyperscaler_capex"])
        stale = served_fingerprint(paths) != lake_fingerprint(paths)
        exports_missing = not (paths.exports / "manifest.json").exists()
        if summary.extracted or marts_missing or stale or exports_missing:
            progress("building models, warehouse and exports")
            result = dg.materialize(REFRESH_ASSETS, instance=instance, resources=resources,
                                    run_config=QUIET)
            events = result.get_asset_materialization_events()
            summary.models_materialized = [
                "/".join(e.asset_key.path) for e in events if e.asset_key.path[0] == "marts"]
            summary.warehouse_rebuilt = any(
                e.asset_key == WAREHOUSE and e.materialization.metadata["built"].value
                for e in events)
    return summary
