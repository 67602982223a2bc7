"""The refresh on a dask cluster with raw/, the lake, the exports and the warehouse on S3, every
server real and on loopback (benchmarks/loopback_cluster.py): moto's S3 server, PostgreSQL for the
Dagster instance, a dask scheduler and two dask workers, each a process stopped by its pid.

The warehouse a distributed refresh publishes must equal the one a local `rdw refresh` of the same
inputs builds (the session's `samples_build`), table for table, also when a worker is killed while
it reads a document."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLES

pytestmark = pytest.mark.distributed

# columns that say when, not what: the registration time of each document and the build's own row
WHEN_COLUMNS = {("core", "documents"): {"first_seen"}}
BUILD_TABLES = {("core", "build_info")}


def _servers_available() -> str | None:
    from loopback_cluster import postgres_bin

    if postgres_bin() is None:
        return "Debian's postgresql is not installed"
    try:
        import dagster_dask  # noqa: F401
        import moto  # noqa: F401
        import s3fs  # noqa: F401
    except ImportError as missing:
        return f"the distributed extra is not installed ({missing.name})"
    return None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Every server, started for this module's tests and stopped after them (by pid); each
    refresh is launched by `rdw distributed-refresh`."""
    reason = _servers_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: `make test` installs it")
        pytest.skip(reason)
    from loopback_cluster import LoopbackCluster

    with LoopbackCluster(tmp_path_factory.mktemp("cluster")) as servers:
        yield servers.start(workers=2)


@pytest.fixture
def store_env(cluster, monkeypatch):
    """This process reads the store as a user of `rdw sql` would: the AWS variables, a cache."""
    for name, value in cluster.env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("RDW_CACHE", str(cluster.root / "test-cache"))


def distributed_refresh(cluster, prefix: str) -> tuple[str, dict]:
    """Upload raw/samples under s3://rdw/<prefix>/raw and run `rdw distributed-refresh` there, as
    an operator would (its own process, the stores and DAGSTER_HOME from the environment):
    (the warehouse's URL, the figures it printed)."""
    from loopback_cluster import upload_folder

    upload_folder(SAMPLES, f"s3://rdw/{prefix}/raw/samples", cluster.env())
    env = {**cluster.env(), "DAGSTER_HOME": str(cluster.dagster_home()),
           "RDW_CACHE": str(cluster.root / "launcher-cache"), "RDW_RAW": f"s3://rdw/{prefix}/raw",
           "RDW_LAKE": f"s3://rdw/{prefix}/lake", "RDW_EXPORTS": f"s3://rdw/{prefix}/exports"}
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", "distributed-refresh",
                             "--scheduler", cluster.scheduler, "--shards", "2"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    done = re.search(r"extracted (\d+) document\(s\), (\d+) failed, (\d+) already done", result.stdout)
    summary = {"extracted": int(done[1]), "failed": int(done[2]), "skipped": int(done[3]),
               "run_id": re.search(r"dagster run: (\S+)", result.stdout)[1],
               "blocked": "blocked by" in result.stdout}
    return re.search(r"warehouse: (\S+)", result.stdout)[1], summary


