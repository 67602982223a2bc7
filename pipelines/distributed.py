"""The refresh on a dask cluster (dagster-dask), with raw/, the lake and the exports on a store
(object_store.py): `rdw distributed-refresh --scheduler tcp://host:8786`.

The job `distributed_refresh` has three kinds of step, each run by a dask worker:

- `plan_documents` registers raw/ (lake.register_documents on a mirror of the store) and splits the
  documents `documents_to_extract` names (the one staleness rule) into `shards` lists, largest
  documents dealt first;
- `extract_shard_<i>` runs both stages of each of its documents (document_workers: a budgeted
  reading process, the same stage functions `rdw refresh` runs) in a local staging folder, and
  publishes each document's stage files to the lake, its `fact_rejects` file (the mark that both
  stages finished) last;
- `build_outputs` mirrors the lake, runs the models, the warehouse and the exports (the Dagster
  run of `rdw refresh`, one writer) and publishes the marts, the DuckDB file (then its .sha256)
  and the exports (manifest.json last).

The shards are static steps, not DynamicOutputs, because dagster-dask's executor submits the
steps of the plan as it is before the run (mapped steps of a dynamic output never resolve there),
and it runs with retries disabled (RetryMode.DISABLED): a dask worker killed mid-step is what
dask itself repairs, by running the lost task again on another worker. A shard that runs again
skips the documents whose stages already finished (documents_to_extract), so a rerun costs only the
document that was being read. The RetryPolicy on the shard steps applies under Dagster's own
executors (the multiprocess executor of the UI's launchpad).

Step outputs (document ids, counts) go through `StorePickleIOManager`, under <lake>/.dagster-io/,
so every worker reads what another wrote. The run and event storage is the instance's (Postgres
in a deployment: README, Deployment)."""


import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import polars as pl
from dagster_dask import dask_executor

from pipelines.document_stages import documents_to_extract
from pipelines.document_workers import DocumentWorkers
from pipelines.document_runs import document_run
from pipelines.lake import RdwPaths, load_registry, register_documents
from pipelines.object_store import Store, default_cache, mirror_folder, pull, push

DEFAULT_SHARDS = 8
REGISTRY_FOLDER = "registry"
# the document's stage file that says both stages finished (documents_to_extract reads it and
# `documents`): published after every other file of the document, removed first when absent
DONE_STAGE = "fact_rejects"
IO_FOLDER = ".dagster-io"


class StoreHome(dg.ConfigurableResource):
    """Where raw/, the lake, the exports and the warehouse are (s3://bucket/prefix or paths), and
    the local cache each worker mirrors them into (default RDW_CACHE, else ~/.cache/rdw)."""

    raw: str
    lake: str
    exports: str
    warehouse: str
    cache: str | None = None

    def cache_root(self) -> Path:
        return Path(self.cache).resolve() if self.cache else default_cache()

    def mirror(self) -> RdwPaths:
        """Local paths that mirror the stores (raw/ and lake/ are pulled into them as needed)."""
        cache = self.cache_root()
        home = mirror_folder(f"{self.raw}|{self.lake}|{self.exports}|{self.warehouse}", cache)
        return RdwPaths(home, mirror_folder(self.raw, cache) / "raw",
                        mirror_folder(self.lake, cache) / "lake",
                        home / "warehouse" / "research.duckdb", home / "exports")


class StorePickleIOManager(dg.ConfigurableIOManager):
    """Step outputs pickled under <lake>/.dagster-io/<run>/<step>/<output> on the lake's store,
    so a step on one worker reads what a step on another wrote."""

    lake: str

    def _key(self, context) -> str:
        return "/".join([IO_FOLDER, *context.get_identifier()])

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        store = Store(self.lake)
        with tempfile.NamedTemporaryFile(suffix=".pickle") as tmp:
            pickle.dump(obj, tmp)
            tmp.flush()
            store.publish(Path(tmp.name), self._key(context))

    def load_input(self, context: dg.InputContext):
        store = Store(self.lake)
        with store.fs.open(store.key(self._key(context.upstream_output)), "rb") as handle:
            return pickle.load(handle)


