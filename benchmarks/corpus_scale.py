"""Refresh at scale: corpora of N documents (default 200 and 1,000), each measured with `rdw refresh` in a
child process. Prints figures; asserts nothing.

Corpus of N documents, built into a folder laid out as raw/:
  corpus/    every file under ../shared/corpus/real-world-pdfs (real PDFs, and the odd csv/zip)
  seeds/     the five seed reports as converted text (../shared/seeds/*.txt, read as report_text)
  seedpdf/   the five seeds rendered to broker-style PDFs (seedpdf/render_seeds.py)
  samples/   raw/samples (reports and filings: PDFs, markdown, companyfacts JSON)
  variants/vK/...  byte-variants of those files, up to N: a PDF with a comment appended after its end
             (`%rdw-variant K`), any other file with K trailing newlines. Each is a new document (a new
             sha256) that reads the same. Below the number of distinct files, a fixed sample is taken.

Per size, in one run:
  full refresh    fresh home, `--workers W` (default: every core): wall, PDF pages per second, peak RSS
                  of the process tree (workers included, sampled every 50 ms)
  bare pass       pdfplumber `extract_tables()` on every page of the same PDFs. `--bare distinct`
                  (default) times each distinct PDF once, in this process, and counts it once per copy
                  in the corpus; `--bare full` runs the bare pass over every PDF of the corpus in a
                  child process
  1 → 2 workers   a second fresh home refreshed with `--workers 1`, for sizes up to --one-worker-up-to
  no-op           a second `rdw refresh` of the built home
  one new doc     a new document (a byte-variant of --new) added to the built home and refreshed, vs a
                  fresh home holding that document alone

The machine may be shared: ratios of runs made side by side are the figures to read.

Run: .venv/bin/python benchmarks/corpus_scale.py [--sizes 200 1000] [--repeat 1] [--bare distinct|full]
     [--one-worker-up-to 200] [--workers 2] [--new FILE] [--seeds-dir DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "seedpdf"))

from bare_pdfplumber import bare_pass  # noqa: E402
from refresh_speed import BARE, CORPUS, SAMPLES, measured  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
NEW_DOCUMENT_MARK = b"\n%rdw-scale new document\n"


@dataclass(frozen=True)
class CorpusFile:
    """One file of a built corpus: where it sits under raw/ and the distinct file it was made from."""

    rel: Path
    source: Path


def base_files(seed_pdfs: Path) -> list[CorpusFile]:
    """The distinct files a corpus is built from, each with its place under raw/."""
    groups = [("corpus", CORPUS, "*"), ("seeds", SEEDS, "*.txt"), ("seedpdf", seed_pdfs, "*.pdf"),
              ("samples", SAMPLES, "*")]
    return [CorpusFile(Path(name) / f.relative_to(folder), f)
            for name, folder, pattern in groups
            for f in sorted(folder.rglob(pattern)) if f.is_file()]


def variant_bytes(data: bytes, is_pdf: bool, k: int) -> bytes:
    """The k-th byte-variant of a file: same content for a reader, a different sha256. A PDF gets a
    comment after its %%EOF (readers ignore bytes after it); other files get k trailing newlines."""
    return data + (f"\n%rdw-variant {k}\n".encode() if is_pdf else b"\n" * k)


def build_corpus(raw: Path, size: int, bases: list[CorpusFile]) -> list[CorpusFile]:
    """Write `size` files of distinct content under raw/: the distinct files in a fixed shuffled
    order, then byte-variants of them in the same order, round after round."""
    order = list(bases)
    random.Random(19).shuffle(order)
    built: list[CorpusFile] = []
    seen: set[str] = set()
    k = 0
    while len(built) < size:
        for base in order:
            if len(built) == size:
                break
            data = base.source.read_bytes()
            rel = base.rel
            if k:
                data = variant_bytes(data, base.source.suffix.lower() == ".pdf", k)
                rel = Path("variants") / f"v{k}" / base.rel
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:  # the same content under two names is one document
                continue
            seen.add(digest)
            target = raw / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            built.append(CorpusFile(rel, base.source))
        k += 1
    return built


def page_count(path: Path) -> int:
    """Pages of a PDF by pypdfium2; 0 for a file it cannot open (encrypted, empty, broken)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(path)
    except Exception:  # noqa: BLE001  (the refresh rejects such a file; it has no pages to count)
        return 0
    try:
        return len(document)
    finally:
        document.close()


def say(message: str) -> None:
    """A progress line with the time of day, so a long run can be followed."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def fresh_home(parent: Path, name: str, corpus: Path | None,
               extra: tuple[tuple[Path, bytes], ...] = ()) -> Path:
    """A new RDW_HOME whose raw/ holds the corpus (hard links, when given) plus `extra` files."""
    home = parent / name
    if corpus is not None:
        shutil.copytree(corpus, home / "raw", copy_function=os.link)
    for rel, data in extra:
        (home / "raw" / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / "raw" / rel).write_bytes(data)
    return home


def refreshed(home: Path, workers: int) -> dict:
    return measured([sys.executable, "-m", "pipelines.cli", "--home", str(home), "refresh",
                     "--workers", str(workers)])


def document_statuses(home: Path) -> str:
    """`loaded 190, failed 10` from the home's warehouse: proof every file became a document."""
    from pipelines.lake import RdwPaths
    from pipelines.warehouse_reader import read_only

    with read_only(RdwPaths.from_env(home).warehouse) as con:
        rows = con.execute("select status, count(*) from core.documents group by 1 order by 2 desc").fetchall()
    return ", ".join(f"{status} {n}" for status, n in rows)


