"""Jobs, the 06:00 Asia/Shanghai schedule, and the sensor that turns new files into partitions."""


import json

import dagster as dg
import polars as pl

from pipelines.assets import DOCUMENT_ASSETS, REFRESH_ASSETS, source_documents
from pipelines.document_stages import documents_to_extract
from pipelines.lake import register_documents
from pipelines.resources import RdwHome

PARTITION_BATCH = 200  # add dynamic partitions in batches (large single requests hit SQLite limits)

extract_documents_job = dg.define_asset_job(
    "extract_documents", selection=dg.AssetSelection.assets(*DOCUMENT_ASSETS),
    partitions_def=source_documents,
    description="Tables, cells and facts of one document (one run per partition).")

daily_refresh_job = dg.define_asset_job(
    "daily_refresh", selection=dg.AssetSelection.assets(*REFRESH_ASSETS),
    description="Models, the DuckDB warehouse build and exports over everything in the lake.")

daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh_schedule", job=daily_refresh_job, cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai", default_status=dg.DefaultScheduleStatus.RUNNING)


automation_sensor = dg.AutomationConditionSensorDefinition(
    "default_automation_condition_sensor", target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Evaluates the assets' eager conditions: new facts rebuild the models, warehouse "
                "and exports without waiting for the 06:00 schedule.")


def run_tags(path: str, doc_id: str) -> dict[str, str]:
    """Tags that say which file a partition's run read (partition keys are content hashes)."""
    return {"rdw/path": path, "rdw/doc_id": doc_id}


def batched(keys: list[str], size: int = PARTITION_BATCH) -> list[list[str]]:
    return [keys[i:i + size] for i in range(0, len(keys), size)]


@dg.sensor(job=extract_documents_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING)
def raw_documents_sensor(context: dg.SensorEvaluationContext, rdw: RdwHome) -> dg.SensorResult:
    """Scan raw/, register documents by content hash, add a partition and request a run for each
    document not seen before. The cursor keeps every seen id, not just the newest file."""
    paths = rdw.paths()
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    registry = register_documents(paths)
    present = registry.filter(pl.col("present"))["doc_id"].to_list()
    new = [key for key in present if key not in seen]
    known = set(context.instance.get_dynamic_partitions(source_documents.name))
    to_add = [key for key in new if key not in known]
    path_of = dict(zip(registry["doc_id"], registry["path"]))
    runs = [dg.RunRequest(partition_key=key, run_key=key, tags=run_tags(path_of[key], key))
            for key in documents_to_extract(paths, new)]
    return dg.SensorResult(
        run_requests=runs,
        dynamic_partitions_requests=[source_documents.build_add_request(b) for b in batched(to_add)],
        cursor=json.dumps(sorted(seen | set(new))),
    )
