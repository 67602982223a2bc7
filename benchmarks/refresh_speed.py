"""Refresh speed beside a bare pdfplumber pass, and what orchestration costs per document. Prints
figures; asserts nothing.

Sets: `seeds` (the five seeds rendered to PDF in broker house styles, seedpdf/render_seeds.py) and
`corpus` (every file under ../shared/corpus/real-world-pdfs). For each set:

  bare pass     one pdfplumber `extract_tables()` over every page of every PDF, in one process
  refresh       `rdw refresh` of a fresh RDW_HOME holding the set, in a child process
each with wall time, CPU utilisation (CPU seconds of the process tree ÷ wall seconds; 2.0 = two cores
busy) and peak RSS of the process tree (sampled every 50 ms from /proc, summed over processes).

Orchestration overhead per document: the bundled samples copied four times with a changed trailing
byte (36 documents); the extraction phase of an in-process `refresh()` (from its first 'extracting'
progress call to 'building models') with RDW_WORKERS=1, minus the same stage functions called
directly on the same documents, divided by the number of documents.

The refresh records into the home's persistent Dagster instance, as `rdw refresh` does.

Run: .venv/bin/python benchmarks/refresh_speed.py [--set seeds|corpus|overhead ...] [--repeat N]
     [--seeds-dir DIR]   reuse rendered seed PDFs
     [--code DIR]        measure the rdw code of another checkout (e.g. `git archive` of main)
"""

from __future__ import annotations

import argparse
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


def measured(command: list[str], env: dict | None = None) -> dict:
    """Wall seconds, CPU utilisation and peak tree RSS (MB) of a child process."""
    before = os.times()
    start = time.perf_counter()
    # stderr to a file, not a pipe: a refresh of many documents writes more progress lines than a
    # pipe buffer holds, and an unread pipe would block the child
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=CODE, env={**os.environ, **(env or {})},
                                   stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _rss(_tree(process.pid)))
            time.sleep(0.05)
        wall = time.perf_counter() - start
        after = os.times()
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"{command} exited {process.returncode}: "
                               f"{errors.read().decode(errors='replace')[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu / wall, "rss": peak / 2**20}


def _line(name: str, runs: list[dict]) -> dict:
    wall = statistics.median(r["wall"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    rss = max(r["rss"] for r in runs)
    print(f"  {name:28s} wall {wall:7.1f} s   CPU {cpu:4.2f} cores   peak RSS {rss:6.0f} MB   "
          f"(median of {len(runs)})", flush=True)
    return {"wall": wall, "cpu": cpu, "rss": rss}


def compare(name: str, files: list[Path], repeat: int) -> None:
    pdfs = [str(f) for f in files if f.suffix.lower() == ".pdf"]
    print(f"{name}: {len(files)} files, {len(pdfs)} PDFs", flush=True)
    bare = _line("bare pdfplumber pass", [measured([sys.executable, BARE, *pdfs])
                                          for _ in range(repeat)])
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="rdw-speed-") as home:
            raw = Path(home) / "raw"
            raw.mkdir()
            for f in files:
                target = raw / f.name
                n = 1
                while target.exists():
                    target, n = raw / f"{f.stem}.{n}{f.suffix}", n + 1
                shutil.copy(f, target)
            runs.append(measured([sys.executable, "-m", "pipelines.cli", "--home", home, "refresh"]))
    full = _line("rdw refresh (fresh home)", runs)
    print(f"  refresh ÷ bare pass: {full['wall'] / bare['wall']:.2f}×", flush=True)


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
        refresh(RdwPaths.from_env(homes[1]), progress=progress)
        orchestrated = marks["building"] - marks["start"]
    print(f"overhead: {len(ids)} documents; stage functions called directly {stages:.1f} s, extraction "
          f"phase of refresh (1 worker) {orchestrated:.1f} s; "
          f"{(orchestrated - stages) / len(ids):.3f} s per document", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--set", action="append", choices=["seeds", "corpus", "overhead"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeds-dir", type=Path, default=None)
    parser.add_argument("--code", type=Path, default=ROOT)
    args = parser.parse_args()
    global CODE
    CODE = args.code.resolve()
    sys.path.insert(0, str(CODE))
    sets = args.set or ["seeds", "overhead", "corpus"]
    print(f"code {CODE}; {os.cpu_count()} cores; RDW_WORKERS={os.environ.get('RDW_WORKERS', 'unset')}", flush=True)
    if "seeds" in sets:
        from render_seeds import render_all

        folder = args.seeds_dir or Path(tempfile.mkdtemp(prefix="seedpdf-"))
        pdfs = sorted(folder.glob("*.pdf")) or render_all(folder)
        compare("seeds as PDF", pdfs, args.repeat)
    if "overhead" in sets:
        overhead()
    if "corpus" in sets:
        compare("real-world corpus", sorted(p for p in CORPUS.rglob("*") if p.is_file()),
                max(1, args.repeat // 3))


if __name__ == "__main__":
    main()