class BareTimes:
    """Seconds of the bare pdfplumber pass per distinct PDF, measured once per file (median of
    `repeat`), in this process."""

    def __init__(self, repeat: int) -> None:
        self.repeat = repeat
        self.seconds: dict[Path, float] = {}

    def __call__(self, source: Path) -> float:
        if source not in self.seconds:
            self.seconds[source] = statistics.median(bare_pass(source) for _ in range(self.repeat))
        return self.seconds[source]


def measure_size(size: int, bases: list[CorpusFile], work: Path, args, bare: BareTimes,
                 new_document: Path, pages_of: dict[Path, int]) -> dict:
    corpus = work / f"corpus-{size}"
    say(f"N={size}: building the corpus in {corpus}")
    files = build_corpus(corpus, size, bases)
    pdfs = [f for f in files if f.source.suffix.lower() == ".pdf"]
    pages = sum(pages_of[f.source] for f in pdfs)
    copies = len(pdfs) - len({f.source for f in pdfs})
    say(f"N={size}: {len(files)} documents, {len(pdfs)} PDFs ({copies} of them byte-variants), "
        f"{pages} PDF pages")
    row: dict = {"documents": len(files), "pdfs": len(pdfs), "pages": pages}

    if args.bare == "full":
        say(f"N={size}: bare pdfplumber pass over all {len(pdfs)} PDFs (child process)")
        row["bare"] = statistics.median(
            measured([sys.executable, BARE, *(str(corpus / f.rel) for f in pdfs)])["wall"]
            for _ in range(args.repeat))
        row["bare_how"] = "full pass"
    else:
        distinct = sorted({f.source for f in pdfs})
        say(f"N={size}: bare pdfplumber pass over the {len(distinct)} distinct PDFs "
            f"({len([s for s in distinct if s not in bare.seconds])} not yet timed)")
        row["bare"] = sum(bare(f.source) for f in pdfs)
        row["bare_how"] = "distinct PDFs timed, × copies"
    say(f"N={size}:   bare pass {row['bare']:.1f} s ({row['bare_how']})")

    full, homes = [], []
    for n in range(args.repeat):
        say(f"N={size}: full refresh, fresh home, --workers {args.workers} (run {n + 1}/{args.repeat})")
        homes.append(fresh_home(work, f"home-{size}-w{args.workers}-{n}", corpus))
        full.append(refreshed(homes[-1], args.workers))
        say(f"N={size}:   {full[-1]['wall']:.1f} s, {full[-1]['cpu']:.2f} cores, "
            f"peak RSS {full[-1]['rss']:.0f} MB")
    row["full"] = statistics.median(r["wall"] for r in full)
    row["cpu"] = statistics.median(r["cpu"] for r in full)
    row["rss"] = max(r["rss"] for r in full)
    home = homes[0]
    row["statuses"] = document_statuses(home)
    say(f"N={size}: documents in the warehouse: {row['statuses']}")
    for extra in homes[1:]:
        shutil.rmtree(extra)

    if size <= args.one_worker_up_to:
        one = []
        for n in range(args.repeat):
            say(f"N={size}: full refresh, fresh home, --workers 1 (run {n + 1}/{args.repeat})")
            single = fresh_home(work, f"home-{size}-w1-{n}", corpus)
            one.append(refreshed(single, 1))
            say(f"N={size}:   {one[-1]['wall']:.1f} s, {one[-1]['cpu']:.2f} cores")
            shutil.rmtree(single)
        row["one_worker"] = statistics.median(r["wall"] for r in one)

    say(f"N={size}: no-op refresh of the built home")
    noop = [refreshed(home, args.workers) for _ in range(max(args.repeat, 3))]
    row["noop"] = statistics.median(r["wall"] for r in noop)
    say(f"N={size}:   no-op {row['noop']:.1f} s (median of {len(noop)})")
    row["rss"] = max(row["rss"], *(r["rss"] for r in noop))

    new_data = new_document.read_bytes() + NEW_DOCUMENT_MARK
    new_rel = Path("new") / new_document.name
    among, alone = [], []
    for n in range(args.repeat):
        say(f"N={size}: one new document ({new_document.name}) among {size}, then alone")
        (home / "raw" / new_rel).parent.mkdir(parents=True, exist_ok=True)
        (home / "raw" / new_rel).write_bytes(new_data + b"\n" * n)
        among.append(refreshed(home, args.workers))
        single = fresh_home(work, f"home-new-alone-{size}-{n}", None, ((new_rel, new_data + b"\n" * n),))
        alone.append(refreshed(single, args.workers))
        shutil.rmtree(single)
        say(f"N={size}:   among {among[-1]['wall']:.1f} s, alone {alone[-1]['wall']:.1f} s")
    row["new_among"] = statistics.median(r["wall"] for r in among)
    row["new_alone"] = statistics.median(r["wall"] for r in alone)
    row["rss"] = max(row["rss"], *(r["rss"] for r in among))
    if not args.keep:
        shutil.rmtree(home)
    return row