def tables(path: Path) -> dict[tuple[str, str], list[tuple]]:
    """Every core.* and marts.* table and view: its rows, sorted, as Python values."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.sql("SELECT schema_name, table_name FROM duckdb_tables() "
                        "WHERE schema_name IN ('core', 'marts') UNION "
                        "SELECT schema_name, view_name FROM duckdb_views() "
                        "WHERE schema_name IN ('core', 'marts') ORDER BY 1, 2").fetchall()
        out = {}
        for schema, name in names:
            if (schema, name) in BUILD_TABLES:
                continue
            columns = [c for c, in con.sql(f"SELECT column_name FROM duckdb_columns() WHERE "
                                           f"schema_name = '{schema}' AND table_name = '{name}' "
                                           "ORDER BY column_index").fetchall()
                       if c not in WHEN_COLUMNS.get((schema, name), set())]
            listing = ", ".join(f'"{c}"' for c in columns)
            rows = con.sql(f'SELECT {listing} FROM {schema}."{name}"').fetchall()
            out[(schema, name)] = sorted(rows, key=repr)
        return out


def assert_same_warehouse(published: Path, local: Path) -> None:
    expected, got = tables(local), tables(published)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert len(got[name]) == len(expected[name]), name
        assert got[name] == expected[name], name


@pytest.fixture(scope="module")
def clean_run(cluster):
    return distributed_refresh(cluster, "clean")


def test_distributed_refresh_equals_local_refresh(cluster, store_env, clean_run, samples_build,
                                                  capsys):
    from pipelines.cli import main
    from pipelines.object_store import fetch_published_warehouse

    warehouse, summary = clean_run
    local, _ = samples_build
    assert summary["extracted"] == 9 and summary["failed"] == 0 and not summary["blocked"]
    published = fetch_published_warehouse(warehouse)
    assert_same_warehouse(published, local.warehouse)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM core.documents").fetchall()[0][0] == 9
        assert con.sql("SELECT count(*) FROM core.facts").fetchall()[0][0] > 400
    # `rdw sql` reads the published warehouse from its store
    assert main(["--warehouse", warehouse, "sql", "--format", "csv",
                 "SELECT count(*) AS n FROM core.documents WHERE status = 'loaded'"]) == 0
    loaded = duckdb.connect(str(local.warehouse), read_only=True).sql(
        "SELECT count(*) FROM core.documents WHERE status = 'loaded'").fetchall()[0][0]
    assert capsys.readouterr().out.split() == ["n", str(loaded)]


def test_a_worker_killed_mid_document_does_not_fail_the_refresh(cluster, store_env, clean_run):
    """SIGKILL to the worker that is reading a document: dask runs its lost task again on the
    other worker, which skips the documents already published; the result equals the clean run."""
    import threading

    import dagster as dg

    from pipelines.object_store import fetch_published_warehouse

    killed: list[str] = []

    def kill_first_reader() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            for n in (0, 1):
                staging = cluster.root / f"worker{n}-cache" / "staging"
                # a shard fetches its documents into its staging raw/, and removes each once its
                # stage files are published: one published and one still there = reading that one
                if (staging.exists() and any(staging.glob("*/lake/fact_rejects/*.parquet"))
                        and any(p.is_file() for p in staging.glob("*/raw/**/*"))):
                    cluster.kill(f"worker{n}", signal.SIGKILL)
                    killed.append(f"worker{n}")
                    break
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_first_reader)
    watcher.start()
    try:
        warehouse, summary = distributed_refresh(cluster, "killed")
    finally:
        watcher.join()
    assert killed, "no worker was seen reading a document"
    assert cluster.processes[killed[0]].returncode == -signal.SIGKILL
    assert summary["failed"] == 0 and not summary["blocked"]
    assert summary["extracted"] + summary["skipped"] <= 9 and summary["extracted"] > 0
    # the lost step ran again (dask rescheduled it; dagster-dask runs with retries disabled)
    with dg.DagsterInstance.from_config(str(cluster.dagster_home())) as instance:
        starts = [e.step_key for e in instance.all_logs(
            summary["run_id"], of_type=dg.DagsterEventType.STEP_START)]
        retries = instance.all_logs(summary["run_id"], of_type=dg.DagsterEventType.STEP_UP_FOR_RETRY)
    assert retries == []  # not Dagster's RetryPolicy: the step never failed, its worker vanished
    rerun = {k for k in starts if starts.count(k) > 1}
    shards = {k for k in rerun if k.startswith("extract_shard_")}
    # the lost shard ran again; so did the plan when its output was held only by the killed worker
    assert len(shards) == 1 and rerun - shards <= {"plan_documents"}, starts
    assert_same_warehouse(fetch_published_warehouse(warehouse),
                          fetch_published_warehouse(clean_run[0]))


def test_documents_are_dealt_by_bytes_largest_first():
    from pipelines.distributed import deal

    sizes = {"a": 90, "b": 50, "c": 40, "d": 10, "e": 5}
    assert deal(list(sizes), sizes, 2) == [["a", "d"], ["b", "c", "e"]]
    assert deal([], sizes, 3) == [[], [], []]


def test_a_failed_document_loses_its_done_mark_on_the_store(tmp_path):
    """A document whose fact stage failed has no fact_rejects file: the one a previous run
    published is removed, so the next refresh reads the document again."""
    import polars as pl

    from pipelines.distributed import publish_document
    from pipelines.document_stages import documents_to_extract
    from pipelines.lake import RdwPaths, write_parquet_atomic
    from pipelines.object_store import Store

    staging = RdwPaths(tmp_path, tmp_path / "raw", tmp_path / "lake", tmp_path / "w", tmp_path / "e")
    store_root = tmp_path / "store"
    (store_root / "fact_rejects").mkdir(parents=True)
    (store_root / "fact_rejects" / "d1.parquet").write_bytes(b"from an earlier run")
    info = pl.DataFrame({"doc_id": ["d1"], "status": ["failed"], "extractor_version": ["x"]})
    write_parquet_atomic(info, staging.stage_file("documents", "d1"))
    publish_document(staging, Store(str(store_root)), "d1")
    assert (store_root / "documents" / "d1.parquet").exists()
    assert not (store_root / "fact_rejects" / "d1.parquet").exists()
    mirror = RdwPaths(store_root, tmp_path / "r", store_root, tmp_path / "w", tmp_path / "e")
    assert documents_to_extract(mirror, ["d1"]) == ["d1"]


def test_the_distributed_code_location_loads_with_the_job_on_dask():
    """workspace-distributed.yaml's module: one Definitions at module scope (what the webserver
    and daemon load), holding the refresh's assets and the job with one step per shard."""
    import dagster as dg

    import pipelines.distributed_definitions as location
    from pipelines.distributed import DEFAULT_SHARDS

    assert [n for n, v in vars(location).items() if isinstance(v, dg.Definitions)] == ["defs"]
    dg.Definitions.validate_loadable(location.defs)
    job = location.defs.resolve_job_def("distributed_refresh")
    assert job.executor_def.name == "dask"
    assert sorted(n.name for n in job.nodes) == sorted(
        ["plan_documents", "build_outputs", *(f"extract_shard_{i}" for i in range(DEFAULT_SHARDS))])
    assert location.defs.resolve_assets_def(dg.AssetKey(["warehouse", "research_duckdb"]))