def deal(doc_ids: list[str], sizes: dict[str, int], shards: int) -> list[list[str]]:
    """Split documents into `shards` lists of about equal bytes: largest first, each to the
    lightest list so far (longest-processing-time first)."""
    lists: list[list[str]] = [[] for _ in range(shards)]
    load = [0] * shards
    for doc_id in sorted(doc_ids, key=lambda d: (-sizes.get(d, 0), d)):
        lightest = load.index(min(load))
        lists[lightest].append(doc_id)
        load[lightest] += sizes.get(doc_id, 0)
    return lists


def plan_documents(context: dg.OpExecutionContext, home: StoreHome, shards: int) -> list:
    """Register raw/ (mirrored from its store) and deal the documents to extract to `shards`."""
    from pipelines.assets import source_documents

    lake = Store(home.lake)
    mirror = home.mirror()
    pull(Store(home.raw), mirror.raw)
    pull(lake, mirror.lake, only={REGISTRY_FOLDER, "documents", DONE_STAGE})
    registry = register_documents(mirror)
    push(mirror.lake / REGISTRY_FOLDER, lake.child(REGISTRY_FOLDER))
    present = registry.filter(pl.col("present"))["doc_id"].to_list()
    todo = documents_to_extract(mirror, present)
    known = set(context.instance.get_dynamic_partitions(source_documents.name))
    new = [d for d in present if d not in known]
    if new:
        context.instance.add_dynamic_partitions(source_documents.name, new)
    dealt = deal(todo, dict(zip(registry["doc_id"], registry["bytes"])), shards)
    context.log.info(f"{len(present)} documents, {len(todo)} to extract in {shards} shards")
    return dealt


def _plan_op(shards: int) -> dg.OpDefinition:
    @dg.op(name="plan_documents",
           description="Register raw/ from the store; deal the documents whose stages are not "
                       "finished to the shards.")
    def plan(context: dg.OpExecutionContext, home: StoreHome) -> list:
        return plan_documents(context, home, shards)

    return plan


def publish_document(staging: RdwPaths, lake: Store, doc_id: str) -> None:
    """Publish one document's stage files from the staging lake: the done mark is removed first
    and published last, so a reader never takes a half-published document as finished; a stage
    file the document no longer has (the mark of a failed fact stage) is removed."""
    lake.remove(f"{DONE_STAGE}/{doc_id}.parquet")
    files = {p.parent.name: (p, f"{p.parent.name}/{doc_id}.parquet")
             for p in staging.lake.glob(f"*/{doc_id}.parquet") if p.parent.name != REGISTRY_FOLDER}
    for stage in STAGE_FOLDERS - set(files):
        lake.remove(f"{stage}/{doc_id}.parquet")
    lake.publish_many([f for s, f in files.items() if s not in ("documents", DONE_STAGE)])
    for stage in ("documents", DONE_STAGE):  # what documents_to_extract reads, the mark last
        if stage in files:
            lake.publish(*files[stage])


def extract_shard(context: dg.OpExecutionContext, home: StoreHome, shard: int,
                  doc_ids: list[str]) -> dict:
    """Both stages of each document of one shard in a local staging folder, each document
    published to the lake as soon as it is done. Documents finished by an earlier attempt of this
    step (a worker that died) are skipped."""
    lake, raw = Store(home.lake), Store(home.raw)
    staging_root = Path(tempfile.mkdtemp(prefix=f"rdw-shard{shard}-", dir=_scratch(home)))
    staging = RdwPaths(staging_root, staging_root / "raw", staging_root / "lake",
                       staging_root / "warehouse.duckdb", staging_root / "exports")
    counts = {"extracted": 0, "failed": 0, "skipped": 0, "seconds": 0.0}
    try:
        lake.fetch(f"{REGISTRY_FOLDER}/documents.parquet", staging.registry)
        for doc_id in doc_ids:  # what documents_to_extract reads, for this shard's documents only
            for stage in (DONE_STAGE, "documents"):
                try:
                    lake.fetch(f"{stage}/{doc_id}.parquet", staging.stage_file(stage, doc_id))
                except FileNotFoundError:
                    break
        todo = documents_to_extract(staging, doc_ids)
        counts["skipped"] = len(doc_ids) - len(todo)
        paths_by_id = dict(load_registry(staging).select("doc_id", "path").iter_rows())
        raw.fetch_many([(paths_by_id[d], staging.raw / paths_by_id[d]) for d in todo])
        with DocumentWorkers(staging, todo, 1) as pool:
            for stage_run in pool.runs():
                publish_document(staging, lake, stage_run.doc_id)
                run = document_run(staging, stage_run)
                for event in run.events:
                    if isinstance(event, dg.AssetMaterialization):
                        context.log_event(event)
                counts["extracted" if run.success else "failed"] += 1
                counts["seconds"] += run.seconds
                (staging.raw / paths_by_id[run.doc_id]).unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    context.log.info(f"shard {shard}: {counts}")
    return counts