def table(rows: dict[int, dict], workers: int, new_document: Path, new_pages: int) -> str:
    """One table: a line per figure, a column per corpus size."""
    def ratio(a, b):
        return f"{a / b:.2f}×" if b else "—"

    lines = [
        ("documents in the warehouse", lambda r: r["statuses"]),
        ("PDFs / PDF pages", lambda r: f"{r['pdfs']} / {r['pages']}"),
        (f"full refresh, {workers} workers", lambda r: f"{r['full']:.1f} s"),
        ("  pages/s", lambda r: f"{r['pages'] / r['full']:.1f}"),
        ("  CPU (cores busy)", lambda r: f"{r['cpu']:.2f}"),
        ("bare pdfplumber pass", lambda r: f"{r['bare']:.1f} s"),
        ("  how", lambda r: r["bare_how"]),
        ("refresh ÷ bare (target ≤ 0.5×)", lambda r: ratio(r["full"], r["bare"])),
        ("full refresh, 1 worker", lambda r: f"{r['one_worker']:.1f} s" if "one_worker" in r else "not run"),
        (f"  speed-up 1 → {workers} (target ≥ 1.7×)",
         lambda r: ratio(r["one_worker"], r["full"]) if "one_worker" in r else "—"),
        ("no-op refresh (target ≤ 3 s)", lambda r: f"{r['noop']:.1f} s"),
        ("one new document among N", lambda r: f"{r['new_among']:.1f} s"),
        ("  that document alone", lambda r: f"{r['new_alone']:.1f} s"),
        ("  among ÷ alone (target ≤ 2×)", lambda r: ratio(r["new_among"], r["new_alone"])),
        ("peak RSS, process tree (≤ 1536 MB)", lambda r: f"{r['rss']:.0f} MB"),
    ]
    sizes = sorted(rows)
    width = max(12, *(len(rows[s][key]) for s in sizes for key in ("statuses", "bare_how")))
    out = [f"{'N documents':38s}" + "".join(f"{s:>{width + 2}}" for s in sizes)]
    out += [f"{name:38s}" + "".join(f"{show(rows[s]):>{width + 2}}" for s in sizes)
            for name, show in lines]
    out.append(f"new document: {new_document.name} ({new_pages} pages) with a comment appended")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (median; RSS: max)")
    parser.add_argument("--bare", choices=["distinct", "full"], default="distinct")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--one-worker-up-to", type=int, default=200,
                        help="run the 1-worker refresh only for sizes up to this (default 200)")
    parser.add_argument("--new", type=Path, default=None,
                        help="the new document (default: the fifth seed rendered to PDF)")
    parser.add_argument("--seeds-dir", type=Path, default=None, help="reuse rendered seed PDFs")
    parser.add_argument("--keep", type=Path, default=None, help="build into DIR and keep it")
    args = parser.parse_args()
    started = time.perf_counter()
    work = args.keep or Path(tempfile.mkdtemp(prefix="rdw-corpus-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    say(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; working in {work}")
    seed_pdfs = args.seeds_dir or work / "seedpdf"
    if not sorted(seed_pdfs.glob("*.pdf")):
        from render_seeds import render_all

        say(f"rendering the seeds to PDF in {seed_pdfs}")
        render_all(seed_pdfs)
    bases = base_files(seed_pdfs)
    pages_of = {f.source: page_count(f.source) if f.source.suffix.lower() == ".pdf" else 0 for f in bases}
    say(f"{len(bases)} distinct files, {sum(pages_of.values())} PDF pages")
    new_document = args.new or sorted(seed_pdfs.glob("*.pdf"))[-1]
    new_pages = page_count(new_document)
    bare = BareTimes(args.repeat)
    rows = {}
    try:
        for size in args.sizes:
            try:
                rows[size] = measure_size(size, bases, work, args, bare, new_document, pages_of)
                if len(args.sizes) > 1:  # so far, in case a long run is stopped
                    print(table(rows, args.workers, new_document, new_pages), flush=True)
            except RuntimeError as error:  # a refresh that failed: say so, measure the other sizes
                say(f"N={size}: not measured: {str(error)[-600:]}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    minutes, seconds = divmod(int(time.perf_counter() - started), 60)
    print(f"\nrefresh at scale ({minutes} min {seconds:02d} s in all; load average "
          f"{os.getloadavg()[0]:.1f} at the end)")
    if rows:
        print(table(rows, args.workers, new_document, new_pages))


if __name__ == "__main__":
    main()
