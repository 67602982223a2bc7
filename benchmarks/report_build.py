"""How long `rdw report` takes: a first build (every chart and page image drawn) and a rebuild (the
same warehouse: charts and images come from the cache). Prints figures; asserts nothing.

Homes:
  samples  the bundled raw/samples (9 documents)
  large    the real PDF corpus (../shared/corpus/real-world-pdfs), the five seed reports and the
           samples copied --copies times with a changed trailing byte (new documents with the same
           tables), so the warehouse holds over 200 documents

Each home is refreshed once (not timed here; benchmarks/refresh_speed.py measures that) into
--work (kept, so a second run skips the refresh), then the report is built into a fresh folder and
built again.

Run: .venv/bin/python benchmarks/report_build.py [--home samples|large ...] [--copies N] [--work DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "raw" / "samples"


def fill_large(raw: Path, copies: int) -> None:
    shutil.copytree(SHARED / "corpus" / "real-world-pdfs", raw / "corpus")
    shutil.copytree(SHARED / "seeds", raw / "seeds")
    shutil.copytree(SAMPLES, raw / "samples")
    for n in range(copies):
        for file in SAMPLES.rglob("*"):
            if file.is_file():
                target = raw / f"copy{n:02d}" / file.relative_to(SAMPLES)
                target.parent.mkdir(parents=True, exist_ok=True)
                data = file.read_bytes()
                # a PDF tolerates bytes after %%EOF; JSON and markdown a trailing newline
                target.write_bytes(data + (b"\n%" + str(n).encode() + b"\n" if file.suffix == ".pdf"
                                           else b"\n" * (n + 1)))


def refreshed_home(work: Path, name: str, copies: int):
    from pipelines.lake import RdwPaths
    from pipelines.refresh import refresh

    home = work / name
    paths = RdwPaths.from_env(home)
    if not paths.warehouse.exists():
        shutil.rmtree(home, ignore_errors=True)
        (home / "raw").mkdir(parents=True)
        if name == "samples":
            shutil.copytree(SAMPLES, home / "raw" / "samples")
        else:
            fill_large(home / "raw", copies)
        started = time.perf_counter()
        refresh(paths)
        print(f"  [{name}] refreshed in {time.perf_counter() - started:.0f}s (not part of the figures)")
    return paths


def site_size(folder: Path) -> tuple[int, float]:
    files = [f for f in folder.rglob("*") if f.is_file()]
    return len(files), sum(f.stat().st_size for f in files) / 1e6


def measure(paths, name: str) -> None:
    from pipelines.report import charts
    from pipelines.report.build import build_report
    from pipelines.warehouse_reader import read_only, scalar

    with read_only(paths.warehouse) as con:
        documents = scalar(con, "select count(*) from core.documents")
        facts = scalar(con, "select count(*) from core.facts")
    out = paths.exports / "report_benchmark"
    shutil.rmtree(out, ignore_errors=True)
    charts.RENDERED.clear()  # a first build: no chart from an earlier build in this process
    first = build_report(paths, out)
    again = build_report(paths, out)
    files, megabytes = site_size(out)
    print(f"{name:<8} documents {documents:>4}  facts {facts:>6}  pages {first.pages:>5} "
          f"(fact pages {first.fact_pages}, figure pages {first.figure_pages})  charts {first.charts:>3}  "
          f"page images {first.images:>4}  site {files} files {megabytes:.1f} MB")
    print(f"{'':<8} first build {first.seconds:.2f}s   rebuild {again.seconds:.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", action="append", choices=["samples", "large"])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rdw-report-benchmark"))
    args = parser.parse_args()
    for name in args.home or ["samples", "large"]:
        measure(refreshed_home(args.work, name, args.copies), name)


if __name__ == "__main__":
    main()