# every stage folder a document's stages write (document_stages.run_table_stage, run_fact_stage)
STAGE_FOLDERS = {"tables", "cells", "source_facts", "filing_facts", "rejects", "sentences",
                 "documents", "document_meta", "analysts", "companies", "facts", "roles",
                 "prose_candidates", "fact_rejects"}


def _scratch(home: StoreHome) -> Path:
    folder = home.cache_root() / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shard_op(shard: int) -> dg.OpDefinition:
    @dg.op(name=f"extract_shard_{shard}",
           retry_policy=dg.RetryPolicy(max_retries=2, delay=1),
           description=f"Both stages of the documents dealt to shard {shard}, published to the lake.")
    def extract(context: dg.OpExecutionContext, home: StoreHome, shards: list) -> dict:
        return extract_shard(context, home, shard, shards[shard] if shard < len(shards) else [])

    return extract


def build_outputs(context: dg.OpExecutionContext, home: StoreHome, extracted: list[dict]) -> dict:
    """Models, warehouse and exports from the lake mirrored from its store (the Dagster run of
    `rdw refresh`), then published: the marts, the DuckDB file and the exports."""
    from pipelines.assets import REFRESH_ASSETS, WAREHOUSE
    from pipelines.refresh import QUIET, _failure_line
    from pipelines.lake import RefreshFailed
    from pipelines.resources import RdwHome

    lake = Store(home.lake)
    mirror = home.mirror()
    pull(Store(home.raw), mirror.raw)  # the report's trace pages show pages of the raw documents
    pull(lake, mirror.lake)
    result = dg.materialize(REFRESH_ASSETS, instance=context.instance,
                            resources={"rdw": RdwHome.for_paths(mirror)}, run_config=QUIET,
                            raise_on_error=False, tags={"rdw/parent_run": context.run_id})
    blocked = [f"{'/'.join(e.asset_key.path)}:{e.check_name}"
               for e in result.get_asset_check_evaluations()
               if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    if not result.success and not blocked:
        raise RefreshFailed(_failure_line(next(e for e in result.all_events if e.is_failure)))
    events = result.get_asset_materialization_events()
    push(mirror.lake / "marts", lake.child("marts"))
    if not blocked:
        publish_warehouse(mirror.warehouse, home.warehouse)
        push(mirror.exports, Store(home.exports), last=("manifest.json",))
    return {
        "run_id": context.run_id,
        "extracted": sum(c["extracted"] for c in extracted),
        "failed": sum(c["failed"] for c in extracted),
        "skipped": sum(c["skipped"] for c in extracted),
        "reading_seconds": sum(c["seconds"] for c in extracted),
        "models_materialized": ["/".join(e.asset_key.path) for e in events
                                if e.asset_key.path[0] == "marts"],
        "warehouse_rebuilt": any(e.asset_key == WAREHOUSE and e.materialization.metadata["built"].value
                                 for e in events),
        "blocked_by": blocked,
    }


def _build_op(shards: int) -> dg.OpDefinition:
    # one input per shard, not one fan-in input: under dagster-dask a step's plan is made with the
    # run's initial known state, in which a fan-in input finds none of its sources (an empty list)
    @dg.op(name="build_outputs", ins={f"shard_{i}": dg.In(dict) for i in range(shards)},
           description="Models, the warehouse and the exports from the lake (the one writer), "
                       "published to the store when complete.")
    def build(context: dg.OpExecutionContext, home: StoreHome, **extracted) -> dict:
        return build_outputs(context, home, list(extracted.values()))

    return build


def publish_warehouse(local: Path, url: str) -> None:
    """The DuckDB file under `url`, then its '<sha256> <size>' file: a reader that finds the
    checksum finds the file it describes (or a newer one, which it then refuses: it checks)."""
    from pipelines.warehouse_reader import checksum_file

    parent, name = url.rstrip("/").rsplit("/", 1)
    store = Store(parent)
    store.publish(local, name)
    store.publish(checksum_file(local), f"{name}.sha256")


def distributed_refresh_job(shards: int = DEFAULT_SHARDS) -> dg.JobDefinition:
    """The job with `shards` extraction steps (see the module); its executor is dask's."""
    plan_op, build_op = _plan_op(shards), _build_op(shards)
    shard_ops = [_shard_op(i) for i in range(shards)]

    @dg.job(name="distributed_refresh", executor_def=dask_executor,
            resource_defs={"home": StoreHome.configure_at_launch(),
                           "io_manager": StorePickleIOManager.configure_at_launch()},
            description="raw/ → lake → models, warehouse, exports on a dask cluster, the homes on "
                        "an object store (pipelines/distributed.py).")
    def distributed_refresh():
        plan = plan_op()
        build_op(**{f"shard_{i}": extract(plan) for i, extract in enumerate(shard_ops)})

    return distributed_refresh


@dataclass(frozen=True)
class StoreLocations:
    """The four locations of a distributed refresh, from RDW_RAW, RDW_LAKE, RDW_EXPORTS and
    RDW_WAREHOUSE (each s3://bucket/prefix or a path; the warehouse defaults to
    <lake>/../warehouse/research.duckdb beside the lake)."""

    raw: str
    lake: str
    exports: str
    warehouse: str

    @classmethod
    def from_env(cls, **given: str | None) -> "StoreLocations":
        def pick(name: str) -> str | None:
            return given.get(name) or os.environ.get(f"RDW_{name.upper()}")

        raw, lake, exports = pick("raw"), pick("lake"), pick("exports")
        if not (raw and lake and exports):
            raise ValueError("a distributed refresh needs RDW_RAW, RDW_LAKE and RDW_EXPORTS "
                             "(s3://bucket/prefix or shared paths)")
        warehouse = pick("warehouse") or f"{lake.rstrip('/').rsplit('/', 1)[0]}/warehouse/research.duckdb"
        return cls(raw, lake, exports, warehouse)


def run_distributed_refresh(scheduler: str, locations: StoreLocations,
                            instance: dg.DagsterInstance, shards: int = DEFAULT_SHARDS,
                            cache: str | None = None) -> dict:
    """Run `distributed_refresh` on the dask scheduler at `scheduler` (tcp://host:8786), recorded
    in `instance` (persistent: Postgres in a deployment). Returns the build step's summary; raises
    RefreshFailed with the failing step's error."""
    from pipelines.lake import RefreshFailed
    from pipelines.refresh import _failure_line

    home = {"raw": locations.raw, "lake": locations.lake, "exports": locations.exports,
            "warehouse": locations.warehouse, **({"cache": cache} if cache else {})}
    run_config = {
        "execution": {"config": {"cluster": {"existing": {"address": scheduler}}}},
        "resources": {"home": {"config": home}, "io_manager": {"config": {"lake": locations.lake}}},
    }
    job = dg.build_reconstructable_job("pipelines.distributed", "distributed_refresh_job",
                                       reconstructable_args=(shards,))
    with dg.execute_job(job, instance=instance, run_config=run_config,
                        raise_on_error=False) as result:
        if not result.success:
            failure = next((e for e in result.all_events if e.is_failure), None)
            raise RefreshFailed(_failure_line(failure) if failure else
                                f"run {result.run_id} did not succeed")
        return result.output_for_node("build_outputs")
