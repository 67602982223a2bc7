"""Refresh speed beside a bare pdfplumber pass, and what orchestration costs per document. Prints
figures; asserts nothing.

Sets: `seeds` (the five seeds rendered to PDF in broker house styles, seedpdf/render_seeds.py) and
`corpus` (every file under ../shared/corpus/real-world-pdfs). For each set:

  bare pass     one pdfplumber `extract_tables()` over every page of every PDF, in one process
  refresh       `rdw refresh` of a fresh RDW_HOME holding the set, in a child process, on every core
                and with `--workers 1` (the three runs taken in turn, `--repeat` times)
each with wall time, CPU utilisation (CPU seconds of the process tree ÷ wall seconds; 2.0 = two cores
busy) and peak RSS of the process tree (sampled every 50 ms from /proc, summed over processes).

Phases (`--set phases`, on the seeds): where the wall time of one `rdw refresh` of a fresh home goes —
process start to the refresh code imported, to 'extracting', the extraction, each step of the
models/warehouse/exports run (from the Dagster event log: STEP_START to STEP_SUCCESS), and the end.

Timeline (`--set timeline`, on the seeds): the cores each process of one refresh used (the refresh,
the reader server, each document worker, the drawing process, Dagster's log capture) per half
second, sampled from /proc: where a core idles.

Orchestration overhead per document: the bundled samples copied four times with a changed trailing
byte (36 documents); the extraction phase of an in-process `refresh()` (from its first 'extracting'
progress call to 'building models') with RDW_WORKERS=1, minus the same stage functions called
directly on the same documents, divided by the number of documents; and the same phase minus the
seconds the worker spent in the stages (its own clock, in the same run: less exposed to other load).

The refresh records into the home's persistent Dagster instance, as `rdw refresh` does.

Run: .venv/bin/python benchmarks/refresh_speed.py [--set seeds|phases|timeline|corpus|overhead ...] [--repeat N]
     [--seeds-dir DIR]   reuse rendered seed PDFs
     [--code DIR]        measure the rdw code of another checkout (e.g. `git archive` of main;
                         for --set phases, with this script copied into its benchmarks/)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "seedpdf"))

CORPUS = ROOT.parent / "shared" / "corpus" / "real-world-pdfs"
SAMPLES = ROOT / "raw" / "samples"
CODE = ROOT  # the checkout whose pipelines are measured (--code)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

BARE = str(ROOT / "benchmarks" / "bare_pdfplumber.py")  # run as a script: pdfplumber alone


def _tree(root: int) -> list[int]:
    """The pids of a process and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, IndexError):
            pass
    return total


def _cpu_ticks(pids: list[int]) -> dict[int, int]:
    """User + system clock ticks each process has used so far."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[pid] = int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks


def measured(command: list[str], env: dict | None = None, timeline: dict | None = None) -> dict:
    """Wall seconds, CPU utilisation and peak tree RSS (MB) of a child process. CPU is the sum
    over every process of the tree of its own CPU time as last sampled (every 50 ms): the document
    workers are forked by a server that outlives the refresh, so the kernel's accounting of waited-
    for children misses them; each process's last 50 ms at most are missed here. `timeline`, when
    given, gets {(pid, role): {second bucket (TIMELINE_STEP): clock ticks used in it}}."""
    start = time.perf_counter()
    # stderr to a file, not a pipe: a refresh of many documents writes more progress lines than a
    # pipe buffer holds, and an unread pipe would block the child
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=CODE, env={**os.environ, **(env or {})},
                                   stdout=subprocess.DEVNULL, stderr=errors)
        peak, ticks = 0, {}
        while process.poll() is None:
            pids = _tree(process.pid)
            peak = max(peak, _rss(pids))
            now = _cpu_ticks(pids)
            if timeline is not None:
                bucket = int((time.perf_counter() - start) / TIMELINE_STEP)
                for pid, used in now.items():
                    row = timeline.setdefault((pid, _role(pid, process.pid)), {})
                    row[bucket] = row.get(bucket, 0) + used - ticks.get(pid, 0)
            ticks |= now
            time.sleep(0.05)
        wall = time.perf_counter() - start
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"{command} exited {process.returncode}: "
                               f"{errors.read().decode(errors='replace')[-2000:]}")
    cpu = sum(ticks.values()) / os.sysconf("SC_CLK_TCK")
    return {"wall": wall, "cpu": cpu / wall, "rss": peak / 2**20}


TIMELINE_STEP = 0.5  # seconds a row of the timeline covers


def _role(pid: int, refresh: int) -> str:
    """What a process of a refresh's tree is, from its command line."""
    if pid == refresh:
        return "refresh"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        parent_command = Path(f"/proc/{parent}/cmdline").read_bytes()
    except (OSError, IndexError, ValueError):
        return "ended"
    if b"forkserver" in parent_command:  # forked by the server: its command line is the server's
        return "document worker"
    if "forkserver" in command:
        return "reader server"
    if "spawn_main" in command:
        return "drawing"
    if "resource_tracker" in command:
        return "resource tracker"
    return "dagster logs" if "compute_logs" in command or "watch_orphans" in command else "other"


