"""PDF extraction accuracy on the five seed reports rendered in broker house styles. Prints figures;
asserts nothing.

The seeds (../shared/seeds) are rendered by seedpdf/render_seeds.py into PDFs whose truth comes from
the seed text. Each PDF goes through extract_pdf; tables are matched to the truth by label ('图表 49'
= '图表49'), and scored per house style, for tables split across pages, per document and overall:
tables found, caption accuracy, and cell precision / recall / F1 over (row label, column label,
value) triples, with the truth's header rows on both sides. Cell texts compare with whitespace
ignored ('F1'; a wrapped line joins with or without a space depending on where it broke) and with
spacing kept ('F1 exact', runs of spaces collapsed, spaces between CJK characters dropped). Header
labels drawn across several columns count for each of them on both sides. Also: tables emitted that
the truth does not list, the worst tables, and the analysts' registration numbers read back from the
first-page sidebar by document_metadata.

Run: .venv/bin/python benchmarks/seed_pdf_accuracy.py [--out DIR] [--keep] [--json OUT]
  --out DIR   render into DIR, or reuse the PDFs and truth files already there (--render to redo)
  --keep      keep the temp folder when no --out is given (its path is printed)
  --json OUT  per-table results as JSON
  --show 002:图表49   print that table's truth and extracted grids (repeatable)
  --shift N   render each document's layout N places on (1-4): every table in another house style,
              another header colour, header repeat and prose setting — the same truth
  --browser   print the seeds through Chromium instead (seedpdf/render_browser.py: another layout
              engine — subset TrueType fonts, cells shaded one by one, headers the browser repeats)
  --writer    print the same HTML through LibreOffice Writer (render_browser.py --writer: a word
              processor's layout; needs Debian's libreoffice-writer-nogui)
  --weasyprint  print the Chromium HTML through WeasyPrint (pip install -e '.[bench]')
  --full-prose  set every prose line of the seeds between the tables (by default only the 1,500
              characters nearest each table): the same tables among five times the prose
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "seedpdf"))

from extraction_accuracy import triples  # noqa: E402
from pipelines.extract.layout import tidy_cjk  # noqa: E402
from pipelines.extract.metadata import document_metadata  # noqa: E402
from pipelines.extract.pdf import extract_pdf  # noqa: E402
from render_seeds import STYLES, render_all  # noqa: E402

SPLIT_GROUP = "split across pages"


def exact_text(text: str | None) -> str:
    return tidy_cjk(re.sub(r"\s+", " ", text or "").strip())


def loose_text(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def label_key(label: str | None) -> str:
    return re.sub(r"\s+", "", label or "").casefold()


def padded(grid: list[list[str]], width: int) -> list[list[str]]:
    return [list(row[:width]) + [""] * (width - len(row)) for row in grid]


def spread_spans(grid: list[list[str]], spans: list[list[int]]) -> list[list[str]]:
    """Header labels drawn across columns count for every column they cover (empty cells only)."""
    out = [list(row) for row in grid]
    for r, c0, c1 in spans:
        if r < len(out) and c0 < len(out[r]):
            for c in range(c0 + 1, min(c1 + 1, len(out[r]))):
                out[r][c] = out[r][c] or out[r][c0]
    return out


def cell_set(grid: list[list[str]], header_rows: int, spans: list[list[int]], norm) -> set:
    if len(grid) <= header_rows or not grid:
        return set()
    width = max(len(r) for r in grid)
    clean = [[norm(t) for t in row] for row in padded(spread_spans(grid, spans), width)]
    return triples(clean, header_rows)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Counts") -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / max(self.tp + self.fp, 1)

    @property
    def recall(self) -> float:
        return self.tp / max(self.tp + self.fn, 1)

    @property
    def f1(self) -> float:
        return 2 * self.tp / max(2 * self.tp + self.fp + self.fn, 1)


def compare(truth: set, got: set) -> Counts:
    return Counts(len(truth & got), len(got - truth), len(truth - got))


@dataclass
class TableResult:
    doc: str
    label: str
    style: str
    pages: list[int]
    starts_near_page_bottom: bool
    found: bool
    caption_ok: bool
    truth_shape: list[int]  # rows, cols
    got_shape: list[int]
    got_caption: str | None
    truth_grid: list[list[str]]
    got_grid: list[list[str]]
    cells: Counts = field(default_factory=Counts)  # whitespace ignored
    exact: Counts = field(default_factory=Counts)  # spacing kept

    @property
    def split(self) -> bool:
        return len(self.pages) > 1


@dataclass
class DocResult:
    doc: str
    pages: int
    tables: list[TableResult]
    extra: list[str]  # labels (or None) of emitted tables the truth does not list
    registrations_true: list[str]
    registrations_found: list[str]
    seconds: float


def extracted_grids(tables, cells) -> dict[str, list]:
    """Extracted tables grouped by normalised label, in emission order."""
    by_label: dict[str, list] = {}
    for row in tables.iter_rows(named=True):
        part = cells.filter(cells["table_id"] == row["table_id"]).sort("row_idx", "col_idx")
        grid = [g["text"].to_list() for g in part.partition_by("row_idx", maintain_order=True)] \
            if part.height else []
        by_label.setdefault(label_key(row["label"]), []).append((row, [[t or "" for t in r] for r in grid]))
    return by_label


def score_document(pdf: Path) -> DocResult:
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    result = extract_pdf(pdf, "s")
    tables, cells, _ = result.frames()
    seconds = time.perf_counter() - start
    emitted = extracted_grids(tables, cells)
    scored = []
    for spec in truth["tables"]:
        candidates = emitted.get(label_key(spec["label"]), [])
        row, grid = candidates.pop(0) if candidates else (None, [])
        header, spans = spec["header_rows"], spec["header_spans"]
        got_caption = row["caption"] if row else None
        res = TableResult(
            pdf.stem, spec["label"], spec["style"], spec["pages"], spec["starts_near_page_bottom"],
            found=row is not None,
            caption_ok=row is not None and loose_text(got_caption) == loose_text(spec["caption"]),
            truth_shape=[len(spec["grid"]), max(map(len, spec["grid"]))],
            got_shape=[len(grid), max(map(len, grid), default=0)],
            got_caption=got_caption, truth_grid=spec["grid"], got_grid=grid)
        res.cells = compare(cell_set(spec["grid"], header, spans, loose_text),
                            cell_set(grid, header, spans, loose_text))
        res.exact = compare(cell_set(spec["grid"], header, spans, exact_text),
                            cell_set(grid, header, spans, exact_text))
        scored.append(res)
    extra = [row["label"] for left in emitted.values() for row, _ in left]
    _, analysts, _ = document_metadata(result.text_lines, [])
    return DocResult(pdf.stem, result.pages or 0, scored, extra,
                     sorted(a["registration_no"] for a in truth["analysts"]),
                     sorted({(a["registration_no"] or "").upper() for a in analysts}), seconds)


@dataclass
class Group:
    tables: int = 0
    found: int = 0
    captions: int = 0
    cells: Counts = field(default_factory=Counts)
    exact: Counts = field(default_factory=Counts)

    def add(self, t: TableResult) -> None:
        self.tables += 1
        self.found += t.found
        self.captions += t.caption_ok
        self.cells.add(t.cells)
        self.exact.add(t.exact)

    def line(self, name: str) -> str:
        return (f"  {name:22s} tables {self.tables:3d}  found {self.found:3d}  captions {self.captions:3d}  "
                f"cells P {self.cells.precision:.3f} R {self.cells.recall:.3f} F1 {self.cells.f1:.3f}  "
                f"F1 exact {self.exact.f1:.3f}")


def report_groups(docs: list[DocResult]) -> None:
    """Per house style, tables split across pages, overall; then extra tables."""
    groups = {name: Group() for name in (*STYLES, SPLIT_GROUP, "overall")}
    at_foot = Group()
    for t in (t for d in docs for t in d.tables):
        for name in (t.style, "overall", *([SPLIT_GROUP] if t.split else [])):
            groups[name].add(t)
        if t.starts_near_page_bottom:
            at_foot.add(t)
    print("per style:")
    for name in STYLES:
        print(groups[name].line(name))
    print(groups[SPLIT_GROUP].line(SPLIT_GROUP))
    print(at_foot.line("  starting at page foot"))
    print(groups["overall"].line("overall"))
    print(f"  extra tables emitted that the truth does not list: {sum(len(d.extra) for d in docs)}")


def report_documents(docs: list[DocResult]) -> None:
    print("\nper document:")
    for doc in docs:
        group = Group()
        for t in doc.tables:
            group.add(t)
        print(group.line(f"{doc.doc[:3]} ({doc.pages} pages)")
              + f"  extra {len(doc.extra)}  {doc.seconds:.1f}s")
        if doc.extra:
            print(f"      extra labels: {', '.join(str(x) for x in doc.extra)}")


def report_worst(docs: list[DocResult], n: int = 15) -> None:
    print(f"\nworst {n} tables (F1 whitespace ignored; --show DOC:LABEL prints one):")
    worst = sorted((t for d in docs for t in d.tables), key=lambda t: (t.cells.f1, t.doc, t.label))[:n]
    for t in worst:
        where = f"p{t.pages[0]}" + (f"-{t.pages[-1]}" if t.split else "") if t.pages else "-"
        shape = f"truth {t.truth_shape[0]}x{t.truth_shape[1]} got {t.got_shape[0]}x{t.got_shape[1]}"
        flag = "not found" if not t.found else "" if t.caption_ok else "caption differs"
        print(f"  {t.cells.f1:.3f}  {t.doc[:3]} {t.label:8s} {t.style:11s} {where:7s} {shape:24s} "
              f"tp {t.cells.tp:3d} fp {t.cells.fp:3d} fn {t.cells.fn:3d}  {flag}")


def report_registrations(docs: list[DocResult]) -> None:
    print("\nsidebar registration numbers (document_metadata on the PDF's text lines):")
    found = total = 0
    for doc in docs:
        true, read = set(doc.registrations_true), set(doc.registrations_found)
        found, total = found + len(true & read), total + len(true)
        print(f"  {doc.doc[:3]}: {len(true & read)}/{len(true)} found"
              + (f"; missing {', '.join(sorted(true - read))}" if true - read else "")
              + (f"; not in truth {', '.join(sorted(read - true))}" if read - true else ""))
    print(f"  overall: {found}/{total} registration numbers found")


def show(docs: list[DocResult], wanted: str) -> None:
    """Truth and extracted grids of one table ('002:图表49'), row by row."""
    doc, _, label = wanted.partition(":")
    for d in docs:
        for t in d.tables:
            if not d.doc.startswith(doc) or label_key(t.label) != label_key(label):
                continue
            print(f"\n{t.doc} {t.label} ({t.style}, pages {t.pages}) F1 {t.cells.f1:.3f}; "
                  f"caption read as {t.got_caption!r}")
            for name, grid in (("truth", t.truth_grid), ("extracted", t.got_grid)):
                print(f"  {name}:")
                for row in grid:
                    print("    | " + " | ".join(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", type=Path, help="folder for the PDFs and truth files")
    parser.add_argument("--render", action="store_true", help="render even if --out holds PDFs")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--shift", type=int, default=0,
                        help="render each document's layout N places on (1-4: every table in another style)")
    parser.add_argument("--browser", action="store_const", const="chromium", dest="engine",
                        help="render through Chromium (render_browser.py)")
    parser.add_argument("--writer", action="store_const", const="writer", dest="engine",
                        help="render through LibreOffice Writer")
    parser.add_argument("--weasyprint", action="store_const", const="weasyprint", dest="engine",
                        help="render through WeasyPrint")
    parser.add_argument("--full-prose", action="store_true", help="set every prose line of the seeds")
    parser.add_argument("--json", type=Path, help="write per-table results here")
    parser.add_argument("--show", action="append", default=[], metavar="DOC:LABEL",
                        help="print one table's truth and extracted grids, e.g. 002:图表49")
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="seedpdf-"))
    start = time.perf_counter()
    pdfs = sorted(folder.glob("*.pdf")) if args.out and not args.render else []
    if not pdfs or not all(p.with_suffix(".truth.json").exists() for p in pdfs):
        if args.engine:
            from render_browser import render_all as print_all

            pdfs = print_all(folder, shift=args.shift, engine=args.engine, full_prose=args.full_prose)
        else:
            pdfs = render_all(folder, shift=args.shift, full_prose=args.full_prose)
        print(f"rendered {len(pdfs)} PDFs into {folder} in {time.perf_counter() - start:.1f}s")
    else:
        print(f"reusing {len(pdfs)} PDFs in {folder}")
    docs = [score_document(pdf) for pdf in pdfs]
    report_groups(docs)
    report_documents(docs)
    report_worst(docs)
    report_registrations(docs)
    for wanted in args.show:
        show(docs, wanted)
    print(f"\ntotal {time.perf_counter() - start:.1f}s")
    if args.json:
        tables = [{**asdict(t), "f1": t.cells.f1, "f1_exact": t.exact.f1, "split": t.split}
                  for d in docs for t in d.tables]
        documents = [{k: v for k, v in asdict(d).items() if k != "tables"} for d in docs]
        args.json.write_text(json.dumps({"documents": documents, "tables": tables}, ensure_ascii=False,
                                        indent=1), encoding="utf-8")
        print(f"per-table results: {args.json}")
    if not args.out:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
