"""`rdw refresh`: register raw/, materialize the stages of new or changed documents in-process,
then models, warehouse and exports. One refresh at a time per RDW_HOME.

Runs are recorded in the persistent Dagster instance of RDW_HOME (`RdwPaths.dagster_home`), the
same one `rdw ui` (dagster dev) shows, so runs from the CLI, the schedule, the sensor and the UI
appear in one place."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field

import dagster as dg
import polars as pl

from pipelines.assets import DOCUMENT_ASSETS, REFRESH_ASSETS, WAREHOUSE, source_documents
from pipelines.automation import batched, run_tags
from pipelines.document_stages import needs_extraction
from pipelines.fault_points import pause_if_requested
from pipelines.lake import NoRawFolder, RdwPaths, refresh_lock, register_documents, remove_leftovers
from pipelines.model_marts import MODELS
from pipelines.resources import RdwHome
from pipelines.warehouse import lake_fingerprint, served_fingerprint


QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def persistent_instance(paths: RdwPaths) -> dg.DagsterInstance:
    """The Dagster instance stored in RDW_HOME (DAGSTER_HOME, default <RDW_HOME>/.dagster)."""
    paths.dagster_home.mkdir(parents=True, exist_ok=True)
    return dg.DagsterInstance.from_config(str(paths.dagster_home))


@dataclass
class RefreshSummary:
    documents: int = 0
    extracted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    models_materialized: list[str] = field(default_factory=list)
    warehouse_rebuilt: bool = False
    blocked_by: list[str] = field(default_factory=list)  # failed blocking checks of the model run


def refresh(paths: RdwPaths, instance: dg.DagsterInstance | None = None,
            progress=lambda message, done=None, total=None: None, init: bool = False) -> RefreshSummary:
    """Bring lake, warehouse and exports up to date with raw/.

    `progress(message, done, total)` hears of each step; `init` creates a missing raw/."""
    if not paths.raw.is_dir():
        if not init:
            raise NoRawFolder(f"no raw/ folder at {paths.raw} (RDW_HOME {paths.home}); put documents "
                              "there, check RDW_HOME, or pass --init to start an empty one")
        paths.raw.mkdir(parents=True)
    summary = RefreshSummary()
    resources = {"rdw": RdwHome.for_paths(paths)}
    with refresh_lock(paths), ExitStack() as stack:
        remove_leftovers(paths)
        instance = instance or stack.enter_context(persistent_instance(paths))
        registry = register_documents(paths)
        present = registry.filter(pl.col("present"))["doc_id"].to_list()
        summary.documents = len(present)
        known = set(instance.get_dynamic_partitions(source_documents.name))
        for batch in batched([k for k in present if k not in known]):
            instance.add_dynamic_partitions(source_documents.name, batch)
        paths_by_id = dict(zip(registry["doc_id"], registry["path"]))
        todo = [k for k in present if needs_extraction(paths, k)]
        for done, key in enumerate(todo):
            progress(f"extracting {paths_by_id[key]}", done, len(todo))
            result = dg.materialize(DOCUMENT_ASSETS, partition_key=key, instance=instance,
                                    resources=resources, raise_on_error=False, run_config=QUIET,
                                    tags=run_tags(paths_by_id[key], key))
            (summary.extracted if result.success else summary.failed).append(key)
            pause_if_requested("extract")
        marts_missing = not all(paths.mart_file(m).exists()
                                for m in [*MODELS, "model_vs_reported", "hyperscaler_capex"])
        stale = served_fingerprint(paths) != lake_fingerprint(paths)
        exports_missing = not (paths.exports / "manifest.json").exists()
        if summary.extracted or marts_missing or stale or exports_missing:
            progress("building models, warehouse and exports", len(todo), len(todo))
            result = dg.materialize(REFRESH_ASSETS, instance=instance, resources=resources,
                                    run_config=QUIET, raise_on_error=False)
            summary.blocked_by = [
                f"{'/'.join(e.asset_key.path)}:{e.check_name}"
                for e in result.get_asset_check_evaluations()
                if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
            if not result.success and not summary.blocked_by:
                failure = next(e for e in result.all_events if e.is_failure)
                raise RuntimeError(f"the models/warehouse run failed: {failure.message}")
            events = result.get_asset_materialization_events()
            summary.models_materialized = [
                "/".join(e.asset_key.path) for e in events if e.asset_key.path[0] == "marts"]
            summary.warehouse_rebuilt = any(
                e.asset_key == WAREHOUSE and e.materialization.metadata["built"].value
                for e in events)
    return summary