def timeline(pdfs: list[Path]) -> None:
    """Cores each process of one fresh-home `rdw refresh` used, TIMELINE_STEP by TIMELINE_STEP:
    where a core idles (one process alone at ~1.0 while the sum stays under 2)."""
    seen: dict[tuple[int, str], dict[int, int]] = {}
    with tempfile.TemporaryDirectory(prefix="rdw-timeline-") as home:
        (Path(home) / "raw").mkdir()
        for f in pdfs:
            shutil.copy(f, Path(home) / "raw" / f.name)
        run = measured([sys.executable, "-m", "pipelines.cli", "--home", home, "refresh"], timeline=seen)
    rows = [(key, used) for key, used in sorted(seen.items()) if sum(used.values())]
    per_tick = 1 / os.sysconf("SC_CLK_TCK") / TIMELINE_STEP
    print(f"timeline of rdw refresh ({len(pdfs)} PDFs, {run['wall']:.1f} s): cores used per "
          f"{TIMELINE_STEP} s", flush=True)
    print("  from s  " + " ".join(f"{role[:15]:>15s}" for (_, role), _ in rows) + "    all")
    for bucket in range(max(b for _, used in rows for b in used) + 1):
        cores = [used.get(bucket, 0) * per_tick for _, used in rows]
        print(f"  {bucket * TIMELINE_STEP:6.1f}  " + " ".join(f"{c:15.2f}" for c in cores)
              + f"  {sum(cores):5.2f}", flush=True)


