"""The distributed refresh (pipelines/distributed.py) with 1, 2 and 4 dask workers on loopback, against
the local `rdw refresh` of the same corpus. Prints figures; asserts nothing.

Corpus: the five seed reports rendered to PDF (seedpdf/render_seeds.py), each in byte-variants
(`%rdw-variant K` appended after the PDF's end: a new sha256, the same reading) up to --documents.

Servers (loopback_cluster.py): moto's S3 server, PostgreSQL (the Dagster instance), a dask scheduler;
for each worker count a fresh set of dask workers (one thread, no nanny) and a fresh store prefix,
so every run extracts every document and builds once.

Per run:
  wall            launching the run to its end (plan, shards, build, publish)
  extraction      first step start to last shard end (from the run's events in Postgres)
  build           the build_outputs step (models, warehouse, exports, publish)
  reading         seconds the shards spent in the stages themselves (summed over documents)
Local: `rdw refresh --workers W` in a child process, W = 1 and 2, the same corpus in a fresh home.

Per-document overhead of the engine = (shard step seconds summed − reading seconds) / documents: what a
document costs beyond its stages (its Dagster step's share, fetching raw bytes, publishing 14 stage
files to the store, the reading process of each shard).

Run: .venv/bin/python benchmarks/distributed_scale.py [--documents 40] [--workers 1 2 4] [--shards 8]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "seedpdf"))

from loopback_cluster import LoopbackCluster, upload_folder  # noqa: E402


def build_corpus(folder: Path, documents: int) -> list[Path]:
    """`documents` PDFs under folder/raw: the rendered seeds and byte-variants of them."""
    from render_seeds import render_all

    rendered = render_all(folder / "rendered")
    raw = folder / "raw"
    out = []
    for n in range(documents):
        source = rendered[n % len(rendered)]
        target = raw / f"v{n // len(rendered)}" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = source.read_bytes()
        if n >= len(rendered):
            data += f"\n%rdw-variant {n // len(rendered)}\n".encode()
        target.write_bytes(data)
        out.append(target)
    return out


def local_refresh(raw: Path, workers: int, scratch: Path) -> float:
    home = scratch / f"local-{workers}"
    shutil.copytree(raw, home / "raw")
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("rdw")), "--home", str(home), "refresh",
                    "--workers", str(workers)], check=True, stdout=subprocess.DEVNULL,
                   env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"})
    return time.perf_counter() - started


def step_seconds(instance, run_id: str) -> dict[str, tuple[float, float]]:
    """step key → (first start, last end) timestamps of the run's steps."""
    import dagster as dg

    spans: dict[str, list[float]] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event and event.step_key and event.event_type in (
                dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS):
            spans.setdefault(event.step_key, []).append(record.timestamp)
    return {k: (min(v), max(v)) for k, v in spans.items()}


def distributed_run(cluster: LoopbackCluster, raw: Path, workers: int, shards: int) -> dict:
    import dagster as dg

    from pipelines.distributed import StoreLocations, run_distributed_refresh

    names = [f"worker{n}" for n in range(workers)]
    for n in range(workers):
        cluster.start_worker(n)
    cluster.wait_for_workers(workers)
    prefix = f"s3://rdw/bench-{workers}"
    upload_folder(raw, f"{prefix}/raw", cluster.env())
    locations = StoreLocations(f"{prefix}/raw", f"{prefix}/lake", f"{prefix}/exports",
                               f"{prefix}/warehouse/research.duckdb")
    with dg.DagsterInstance.from_config(str(cluster.dagster_home())) as instance:
        started = time.perf_counter()
        summary = run_distributed_refresh(cluster.scheduler, locations, instance, shards=shards)
        wall = time.perf_counter() - started
        spans = step_seconds(instance, summary["run_id"])
    for name in names:
        cluster.kill(name)
        del cluster.processes[name]
    shard_spans = [v for k, v in spans.items() if k.startswith("extract_shard_")]
    return {"wall": wall,
            "extraction": max(e for _, e in shard_spans) - spans["plan_documents"][0],
            "build": spans["build_outputs"][1] - spans["build_outputs"][0],
            "shard_seconds": sum(e - s for s, e in shard_spans),
            "reading": summary["reading_seconds"], "extracted": summary["extracted"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--shards", type=int, default=8)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="rdw-distributed-scale-"))
    try:
        files = build_corpus(scratch / "corpus", args.documents)
        raw = scratch / "corpus" / "raw"
        print(f"corpus: {len(files)} PDFs ({sum(f.stat().st_size for f in files) / 2**20:.1f} MiB), "
              f"{os.cpu_count()} cores", flush=True)
        local = {w: local_refresh(raw, w, scratch) for w in (1, 2)}
        for w, wall in local.items():
            print(f"  local rdw refresh --workers {w}: wall {wall:6.1f} s", flush=True)
        with LoopbackCluster(scratch / "cluster") as cluster:
            cluster.root.mkdir(parents=True)
            cluster.start_s3()
            cluster.start_postgres()
            cluster.start_scheduler()
            os.environ.update({k: v for k, v in cluster.env().items() if k.startswith("AWS_")})
            os.environ["RDW_CACHE"] = str(scratch / "launcher-cache")
            runs = {}
            for workers in args.workers:
                run = runs[workers] = distributed_run(cluster, raw, workers, args.shards)
                overhead = (run["shard_seconds"] - run["reading"]) / max(run["extracted"], 1)
                print(f"  dask, {workers} worker(s), {args.shards} shards: wall {run['wall']:6.1f} s  "
                      f"extraction {run['extraction']:6.1f} s  build {run['build']:5.1f} s  "
                      f"reading {run['reading']:6.1f} s  engine overhead {overhead:4.2f} s/document  "
                      f"({run['extracted']} extracted)", flush=True)
        base = runs.get(1)
        if base:
            for workers, run in runs.items():
                print(f"  speed-up of the extraction at {workers} worker(s): "
                      f"{base['extraction'] / run['extraction']:4.2f}x   of the whole run: "
                      f"{base['wall'] / run['wall']:4.2f}x")
            print(f"  whole-run overhead vs local at one worker: "
                  f"{(base['wall'] - local[1]) / args.documents:4.2f} s/document "
                  f"(dask 1 worker {base['wall']:.1f} s vs rdw refresh --workers 1 {local[1]:.1f} s)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