def _line(name: str, runs: list[dict]) -> dict:
    wall = statistics.median(r["wall"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    rss = max(r["rss"] for r in runs)
    print(f"  {name:28s} wall {wall:7.1f} s   CPU {cpu:4.2f} cores   peak RSS {rss:6.0f} MB   "
          f"(median of {len(runs)})", flush=True)
    return {"wall": wall, "cpu": cpu, "rss": rss}


def _refresh_fresh_home(files: list[Path], workers: int | None = None) -> dict:
    """`rdw refresh` of a fresh home holding `files` (with `--workers` when given), measured."""
    with tempfile.TemporaryDirectory(prefix="rdw-speed-") as home:
        raw = Path(home) / "raw"
        raw.mkdir()
        for f in files:
            target = raw / f.name
            n = 1
            while target.exists():
                target, n = raw / f"{f.stem}.{n}{f.suffix}", n + 1
            shutil.copy(f, target)
        command = [sys.executable, "-m", "pipelines.cli", "--home", home, "refresh"]
        return measured(command + (["--workers", str(workers)] if workers else []))


def compare(name: str, files: list[Path], repeat: int) -> None:
    """The bare pass, the refresh on every core and on one worker, taken in turn `repeat` times."""
    pdfs = [str(f) for f in files if f.suffix.lower() == ".pdf"]
    print(f"{name}: {len(files)} files, {len(pdfs)} PDFs", flush=True)
    bare, full, one = [], [], []
    for _ in range(repeat):
        bare.append(measured([sys.executable, BARE, *pdfs]))
        full.append(_refresh_fresh_home(files))
        one.append(_refresh_fresh_home(files, workers=1))
    bare, full, one = (_line("bare pdfplumber pass", bare), _line("rdw refresh (fresh home)", full),
                       _line("rdw refresh --workers 1", one))
    print(f"  refresh ÷ bare pass: {full['wall'] / bare['wall']:.2f}×", flush=True)
    print(f"  1 worker → one per core ({len(os.sched_getaffinity(0))}): {one['wall'] / full['wall']:.2f}×", flush=True)


def _phases_child(home: str) -> None:
    """Run in a child process: a refresh of `home` that prints when each phase began (epoch seconds)
    and how long each step of the build run took, as JSON."""
    marks = {"imports": time.time()}
    try:  # as `rdw refresh` does first (code without it: nothing to start)
        from pipelines.document_workers import start_reader_server
    except ImportError:
        pass
    else:
        start_reader_server()
    from pipelines.lake import RdwPaths
    from pipelines.refresh import persistent_instance, refresh

    marks["refresh"] = time.time()

    def progress(message, done=None, total=None):
        marks.setdefault(message.split()[0], time.time())

    paths = RdwPaths.from_env(home)
    refresh(paths, progress=progress)
    marks["end"] = time.time()
    steps: dict[str, float] = {}
    with persistent_instance(paths) as instance:
        run = instance.get_runs(limit=1)[0]
        started: dict[str, float] = {}
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or not event.step_key:
                continue
            if event.event_type_value == "STEP_START":
                started[event.step_key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                steps[event.step_key] = entry.timestamp - started[event.step_key]
    marks["logs read"] = time.time()
    print(json.dumps({"marks": marks, "steps": steps}))
    try:  # the end of a refresh as `rdw refresh` ends it (code without exit_now: the usual exit)
        from pipelines.cli import exit_now
    except ImportError:
        return
    exit_now(0)


def phases(pdfs: list[Path], repeat: int) -> None:
    """The median duration of each phase of `rdw refresh` on a fresh home holding `pdfs`."""
    rows: dict[str, list[float]] = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="rdw-phases-") as home:
            (Path(home) / "raw").mkdir()
            for f in pdfs:
                shutil.copy(f, Path(home) / "raw" / f.name)
            launched = time.time()
            # the child is CODE's copy of this script: spawned workers import what its folder holds
            script = CODE / "benchmarks" / "refresh_speed.py"
            child = subprocess.run([sys.executable, script, "--phases-child", home, "--code", str(CODE)],
                                   cwd=CODE, capture_output=True, text=True)
            finished = time.time()
            if child.returncode:
                raise RuntimeError(f"the refresh failed: {child.stderr[-3000:]}")
            out = child.stdout
        result = json.loads(out.splitlines()[-1])
        marks = result["marks"]
        spans = {"start → imports begin": marks["imports"] - launched,
                 "imports (refresh code)": marks["refresh"] - marks["imports"],
                 "lock, registry, instance": marks["extracting"] - marks["refresh"],
                 "extracting": marks["building"] - marks["extracting"],
                 "models, warehouse, exports": marks["end"] - marks["building"],
                 "exit": finished - marks["logs read"],
                 "total": finished - launched - (marks["logs read"] - marks["end"])}
        spans |= {f"  step {k}": v for k, v in sorted(result["steps"].items())}
        for name, seconds in spans.items():
            rows.setdefault(name, []).append(seconds)
    print(f"phases of rdw refresh ({len(pdfs)} PDFs, median of {repeat}):", flush=True)
    for name, values in rows.items():
        print(f"  {name:34s} {statistics.median(values):6.2f} s", flush=True)


def overhead() -> None:
    from pipelines.document_stages import run_fact_stage, run_table_stage
    from pipelines.lake import RdwPaths, register_documents
    from pipelines.refresh import refresh

    with tempfile.TemporaryDirectory(prefix="rdw-overhead-") as tmp:
        homes = [Path(tmp) / "direct", Path(tmp) / "refresh"]
        for home in homes:
            for copy in range(4):
                for f in sorted(p for p in SAMPLES.rglob("*") if p.is_file()):
                    target = home / "raw" / f"copy{copy}" / f.relative_to(SAMPLES)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(f.read_bytes() + b"\n" * (copy + 1))
        direct = RdwPaths.from_env(homes[0])
        ids = register_documents(direct)["doc_id"].to_list()
        start = time.perf_counter()
        for doc_id in ids:
            run_table_stage(direct, doc_id)
            run_fact_stage(direct, doc_id)
        stages = time.perf_counter() - start
        marks: dict[str, float] = {}

        def progress(message, done=None, total=None):
            key = "start" if message.startswith("extracting") else message.split()[0]
            marks.setdefault(key, time.perf_counter())

        os.environ["RDW_WORKERS"] = "1"
        summary = refresh(RdwPaths.from_env(homes[1]), progress=progress)
        orchestrated = marks["building"] - marks["start"]
        in_worker = sum(seconds for seconds, _ in summary.costs.values())
    print(f"overhead: {len(ids)} documents; stage functions called directly {stages:.1f} s, extraction "
          f"phase of refresh (1 worker) {orchestrated:.1f} s; "
          f"{(orchestrated - stages) / len(ids):.3f} s per document", flush=True)
    # the same run's own clock: less exposed to other load on the machine than two separate runs
    print(f"  the worker spent {in_worker:.1f} s in the stages: the phase beyond that is "
          f"{(orchestrated - in_worker) / len(ids):.3f} s per document", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--set", action="append", choices=["seeds", "phases", "timeline", "corpus",
                                                                  "overhead"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeds-dir", type=Path, default=None)
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--phases-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global CODE
    CODE = args.code.resolve()
    sys.path.insert(0, str(CODE))
    if args.phases_child:
        return _phases_child(args.phases_child)
    sets = args.set or ["seeds", "overhead", "corpus"]
    print(f"code {CODE}; {os.cpu_count()} cores; RDW_WORKERS={os.environ.get('RDW_WORKERS', 'unset')}", flush=True)
    if {"seeds", "phases", "timeline"} & set(sets):
        from render_seeds import render_all

        folder = args.seeds_dir or Path(tempfile.mkdtemp(prefix="seedpdf-"))
        pdfs = sorted(folder.glob("*.pdf")) or render_all(folder)
        if "seeds" in sets:
            compare("seeds as PDF", pdfs, args.repeat)
        if "phases" in sets:
            phases(pdfs, args.repeat)
        if "timeline" in sets:
            timeline(pdfs)
    if "overhead" in sets:
        overhead()
    if "corpus" in sets:
        compare("real-world corpus", sorted(p for p in CORPUS.rglob("*") if p.is_file()),
                max(1, args.repeat // 3))


if __name__ == "__main__":
    main()
